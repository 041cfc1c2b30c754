"""Translation of the units table into one target language, and reassembly into articles.

All units of all articles are translated together (identical sentences once), batched by the
backend's token budget. A sentence longer than the model's window is split into pieces that
fit, translated piece by piece and joined again: nothing is cut.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import datasets

from jobs.quality import rules_version
from jobs.quality.language import joiner
from jobs.stages.cache import Cached, remembered
from jobs.stages.corrections import human_units
from jobs.stages.editorial import Editorial
from jobs.stages.generation import Made, generate_cached
from jobs.stages.glossary import Protected, glossary_findings, restore
from jobs.stages.repair import choose, verdict
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
    # Editorial control (jobs.stages.editorial), per unit row:
    origin: list[str] = field(default_factory=list)  # machine | human | repaired
    covered: list[bool] = field(default_factory=list)  # inside a paragraph a correction replaced whole
    whole: list[bool] = field(default_factory=list)  # the row's correction is of its whole paragraph
    protected: list[Protected] = field(default_factory=list)  # the glossary terms the row contains
    repair: list[dict[str, Any] | None] = field(default_factory=list)  # what repair tried, and kept


ROUND_TEXTS = 2000  # texts per round: a killed run keeps every finished round in the cache


def translate_units(
    units: datasets.Dataset,
    backend,
    lang: str,
    on_progress: Callable[[int], None] | None = None,
    cache=None,
    editorial: Editorial | None = None,
    source_lang: str = "en",
) -> UnitOutputs:
    """Translate every unit's text; identical texts once, cached ones not at all.

    With `editorial`: units an editor corrected take the correction and reach no model, glossary
    terms go through as placeholders (and a unit's cache key includes its terms), and flagged
    units are generated once more with the repair setting (jobs.stages.repair)."""
    editorial = editorial or Editorial(lang)
    texts: list[str] = units["text"][:]  # a plain list: iterating a datasets Column is slow
    human = human_units(units["article_id"][:], units["part"][:], units["paragraph"][:], texts, editorial.memory)
    machine = [t for t, h in zip(texts, human.texts) if h is None]
    protected = {t: editorial.glossary.protect(t) for t in dict.fromkeys(machine)}
    by_key = {p.key: p for p in protected.values()}
    result = UnitOutputs(texts=[], hit_limit=[])
    run = generate_cached(
        [p.key for p in protected.values()],
        lambda todo: _translate_protected(todo, by_key, backend, lang, on_progress, result),
        cache=cache,
        key=backend.identity.key() if cache is not None else "",
        round_size=ROUND_TEXTS,
        on_plan=getattr(on_progress, "plan", None),  # jobs.progress.Task: the "to do" line
    )
    result.cached_units = run.cached
    outputs, repairs = run.outputs, {}
    if editorial.repair_generation() is not None:
        outputs, repairs = _repair(run.outputs, by_key, backend, lang, source_lang, editorial, result, cache)
    empty = Cached("", False)
    result.origin, result.repair, result.protected = [], [], []
    for text, own in zip(texts, human.texts):
        if own is not None:
            result.texts.append(own)
            result.hit_limit.append(False)
            result.origin.append("human")
            result.repair.append(None)
            result.protected.append(Protected(text, text))
            continue
        key = protected[text].key
        made = outputs.get(key, empty)
        result.texts.append(made.output)
        result.hit_limit.append(made.hit_limit)
        result.repair.append(repairs.get(key))
        result.origin.append("repaired" if repairs.get(key, {}).get("kept") == "repair" else "machine")
        result.protected.append(protected[text])
    result.errors = [
        None if own is not None else run.failed.get(protected[t].key) for t, own in zip(texts, human.texts)
    ]
    result.covered, result.whole = human.covered, human.whole
    return result


def _translate_protected(
    keys: list[str], by_key: dict[str, Protected], backend, lang: str, on_progress, result, *, alone: bool = False
) -> Made:
    """Translate the model inputs of `keys` (terms as placeholders) and put the terms' targets back
    (`alone`: see `_translate_round`)."""
    inputs = list(dict.fromkeys(by_key[k].model_input for k in keys))
    made = _translate_round(inputs, backend, lang, on_progress, result, alone=alone)
    back: Made = {}
    for key in keys:
        out = made[by_key[key].model_input]
        back[key] = Cached(restore(out.output, by_key[key]), out.hit_limit) if isinstance(out, Cached) else out
    return back


def _repair(
    first: dict[str, Cached],
    by_key: dict[str, Protected],
    backend,
    lang: str,
    source_lang: str,
    editorial: Editorial,
    result: UnitOutputs,
    cache,
) -> tuple[dict[str, Cached], dict[str, dict[str, Any]]]:
    """Flagged units generated again with the repair setting (their share); per key the output
    kept, and what repair tried (why, the candidate's flags, which was kept, the setting).

    Each unit is decoded in a batch of its own (`alone`): its candidate then depends on its own
    text only, never on which other units the run (a Ray run, an archive shard, an hourly run
    with most of them cached) sends to repair; CTranslate2 int8 outputs and every batch's
    length limit depend on the batch's rows. That is repair's own rule (one article's edit never
    changes another's text) carried down to decoding; the cost is measured in docs/benchmarks.md."""
    import time

    settings = editorial.repair_generation()
    stats = editorial.repair_stats
    keys = [k for k in by_key if k in first]  # units order: the cache returns its rows in any order
    findings = _flags(keys, first, by_key, lang, source_lang, cache)
    stats.enabled, stats.setting = True, settings.model_dump(exclude_none=True)
    stats.max_share = editorial.repair.max_share
    chosen, stats.left_out = choose(findings, stats.max_share)
    stats.flagged = len(chosen) + stats.left_out
    if not chosen:
        return first, {}
    started = time.perf_counter()
    variant = backend.with_settings(settings)
    second_result = UnitOutputs(texts=[], hit_limit=[])
    second = generate_cached(
        chosen,
        lambda todo: _translate_protected(todo, by_key, variant, lang, None, second_result, alone=True),
        cache=cache,
        key=variant.identity.key() if cache is not None else "",
    )
    stats.seconds = round(time.perf_counter() - started, 3)
    stats.attempted, stats.cached = len(chosen), second.cached
    for name in ("input_tokens", "output_tokens", "batches"):
        setattr(result, name, getattr(result, name) + getattr(second_result, name))
    candidates = _flags([k for k in chosen if k in second.outputs], second.outputs, by_key, lang, source_lang, cache)
    kept = dict(first)
    tried: dict[str, dict[str, Any]] = {}
    for key, candidate in candidates.items():
        choice = verdict(findings[key], candidate)
        tried[key] = {
            "why": sorted({f[0] for f in findings[key]}),
            "candidate_flags": sorted({f[0] for f in candidate}),
            "kept": choice,
            "setting": stats.setting,
        }
        if choice == "repair":
            kept[key] = second.outputs[key]
            stats.repaired += 1
    return kept, tried


def _flags(keys: list[str], outputs: dict[str, Cached], by_key: dict[str, Protected], lang, source_lang, cache):
    """Each key's QA findings on its output: the unit rules' (remembered) and the glossary's."""
    rows = [(by_key[k].text, outputs[k].output, outputs[k].hit_limit) for k in keys]
    found = _findings(rows, lang, source_lang, cache)
    return {k: f + glossary_findings(by_key[k], outputs[k].output) for k, f in zip(keys, found)}


def _findings(rows: list[tuple[str, str, bool]], lang: str, source_lang: str, cache) -> list[list[Any]]:
    """Each (source, output, hit_limit)'s QA findings (jobs.quality.flags.unit_findings), remembered."""
    from jobs.quality.flags import unit_findings as findings_of

    keys = [
        json.dumps([lang, source_lang, limited, source, output], ensure_ascii=False) for source, output, limited in rows
    ]

    def compute(i: int) -> Any:
        source, output, limited = rows[i]
        return findings_of(source, output, lang, hit_limit=limited, source_lang=source_lang)

    return [[tuple(f) for f in found] for found in remembered(cache, f"qa-unit:{rules_version()}", keys, compute)]


def _translate_round(
    unique: list[str], backend, lang: str, on_progress, result: UnitOutputs, *, alone: bool = False
) -> Made:
    """Translate distinct texts in one length-sorted pass; split the ones over the window.
    `alone`: each text in batches of its own (its pieces together), whatever else the call holds.

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
    if alone:
        groups = [n for n, (start, end) in enumerate(spans) for _ in range(start, end)]
        generated = backend.generate(pieces, on_progress, groups=groups)
    else:
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
    with the QA flags of its units (jobs.quality.flags; each unit's findings kept in the cache)
    and its editorial account (jobs.stages.editorial: human, repaired, glossary-checked units)."""
    from jobs.quality.flags import check_units

    glue = joiner(lang)
    parts: dict[str, dict[tuple[str, int], list[str]]] = {}
    findings = unit_findings(units["text"][:], outputs, lang, source_lang, cache)
    flags = check_units(units, outputs.texts, outputs.hit_limit, lang, source_lang=source_lang, findings=findings)
    covered = outputs.covered or [False] * len(outputs.texts)
    for article_id, part, paragraph, text, skip in zip(
        units["article_id"][:], units["part"][:], units["paragraph"][:], outputs.texts, covered
    ):
        texts = parts.setdefault(article_id, {}).setdefault((part, paragraph), [])
        if not skip:
            texts.append(text)
    accounts = editorial_accounts(units, outputs, flags)
    articles: dict[str, dict[str, Any]] = {}
    for article_id, by_part in parts.items():
        body = sorted((p, texts) for (part, p), texts in by_part.items() if part == "body")
        articles[article_id] = {
            "title": glue.join(by_part.get(("title", 0), [])),
            "summary": glue.join(by_part.get(("summary", 0), [])),
            "paragraphs": [glue.join(texts) for _, texts in body],
            "qa_flags": flags.get(article_id, []),
            "editorial": accounts.get(article_id),
        }
    return articles


def unit_findings(sources: list[str], outputs: UnitOutputs, lang: str, source_lang: str, cache) -> list[Any]:
    """Each unit's QA findings (jobs.quality.flags.unit_findings), remembered per (source, output),
    plus the `glossary` flags of terms whose target is missing; none for a human unit."""
    rows = list(zip(sources, outputs.texts, outputs.hit_limit))
    origin = outputs.origin or ["machine"] * len(rows)
    machine = [i for i, o in enumerate(origin) if o != "human"]
    found = _findings([rows[i] for i in machine], lang, source_lang, cache)
    result: list[Any] = [[] for _ in rows]
    for i, unit in zip(machine, found):
        terms = glossary_findings(outputs.protected[i], rows[i][1]) if outputs.protected else []
        result[i] = list(unit) + terms
    return result


def editorial_accounts(units: datasets.Dataset, outputs: UnitOutputs, flags: dict[str, list[dict[str, Any]]]):
    """Per article id, the record's `editorial` field: counts of human, repaired, glossary-checked
    and still-flagged units, and the units that are not plain machine output or hold terms."""
    n = len(outputs.texts)
    origin = outputs.origin or ["machine"] * n
    accounts: dict[str, dict[str, Any]] = {}
    rows = zip(units["article_id"][:], units["part"][:], units["paragraph"][:], units["sentence"][:], range(n))
    for article_id, part, paragraph, sentence, i in rows:
        account = accounts.setdefault(
            article_id, {"units_total": 0, "human": 0, "repaired": 0, "glossary_checked": 0, "flagged": 0, "units": []}
        )
        if outputs.covered and outputs.covered[i]:
            continue  # the paragraph's first row stands for it
        account["units_total"] += 1
        terms = [t.source for t in outputs.protected[i].terms] if outputs.protected else []
        account["human"] += origin[i] == "human"
        account["repaired"] += origin[i] == "repaired"
        account["glossary_checked"] += bool(terms)
        repair = outputs.repair[i] if outputs.repair else None
        if origin[i] != "machine" or terms or repair:
            entry: dict[str, Any] = {"part": part, "paragraph": paragraph}
            if not (outputs.whole and outputs.whole[i]):
                entry["sentence"] = sentence
            entry["origin"] = origin[i]
            if terms:
                entry["glossary"] = terms
            if repair:
                entry["repair"] = repair
            account["units"].append(entry)
    for article_id, account in accounts.items():
        located = {(f["part"], f.get("paragraph"), f["sentence"]) for f in flags.get(article_id, []) if "sentence" in f}
        account["flagged"] = len(located)
    return accounts


def failed_units(units: datasets.Dataset, outputs) -> dict[str, str]:
    """Article id -> the first error among its units (units that have no translation)."""
    failed: dict[str, str] = {}
    for article_id, error in zip(units["article_id"][:], outputs.errors or []):
        if error and article_id not in failed:
            failed[article_id] = error
    return failed
