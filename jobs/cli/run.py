"""`jobs run`: the whole job, its end-of-run summary and its exit code."""

from __future__ import annotations

import logging
import shlex
import signal
import time
from pathlib import Path

import typer

from jobs.cli.app import app, fail, interrupt, quiet
from jobs.cli.options import (
    AllowHostOption,
    BackendOption,
    BatchTokensOption,
    CacheOption,
    ConfigOption,
    DeviceOption,
    DtypeOption,
    EncodingOption,
    EngineOption,
    FailOnQaOption,
    FetchBudgetOption,
    ForceOption,
    InputsOption,
    KeepDaysOption,
    KeepOption,
    LangOption,
    MaxFeedItemsOption,
    MaxUrlsOption,
    MinWordsOption,
    ModelOption,
    OfflineOption,
    OutOption,
    ProxyResolvesOption,
    QuantizeOption,
    RayActorsOption,
    RayAddressOption,
    RayGpusPerActorOption,
    SkipUnchangedOption,
    SummarizeOption,
    SummaryModelOption,
)
from jobs.errors import ConfigError, ExitCode, JobError, environment_error

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
    allow_hosts: AllowHostOption = [],
    proxy_resolves: ProxyResolvesOption = None,
    fetch_budget: FetchBudgetOption = None,
    max_feed_items: MaxFeedItemsOption = None,
    min_article_words: MinWordsOption = None,
    engine: EngineOption = "local",
    ray_address: RayAddressOption = None,
    ray_actors: RayActorsOption = 2,
    ray_gpus_per_actor: RayGpusPerActorOption = 0,
    cache: CacheOption = None,
    force: ForceOption = False,
    skip_unchanged: SkipUnchangedOption = False,
    summarize: SummarizeOption = True,
    fail_on_qa: FailOnQaOption = None,
    keep: KeepOption = None,
    keep_days: KeepDaysOption = None,
) -> None:
    """Summarize and translate the input articles and publish one bundle per language.

    \b
    Examples:
      jobs run --lang ru                          the seed page into Russian
      jobs run --lang ru --lang kk -i feed.xml    a feed into Russian and Kazakh
      jobs run --lang all --out /srv/outputs      every configured language
    """
    options = dict(locals())  # the flags, named as JobConfig's fields
    started = time.perf_counter()
    facts = RunFacts(options)
    code: int = ExitCode.FAILED  # what a bug (an exception not handled below) ends with
    try:
        code = _run(options, facts)
    except typer.Exit as exc:
        code = exc.exit_code
        raise
    finally:
        log_run_line(facts, code, time.perf_counter() - started)
    raise typer.Exit(code)


def _run(options: dict, facts: RunFacts) -> int:
    from jobs.quality.flags import parse_flag_list

    signal.signal(signal.SIGINT, interrupt)  # Ctrl-C
    signal.signal(signal.SIGTERM, interrupt)  # cron and schedulers stop jobs with SIGTERM
    signal.signal(signal.SIGHUP, interrupt)  # an ssh session that drops
    try:
        fail_on = parse_flag_list(options.pop("fail_on_qa"))
    except ValueError as exc:
        raise fail(ConfigError(f"--fail-on-qa: {exc}")) from None
    report = _run_job(options, facts)
    if not quiet():
        print_summary(report)
    return int(exit_code(report, fail_on))


class RunFacts:
    """What the run line says, gathered as the run goes: the flags, then the config, then the report."""

    def __init__(self, options: dict):
        from jobs.pipeline import RunReport

        self.inputs = [str(path) for path in options.get("inputs") or []] or ["(default)"]
        self.langs = list(options.get("langs") or []) or ["(default)"]
        self.report = RunReport(run_id="")


