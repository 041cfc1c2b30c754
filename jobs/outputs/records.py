"""The records of a bundle: one articles.jsonl line per article, their counts and fingerprint.

Also the failures that articles left out of a bundle carry into its manifest.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from jobs.errors import ConfigError, InputProblem
from jobs.outputs.editorial import editorial_field
from jobs.outputs.names import public_model, public_path
from jobs.quality import rules_version
from jobs.quality.flags import check_source, check_summary
from jobs.quality.rules import FLAGS

log = logging.getLogger("jobs")
RECORD_SCHEMA = "jobs.article/v2"
# Where an article was read from: kept in records, never part of what counts as a change.
PROVENANCE = ("file", "line", "feed")
# Dates of a story's life, set by date_records; not part of its content either.
DATES = ("first_seen", "updated")
# Control characters and the bidi embedding/override/isolate controls never reach an output.
_NOT_PUBLISHED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
SCHEMA_FILES = {"jobs.article/v1": "article.schema.json", "jobs.article/v2": "article.v2.schema.json"}
OK, NEEDS_REVIEW = "ok", "needs_review"


def record_schema(version: str = RECORD_SCHEMA) -> dict[str, Any]:
    """The JSON Schema of an articles.jsonl line (jobs/article.v2.schema.json; v1 beside it)."""
    text = resources.files("jobs").joinpath(SCHEMA_FILES[version]).read_text(encoding="utf-8")
    return json.loads(text)


def build_records(
    articles,
    summaries,
    translated: dict[str, dict[str, Any]],
    lang: str,
    *,
    labels: tuple[str | None, str],
    lang_tag: str,
    review_flags: Collection[str],
    skip: Collection[str] = frozenset(),
) -> list[dict[str, Any]]:
    """The articles.jsonl records of one language, in input order (failed articles left out).

    labels: the translation model's MODEL@REVISION (None for the source language) and the
    summarizer's. `translations` stays empty until link_translations has seen every language."""
    translation_label, summary_label = labels
    records = []
    for article, summary in zip(articles, summaries):
        if article["id"] in skip:
            continue
        own = translated.get(article["id"])
        flags = (
            check_summary(summary.text, hit_limit=summary.hit_limit, article="\n".join(article["paragraphs"]))
            if summary is not None  # None: the run made no summaries (--no-summary)
            else []
        )
        flags += own["qa_flags"] if own else []
        flags = check_source(article["title"], article["paragraphs"]) + flags
        source = _source(article)
        if translation_label is not None:
            source["summary"] = summary.text if summary is not None else None
        record = {"schema": RECORD_SCHEMA, "id": article["id"], "lang": lang, "lang_tag": lang_tag}
        record.update(_when_and_where(article))
        record.update({name: None for name in DATES})  # date_records sets them
        summary_text = None if summary is None else own["summary"] if own else summary.text
        record.update(
            source=source,
            title=published_text(own["title"] if own else article["title"]),
            summary=None if summary_text is None else published_text(summary_text),
            paragraphs=[published_text(p) for p in (own["paragraphs"] if own else article["paragraphs"])],
            review=review(flags, review_flags),
            qa={
                "flags": flags,
                "summary_chunks": summary.chunks if summary is not None else 0,
                "summary_levels": summary.levels if summary is not None else 0,
                "summary_fallback": summary.fallback if summary is not None else None,
            },
            models={"translation": public_model(translation_label), "summary": public_model(summary_label)},
            translations=[],
        )
        record.update(editorial_field(own))  # human / repaired / glossary units (jobs.outputs.editorial)
        records.append(record)
    return records


def published_text(text: str) -> str:
    """Text as outputs carry it: no control characters, no bidi overrides."""
    return _NOT_PUBLISHED.sub("", text)


@dataclass(frozen=True)
class PreviousBundle:
    """A language's previous bundle as a run compares with it (read once): its name, and per
    article id the record's content hash (record_sha256) and dates."""

    name: str | None = None
    hashes: dict[str, str] = field(default_factory=dict)
    dates: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def read(cls, bundle: Path | None) -> PreviousBundle:
        records = read_records(bundle)
        dates = {r["id"]: {k: r.get(k) for k in DATES} for r in records}
        return cls(bundle.name if bundle is not None else None, content_hashes(records), dates)


