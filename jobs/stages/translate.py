"""Translation of the units table into one target language, and reassembly into articles.

All units of all articles are translated together (identical sentences once), batched by the
backend's token budget. A sentence longer than the model's window is split into pieces that
fit, translated piece by piece and joined again: nothing is cut.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import datasets

from jobs.quality import rules_version
from jobs.quality.language import joiner
from jobs.stages.cache import Cached, remembered
from jobs.stages.generation import Made, generate_cached
from jobs.stages.segment import fit_to_window


@dataclass
class UnitOutputs:
    """One output per unit row, in the units table's order, plus what generation cost."""

    texts: list[str]
    hit_limit: list[bool]
    errors: list[str | None] | None = None  # per unit: why it has no translation (None: it has one)
    cached_units: int = 0  # distinct texts taken from the cache
    split_units: int = 0  # texts longer than the window, translated in pieces
    input_tokens: int = 0
    output_tokens: int = 0
    batches: int = 0


ROUND_TEXTS = 2000  # texts per round: a killed run keeps every finished round in the cache


def translate_units(
    units: datasets.Dataset, backend, lang: str, on_progress: Callable[[int], None] | None = None, cache=None
) -> UnitOutputs:
    """Translate every unit's text; identical texts once, cached ones not at all."""
    texts: list[str] = units["text"][:]  # a plain list: iterating a datasets Column is slow
    result = UnitOutputs(texts=[], hit_limit=[])
    run = generate_cached(
        texts,
        lambda todo: _translate_round(todo, backend, lang, on_progress, result),
        cache=cache,
        key=backend.identity.key() if cache is not None else "",
        round_size=ROUND_TEXTS,
        on_plan=getattr(on_progress, "plan", None),  # jobs.progress.Task: the "to do" line
    )
    result.cached_units = run.cached
    empty = Cached("", False)
    result.texts = [run.outputs.get(t, empty).output for t in texts]
    result.hit_limit = [run.outputs.get(t, empty).hit_limit for t in texts]
    result.errors = [run.failed.get(t) for t in texts]
    return result


def _translate_round(unique: list[str], backend, lang: str, on_progress, result: UnitOutputs) -> Made:
    """Translate distinct texts in one length-sorted pass; split the ones over the window.

    Returns text -> its translation, or the error of a piece that failed.
    """
    window = backend.max_input_tokens
    lengths = backend.count_tokens(unique)
    count = backend.counter()
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []  # per text: its pieces' range in `pieces`
    for text, length in zip(unique, lengths):
        parts = [text] if length <= window else fit_to_window(text, count, window)
        result.split_units += len(parts) > 1
        spans.append((len(pieces), len(pieces) + len(parts)))
        pieces.extend(parts)
    generated = backend.generate(pieces, on_progress)
    result.input_tokens += generated.input_tokens
    result.output_tokens += generated.output_tokens
    result.batches += generated.batches
    glue = joiner(lang)
    errors = generated.errors
    made: Made = {}
    for text, (start, end) in zip(unique, spans):
        error = next((errors[i] for i in range(start, end) if i in errors), None)
        made[text] = error or Cached(
            glue.join(t for t in generated.texts[start:end] if t), any(generated.hit_limit[start:end])
        )
    return made


def assemble_articles(
    units: datasets.Dataset, outputs: UnitOutputs, lang: str, *, source_lang: str = "en", cache=None
) -> dict[str, dict[str, Any]]:
    """Per article id: translated title, summary and paragraphs (as many as the source has),
    with the QA flags of its units (jobs.quality.flags; each unit's findings kept in the cache)."""
    from jobs.quality.flags import check_units

    glue = joiner(lang)
    parts: dict[str, dict[tuple[str, int], list[str]]] = {}
    findings = unit_findings(units["text"][:], outputs, lang, source_lang, cache)
    flags = check_units(units, outputs.texts, outputs.hit_limit, lang, source_lang=source_lang, findings=findings)
    for article_id, part, paragraph, text in zip(
        units["article_id"][:], units["part"][:], units["paragraph"][:], outputs.texts
    ):
        parts.setdefault(article_id, {}).setdefault((part, paragraph), []).append(text)
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


def unit_findings(sources: list[str], outputs: UnitOutputs, lang: str, source_lang: str, cache) -> list[Any]:
    """Each unit's QA findings (jobs.quality.flags.unit_findings), remembered per (source, output)."""
    from jobs.quality.flags import unit_findings as findings_of

    rows = list(zip(sources, outputs.texts, outputs.hit_limit))
    keys = [
        json.dumps([lang, source_lang, limited, source, output], ensure_ascii=False) for source, output, limited in rows
    ]

    def compute(i: int) -> Any:
        source, output, limited = rows[i]
        return findings_of(source, output, lang, hit_limit=limited, source_lang=source_lang)

    return remembered(cache, f"qa-unit:{rules_version()}", keys, compute)
