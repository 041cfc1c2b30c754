"""QA flags of a bundle's outputs: which rules apply to which text, and the entries records carry.

Flags are checked on translation units (one source sentence and its output), except
`sentence_count`, which is checked per paragraph, and the English summary, which gets only
`empty_output`, `repetition` and `length_limit` (it is generated, not translated). The counts
per flag go to the manifest and to `--fail-on-qa`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jobs.quality.language import base_lang, count_sentences, looks_mojibake
from jobs.quality.rules import (
    EMPTY_OUTPUT,
    FLAGS,
    LENGTH_LIMIT,
    LENGTH_RATIO,
    MOJIBAKE,
    NUMBERS_MISSING,
    REPETITION,
    SENTENCE_COUNT,
    UNTRANSLATED,
    WRONG_SCRIPT,
    length_ratio,
    missing_numbers,
    rule_empty_output,
    rule_length_limit,
    rule_length_ratio,
    rule_mojibake,
    rule_repetition,
    rule_sentence_count,
    rule_untranslated,
    rule_wrong_script,
)


def is_translation(lang: str, source_lang: str = "en") -> bool:
    return base_lang(lang) != base_lang(source_lang)


def unit_findings(
    source: str, output: str, lang: str, *, hit_limit: bool = False, source_lang: str = "en"
) -> list[tuple[str, str | None]]:
    """(flag, detail) pairs for one sentence-level output; detail says what was found, when useful."""
    found: list[tuple[str, str | None]] = []
    if rule_empty_output(source, output):
        found.append((EMPTY_OUTPUT, None))
    elif is_translation(lang, source_lang):
        untranslated = rule_untranslated(source, output)
        if not untranslated and rule_wrong_script(source, output, lang):
            found.append((WRONG_SCRIPT, None))
        if untranslated:
            found.append((UNTRANSLATED, None))
        if rule_repetition(source, output):
            found.append((REPETITION, None))
        missing = missing_numbers(source, output, lang)
        if missing:
            found.append((NUMBERS_MISSING, ", ".join(missing)))
        if rule_length_ratio(source, output, lang):
            found.append((LENGTH_RATIO, f"{length_ratio(source, output):.2f}"))
    elif rule_repetition(source, output):
        found.append((REPETITION, None))
    if rule_length_limit(hit_limit):
        found.append((LENGTH_LIMIT, None))
    if output and rule_mojibake(source, output):
        found.append((MOJIBAKE, None))
    return found


def check_source(title: str, paragraphs: Sequence[str]) -> list[dict[str, Any]]:
    """`mojibake` flags of a source article whose text still reads as double-decoded UTF-8."""
    found = []
    if looks_mojibake(title):
        found.append(_entry(MOJIBAKE, None, "read", "title"))
    for number, paragraph in enumerate(paragraphs):
        if looks_mojibake(paragraph):
            found.append(_entry(MOJIBAKE, None, "read", "body", number))
    return found


def sentence_counts(source_sentences: Sequence[str], outputs: Sequence[str]) -> tuple[int, int] | None:
    """(source, output) sentence counts of one paragraph; None when an output is empty (empty_output says it)."""
    if any(s.strip() and not o.strip() for s, o in zip(source_sentences, outputs)):
        return None
    source_count = sum(max(1, count_sentences(s)) for s in source_sentences if s.strip())
    return source_count, sum(count_sentences(o) for o in outputs)


def _entry(
    flag: str, detail: str | None, stage: str, part: str, paragraph: int | None = None, sentence: int | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"flag": flag, "part": part}
    if paragraph is not None:
        entry["paragraph"] = paragraph
    if sentence is not None:
        entry["sentence"] = sentence
    entry["stage"] = stage
    if detail:
        entry["detail"] = detail
    return entry


def check_units(
    units: Mapping[str, Iterable[Any]],
    outputs: Sequence[str],
    hit_limit: Sequence[bool],
    lang: str,
    *,
    source_lang: str = "en",
    findings: Sequence[Iterable[tuple[str, str | None]]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Per article id, the flags of its translated units plus per-paragraph sentence_count, in reading order.

    `units` is the units table (a datasets.Dataset or a dict of columns: article_id, part,
    paragraph, sentence, text); outputs and hit_limit are one per unit row, in the same order.
    Columns are read whole (`[:]`): iterating a datasets Column formats one row at a time, seconds
    for a cached run of thousands of articles. `findings`: each unit's unit_findings, when the
    caller has them already (remembered from an earlier run).
    """
    rows = zip(
        units["article_id"][:],
        units["part"][:],
        units["paragraph"][:],
        units["sentence"][:],
        units["text"][:],
        outputs,
        hit_limit,
        findings if findings is not None else [None] * len(outputs),
    )
    flags: dict[str, list[dict[str, Any]]] = {}
    paragraph: list[tuple[str, str]] = []
    current: tuple[str, str, int] | None = None
    for article_id, part, number, sentence, source, output, limited, found in rows:
        if (article_id, part, number) != current:
            _close_paragraph(flags, current, paragraph)
            current, paragraph = (article_id, part, number), []
        paragraph.append((source, output))
        article_flags = flags.setdefault(article_id, [])
        if found is None:
            found = unit_findings(source, output, lang, hit_limit=limited, source_lang=source_lang)
        for flag, detail in found:
            article_flags.append(_entry(flag, detail, "translate", part, number, sentence))
    _close_paragraph(flags, current, paragraph)
    return flags


