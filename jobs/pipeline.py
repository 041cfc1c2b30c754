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
from datetime import datetime
from pathlib import Path

import datasets

from jobs.backends import check_backend_options
from jobs.backends.device import check_device_present
from jobs.config import JobConfig
from jobs.engines import open_model
from jobs.environment import run_time
from jobs.errors import ExitCode, InputError, InputProblem
from jobs.inputs import ReadResult, check_inputs, fetch_settings, read_articles, read_limits
from jobs.inputs.sources import Source
from jobs.inputs.stories import StoryRegister
from jobs.models.hub import check_all_available
from jobs.models.integrity import broken_models
from jobs.outputs.bundle import language_dirs, latest_bundle, new_run_id, remove_stale_staging
from jobs.outputs.manifest import run_manifest
from jobs.outputs.publication import Work, publish_languages
from jobs.outputs.publish import check_free_space, repair_odd_states
from jobs.outputs.records import check_review_flags, model_problem, read_records
from jobs.outputs.retention import prune_bundles
from jobs.progress import Reporter
from jobs.stages.cache import Cache, check_cache_place
from jobs.stages.cache_retention import trim_cache
from jobs.stages.editorial import check_editorial, load_editorial
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


def run_job(config: JobConfig, reporter: Reporter | None = None, report: RunReport | None = None) -> RunReport:
    """Run the whole job for the configured inputs and languages; return what it did (`report`,
    when given, is filled as the run goes, so a caller still has it when the run fails)."""
    from jobs.outputs.lock import RunLock

    check_review_flags(config.review_flags)
    reporter = reporter or Reporter()
    started = time.perf_counter()
    created_at = run_time()
    report = report if report is not None else RunReport(run_id="")
    report.run_id = new_run_id(created_at)
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
        stories = _identify(config, read, created_at)
        cache = Cache(cache_path(config), reuse=not config.force)
        try:
            articles = _screen(config, read, report, cache)
            work = _work(config, articles, report, reporter, cache)
        finally:
            cache.close()
        work.first_seen = stories.first_seen
        _publish_all(config, work, read, report, created_at)
        _remember(config, stories.register, created_at)
        prune_bundles(config.out, config.keep, config.keep_days)
        trim_cache(cache_path(config), config.cache_retention)
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
    sources = check_inputs(config.inputs, config.encoding, config.allow_hosts)
    check_cache_place(cache_path(config), config.out)
    if config.engine == "local":  # on Ray the actors' devices count, not the driver's
        check_device_present(config.device)
    check_backend_options(config)
    check_editorial(config)
    if config.engine == "ray" and config.ray_gpus_per_actor > 0:  # Ray would wait for ever for GPUs it lacks
        from jobs.engines.ray import start_ray

        start_ray(config)  # --ray-actors x --ray-gpus-per-actor checked against the cluster's GPUs
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
        fetch=fetch_settings(config, http_cache=cache_path(config).parent / "http"),  # kept for conditional GET
        sources=sources,
        limits=read_limits(config),
    )
    if len(read.articles) == 0:
        _no_article_left(read.errors)
    report.timings["read"] = time.perf_counter() - mark
    return read


def _identify(config: JobConfig, read: ReadResult, created_at: datetime):
    """Every article read takes its story's id: the one it was published under, when it is an
    edited, retitled or moved version of a known story (inputs.stories)."""
    langs = [d.name for d in language_dirs(config.out)] if config.out.is_dir() else []
    latest = [latest_bundle(config.out, lang) for lang in langs]
    register = StoryRegister.load(config.out, (r for bundle in latest if bundle for r in read_records(bundle)))
    rows = read.articles.select_columns(["id", "title", "paragraphs", "sha256"]).to_list()
    assignment = register.assign(rows, created_at.isoformat(timespec="seconds"))
    if assignment.inherited:
        for old, new in sorted(assignment.inherited.items()):
            log.info("article %s is story %s (edited since it was published)", old, new)
        ids = assignment.ids
        read.articles = read.articles.remove_columns("id").add_column("id", ids)
        read.articles = read.articles.select_columns(["id", *[c for c in read.articles.column_names if c != "id"]])
    return assignment


def _remember(config: JobConfig, register: StoryRegister, created_at: datetime) -> None:
    """Keep the stories of a published run for the next one; a failure to write is a warning (the
    next run rebuilds the register from the latest bundles)."""
    register.forget_older_than(created_at)
    try:
        register.save(config.out)
    except OSError as exc:
        log.warning("could not write the story register in %s (%s); the next run rebuilds it", config.out, exc)


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
    """Every language's bundle written, then all of them published as one step (outputs.publication)."""
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
    done = publish_languages(config, work, run, report.units)
    report.bundles, report.unchanged, report.qa = done.bundles, done.unchanged, done.qa
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
    from jobs.stages.translate import assemble_articles, failed_units, translate_units

    mark = time.perf_counter()
    backend = open_model(spec, lang, config, translation=True)
    with reporter.task(f"translate {lang}", len(units), waiting=f"loading {short_name(backend)}") as advance:
        editorial = load_editorial(config, lang)  # glossary, corrections, repair (jobs.stages.editorial)
        outputs = translate_units(units, backend, lang, advance, cache, editorial, config.source_lang)
    work.editorial[lang] = editorial.report()
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


def short_name(backend) -> str:
    """A model's last name part, for a progress line: `opus-mt-en-ru` for Helsinki-NLP/opus-mt-en-ru@abc."""
    return backend.label.split("@")[0].rstrip("/").rsplit("/", 1)[-1]
