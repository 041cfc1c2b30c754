"""Translation of the units table into one target language, and reassembly into articles.

All units of all articles are translated together (identical sentences once), batched by the
backend's token budget. A sentence longer than the model's window is split into pieces that
fit, translated piece by piece and joined again: nothing is cut.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import datasets

from jobs.segment import fit_to_window

# Languages written without spaces between sentences.
NO_SPACE_LANGS = {"zh", "ja", "th", "lo", "my", "km", "yue"}


def joiner(lang: str) -> str:
    return "" if lang.split("_")[0].split("-")[0] in NO_SPACE_LANGS else " "


@dataclass
class UnitOutputs:
    """One output per unit row, in the units table's order, plus what generation cost."""

    texts: list[str]
    hit_limit: list[bool]
    split_units: int = 0  # units longer than the window, translated in pieces
    input_tokens: int = 0
    output_tokens: int = 0
    batches: int = 0
    settings: dict[str, Any] = field(default_factory=dict)


def translate_units(units: datasets.Dataset, backend, lang: str, on_progress: Callable[[int], None] | None = None) -> UnitOutputs:
    """Translate every unit's text; identical texts are translated once."""
    texts: list[str] = units["text"]
    unique = list(dict.fromkeys(texts))
    window = backend.max_input_tokens
    lengths = backend.count_tokens(unique)
    count = backend.counter()
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []  # per unique text: its pieces' range in `pieces`
    split_units = 0
    for text, length in zip(unique, lengths):
        parts = [text] if length <= window else fit_to_window(text, count, window)
        split_units += len(parts) > 1
        spans.append((len(pieces), len(pieces) + len(parts)))
        pieces.extend(parts)
    generated = backend.generate(pieces, on_progress)
    glue = joiner(lang)
    translated = {}
    for text, (start, end) in zip(unique, spans):
        out = glue.join(t for t in generated.texts[start:end] if t)
        translated[text] = (out, any(generated.hit_limit[start:end]))
    return UnitOutputs(
        texts=[translated[t][0] for t in texts],
        hit_limit=[translated[t][1] for t in texts],
        split_units=split_units,
        input_tokens=generated.input_tokens,
        output_tokens=generated.output_tokens,
        batches=generated.batches,
        settings=generated.settings,
    )


def assemble_articles(units: datasets.Dataset, outputs: UnitOutputs, lang: str) -> dict[str, dict[str, Any]]:
    """Per article id: translated title, summary and paragraphs (as many as the source has)."""
    glue = joiner(lang)
    parts: dict[str, dict[tuple[str, int], list[str]]] = {}
    flags: dict[str, list[dict[str, Any]]] = {}
    columns = zip(units["article_id"], units["part"], units["paragraph"], units["sentence"])
    for (article_id, part, paragraph, sentence), text, limited in zip(columns, outputs.texts, outputs.hit_limit):
        parts.setdefault(article_id, {}).setdefault((part, paragraph), []).append(text)
        where = {"part": part, "paragraph": paragraph, "sentence": sentence}
        article_flags = flags.setdefault(article_id, [])
        if not text:
            article_flags.append({"flag": "empty_output", **where})
        if limited:
            article_flags.append({"flag": "length_limit", **where})
    articles: dict[str, dict[str, Any]] = {}
    for article_id, by_part in parts.items():
        body = sorted((p, texts) for (part, p), texts in by_part.items() if part == "body")
        articles[article_id] = {
            "title": glue.join(by_part.get(("title", 0), [])),
            "summary": glue.join(by_part.get(("summary", 0), [])),
            "paragraphs": [glue.join(texts) for _, texts in body],
            "qa_flags": flags.get(article_id, []),
        }
    return articles
