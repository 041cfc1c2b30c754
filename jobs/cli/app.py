"""The Typer application, its global options (logging), and how a JobError becomes an exit code."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from jobs.errors import ExitCode, JobError

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
        (ExitCode.DISK_FULL, "no space left (or too little before the run); nothing half-published"),
        (ExitCode.NOT_WRITABLE, "a path cannot be used (permission, read-only, in the way); it is named"),
        (ExitCode.DAMAGED, "jobs verify: a bundle does not match its manifest, or a stopped publish left work"),
        (ExitCode.PUBLISH_INCOMPLETE, "some languages published, others not; the log names which"),
        (ExitCode.INTERRUPTED, "interrupted before publishing; nothing half-written published"),
    )
)

app = typer.Typer(
    help="Summarize news articles and translate them into several languages, one bundle per language.\n\n"
    f"Exit codes:\n\n{EXIT_CODES_HELP}",
    no_args_is_help=True,
    rich_markup_mode=None,  # help shows `'.[ct2]'` and `HUB_ID[@REV]` as written
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="The model registry: list models, download them for offline runs.", no_args_is_help=True)
app.add_typer(models_app, name="models")
log = logging.getLogger("jobs")


def show_version(value: bool) -> None:
    if value:
        from jobs.versions import package_version

        typer.echo(f"jobs {package_version('jobs')}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=show_version, help="Print the version and exit.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Nothing on stdout or stderr on success; warnings and errors only (for cron)."
        ),
    ] = False,
    log_file: Annotated[
        Optional[Path], typer.Option("--log-file", metavar="FILE", help="Also append the log to this file.")
    ] = None,
) -> None:
    """Summarize news articles and translate them; see `jobs run --help`."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    # One progress style, ours: the hub's and datasets' bars stay off (`models pull` turns the
    # download bars on). These are read when the libraries are imported, which happens later.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    if not verbose:
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_VERBOSITY", "error")  # no raw retry lines on the terminal
    # Every hub call bounded (seconds per metadata request, per read of a download).
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "10")
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "10")
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime  # UTC, as run ids are
    from jobs.progress import terminal_handler

    terminal = terminal_handler(formatter)
    terminal.addFilter(lambda record: not getattr(record, "echoed", False))  # fail() printed it already
    terminal.setLevel(level)
    log.handlers[:] = [terminal]  # first, so that a --log-file error is said once, on stderr
    log.setLevel(logging.DEBUG if verbose else logging.INFO)  # the handlers choose; run lines pass both
    log.propagate = False
    if log_file is not None:
        handler = _log_file_handler(log_file)
        handler.setFormatter(formatter)
        handler.addFilter(lambda record: record.levelno >= level or getattr(record, "run_line", False))
        log.addHandler(handler)


def _log_file_handler(log_file: Path) -> logging.Handler:
    """The --log-file handler; a file that cannot be written ends the run at once with its exit code."""
    from jobs.errors import NotWritable, environment_error

    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        return logging.FileHandler(log_file, encoding="utf-8")
    except OSError as exc:
        problem = environment_error(exc, log_file, "opening the --log-file") or NotWritable(
            f"--log-file {log_file}: {exc.strerror or exc}; choose a file the job can append to"
        )
        raise fail(problem) from None


class Interrupted(KeyboardInterrupt):
    """A stop signal, raised where the job's code was running; caught as any KeyboardInterrupt.

    Not KeyboardInterrupt itself: when a plain one passes through code a native library ran with
    PyRun_String (pybind11's exec/eval), CPython marks it unhandled and, after our clean exit 130,
    kills the process with SIGINT (status -2). It checks the exact type, so a subclass is safe."""


def interrupt(signum, frame) -> None:
    raise Interrupted(f"signal {signum}")


def fail(exc: JobError) -> typer.Exit:
    """One line on stderr (even with --quiet), the same line in the log file, and the error's exit code."""
    typer.echo(f"error: {exc}", err=True)
    log.error("%s", exc, extra={"echoed": True})
    return typer.Exit(int(exc.exit_code))


def quiet() -> bool:
    """--quiet: nothing on stdout or stderr on success, warnings and errors only."""
    from jobs.progress import terminal_quiet

    return terminal_quiet()