def content_hashes(records: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Article id -> record_sha256, in the records' order."""
    return {record["id"]: record_sha256(record) for record in records}


def date_records(
    records: list[dict[str, Any]],
    first_seen: dict[str, str],
    previous: PreviousBundle | None,
    now: str,
    hashes: dict[str, str] | None = None,
) -> None:
    """Set each record's `first_seen` (when its story was first published: the story register's
    date, else the previous bundle's) and `updated` (the previous bundle's while the record's
    content, record_sha256 (`hashes` when computed already), is the same; else `now`)."""
    previous = previous or PreviousBundle()
    hashes = hashes if hashes is not None else content_hashes(records)
    for record in records:
        known = previous.dates.get(record["id"], {})
        record["first_seen"] = first_seen.get(record["id"]) or known.get("first_seen") or now
        same = previous.hashes.get(record["id"]) == hashes[record["id"]] and known.get("updated")
        record["updated"] = known["updated"] if same else now
        if record["updated"] < record["first_seen"]:  # a story older than the register's memory
            record["first_seen"] = record["updated"]


def read_records(bundle: Path | None) -> list[dict[str, Any]]:
    """A published bundle's records ([] for none, or one that cannot be read: then every record
    counts as new, with a warning)."""
    if bundle is None:
        return []
    try:
        with (bundle / "articles.jsonl").open(encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh if line.strip()]
        if not all(isinstance(record, dict) and "id" in record for record in records):
            raise ValueError("a line that is not a record with an id")
        return records
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("cannot read %s/articles.jsonl (%s): its articles count as new", bundle, exc)
        return []


def review(flags: Iterable[dict[str, Any]], counted: Collection[str]) -> dict[str, Any]:
    """`needs_review` when a flag of the configured kinds fired (listed by name), else `ok`."""
    fired = sorted({flag["flag"] for flag in flags if flag["flag"] in counted})
    return {"status": NEEDS_REVIEW if fired else OK, "flags": fired}


def check_review_flags(names: Iterable[str]) -> None:
    """The registry's review_flags must name QA flags (a typo would silently pass every article)."""
    unknown = sorted(set(names) - set(FLAGS))
    if unknown:
        raise ConfigError(f"review_flags: unknown QA flag(s) {', '.join(unknown)}; known are {', '.join(FLAGS)}")


def link_translations(
    by_lang: dict[str, list[dict[str, Any]]], lang_tags: dict[str, str], carried: dict[str, set[str]] | None = None
) -> None:
    """Fill each record's `translations`: the other languages whose latest bundle, after this run,
    carries its id (by language key).

    carried: per language, the ids its bundle carries: the run's languages and those the run
    leaves as they are (by default, those of by_lang's records)."""
    carried = (
        carried if carried is not None else {lang: {r["id"] for r in records} for lang, records in by_lang.items()}
    )
    for lang, records in by_lang.items():
        for record in records:
            record["translations"] = [
                {"lang": other, "lang_tag": lang_tags.get(other, other)}
                for other in sorted(carried)
                if other != lang and record["id"] in carried[other]
            ]


def inputs_sha256(
    rows: Iterable[dict[str, Any]],
    summaries: Iterable[Any],
    translated: dict[str, dict[str, Any]],
    lang: str,
    *,
    labels: tuple[str | None, str | None],
    lang_tags: dict[str, str],
    review_flags: Collection[str],
    carried: dict[str, set[str]],
    first_seen: dict[str, str] | None = None,
) -> str:
    """One digest of all that build_records and link_translations make a language's records from,
    and of their code: equal digests make equal records, so --skip-unchanged compares it with the
    latest bundle's before building a single record. Arguments as build_records takes them
    (rows: the articles as dicts) plus `carried` (link_translations) and the stories' first_seen.
    Where an article was read from (file, line, feed) is left out: it alone changes nothing."""
    digest = hashlib.sha256()
    head = [RECORD_SCHEMA, _code_version(), lang, lang_tags, list(labels), sorted(review_flags), sorted(carried)]
    digest.update(json.dumps(head, sort_keys=True).encode("utf-8"))
    for row, summary in zip(rows, summaries):
        if row["id"] not in carried[lang]:
            continue
        others = [other for other in sorted(carried) if other != lang and row["id"] in carried[other]]
        content = {k: v for k, v in row.items() if k not in ("source_file", "source_line", "feed")}
        when = (first_seen or {}).get(row["id"])
        made = [content, None if summary is None else vars(summary), translated.get(row["id"]), others, when]
        digest.update(json.dumps(made, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    """This module's code and the QA rules': a new version of either builds the records again."""
    return hashlib.sha256(Path(__file__).read_bytes() + rules_version().encode("utf-8")).hexdigest()[:16]


def iso_published(text: str | None) -> str | None:
    """A publication date as ISO 8601 (a date, or a date-time with its offset), or None when
    there is none or it does not parse."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(text.strip()) == 10:  # a date alone stays a date
        return when.date().isoformat()
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).isoformat()


def _when_and_where(article: dict[str, Any]) -> dict[str, str]:
    """The record's `published` and canonical `url`, each only when known."""
    found = {"published": iso_published(article.get("published")), "url": article.get("url") or None}
    return {key: value for key, value in found.items() if value}


def _source(article: dict[str, Any]) -> dict[str, Any]:
    """Where a record's article came from, as its `source` field says it."""
    return {
        "file": public_path(article["source_file"]),
        "line": article["source_line"],
        "tag": article["tag"],
        "title": article["title"],
        "sha256": article["sha256"],
        "paragraphs": len(article["paragraphs"]),
        # Provenance a source may lack: absent when unknown, never an empty string.
        **{key: article[key] for key in ("url", "feed", "published", "byline") if article.get(key)},
    }


def record_sha256(record: dict[str, Any]) -> str:
    """One record's content hash: what changes.json and `updated` compare. It covers what is
    published (title, summary, paragraphs, links, review, models, the source's text and metadata)
    and leaves out where the article was read from (PROVENANCE) and its dates (DATES)."""
    content = {k: v for k, v in record.items() if k not in DATES}
    content["source"] = {k: v for k, v in record.get("source", {}).items() if k not in PROVENANCE}
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def bundle_counts(records: list[dict[str, Any]], units: int, failed: int) -> dict[str, int]:
    """The manifest's `counts`: articles and paragraphs published, units translated, articles failed."""
    return {
        "articles": len(records),
        "paragraphs": sum(len(r["paragraphs"]) for r in records),
        "units": units,
        "failed": failed,
    }


def records_sha256(records: Iterable[dict[str, Any]]) -> str:
    """What a bundle says: equal when a re-run would publish the same articles (--skip-unchanged)."""
    digest = hashlib.sha256()
    for record in records:
        digest.update(json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def model_problem(article: dict[str, Any], message: str) -> InputProblem:
    """A failure of a model on one article (its summary or translation), for the manifest's `failures`."""
    return InputProblem(
        file=article["source_file"],
        line=article["source_line"],
        article_id=article["id"],
        message=f"article {article['id']!r}: {message}",
    )


def failed_ids(problems: Iterable[InputProblem]) -> set[str]:
    """The ids of the articles these problems are about."""
    return {p.article_id for p in problems if p.article_id}
