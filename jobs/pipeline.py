"""The job: read → screen → summarize → segment → translate → assemble → publish.

`run_job` is the one entry point; the CLI builds a `JobConfig` and calls it. Cheap checks come
first and create nothing: the device, every model, the local input paths. Then the outputs
folder is locked for the run, and only then are inputs read (and fetched); outputs already
made by the same model and settings come from the cache, and bundles are published only after
all the work is done.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import datasets

from jobs.backends import check_backend_options
from jobs.backends.device import check_device_present
from jobs.config import JobConfig
from jobs.engines import open_model
from jobs.errors import ExitCode, InputError, InputProblem
from jobs.inputs import FetchSettings, ReadResult, check_inputs, read_articles
from jobs.inputs.sources import Source
from jobs.models.hub import check_all_available
from jobs.models.integrity import broken_models
from jobs.outputs.bundle import latest_bundle, new_run_id, remove_stale_staging, write_bundle
from jobs.outputs.changes import CHANGES_FILE, bundle_changes, changes_bytes
from jobs.outputs.feeds import feed_files
from jobs.outputs.manifest import bundle_manifest, manifest_field, run_manifest
from jobs.outputs.publish import check_free_space, discard, publish_run, repair_odd_states
from jobs.outputs.records import (
    build_records,
    bundle_counts,
    check_review_flags,
    failed_ids,
    inputs_sha256,
    link_translations,
    model_problem,
    records_sha256,
)
from jobs.outputs.retention import prune_bundles
from jobs.outputs.verify import verify_bundle
from jobs.progress import Reporter
from jobs.quality.flags import count_flags
from jobs.stages.cache import Cache, check_cache_place
from jobs.stages.screen import screen_articles

log = logging.getLogger("jobs")
CACHE_FILE = Path(".cache") / "jobs.sqlite3"


@dataclass
class RunReport:
    """What a run did, for the end-of-run summary and the exit code."""

    run_id: str
    bundles: dict[str, Path] = field(default_factory=dict)
    unchanged: dict[str, Path] = field(default_factory=dict)  # --skip-unchanged: latest kept as it was
    articles: int = 0
    failures: list[InputProblem] = field(default_factory=list)
    units: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    models_loaded: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    qa: dict[str, dict[str, int]] = field(default_factory=dict)  # per language: QA flag counts
    seconds: float = 0.0

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.PARTIAL if self.failures else ExitCode.OK


def cache_path(config: JobConfig) -> Path:
    return config.cache or config.out / CACHE_FILE


def run_job(config: JobConfig, reporter: Reporter | None = None) -> RunReport:
    """Run the whole job for the configured inputs and languages; return what it did."""
    from jobs.outputs.lock import RunLock

    check_review_flags(config.review_flags)
    reporter = reporter or Reporter()
    started = time.perf_counter()
    created_at = datetime.now(timezone.utc)
    report = RunReport(run_id=new_run_id(created_at))
    log.info(
        "run %s: inputs %s; languages %s; outputs %s",
        report.run_id,
        ", ".join(map(str, config.inputs)),
        ", ".join(config.langs),
        config.out,
    )

    sources = check_before_lock(config)
    with RunLock(config.out, report.run_id):
        remove_stale_staging(config.out)
        repair_odd_states(config.out, config.langs, default_cache=config.cache is None)
        check_free_space(config.out, config.langs)
        read = _read(config, sources, report)
        cache = Cache(cache_path(config), reuse=not config.force)
        try:
            articles = _screen(config, read, report, cache)
            work = _work(config, articles, report, reporter, cache)
        finally:
            cache.close()
        _publish_all(config, work, read, report, created_at)
        prune_bundles(config.out, config.keep, config.keep_days)
    report.seconds = time.perf_counter() - started
    log.info(
        "run %s done in %.1f s: %d articles, %d units, cache %d hits / %d misses, %d model(s) loaded",
        report.run_id,
        report.seconds,
        report.articles,
        report.units,
        report.cache_hits,
        report.cache_misses,
        report.models_loaded,
    )
    return report


def check_before_lock(config: JobConfig) -> list[Source]:
    """Everything that can fail cheaply, before the lock is taken or anything fetched or written.

    In order: the encoding and the local input paths (a typo is an option error), the device
    (`--device cuda` on a CPU machine), the speed options, then every model (all that cannot
    load named at once). Returns the sources to read. Imports no torch, so a fully cached run
    stays fast.
    """
    sources = check_inputs(config.inputs, config.encoding)
    check_cache_place(cache_path(config), config.out)
    if config.engine == "local":  # on Ray the actors' devices count, not the driver's
        check_device_present(config.device)
    check_backend_options(config)
    models = {"summary": config.summary_model if config.summarize else None, **config.models}
    # Missing, unreachable or broken (files checked torch-free): every one named in one message.
    check_all_available(models, broken=broken_models({role: spec for role, spec in models.items() if spec}))
    return sources


def _read(config: JobConfig, sources: list[Source], report: RunReport) -> ReadResult:
    """Read (and fetch) the inputs; nothing readable at all is bad input, before the cache is opened."""
    mark = time.perf_counter()
    read = read_articles(
        config.inputs,
        encoding=config.encoding,
        fetch=FetchSettings(
            allow_network=not config.offline,
            max_urls=config.max_urls,
            http_cache=cache_path(config).parent / "http",  # feeds and pages kept for conditional GET
        ),
        sources=sources,
    )
    if len(read.articles) == 0:
        _no_article_left(read.errors)
    report.timings["read"] = time.perf_counter() - mark
    return read


def _screen(config: JobConfig, read: ReadResult, report: RunReport, cache: Cache) -> datasets.Dataset:
    """Screen the articles read; every problem (reading's and screening's) goes into the report."""
    mark = time.perf_counter()
    articles, screened = screen_articles(read.articles, config, cache)
    report.failures = [*read.errors, *screened]
    for problem in report.failures:
        log.warning("skipped: %s", problem)
    if len(articles) == 0:
        _no_article_left(report.failures)
    report.articles = len(articles)
    report.timings["read"] += time.perf_counter() - mark
    log.info("read %d articles from %d file(s); %d problem(s)", len(articles), len(read.sources), len(report.failures))
    return articles


def _no_article_left(problems: list[InputProblem]) -> None:
    raise InputError("no article left to process:\n" + "\n".join(f"  {p}" for p in problems[:20]))


@dataclass
class Work:
    """What the model stages made, handed from one stage to the next and then to publishing."""

    articles: datasets.Dataset
    summaries: list[Any] = field(default_factory=list)
    summary_model: dict[str, Any] | None = field(default_factory=dict)  # the manifest's entry
    summary_label: str | None = ""  # MODEL@REVISION, as records name it; None: no summaries made
    shared_failures: list[InputProblem] = field(default_factory=list)  # in every language's manifest
    translated: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = field(default_factory=dict)
    lang_failures: dict[str, list[InputProblem]] = field(default_factory=dict)


def _work(config: JobConfig, articles: datasets.Dataset, report: RunReport, reporter: Reporter, cache: Cache) -> Work:
    """The model stages, every output cached: summaries, then each language's translation."""
    from jobs.stages.segment import segment_articles

    work = _summarize(config, articles, cache, report, reporter)
    units = segment_articles(work.articles, cache=cache)
    report.units = len(units)
    for lang, spec in config.models.items():
        _translate(config, lang, spec, units, work, cache, report, reporter)
    report.cache_hits, report.cache_misses = cache.hits, cache.misses
    return work


