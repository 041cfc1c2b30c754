"""`jobs run`: the whole job, its end-of-run summary and its exit code."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

import typer

from jobs.cli.app import app, fail, interrupt
from jobs.cli.options import (
    BackendOption,
    BatchTokensOption,
    CacheOption,
    ConfigOption,
    DeviceOption,
    DtypeOption,
    EncodingOption,
    EngineOption,
    FailOnQaOption,
    ForceOption,
    InputsOption,
    LangOption,
    MaxUrlsOption,
    ModelOption,
    OfflineOption,
    OutOption,
    QuantizeOption,
    RayActorsOption,
    RayAddressOption,
    RayGpusPerActorOption,
    SkipUnchangedOption,
    SummaryModelOption,
)
from jobs.errors import ConfigError, ExitCode, JobError

log = logging.getLogger("jobs")


@app.command()
def run(
    langs: LangOption = [],
    inputs: InputsOption = [],
    out: OutOption = Path("outputs"),
    model_overrides: ModelOption = [],
    summary_model: SummaryModelOption = None,
    config_file: ConfigOption = None,
    device: DeviceOption = None,
    batch_tokens: BatchTokensOption = None,
    backend: BackendOption = "auto",
    dtype: DtypeOption = "auto",
    quantize: QuantizeOption = "none",
    offline: OfflineOption = False,
    encoding: EncodingOption = None,
    max_urls: MaxUrlsOption = 100,
    engine: EngineOption = "local",
    ray_address: RayAddressOption = None,
    ray_actors: RayActorsOption = 2,
    ray_gpus_per_actor: RayGpusPerActorOption = 0,
    cache: CacheOption = None,
    force: ForceOption = False,
    skip_unchanged: SkipUnchangedOption = False,
    fail_on_qa: FailOnQaOption = None,
) -> None:
    """Summarize and translate the input articles and publish one bundle per language."""
    options = dict(locals())  # the flags, named as JobConfig's fields
    from jobs.config import build_config
    from jobs.pipeline import run_job
    from jobs.quality.flags import parse_flag_list

    signal.signal(signal.SIGTERM, interrupt)  # cron and schedulers stop jobs with SIGTERM
    try:
        fail_on = parse_flag_list(options.pop("fail_on_qa"))
    except ValueError as exc:
        raise fail(ConfigError(f"--fail-on-qa: {exc}")) from None
    try:
        report = run_job(build_config(**options))
    except JobError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        log.error("interrupted: nothing half-written was published")
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    print_summary(report)
    raise typer.Exit(int(exit_code(report, fail_on)))


def exit_code(report, fail_on: list[str]) -> ExitCode:
    """The run's exit code: failed articles (PARTIAL) say more than QA flags named in --fail-on-qa."""
    from jobs.quality.flags import failing_flags

    failing = failing_flags(report.qa, fail_on)
    if failing:
        typer.echo(
            "QA flags named in --fail-on-qa fired: "
            + "; ".join(
                f"{lang} " + ", ".join(f"{flag} {n}" for flag, n in counts.items()) for lang, counts in failing.items()
            ),
            err=True,
        )
        if report.exit_code == ExitCode.OK:
            return ExitCode.QA_FLAGGED
    return report.exit_code


def print_summary(report) -> None:
    """One screen: what was done, how long it took, where the bundles are."""
    timings = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in report.timings.items())
    lines = [
        f"run {report.run_id}: {report.articles} articles, {report.units} units, "
        f"{report.input_tokens} tokens in, {report.output_tokens} tokens out, {report.seconds:.1f} s",
        f"  cache: {report.cache_hits} hits, {report.cache_misses} misses; models loaded: {report.models_loaded}",
        f"  stages: {timings}",
    ]
    lines += [f"  {lang:<4} {path}" for lang, path in report.bundles.items()]
    for lang, counts in report.qa.items():
        fired = ", ".join(f"{flag} {n}" for flag, n in counts.items() if n)
        lines.append(f"  {lang:<4} QA flags: {fired or 'none'}")
    lines += [f"  {lang:<4} unchanged, nothing published (latest: {path})" for lang, path in report.unchanged.items()]
    if report.failures:
        lines.append(f"  {len(report.failures)} input problem(s), listed in each manifest:")
        lines += [f"    {problem}" for problem in report.failures[:20]]
    typer.echo("\n".join(lines))
