"""Translation of the units table into one target language, and reassembly into articles.

All units of all articles are translated together (identical sentences once), batched by the
backend's token budget. A sentence longer than the model's window is split into pieces that
fit, translated piece by piece and joined again: nothing is cut.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import datasets

from jobs.stages.segment import fit_to_window

# Languages written without spaces between sentences.
NO_SPACE_LANGS = {"zh", "ja", "th", "lo", "my", "km", "yue"}


def joiner(lang: str) -> str:
    return "" if lang.split("_")[0].split("-")[0] in NO_SPACE_LANGS else " "


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


def translate_units(units: datasets.Dataset, backend, lang: str, on_progress: Callable[[int], None] | None = None,
                    cache=None) -> UnitOutputs:
    """Translate every unit's text; identical texts once, cached ones not at all."""
    from jobs.stages.cache import Cached

    texts: list[str] = units["text"]
    unique = list(dict.fromkeys(texts))
    key = backend.identity.key() if cache is not None else ""
    done = {t: (c.output, c.hit_limit) for t, c in (cache.get_many(key, unique) if cache is not None else {}).items()}
    todo = [t for t in unique if t not in done]
    result = UnitOutputs(texts=[], hit_limit=[], cached_units=len(unique) - len(todo))
    failed: dict[str, str] = {}
    for start in range(0, len(todo), ROUND_TEXTS):
        fresh = _translate_round(todo[start:start + ROUND_TEXTS], backend, lang, on_progress, result)
        failed.update({t: error for t, (_, _, error) in fresh.items() if error})
        good = {t: (out, limited) for t, (out, limited, error) in fresh.items() if not error}
        if cache is not None:
            cache.put_many(key, [(t, Cached(out, limited)) for t, (out, limited) in good.items()])
        done.update(good)
    result.texts = [done.get(t, ("", False))[0] for t in texts]
    result.hit_limit = [done.get(t, ("", False))[1] for t in texts]
    result.errors = [failed.get(t) for t in texts]
    return result


def _translate_round(unique: list[str], backend, lang: str, on_progress, result: UnitOutputs) -> dict[str, tuple[str, bool, str | None]]:
    """Translate distinct texts in one length-sorted pass; split the ones over the window.

    Returns text -> (translation, hit the length limit, error or None when a piece failed).
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
    return {
        text: (glue.join(t for t in generated.texts[start:end] if t), any(generated.hit_limit[start:end]),
               next((errors[i] for i in range(start, end) if i in errors), None))
        for text, (start, end) in zip(unique, spans)
    }


def assemble_articles(units: datasets.Dataset, outputs: UnitOutputs, lang: str, *,
                      source_lang: str = "en") -> dict[str, dict[str, Any]]:
    """Per article id: translated title, summary and paragraphs (as many as the source has),
    with the QA flags of its units (jobs.quality.qa)."""
    from jobs.quality.qa import check_units

    glue = joiner(lang)
    parts: dict[str, dict[tuple[str, int], list[str]]] = {}
    flags = check_units(units, outputs.texts, outputs.hit_limit, lang, source_lang=source_lang)
    for article_id, part, paragraph, text in zip(units["article_id"], units["part"], units["paragraph"], outputs.texts):
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