def _publish_all(config: JobConfig, work: Work, read: ReadResult, report: RunReport, created_at: datetime) -> None:
    """Every language's bundle written, then all of them published as one step (publish_run)."""
    mark = time.perf_counter()
    run = run_manifest(
        run_id=report.run_id,
        created_at=created_at,
        config=config,
        sources=read.sources,
        cache_path=cache_path(config),
        cache_hits=report.cache_hits,
        cache_misses=report.cache_misses,
    )
    rows = work.articles.to_list()  # plain dicts: iterating a datasets table formats row by row
    ids = [row["id"] for row in rows]
    carried = {lang: set(ids) - failed_ids(work.lang_failures.get(lang, [])) for lang in config.langs}
    fingerprints = {lang: _inputs_sha256(config, lang, work, rows, carried) for lang in config.langs}
    for lang in config.langs:
        unchanged = _unchanged(config, lang, fingerprints[lang])
        if unchanged is not None:
            report.unchanged[lang] = unchanged
            report.qa[lang] = manifest_field(unchanged, "qa") or {}
            log.info("%s: unchanged since %s; nothing published (--skip-unchanged)", lang, unchanged.name)
    records = {lang: _records(config, lang, work, rows) for lang in config.langs if lang not in report.unchanged}
    link_translations(records, config.lang_tags, carried)
    try:
        for lang, built in records.items():
            _publish(config, lang, built, fingerprints[lang], work, run, report)
    except BaseException:
        discard(list(report.bundles.values()))  # no language moves: the run did not finish
        report.bundles.clear()
        raise
    publish_run(config.out, report.run_id, report.bundles, config.langs)
    report.timings["publish"] = time.perf_counter() - mark


