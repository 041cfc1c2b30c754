"""The job: read → summarize → segment → translate → assemble → publish, for every language.

`run_job` is the one entry point; the CLI builds a `JobConfig` and calls it. Every model is
checked before anything is written, and bundles are published only after all the work is done.
"""

from __future__ import annotations

import gc
import logging
import platform
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from jobs.bundle import MANIFEST_SCHEMA, RECORD_SCHEMA, new_run_id, publish_bundle
from jobs.config import JobConfig
from jobs.errors import ExitCode
from jobs.models import LoadedModel, check_available, load_model, resolve_device
from jobs.progress import Reporter
from jobs.reader import read_articles

log = logging.getLogger("jobs")
VERSIONED_PACKAGES = ("jobs", "torch", "transformers", "tokenizers", "datasets", "sentencepiece", "pysbd")


@dataclass
class RunReport:
    """What a run did, for the end-of-run summary and the exit code."""

    run_id: str
    bundles: dict[str, Path] = field(default_factory=dict)
    articles: int = 0
    failures: list[Any] = field(default_factory=list)
    units: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.PARTIAL if self.failures else ExitCode.OK


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def model_label(loaded: LoadedModel) -> str:
    described = loaded.describe()
    return f"{described['id']}@{loaded.revision}"


def _release(loaded: LoadedModel) -> None:
    """Free a model's memory before the next one loads."""
    device = loaded.device
    loaded.model = None
    gc.collect()
    if device.startswith("cuda"):
        import torch

        torch.cuda.empty_cache()


def run_job(config: JobConfig, reporter: Reporter | None = None) -> RunReport:
    """Run the whole job for the configured inputs and languages; return what it did."""
    from jobs.backends import TorchBackend
    from jobs.segment import segment_articles
    from jobs.summarize import summarize_texts
    from jobs.translate import assemble_articles, translate_units

    reporter = reporter or Reporter()
    started = time.perf_counter()
    created_at = datetime.now(timezone.utc)
    report = RunReport(run_id=new_run_id(created_at))
    log.info("run %s: inputs %s, languages %s", report.run_id, ", ".join(map(str, config.inputs)), ", ".join(config.langs))

    read = read_articles(config.inputs)
    articles = read.articles
    report.articles = len(articles)
    report.failures = list(read.errors)
    for problem in read.errors:
        log.warning("skipped: %s", problem)
    report.timings["read"] = time.perf_counter() - started

    # Every model must be there before any work is done or anything written.
    check_available(config.summary_model, "summary")
    for lang, spec in config.models.items():
        check_available(spec, lang)
    device = resolve_device(config.device)

    mark = time.perf_counter()
    summarizer = load_model(config.summary_model, "summary", source_lang=config.source_lang, device=device)
    backend = TorchBackend(summarizer, batch_tokens=config.batch_tokens, settings=config.summary, translation=False)
    with reporter.task("summarize", len(articles)) as advance:
        summaries, summary_stats = summarize_texts(articles["paragraphs"], backend, advance)
    summary_model = {**summarizer.describe(), "generation": backend.signature()}
    summary_label = model_label(summarizer)
    _release(summarizer)
    report.input_tokens += summary_stats.input_tokens
    report.output_tokens += summary_stats.output_tokens
    articles = articles.add_column("summary", [s.text for s in summaries])
    report.timings["summarize"] = time.perf_counter() - mark

    units = segment_articles(articles)
    report.units = len(units)
    translated: dict[str, tuple[dict[str, Any], dict[str, Any] | None, str | None]] = {}
    for lang, spec in config.models.items():
        mark = time.perf_counter()
        loaded = load_model(spec, lang, source_lang=config.source_lang, device=device)
        backend = TorchBackend(loaded, batch_tokens=config.batch_tokens, settings=config.translation, translation=True)
        with reporter.task(f"translate {lang}", len(units)) as advance:
            outputs = translate_units(units, backend, lang, advance)
        translated[lang] = (
            assemble_articles(units, outputs, lang),
            {**loaded.describe(), "generation": outputs.settings, "split_units": outputs.split_units},
            model_label(loaded),
        )
        _release(loaded)
        report.input_tokens += outputs.input_tokens
        report.output_tokens += outputs.output_tokens
        report.timings[f"translate {lang}"] = time.perf_counter() - mark

    mark = time.perf_counter()
    base_manifest = {
        "schema": MANIFEST_SCHEMA,
        "run_id": report.run_id,
        "created_at": created_at.isoformat(timespec="seconds"),
        "engine": "local",
        "inputs": [vars(source) for source in read.sources],
        "settings": {"device": device, "batch_tokens": config.batch_tokens, "config_file": str(config.config_file)},
        "versions": package_versions(),
        "failures": [problem_record(p) for p in read.errors],
    }
    for lang in config.langs:
        content, model_info, label = translated.get(lang, ({}, None, None))
        records = build_records(articles, summaries, content, lang, report.run_id, label, summary_label)
        manifest = {
            **base_manifest,
            "lang": lang,
            "models": {"translation": model_info, "summary": summary_model},
            "counts": bundle_counts(records, report.units, len(read.errors)),
            "qa": qa_summary(records),
        }
        report.bundles[lang] = publish_bundle(config.out, lang, report.run_id, records, manifest)
        log.info("published %s (%d articles)", report.bundles[lang], len(records))
    report.timings["publish"] = time.perf_counter() - mark
    report.seconds = time.perf_counter() - started
    return report


def problem_record(problem: Any) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "article_id": problem.article_id, "message": problem.message}


def build_records(articles, summaries, translated: dict[str, dict[str, Any]], lang: str, run_id: str,
                  translation_label: str | None, summary_label: str) -> list[dict[str, Any]]:
    """The articles.jsonl records of one language, in input order."""
    records = []
    for article, summary in zip(articles, summaries):
        own = translated.get(article["id"])
        summary_flags = [{"flag": "length_limit", "part": "summary"}] if summary.hit_limit else []
        records.append({
            "schema": RECORD_SCHEMA,
            "id": article["id"],
            "lang": lang,
            "run_id": run_id,
            "source": {
                "file": article["source_file"],
                "line": article["source_line"],
                "tag": article["tag"],
                "title": article["title"],
                "sha256": article["sha256"],
                "paragraphs": len(article["paragraphs"]),
            },
            "title": own["title"] if own else article["title"],
            "summary": own["summary"] if own else summary.text,
            "paragraphs": own["paragraphs"] if own else list(article["paragraphs"]),
            "qa": {
                "flags": summary_flags + (own["qa_flags"] if own else []),
                "summary_chunks": summary.chunks,
                "summary_levels": summary.levels,
            },
            "models": {"translation": translation_label, "summary": summary_label},
        })
    return records


def bundle_counts(records: list[dict[str, Any]], units: int, failed: int) -> dict[str, int]:
    return {
        "articles": len(records),
        "paragraphs": sum(len(r["paragraphs"]) for r in records),
        "units": units,
        "failed": failed,
    }


def qa_summary(records: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        for flag in record["qa"]["flags"]:
            counts[flag["flag"]] = counts.get(flag["flag"], 0) + 1
    return counts
