"""Sentence splitting, fitting text to a model's window, and the table of translation units.

A unit is one sentence of one part of one article (title, summary or a body paragraph); every
model stage works on units and the assembler puts them back in order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import datasets

UNIT_FEATURES = datasets.Features(
    {
        "article_id": datasets.Value("string"),
        "part": datasets.Value("string"),  # title | summary | body
        "paragraph": datasets.Value("int32"),  # body paragraph number; 0 for title and summary
        "sentence": datasets.Value("int32"),
        "text": datasets.Value("string"),
    }
)
# Where a sentence that is too long for the model may be cut, best first: clause punctuation,
# then any space. A piece with neither is cut between characters as the last resort.
_CLAUSE_BREAK = re.compile(r"(?<=[;:,\u2014\u2013)])\s+")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=8)
def _segmenter(lang: str):
    import pysbd

    return pysbd.Segmenter(language=lang, clean=False)


def split_sentences(text: str, lang: str = "en") -> list[str]:
    """Sentences of a paragraph (pysbd, rule-based); joined with spaces they give the text back."""
    text = text.strip()
    if not text:
        return []
    return [s.strip() for s in _segmenter(lang).segment(text) if s.strip()]


def fit_to_window(text: str, count: Callable[[str], int], max_tokens: int) -> list[str]:
    """Split text into consecutive pieces of at most max_tokens each, cutting nothing off.

    Prefers clause boundaries, then spaces, then characters; the pieces joined with a space
    hold every word of the text.
    """
    if count(text) <= max_tokens:
        return [text]
    for splitter in (_CLAUSE_BREAK, _SPACE):
        parts = [p for p in splitter.split(text) if p]
        if len(parts) > 1:
            return pack_texts(parts, count, max_tokens)
    middle = len(text) // 2
    return fit_to_window(text[:middle], count, max_tokens) + fit_to_window(text[middle:], count, max_tokens)


def pack_texts(parts: Sequence[str], count: Callable[[str], int], max_tokens: int) -> list[str]:
    """Join consecutive parts with spaces into as few pieces of at most max_tokens as greedy
    packing gives; a part that alone is too long is split first (`fit_to_window`)."""
    pieces: list[str] = []
    for part in parts:
        pieces.extend(fit_to_window(part, count, max_tokens))
    packed: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current} {piece}" if current else piece
        if current and count(candidate) > max_tokens:
            packed.append(current)
            current = piece
        else:
            current = candidate
    if current:
        packed.append(current)
    return packed


def head_within(text: str, count: Callable[[str], int], max_tokens: int) -> str:
    """The longest run of leading words of text that counts at most max_tokens (characters when
    even the first word is too long); text itself when it fits."""
    if count(text) <= max_tokens:
        return text
    words = text.split()
    low, high = 0, len(words)  # the answer lies in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        if count(" ".join(words[:middle])) <= max_tokens:
            low = middle
        else:
            high = middle
    if low:
        return " ".join(words[:low])
    low, high = 0, len(words[0]) if words else 0
    while high - low > 1:
        middle = (low + high) // 2
        if count(words[0][:middle]) <= max_tokens:
            low = middle
        else:
            high = middle
    return words[0][:low] if words else ""


def segment_articles(articles: datasets.Dataset, *, with_summary: bool = True, cache=None) -> datasets.Dataset:
    """One row per sentence of every title, summary and body paragraph, in reading order.

    With a `cache` (stages.cache.Cache) the splits of texts seen before come from it: pysbd
    costs milliseconds per paragraph, most of a cached run's time at thousands of articles."""
    rows: dict[str, list] = {name: [] for name in UNIT_FEATURES}
    parts = []
    for article in articles:
        parts.append((article["id"], "title", 0, article["title"]))
        if with_summary and article.get("summary"):
            parts.append((article["id"], "summary", 0, article["summary"]))
        parts += [(article["id"], "body", n, paragraph) for n, paragraph in enumerate(article["paragraphs"])]
    splits = _cached_splits([part[3] for part in parts], cache)
    for article_id, part, paragraph, text in parts:
        for number, sentence in enumerate(splits[text] or [text.strip()]):
            rows["article_id"].append(article_id)
            rows["part"].append(part)
            rows["paragraph"].append(paragraph)
            rows["sentence"].append(number)
            rows["text"].append(sentence)
    return datasets.Dataset.from_dict(rows, features=UNIT_FEATURES)


def _cached_splits(texts: list[str], cache) -> dict[str, list[str]]:
    """split_sentences of every text, through the cache when there is one (keyed by pysbd's version)."""
    if cache is None:
        return {text: split_sentences(text) for text in set(texts)}
    from importlib.metadata import version

    from jobs.stages.cache import Cached

    key = f"segment:pysbd-{version('pysbd')}:en"
    found = {text: json.loads(hit.output) for text, hit in cache.get_many(key, texts, count=False).items()}
    new = {text: split_sentences(text) for text in set(texts) - set(found)}
    if new:
        cache.put_many(key, [(text, Cached(json.dumps(split), False)) for text, split in new.items()])
    return {**found, **new}
