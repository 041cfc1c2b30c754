"""The `jobs` command line: parses options, builds one config, calls the job, maps errors to exit codes."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from jobs.errors import ConfigError, ExitCode, JobError

EXIT_CODES_HELP = "\n\n".join(
    f"{code.value:>3}  {text}"
    for code, text in (
        (ExitCode.OK, "all bundles published"),
        (ExitCode.FAILED, "unexpected error (a bug; see the log)"),
        (ExitCode.USAGE, "bad options or config; nothing done"),
        (ExitCode.BAD_INPUT, "no article could be read; nothing done"),
        (ExitCode.MISSING_MODEL, "a model is missing (offline and not cached); nothing written"),
        (ExitCode.PARTIAL, "some articles failed; the rest published, failures in the manifest"),
        (ExitCode.LOCKED, "another run holds the outputs folder"),
        (ExitCode.QA_FLAGGED, "a QA flag named in --fail-on-qa fired; bundles published"),
        (ExitCode.INTERRUPTED, "interrupted; nothing half-written published"),
    )
)

app = typer.Typer(
    help="Summarize news articles and translate them into several languages, one bundle per language.\n\n"
    f"Exit codes:\n\n{EXIT_CODES_HELP}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="The model registry: list models, download them for offline runs.", no_args_is_help=True)
app.add_typer(models_app, name="models")
log = logging.getLogger("jobs")

ConfigOption = Annotated[Optional[Path], typer.Option("--config", help="Model registry file (default: configs/models.yaml).")]
LangOption = Annotated[list[str], typer.Option("--lang", "-l", help="Target language, repeatable; `all` for every configured one.")]
ModelOption = Annotated[list[str], typer.Option("--model", "-m", help="LANG=HUB_ID[@REV] or LANG=FOLDER, repeatable.")]
SummaryModelOption = Annotated[Optional[str], typer.Option("--summary-model", help="Summarizer: HUB_ID[@REV] or FOLDER.")]
DeviceOption = Annotated[Optional[str], typer.Option("--device", help="auto, cpu, cuda, cuda:N or mps.")]
BatchTokensOption = Annotated[Optional[int], typer.Option("--batch-tokens", help="Padded input tokens per model batch (default: sized to the device).")]
BackendOption = Annotated[str, typer.Option("--backend", help="torch or ctranslate2 (pip install -e '.[ct2]').")]
DtypeOption = Annotated[str, typer.Option("--dtype", help="auto, fp32, bf16 or fp16 (torch backend).")]
QuantizeOption = Annotated[str, typer.Option("--quantize", help="none or int8 (dynamic int8 Linear layers on CPU).")]


@app.callback()
def main_callback(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Warnings and errors only.")] = False,
    log_file: Annotated[Optional[Path], typer.Option("--log-file", help="Also append the log to this file.")] = None,
) -> None:
    """Summarize news articles and translate them; see `jobs run --help`."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    # Library progress bars and advice go to a terminal only; cron logs stay plain lines.
    # (Both are read when transformers / huggingface_hub are imported, which happens later.)
    if not sys.stderr.isatty():
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if not verbose:
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
    log.handlers[:] = handlers
    log.setLevel(level)
    log.propagate = False


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def fail(exc: JobError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(int(exc.exit_code))


@app.command()
def run(
    langs: LangOption = [],
    inputs: Annotated[list[str], typer.Option("--input", "-i", help="Input file, folder, page or feed URL; repeatable (default: seeds/).")] = [],
    out: Annotated[Path, typer.Option("--out", "-o", help="Outputs folder; bundles go to OUT/<lang>/<run_id>/.")] = Path("outputs"),
    model_overrides: ModelOption = [],
    summary_model: SummaryModelOption = None,
    config_file: ConfigOption = None,
    device: DeviceOption = None,
    batch_tokens: BatchTokensOption = None,
    backend: BackendOption = "torch",
    dtype: DtypeOption = "auto",
    quantize: QuantizeOption = "none",
    offline: Annotated[bool, typer.Option("--offline", help="No network: URL and feed inputs are refused.")] = False,
    encoding: Annotated[Optional[str], typer.Option("--encoding", help="Encoding of text files that are not UTF-8 (e.g. cp1251).")] = None,
    max_urls: Annotated[int, typer.Option("--max-urls", help="Pages fetched per run, at most.")] = 100,
    engine: Annotated[str, typer.Option("--engine", help="local, or ray (pip install -e '.[ray]').")] = "local",
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", help="Ray cluster to join (default: start a local Ray).")] = None,
    ray_actors: Annotated[int, typer.Option("--ray-actors", help="Actors per model on Ray; each loads the model once.")] = 2,
    ray_gpus_per_actor: Annotated[float, typer.Option("--ray-gpus-per-actor", help="GPUs per Ray actor (e.g. 1, or 0.5 to share).")] = 0,
    cache: Annotated[Optional[Path], typer.Option("--cache", help="Cache file (default: OUT/.cache/jobs.sqlite3).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Ignore cached outputs: run every model on everything.")] = False,
    skip_unchanged: Annotated[bool, typer.Option("--skip-unchanged", help="Publish nothing for a language whose articles did not change.")] = False,
    fail_on_qa: Annotated[Optional[str], typer.Option("--fail-on-qa", metavar="FLAG,...", help="Exit 7 when any of these QA flags (or `all`) fired; bundles are published anyway.")] = None,
) -> None:
    """Summarize and translate the input articles and publish one bundle per language."""
    options = dict(locals())  # the flags, named as JobConfig's fields
    from jobs.config import build_config
    from jobs.pipeline import run_job
    from jobs.quality.flags import parse_flag_list

    signal.signal(signal.SIGTERM, _interrupt)  # cron and schedulers stop jobs with SIGTERM
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
        typer.echo("QA flags named in --fail-on-qa fired: " + "; ".join(
            f"{lang} " + ", ".join(f"{flag} {n}" for flag, n in counts.items()) for lang, counts in failing.items()), err=True)
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


@app.command()
def status(
    out: Annotated[Path, typer.Option("--out", "-o", help="Outputs folder.")] = Path("outputs"),
) -> None:
    """Per language: the latest bundle, when it was made, its counts and failures; and any run in progress."""
    from jobs.outputs.status import bundle_status

    typer.echo(bundle_status(out))


@app.command("eval")
def eval_command(
    lang: LangOption = [],
    flores: Annotated[Optional[Path], typer.Option("--flores", help="Folder of FLORES-200 devtest files (default: $JOBS_EVAL_DATA/flores200-devtest, else shared/eval/flores200-devtest).")] = None,
    src: Annotated[Optional[Path], typer.Option("--src", help="Source lines to use instead of FLORES eng_Latn (with --ref).")] = None,
    ref: Annotated[list[str], typer.Option("--ref", help="LANG=FILE: reference lines, line-aligned with the source; repeatable.")] = [],
    metadata: Annotated[Optional[Path], typer.Option("--metadata", help="TSV with a URL column, one row per line: consecutive lines of one URL are a document.")] = None,
    summaries: Annotated[list[Path], typer.Option("--summaries", help="JSONL of article + reference summary; repeatable (default: every *.jsonl in the data's summarization/).")] = [],
    no_summaries: Annotated[bool, typer.Option("--no-summaries", help="Do not score the summarizer.")] = False,
    no_translation: Annotated[bool, typer.Option("--no-translation", help="Score the summarizer only.")] = False,
    no_documents: Annotated[bool, typer.Option("--no-documents", help="Skip the document path.")] = False,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only the first N lines and summary rows (a quick check).")] = None,
    report_dir: Annotated[Optional[Path], typer.Option("--report-dir", help="Where eval.json and eval.md go (default: eval-reports/<UTC time>/).")] = None,
    model: ModelOption = [],
    summary_model: SummaryModelOption = None,
    config: ConfigOption = None,
    device: DeviceOption = None,
    batch_tokens: BatchTokensOption = None,
    backend: BackendOption = "torch",
    dtype: DtypeOption = "auto",
    quantize: QuantizeOption = "none",
) -> None:
    """Score the configured models on public references: BLEU and chrF (sacrebleu), ROUGE (rouge-score)."""
    from datetime import datetime, timezone

    from jobs.config import build_config
    from jobs.evaluation import run_eval
    from jobs.quality.eval import default_eval_dir
    from jobs.quality.eval_report import format_table, write_reports

    try:
        job = build_config(config_file=config, langs=lang, model_overrides=model, summary_model=summary_model,
                           device=device, batch_tokens=batch_tokens, backend=backend, dtype=dtype, quantize=quantize)
        refs: dict[str, Path] = {}
        for value in ref:
            code, sep, path = value.partition("=")
            if not sep or not path.strip():
                raise ConfigError(f"--ref takes LANG=FILE, not {value!r}")
            refs[code.strip()] = Path(path.strip())
        if src and not no_translation and set(job.models) - set(refs):
            raise ConfigError(f"--src needs --ref LANG=FILE for {', '.join(sorted(set(job.models) - set(refs)))}")
        if not summaries and not no_summaries:
            summaries = sorted((default_eval_dir() / "summarization").glob("*.jsonl"))
        report = run_eval(job, flores_dir=flores, src=src, refs=refs, metadata=metadata,
                          summaries=[] if no_summaries else summaries, limit=limit,
                          documents=not no_documents, translate=not no_translation)
    except JobError as exc:
        raise fail(exc) from None
    except (OSError, ValueError) as exc:  # missing or malformed reference files
        raise fail(ConfigError(str(exc))) from None
    folder = report_dir or Path("eval-reports") / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    json_path, md_path = write_reports(report, folder)
    typer.echo(format_table(report))
    typer.echo(f"reports: {json_path} {md_path}")


@app.command()
def preview(
    run: Annotated[Optional[str], typer.Argument(help="Run id or bundle folder (default: each language's latest bundle).")] = None,
    lang: Annotated[list[str], typer.Option("--lang", "-l", help="Language, repeatable (default: every language in OUT).")] = [],
    out: Annotated[Path, typer.Option("--out", "-o", help="Outputs folder the bundles are in.")] = Path("outputs"),
    dest: Annotated[Optional[Path], typer.Option("--dest", help="Put every page in this folder (default: OUT/<lang>/<run_id>.preview.html).")] = None,
) -> None:
    """Write a static HTML review page per bundle: source and translation side by side, QA flags highlighted."""
    from jobs.outputs.preview import write_previews

    pages = write_previews(out, lang, run, dest, read_inputs=_input_articles)
    if not pages:
        typer.echo(f"error: no bundle in {out} for {run or 'latest'}" + (f" ({', '.join(lang)})" if lang else ""), err=True)
        raise typer.Exit(int(ExitCode.USAGE))
    for page in pages:
        typer.echo(str(page))


def _input_articles(files: list[str]):
    """The articles of input files, for a review page whose run wrote no source-language bundle."""
    from jobs.inputs import read_articles  # heavy (datasets): only when a page needs it

    return read_articles(files).articles


@models_app.command("list")
def models_list(config: ConfigOption = None) -> None:
    """Show each language's model, its licence, and whether it is in the local cache."""
    from jobs.config import load_registry
    from jobs.models.hub import cached_snapshot

    try:
        registry, path = load_registry(config)
    except JobError as exc:
        raise fail(exc) from None
    rows = [("summary", "English summaries", registry.summary)]
    rows += [(lang, entry.name, entry.spec()) for lang, entry in registry.languages.items()]
    typer.echo(f"registry: {path}")
    typer.echo(f"{'lang':<8} {'name':<22} {'model':<40} {'licence':<14} cached")
    for lang, name, spec in rows:
        if spec is None:
            typer.echo(f"{lang:<8} {name:<22} {'(source language: no model)':<40} {'-':<14} -")
            continue
        if spec.is_local:
            cached = "local folder" if spec.path.is_dir() else "MISSING folder"
        else:
            snapshot = cached_snapshot(spec)
            cached = f"yes ({snapshot.name[:10]})" if snapshot else "no"
        typer.echo(f"{lang:<8} {name:<22} {spec.model:<40} {spec.licence or '?':<14} {cached}")


@models_app.command("pull")
def models_pull(
    lang: LangOption = [],
    summary: Annotated[bool, typer.Option("--summary/--no-summary", help="Also pull the summarizer.")] = True,
    config: ConfigOption = None,
) -> None:
    """Download models into the Hugging Face cache, so that cron can run with HF_HUB_OFFLINE=1."""
    from jobs.config import load_registry, select_langs
    from jobs.models.hub import hub_offline, pull_model

    try:
        registry, _ = load_registry(config)
        specs = [(l, registry.languages[l].spec()) for l in select_langs(registry, lang, {})]
    except JobError as exc:
        raise fail(exc) from None
    if summary:
        specs.append(("summary", registry.summary))
    if hub_offline():
        typer.echo("error: HF_HUB_OFFLINE=1 is set; unset it to download models", err=True)
        raise typer.Exit(int(ExitCode.USAGE))
    for role, spec in specs:
        if spec is None:
            continue
        typer.echo(f"{role}: pulling {spec.model} ...")
        try:
            folder = pull_model(spec)
        except Exception as exc:  # network and hub errors come in many types; report and go on
            typer.echo(f"error: {role}: could not download {spec.model}: {exc}", err=True)
            raise typer.Exit(int(ExitCode.MISSING_MODEL)) from None
        typer.echo(f"{role}: {spec.model} -> {folder}")


def main() -> None:
    app()
