"""`jobs status` and `jobs preview`: what is in the outputs folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from jobs.cli.app import app, fail
from jobs.cli.options import ConfigOption, KeepDaysOption, KeepOption
from jobs.errors import ConfigError, Damaged, ExitCode, JobError, environment_error


@app.command()
def status(
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Outputs folder.")] = Path("outputs"),
) -> None:
    """Per language: the latest bundle, when it was made, its counts and failures; and any run in progress."""
    from jobs.outputs.status import bundle_status

    typer.echo(bundle_status(out))


@app.command()
def verify(
    out: Annotated[Path, typer.Argument(help="Outputs folder.")] = Path("outputs"),
    lang: Annotated[
        list[str], typer.Option("--lang", "-l", metavar="LANG", help="Language, repeatable (default: all).")
    ] = [],
) -> None:
    """Check every bundle's files against its manifest (sha256, sizes, record schema); exit 10 on damage."""
    from jobs.outputs.verify import verify_outputs

    if not out.is_dir():
        raise fail(ConfigError(f"{out} is not an outputs folder"))
    results = verify_outputs(out, lang)
    for bundle, problems in results.items():
        typer.echo(f"{bundle}: " + ("ok" if not problems else "DAMAGED"))
        for problem in problems[:20]:
            typer.echo(f"  {problem}")
    damaged = [bundle for bundle, problems in results.items() if problems]
    typer.echo(f"{len(results)} bundle(s) checked, {len(damaged)} damaged")
    if damaged:
        raise fail(Damaged(f"{len(damaged)} damaged bundle(s) in {out}: " + ", ".join(map(str, damaged[:10]))))


@app.command()
def prune(
    out: Annotated[Path, typer.Option("--out", "-o", help="Outputs folder.")] = Path("outputs"),
    keep: KeepOption = None,
    keep_days: KeepDaysOption = None,
    config_file: ConfigOption = None,
) -> None:
    """Remove old bundles (and their review pages) beyond the retention; never the one `latest` points to."""
    from jobs.config import load_registry
    from jobs.outputs.bundle import new_run_id
    from jobs.outputs.lock import RunLock
    from jobs.outputs.retention import disk_used, prune_bundles

    try:
        retention = load_registry(config_file)[0].retention
        keep = retention.keep if keep is None else keep
        keep_days = retention.keep_days if keep_days is None else keep_days
        if keep < 1 or (keep_days is not None and keep_days <= 0):
            raise ConfigError("--keep must be at least 1 and --keep-days above 0")
        if not out.is_dir():
            raise ConfigError(f"{out} is not an outputs folder")
        with RunLock(out, f"prune-{new_run_id()}"):
            removed = prune_bundles(out, keep, keep_days)
    except JobError as exc:
        raise fail(exc) from None
    except OSError as exc:
        problem = environment_error(exc, out, "removing old bundles")
        if problem is None:
            raise
        raise fail(problem) from None
    for bundle in removed:
        typer.echo(f"removed {bundle}")
    typer.echo(f"{len(removed)} bundle(s) removed; {out} uses {disk_used(out) / 1e6:.1f} MB")


@app.command()
def preview(
    run: Annotated[
        Optional[str],
        typer.Argument(metavar="RUN", help="Run id or bundle folder (default: each language's latest bundle)."),
    ] = None,
    lang: Annotated[
        list[str],
        typer.Option("--lang", "-l", metavar="LANG", help="Language, repeatable (default: every language in OUT)."),
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

    pages = write_previews(out, lang, run, dest, read_inputs=_input_articles)
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
