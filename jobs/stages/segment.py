"""Sentence splitting, fitting text to a model's window, and the table of translation units.

A unit is one sentence of one part of one article (title, summary or a body paragraph); every
model stage works on units and the assembler puts them back in order.
"""

from __future__ import annotations

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


def segment_articles(articles: datasets.Dataset, *, with_summary: bool = True) -> datasets.Dataset:
    """One row per sentence of every title, summary and body paragraph, in reading order."""
    rows: dict[str, list] = {name: [] for name in UNIT_FEATURES}

    def add(article_id: str, part: str, paragraph: int, text: str) -> None:
        for number, sentence in enumerate(split_sentences(text) or [text.strip()]):
            rows["article_id"].append(article_id)
            rows["part"].append(part)
            rows["paragraph"].append(paragraph)
            rows["sentence"].append(number)
            rows["text"].append(sentence)

    for article in articles:
        add(article["id"], "title", 0, article["title"])
        if with_summary and article.get("summary"):
            add(article["id"], "summary", 0, article["summary"])
        for number, paragraph in enumerate(article["paragraphs"]):
            add(article["id"], "body", number, paragraph)
    return datasets.Dataset.from_dict(rows, features=UNIT_FEATURES)
