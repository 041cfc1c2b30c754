"""A fixed, generated set of English news articles for the benchmark.

Sentences come from a word-level Markov chain (order 2) over the seed page, so they read like
the seed's news English (the job's language screen accepts them) and are all distinct (the job
translates an identical sentence once, which would flatter it). Sentence lengths follow the
seed page's; `random.Random(seed)` makes the set the same on every machine.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

from benchmarks.realmodels import seed_lines

START = ("<s>", "<s>")


def _seed_sentences() -> list[list[str]]:
    from jobs.stages.segment import split_sentences

    sentences = []
    for line in seed_lines():
        for sentence in split_sentences(line):
            words = sentence.split()
            if len(words) >= 4:
                sentences.append(words)
    return sentences


class SentenceMaker:
    def __init__(self, seed: int = 0):
        self.rng = random.Random(seed)
        self.chain: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.lengths: list[int] = []
        for words in _seed_sentences():
            self.lengths.append(len(words))
            state = START
            for word in [*words, "</s>"]:
                self.chain[state].append(word)
                state = (state[1], word)
        self.seen: set[str] = set()

    def sentence(self, min_words: int = 6) -> str:
        """A new sentence of about a seed sentence's length, never seen before."""
        while True:
            target = max(min_words, self.rng.choice(self.lengths))
            words: list[str] = []
            state = START
            while len(words) < target + 15:
                word = self.rng.choice(self.chain[state])
                if word == "</s>":
                    if len(words) >= min(target, min_words):
                        break
                    state = START
                    continue
                words.append(word)
                state = (state[1], word)
            text = " ".join(words)
            if not text.endswith((".", "?", "!", '"')):
                text += "."
            text = text[0].upper() + text[1:]
            if text not in self.seen and len(words) >= min_words:
                self.seen.add(text)
                return text


def make_articles(count: int, words_per_article: int, seed: int = 0) -> list[dict]:
    """`count` articles of about `words_per_article` words each (title + paragraphs of 1-4 sentences)."""
    maker = SentenceMaker(seed)
    rng = random.Random(seed + 1)
    articles = []
    for index in range(count):
        title = " ".join(maker.sentence().rstrip(".").split()[:10])
        paragraphs: list[str] = []
        words = 0
        while words < words_per_article:
            paragraph = " ".join(maker.sentence() for _ in range(rng.randint(1, 4)))
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        articles.append({"id": f"bench-{index:05d}", "title": title, "paragraphs": paragraphs})
    return articles


def write_jsonl(articles: list[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for article in articles:
            fh.write(json.dumps(article, ensure_ascii=False) + "\n")
    return path


def sentences_of(articles: list[dict]) -> list[str]:
    """The sentences the job will translate for these articles (titles and body; no summaries)."""
    from jobs.stages.segment import split_sentences

    out = []
    for article in articles:
        out.extend(split_sentences(article["title"]))
        for paragraph in article["paragraphs"]:
            out.extend(split_sentences(paragraph))
    return out
