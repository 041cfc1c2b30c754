"""The Typer application, its global options (logging), and how a JobError becomes an exit code."""

from __future__ import annotations

import logging
import os
import sys
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
        (ExitCode.DAMAGED, "jobs verify: a bundle does not match its manifest"),
        (ExitCode.PUBLISH_INCOMPLETE, "some languages published, others not; the log names which"),
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
        handlers.append(_log_file_handler(log_file))
    for handler in handlers:
        handler.setFormatter(formatter)
    log.handlers[:] = handlers
    log.setLevel(level)
    log.propagate = False


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


def interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def fail(exc: JobError) -> typer.Exit:
    """The error's one line on stderr and in the log file (if any); the exit carrying its code."""
    typer.echo(f"error: {exc}", err=True)
    record = log.makeRecord(log.name, logging.ERROR, __file__, 0, "error: %s", (exc,), None)
    for handler in log.handlers:
        if isinstance(handler, logging.FileHandler):  # stderr already has the line
            handler.handle(record)
    return typer.Exit(int(exc.exit_code))