def log_run_line(facts: RunFacts, code: int, seconds: float) -> None:
    """One line per run, in the log file whatever --quiet says about the terminal (cron's trace):
    run id, inputs, languages, bundles published, counts, failures, seconds, exit code."""
    report = facts.report

    def listed(items) -> str:
        return ",".join(items) or "-"

    fields = {
        "run": report.run_id or "-",
        "exit": str(int(code)),
        "seconds": f"{seconds:.1f}",
        "inputs": listed(facts.inputs),
        "langs": listed(facts.langs),
        "published": listed(report.bundles),
        "unchanged": listed(report.unchanged),
        "articles": str(report.articles),
        "failures": str(len(report.failures)),
        "units": str(report.units),
        "generated": str(report.cache_misses),
        "cached": str(report.cache_hits),
        "models_loaded": str(report.models_loaded),
    }
    log.info(
        "run finished: %s",
        " ".join(f"{key}={shlex.quote(value)}" for key, value in fields.items()),
        extra={"run_line": True},
    )


def _run_job(options: dict, facts: RunFacts):
    """The job for these flags; a JobError or an environment error becomes its exit code."""
    from jobs.config import build_config
    from jobs.pipeline import run_job

    try:
        config = build_config(**options)
        facts.inputs, facts.langs = [str(path) for path in config.inputs], list(config.langs)
        log.debug(
            "settings: %s",
            config.model_dump_json(
                include={"device", "backend", "dtype", "quantize", "batch_tokens", "engine", "force", "skip_unchanged"}
            ),
        )
        for role, spec in {"summary": config.summary_model if config.summarize else None, **config.models}.items():
            log.debug("model for %s: %s", role, spec.model if spec else "none")
        return run_job(config, report=facts.report)
    except JobError as exc:
        raise fail(exc) from None
    except OSError as exc:
        problem = environment_error(exc)
        if problem is None:
            raise  # not one the environment explains: a bug, with its traceback
        log.debug("the error in full", exc_info=True)  # --verbose
        raise fail(problem) from None
    except KeyboardInterrupt:
        log.error("interrupted: nothing half-written was published")
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None


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
    """One screen, under 80 columns: what was done and what the counts mean, where the bundles are."""
    typer.echo("\n".join(summary_lines(report)))


def summary_lines(report) -> list[str]:
    import shlex
    import textwrap

    from jobs.config import program_command

    timings = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in report.timings.items())
    text = [
        f"Run {report.run_id} took {report.seconds:.1f} s.",
        f"Articles: {report.articles} processed"
        + (f", {len(report.failures)} with problems (below)." if report.failures else ", no input problems."),
        f"Work: {report.units} sentence units per language; model outputs {report.cache_hits} reused "
        f"from the cache, {report.cache_misses} generated; models loaded: {report.models_loaded}; "
        f"{report.input_tokens} tokens in, {report.output_tokens} out.",
        f"Time: {timings}.",
    ]
    lines = [piece for paragraph in text for piece in textwrap.wrap(paragraph, 78, subsequent_indent="  ")]
    if report.bundles:
        lines.append("Bundles (articles.jsonl, articles/<id>.md, manifest.json) and QA flags")
        lines.append("fired (texts flagged per rule; docs/quality.md says what each rule checks):")
    for lang, path in report.bundles.items():
        fired = ", ".join(f"{flag} {n}" for flag, n in report.qa.get(lang, {}).items() if n) or "none"
        lines += [
            f"  {lang:<4} {path}",
            *textwrap.wrap(f"QA flags: {fired}", 78, initial_indent=" " * 7, subsequent_indent=" " * 9),
        ]
    for lang, path in report.unchanged.items():
        lines += [f"  {lang:<4} unchanged, nothing published; latest is", f"       {path}"]
    if report.failures:
        lines.append(f"Problems: {len(report.failures)} input problem(s), also in each manifest's `failures`:")
        lines += [textwrap.shorten(f"  {problem}", 78) for problem in report.failures[:20]]
    if report.bundles:
        out = next(iter(report.bundles.values())).parent.parent
        lines.append("Review page (source and translation side by side):")
        lines.append(f"  {program_command('preview --out ' + shlex.quote(str(out)))}")
    return lines