def _summarize(config: JobConfig, articles: datasets.Dataset, cache, report: RunReport, reporter: Reporter) -> Work:
    """English summaries; an article whose summary kept failing is a listed failure in every language."""
    from jobs.stages.summarize import summarize_articles

    if not config.summarize:  # --no-summary: no summarizer loads; each record says it has no summary
        empty = articles.add_column("summary", [""] * len(articles))
        return Work(empty, [None] * len(articles), None, None, shared_failures=list(report.failures))
    mark = time.perf_counter()
    summarizer = open_model(config.summary_model, "summary", config, translation=False)
    with reporter.task("summarize", len(articles), waiting=f"loading {short_name(summarizer)}") as advance:
        summaries, stats = summarize_articles(articles["paragraphs"][:], summarizer, cache, advance)
    work = Work(articles, summary_model=summarizer.describe(), summary_label=summarizer.label)
    report.models_loaded += summarizer.is_loaded
    summarizer.close()
    report.input_tokens += stats.input_tokens
    report.output_tokens += stats.output_tokens
    failed = {i for i, s in enumerate(summaries) if s.error}
    if failed:
        report.failures += [model_problem(articles[i], f"summary failed: {summaries[i].error}") for i in sorted(failed)]
        kept = [i for i in range(len(articles)) if i not in failed]
        articles, summaries = articles.select(kept), [summaries[i] for i in kept]
    work.articles = articles.add_column("summary", [s.text for s in summaries])
    work.summaries = summaries
    work.shared_failures = list(report.failures)
    report.timings["summarize"] = time.perf_counter() - mark
    return work


def _translate(
    config: JobConfig,
    lang: str,
    spec,
    units: datasets.Dataset,
    work: Work,
    cache,
    report: RunReport,
    reporter: Reporter,
) -> None:
    """One language: every unit translated (or cached) and reassembled into articles."""
    from jobs.stages.translate import assemble_articles, translate_units

    mark = time.perf_counter()
    backend = open_model(spec, lang, config, translation=True)
    with reporter.task(f"translate {lang}", len(units), waiting=f"loading {short_name(backend)}") as advance:
        outputs = translate_units(units, backend, lang, advance, cache=cache)
    content = assemble_articles(units, outputs, lang, source_lang=config.source_lang, cache=cache)
    failures = work.lang_failures.setdefault(lang, [])
    failed = failed_units(units, outputs)
    by_id = {a["id"]: a for a in work.articles.filter(lambda a: a["id"] in failed)} if failed else {}
    for article_id, error in failed.items():
        content.pop(article_id, None)
        failures.append(model_problem(by_id[article_id], f"translation into {lang} failed: {error}"))
    report.failures += failures
    model = {**backend.describe(), "split_units": outputs.split_units, "cached_units": outputs.cached_units}
    work.translated[lang] = (content, model, backend.label)
    report.models_loaded += backend.is_loaded
    backend.close()
    report.input_tokens += outputs.input_tokens
    report.output_tokens += outputs.output_tokens
    report.timings[f"translate {lang}"] = time.perf_counter() - mark


