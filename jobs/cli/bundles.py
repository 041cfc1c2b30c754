"""`jobs status`, `verify`, `prune` and `preview`: what is in the outputs folder.

Each follows `jobs run`'s error rules: a folder that is missing, a file, unreadable, read-only
or another user's is one line naming it and the fix, with the documented exit code.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer

from jobs.cli.app import app, fail
from jobs.cli.options import CacheOption, ConfigOption, KeepDaysOption, KeepOption
from jobs.config import split_langs
from jobs.errors import ConfigError, Damaged, ExitCode, JobError, environment_error


@app.command()
def status(
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Outputs folder.")] = Path("outputs"),
) -> None:
    """Per language: the latest bundle, when it was made, its counts and failures; and any run in progress."""
    from jobs.outputs.status import bundle_status

    with one_line_errors(out, "reading the outputs folder"):
        text = bundle_status(out)
    typer.echo(text)


@contextlib.contextmanager
def one_line_errors(out: Path, doing: str) -> Iterator[None]:
    """A JobError, or an OSError the environment explains, ends the command with one line and its
    exit code; anything else is a bug and keeps its traceback."""
    from jobs.errors import environment_error

    try:
        yield
    except JobError as exc:
        raise fail(exc) from None
    except OSError as exc:
        problem = environment_error(exc, out, doing)
        if problem is None:
            raise
        raise fail(problem) from None


@app.command()
def verify(
    out: Annotated[Path, typer.Argument(help="Outputs folder.")] = Path("outputs"),
    lang: Annotated[
        list[str],
        typer.Option("--lang", "-l", metavar="LANG", help="Language, repeatable or comma-separated (default: all)."),
    ] = [],
) -> None:
    """Check every bundle's files against its manifest (sha256, sizes, record schema), and that the
    languages and OUT/index.json are in step (a run stopped while publishing); exit 10 on damage."""
    from jobs.outputs.lock import running_holder
    from jobs.outputs.publish import publish_state
    from jobs.outputs.status import check_outputs_folder
    from jobs.outputs.verify import verify_outputs

    with one_line_errors(out, "reading the outputs folder"):
        if not check_outputs_folder(out, "reading the outputs folder"):
            raise ConfigError(f"{out} is not an outputs folder (it does not exist); pass the outputs folder")
        results = verify_outputs(out, split_langs(lang))
        holder = running_holder(out)
        state = publish_state(out) if holder is None else None
    for bundle, problems in results.items():
        typer.echo(f"{bundle}: " + ("ok" if not problems else "DAMAGED"))
        for problem in problems[:20]:
            typer.echo(f"  {problem}")
    damaged = [bundle for bundle, problems in results.items() if problems]
    unpublished = [] if state is None else state.problems()  # the folder's, whatever --lang says
    if state is None:
        typer.echo(f"a run is in progress (pid {holder.get('pid', '?')}): languages and index.json not checked")
    for problem in unpublished:
        typer.echo(f"{out}: {problem}")
    typer.echo(
        f"{len(results)} bundle(s) checked, {len(damaged)} damaged"
        + (f"; {len(unpublished)} publishing problem(s)" if unpublished else "")
    )
    if damaged or unpublished:
        named = ", ".join(map(str, damaged[:10])) or unpublished[0]
        raise fail(
            Damaged(f"{len(damaged)} damaged bundle(s), {len(unpublished)} publishing problem(s) in {out}: {named}")
        )


@app.command()
def prune(
    out: Annotated[Path, typer.Option("--out", "-o", help="Outputs folder.")] = Path("outputs"),
    keep: KeepOption = None,
    keep_days: KeepDaysOption = None,
    config_file: ConfigOption = None,
    cache: CacheOption = None,
) -> None:
    """Remove old bundles (and their review pages) beyond the retention; never the one `latest` points to.
    Also what a run stopped while publishing left, and the cache's entries beyond its retention."""
    from jobs.config import load_registry
    from jobs.outputs.bundle import new_run_id
    from jobs.outputs.lock import RunLock
    from jobs.outputs.publish import repair_interrupted
    from jobs.outputs.retention import disk_used, prune_bundles
    from jobs.outputs.status import check_outputs_folder
    from jobs.stages.cache_retention import trim_cache

    try:
        retention = load_registry(config_file)[0].retention
        keep = retention.keep if keep is None else keep
        keep_days = retention.keep_days if keep_days is None else keep_days
        if keep < 1 or (keep_days is not None and not 0 < keep_days < math.inf):
            raise ConfigError("--keep must be at least 1 and --keep-days a number of days above 0")
        if not check_outputs_folder(out, "reading the outputs folder"):
            raise ConfigError(f"{out} is not an outputs folder (it does not exist); pass the outputs folder")
        with RunLock(out, f"prune-{new_run_id()}"):
            repair_interrupted(out)  # what a stopped run left: never-published bundles go first
            removed = prune_bundles(out, keep, keep_days)
            trimmed = trim_cache(cache or out / ".cache" / "jobs.sqlite3", retention)
    except JobError as exc:
        raise fail(exc) from None
    except OSError as exc:
        problem = environment_error(exc, out, "removing old bundles")
        if problem is None:
            raise
        raise fail(problem) from None
    for bundle in removed:
        typer.echo(f"removed {bundle}")
    if trimmed is not None and (trimmed.unused or trimmed.over_size):
        typer.echo(
            f"cache: {trimmed.unused + trimmed.over_size} entries removed, {trimmed.bytes_after / 1e6:.1f} MB left"
        )
    typer.echo(f"{len(removed)} bundle(s) removed; {out} uses {disk_used(out) / 1e6:.1f} MB")


@app.command()
def preview(
    run: Annotated[
        Optional[str],
        typer.Argument(metavar="RUN", help="Run id or bundle folder (default: each language's latest bundle)."),
    ] = None,
    lang: Annotated[
        list[str],
        typer.Option(
            "--lang",
            "-l",
            metavar="LANG",
            help="Language, repeatable or comma-separated (default: every language in OUT).",
        ),
    ] = [],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Outputs folder the bundles are in.")] = Path(
        "outputs"
    ),
    dest: Annotated[
        Optional[Path],
        typer.Option(
            "--dest", metavar="DIR", help="Put every page in this folder (default: OUT/<lang>/<run_id>.preview.html)."
        ),
    ] = None,
) -> None:
    """Write a static HTML review page per bundle: source and translation side by side, QA flags highlighted."""
    from jobs.outputs.preview import write_previews
    from jobs.outputs.status import check_outputs_folder

    with one_line_errors(dest or out, "writing a review page (or pass --dest DIR on a writable disk)"):
        if run is None or not Path(run).is_dir():
            check_outputs_folder(out, "reading the outputs folder")
        pages = write_previews(out, split_langs(lang), run, dest, read_inputs=_input_articles)
    if not pages:
        typer.echo(
            f"error: no bundle in {out} for {run or 'latest'}" + (f" ({', '.join(lang)})" if lang else ""), err=True
        )
        raise typer.Exit(int(ExitCode.USAGE))
    for page in pages:
        typer.echo(str(page))


def _input_articles(files: list[str]):
    """The articles of input files, for a review page whose run wrote no source-language bundle."""
    from jobs.inputs import read_articles  # heavy (datasets): only when a page needs it

    return read_articles(files).articles
