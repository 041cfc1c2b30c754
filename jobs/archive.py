"""`jobs archive`: an archive of articles through the model stages on Ray, shard by shard, resumable.

    checks -> lock -> plan shards -> finished shards skipped -> the rest on Ray Data
           -> bundles assembled from every shard's outputs -> published as one step

The driver holds the plan (a byte range and a key per shard) and counts, never the articles:
reading, screening, summarizing, translating and writing records all happen in Ray workers
(jobs.engines.archive), and the bundles are streamed together from the shard folders
(jobs.engines.assemble). A killed run leaves its finished shards; the next run with the same
inputs and settings does only the others.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from jobs.backends import make_backend
from jobs.config import JobConfig
from jobs.environment import run_time
from jobs.errors import ConfigError, ExitCode
from jobs.pipeline import cache_path, check_before_lock
from jobs.versions import package_versions

log = logging.getLogger("jobs")


@dataclass
class ArchiveReport:
    """What an archive run did: shards planned, found finished, generated; articles; bundles."""

    run_id: str
    shards: int = 0
    shards_done_before: int = 0
    shards_generated: int = 0
    articles: int = 0
    failed: int = 0
    units: int = 0
    bundles: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.PARTIAL if self.failed else ExitCode.OK


def settings_fingerprint(config: JobConfig) -> tuple[str, dict[str, str]]:
    """What decides a shard's outputs besides its bytes (every model's identity, the record
    settings, the job's version), and the backend each role resolved to; loads no weights."""
    import json

    roles = {lang: (spec, True) for lang, spec in config.models.items()}
    if config.summarize:
        roles["summary"] = (config.summary_model, False)
    backends = {role: make_backend(spec, role, config, translation=t) for role, (spec, t) in roles.items()}
    facts = {
        "models": {role: backend.identity.key() for role, backend in backends.items()},
        "langs": config.langs,
        "lang_tags": config.lang_tags,
        "review_flags": config.review_flags,
        "words": [config.min_article_words, config.max_article_words],
        "summarize": config.summarize,
        "jobs": package_versions().get("jobs"),
    }
    return json.dumps(facts, sort_keys=True), {role: backend.name for role, backend in backends.items()}


def archive_job(config: JobConfig, shard_size: int) -> ArchiveReport:
    """Every shard of the inputs not finished yet through the stages on Ray, then the bundles."""
    from jobs.engines.archive import run_shards
    from jobs.engines.shards import is_done, plan_shards, remove_unfinished
    from jobs.outputs.bundle import new_run_id, remove_stale_staging
    from jobs.outputs.lock import RunLock
    from jobs.outputs.retention import prune_bundles

    if shard_size < 1:
        raise ConfigError("--shard-size must be at least 1 article")
    config = config.model_copy(update={"engine": "ray"})
    started = time.perf_counter()
    created_at = run_time()
    report = ArchiveReport(run_id=new_run_id(created_at))
    sources = check_before_lock(config)
    fingerprint, backends = settings_fingerprint(config)
    with RunLock(config.out, report.run_id):
        remove_stale_staging(config.out)
        remove_unfinished(config.out)
        mark = time.perf_counter()
        shards, files = plan_shards(sources, shard_size, fingerprint)
        todo = [shard for shard in shards if not is_done(config.out, shard)]
        report.shards, report.shards_done_before = len(shards), len(shards) - len(todo)
        report.timings["plan"] = time.perf_counter() - mark
        log.info("archive: %d shards, %d finished before, %d to do", len(shards), report.shards_done_before, len(todo))
        mark = time.perf_counter()
        for counts in run_shards(config, todo, backends, created_at.isoformat(timespec="seconds")) if todo else ():
            report.shards_generated += 1
            log.info(
                "shard %d done: %d articles (%d/%d)",
                counts["number"],
                counts["articles"],
                report.shards_generated,
                len(todo),
            )
        report.timings["shards"] = time.perf_counter() - mark
        mark = time.perf_counter()
        _publish(config, report, shards, files, created_at, shard_size)
        prune_bundles(config.out, config.keep, config.keep_days)
        report.timings["assemble"] = time.perf_counter() - mark
    report.seconds = time.perf_counter() - started
    return report


def _totals(out: Path, shards: list, report: ArchiveReport) -> dict[str, int]:
    """Articles per input file, summed over the finished shards (whose counts the report adds up)."""
    from jobs.engines.shards import done_counts

    per_file: dict[str, int] = {}
    for shard in shards:
        counts = done_counts(out, shard)
        report.articles += counts["articles"]
        report.failed += counts["failed"]
        report.units += counts["units"]
        per_file[shard.display] = per_file.get(shard.display, 0) + counts["articles"]
    return per_file


def _with_articles(file, per_file: dict[str, int]):
    from jobs.engines.shards import InputFile

    return InputFile(file.path, file.sha256, per_file.get(file.path, 0))


def _publish(config: JobConfig, report: ArchiveReport, shards: list, files: list, created_at, shard_size: int) -> None:
    """Every language's bundle assembled from the finished shards, then all published as one step."""
    from jobs.engines.assemble import assemble_bundle
    from jobs.outputs.manifest import run_manifest
    from jobs.outputs.publish import discard, publish_run

    totals = _totals(config.out, shards, report)
    run = run_manifest(
        run_id=report.run_id,
        created_at=created_at,
        config=config,
        sources=[_with_articles(f, totals) for f in files],
        cache_path=cache_path(config),
        cache_hits=0,
        cache_misses=0,
    )
    # No SQLite cache on a cluster: finished shards are what is reused (jobs.engines.shards).
    run["cache"] = {
        "shards": report.shards,
        "reused": report.shards_done_before,
        "generated": report.shards_generated,
    }
    run["engine"] = {**run["engine"], "shard_size": shard_size}
    try:
        for lang in config.langs:
            report.bundles[lang] = assemble_bundle(config, lang, run, shards, report.units)
    except BaseException:
        discard(list(report.bundles.values()))
        report.bundles.clear()
        raise
    publish_run(config.out, report.run_id, report.bundles, config.langs)