def _records(config: JobConfig, lang: str, work: Work, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One language's records (its failed articles left out)."""
    content, _, label = work.translated.get(lang, ({}, None, None))
    return build_records(
        rows,
        work.summaries,
        content,
        lang,
        labels=(label, work.summary_label),
        lang_tag=config.lang_tags.get(lang, lang),
        review_flags=config.review_flags,
        skip=failed_ids(work.lang_failures.get(lang, [])),
    )


def _inputs_sha256(
    config: JobConfig, lang: str, work: Work, rows: list[dict[str, Any]], carried: dict[str, set[str]]
) -> str:
    """What this language's records would be made from (records.inputs_sha256)."""
    content, _, label = work.translated.get(lang, ({}, None, None))
    return inputs_sha256(
        rows,
        work.summaries,
        content,
        lang,
        labels=(label, work.summary_label),
        lang_tags=config.lang_tags,
        review_flags=config.review_flags,
        carried=carried,
    )


def _publish(
    config: JobConfig,
    lang: str,
    records: list[dict[str, Any]],
    inputs_digest: str,
    work: Work,
    run: dict[str, Any],
    report: RunReport,
) -> None:
    """One language's bundle, written beside the published ones (publish_run moves `latest`)."""
    _, model_info, _ = work.translated.get(lang, ({}, None, None))
    failures = [*work.shared_failures, *work.lang_failures.get(lang, [])]
    report.qa[lang] = count_flags(records)
    latest = latest_bundle(config.out, lang)
    manifest = bundle_manifest(
        run,
        lang,
        translation_model=model_info,
        summary_model=work.summary_model,
        failures=failures,
        counts=bundle_counts(records, report.units, len(failures)),
        qa=report.qa[lang],
        content_sha256=records_sha256(records),
        inputs_sha256=inputs_digest,
    )
    extra = feed_files(
        records, lang=lang, lang_tag=config.lang_tags.get(lang, lang), now=run["created_at"], previous=latest
    )
    extra[CHANGES_FILE] = changes_bytes(bundle_changes(records, latest, report.run_id))
    report.bundles[lang] = write_bundle(config.out, lang, report.run_id, records, manifest, extra, previous=latest)
    log.info("wrote %s (%d articles)", report.bundles[lang], len(records))


def _unchanged(config: JobConfig, lang: str, inputs_digest: str) -> Path | None:
    """--skip-unchanged: the latest bundle when it was made from the same inputs and is sound, else None."""
    latest = latest_bundle(config.out, lang) if config.skip_unchanged else None
    if latest is None or manifest_field(latest, "inputs_sha256") != inputs_digest:
        return None
    damage = verify_bundle(latest, records=False)  # sizes and sha256 of every file: enough to trust it
    if damage:
        log.warning("%s: latest bundle %s is damaged (%s); publishing it again", lang, latest, damage[0])
        return None
    return latest


def short_name(backend) -> str:
    """A model's last name part, for a progress line: `opus-mt-en-ru` for Helsinki-NLP/opus-mt-en-ru@abc."""
    return backend.label.split("@")[0].rstrip("/").rsplit("/", 1)[-1]


def failed_units(units: datasets.Dataset, outputs) -> dict[str, str]:
    """Article id -> the first error among its units (units that have no translation)."""
    failed: dict[str, str] = {}
    for article_id, error in zip(units["article_id"][:], outputs.errors or []):
        if error and article_id not in failed:
            failed[article_id] = error
    return failed