def _close_paragraph(
    flags: dict[str, list[dict[str, Any]]], where: tuple[str, str, int] | None, pairs: list[tuple[str, str]]
) -> None:
    """Add the sentence_count flag of the paragraph that just ended, if it has one."""
    if where is None or not pairs:
        return
    counts = sentence_counts([s for s, _ in pairs], [o for _, o in pairs])
    if counts and rule_sentence_count(*counts):
        article_id, part, number = where
        flags.setdefault(article_id, []).append(
            _entry(SENTENCE_COUNT, f"{counts[0]} -> {counts[1]}", "translate", part, number)
        )


def check_summary(summary: str, *, hit_limit: bool = False, article: str = "") -> list[dict[str, Any]]:
    """Flags of one generated English summary (empty_output, repetition, length_limit)."""
    found = []
    if not summary.strip() and article.strip():
        found.append(_entry(EMPTY_OUTPUT, None, "summarize", "summary"))
    elif rule_repetition(article, summary):
        found.append(_entry(REPETITION, None, "summarize", "summary"))
    if hit_limit:
        found.append(_entry(LENGTH_LIMIT, None, "summarize", "summary"))
    return found


# --------------------------------------------------------------------------- counts and --fail-on-qa


def count_flags(records: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Flags per name over a bundle's records, every known flag listed (0 when it never fired)."""
    counts = dict.fromkeys(FLAGS, 0)
    for record in records:
        for flag in record["qa"]["flags"]:
            counts[flag["flag"]] = counts.get(flag["flag"], 0) + 1
    return counts


def parse_flag_list(text: str | None) -> list[str]:
    """'repetition,empty_output' (or 'all') as flag names; an unknown name raises ValueError."""
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    if "all" in names:
        return list(FLAGS)
    unknown = [n for n in names if n not in FLAGS]
    if unknown:
        raise ValueError(f"unknown QA flag(s) {', '.join(unknown)}: known are {', '.join(FLAGS)} (or all)")
    return list(dict.fromkeys(names))


def failing_flags(counts_by_lang: Mapping[str, Mapping[str, int]], fail_on: Iterable[str]) -> dict[str, dict[str, int]]:
    """Per language, the listed flags that fired, with their counts; empty when none did."""
    wanted = set(fail_on)
    failing = {}
    for lang, counts in counts_by_lang.items():
        fired = {flag: n for flag, n in counts.items() if flag in wanted and n > 0}
        if fired:
            failing[lang] = fired
    return failing
