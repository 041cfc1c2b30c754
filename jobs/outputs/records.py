"""The records of a bundle: one articles.jsonl line per article, their counts and fingerprint.

Also the failures that articles left out of a bundle carry into its manifest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from jobs.errors import InputProblem
from jobs.quality.flags import check_summary

RECORD_SCHEMA = "jobs.article/v1"


def record_schema() -> dict[str, Any]:
    """The JSON Schema of an articles.jsonl line (jobs/article.schema.json)."""
    return json.loads(resources.files("jobs").joinpath("article.schema.json").read_text(encoding="utf-8"))


def build_records(
    articles,
    summaries,
    translated: dict[str, dict[str, Any]],
    lang: str,
    translation_label: str | None,
    summary_label: str,
    skip: set[str] = frozenset(),
) -> list[dict[str, Any]]:
    """The articles.jsonl records of one language, in input order (failed articles left out)."""
    records = []
    for article, summary in zip(articles, summaries):
        if article["id"] in skip:
            continue
        own = translated.get(article["id"])
        summary_flags = check_summary(
            summary.text, hit_limit=summary.hit_limit, article="\n".join(article["paragraphs"])
        )
        records.append(
            {
                "schema": RECORD_SCHEMA,
                "id": article["id"],
                "lang": lang,
                "source": _source(article),
                "title": own["title"] if own else article["title"],
                "summary": own["summary"] if own else summary.text,
                "paragraphs": own["paragraphs"] if own else list(article["paragraphs"]),
                "qa": {
                    "flags": summary_flags + (own["qa_flags"] if own else []),
                    "summary_chunks": summary.chunks,
                    "summary_levels": summary.levels,
                    "summary_fallback": summary.fallback,
                },
                "models": {"translation": translation_label, "summary": summary_label},
            }
        )
    return records


def _source(article: dict[str, Any]) -> dict[str, Any]:
    """Where a record's article came from, as its `source` field says it."""
    return {
        "file": article["source_file"],
        "line": article["source_line"],
        "tag": article["tag"],
        "title": article["title"],
        "sha256": article["sha256"],
        "paragraphs": len(article["paragraphs"]),
        "url": article.get("url", ""),
        "feed": article.get("feed", ""),
        "published": article.get("published", ""),
        "byline": article.get("byline", ""),
    }


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
