"""`jobs status` and `jobs preview`: what is in the outputs folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from jobs.cli.app import app
from jobs.errors import ExitCode


@app.command()
def status(
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Outputs folder.")] = Path("outputs"),
) -> None:
    """Per language: the latest bundle, when it was made, its counts and failures; and any run in progress."""
    from jobs.outputs.status import bundle_status

    typer.echo(bundle_status(out))


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
