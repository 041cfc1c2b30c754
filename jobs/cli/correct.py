"""`jobs correct`: add an editor's version of a title, sentence, paragraph or summary to a
language's translation memory (OUT/.editorial/<lang>.jsonl), which every later run applies."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from jobs.cli.app import app, fail
from jobs.errors import ConfigError, JobError


@app.command()
def correct(
    lang: Annotated[str, typer.Option("--lang", "-l", metavar="LANG", help="The language of the correction.")],
    text: Annotated[
        Optional[str], typer.Option("--text", "-t", metavar="TEXT", help="The corrected translation.")
    ] = None,
    article: Annotated[
        Optional[str], typer.Option("--article", metavar="ID", help="Article id (as in the bundle's records).")
    ] = None,
    part: Annotated[
        Optional[str], typer.Option("--part", metavar="PART", help="title, summary or body (with --article).")
    ] = None,
    paragraph: Annotated[
        Optional[int], typer.Option("--paragraph", metavar="N", min=0, help="Body paragraph number, from 0.")
    ] = None,
    sentence: Annotated[
        Optional[int],
        typer.Option("--sentence", metavar="N", min=0, help="Sentence number, from 0 (default: the whole part)."),
    ] = None,
    source: Annotated[
        Optional[str], typer.Option("--source", metavar="TEXT", help="The English source text itself (no --article).")
    ] = None,
    file: Annotated[
        Optional[Path],
        typer.Option(
            "--file",
            metavar="FILE",
            help="JSON Lines of corrections: {source or article+part[+paragraph,sentence], target}.",
        ),
    ] = None,
    withdraw: Annotated[bool, typer.Option("--withdraw", help="Withdraw the correction of this source.")] = False,
    who: Annotated[Optional[str], typer.Option("--who", metavar="NAME", help="Editor (default: login name).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="Why, for other editors.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Outputs folder.")] = Path("outputs"),
) -> None:
    """Store a correction; the next `jobs run` publishes it (origin: human) and no model overwrites it."""
    from jobs.stages.corrections import append_corrections, corrections_path

    where = {"article": article, "part": part, "paragraph": paragraph, "sentence": sentence, "note": note}
    try:
        if file is None and text is None and not withdraw:
            raise ConfigError("pass the corrected text with --text (or --withdraw to withdraw a correction)")
        wanted = (
            _read_file(file)
            if file is not None
            else [{"source": source, "target": None if withdraw else text, **where}]
        )
        made = [_correction(item, out, lang, who or _login()) for item in wanted]
        append_corrections(corrections_path(out, lang), made)
    except JobError as exc:
        raise fail(exc) from None
    for correction in made:
        action = "withdrawn" if correction.target is None else "stored"
        typer.echo(f"{action}: {correction.source[:70]!r} -> {str(correction.target)[:70]!r}")
    typer.echo(f"{len(made)} correction(s) in {corrections_path(out, lang)}; the next run applies them")


def _correction(item: dict[str, Any], out: Path, lang: str, editor: str):
    """One correction from the options or a --file line, its source found in the latest bundle when not given."""
    from jobs.stages.corrections import new_correction

    where = {k: item.get(k) for k in ("article", "part", "paragraph", "sentence", "note")}
    found = item.get("source") or _source_of(out, lang, where)
    return new_correction(found, item.get("target"), who=str(item.get("who") or editor), **where)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "editor"


def _read_file(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--file {path}: cannot read it ({exc}); it must be UTF-8 JSON Lines") from None
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not str(item.get("target") or "").strip():
                raise ValueError("needs an object with a non-empty `target`")
        except ValueError as exc:
            raise ConfigError(f"--file {path}, line {number}: {exc}") from None
        items.append(item)
    return items


def _source_of(out: Path, lang: str, where: dict[str, Any]) -> str:
    """The English text a correction by article id and part replaces, from the latest bundle
    (its source-language bundle, or the input file read again)."""
    from jobs.outputs.bundle import latest_bundle
    from jobs.outputs.preview import find_source_bundle, read_bundle, source_texts
    from jobs.stages.segment import split_sentences

    article, part = where.get("article"), where.get("part")
    if not article or not part:
        raise ConfigError("name the source: --source TEXT, or --article ID --part title|summary|body")
    bundle = latest_bundle(out, lang)
    if bundle is None:
        raise ConfigError(f"no bundle for {lang} in {out}; run `jobs run --lang {lang}` first, or pass --source")
    _, records = read_bundle(bundle)
    record = next((r for r in records if r["id"] == article), None)
    if record is None:
        raise ConfigError(f"article {article!r} is not in {bundle}; check the id in its articles.jsonl")
    if part == "title":
        text = record["source"]["title"]
    elif part == "summary":
        text = record["source"].get("summary") or ""
    else:
        from jobs.cli.bundles import _input_articles

        paragraphs = source_texts([record], find_source_bundle(bundle), _input_articles).get(article, {})
        paragraphs = paragraphs.get("paragraphs") or []
        number = where.get("paragraph")
        if number is None or not 0 <= number < len(paragraphs):
            raise ConfigError(
                f"article {article!r} has {len(paragraphs)} source paragraph(s) at hand; pass --paragraph 0-"
                f"{max(0, len(paragraphs) - 1)}, or --source when its input file has moved"
            )
        text = paragraphs[number]
    if where.get("sentence") is not None:
        sentences = split_sentences(text)
        if not 0 <= where["sentence"] < len(sentences):
            raise ConfigError(f"that {part} has {len(sentences)} sentence(s); pass --sentence 0-{len(sentences) - 1}")
        text = sentences[where["sentence"]]
    if not text.strip():
        raise ConfigError(f"article {article!r} has no {part} source text in {bundle}; pass --source")
    return text
