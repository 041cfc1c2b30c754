"""`jobs preview`: one static HTML review page per bundle, for editors.

Each article shows source and translation side by side, paragraph by paragraph, with the
summary and the QA flags highlighted where they fired, plus a table of contents. The page is
one self-contained file: inline CSS, no script, no external asset (a Content-Security-Policy
forbids loading any), and every text from a bundle is HTML-escaped.

A page goes to outputs/<lang>/<run_id>.preview.html, beside its bundle and not inside it: a
bundle's manifest lists every file in it, and a page added later would break that. It is a file,
not a folder, because the folders of outputs/<lang>/ are bundles to everything that reads them
(`jobs status` counts them).
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from jobs.fsutil import atomic_write
from jobs.outputs.bundle import is_bundle_name, language_dirs, latest_bundle
from jobs.outputs.editorial import editorial_line, editorial_marks
from jobs.outputs.manifest import has_manifest, read_manifest
from jobs.outputs.markdown import article_fields
from jobs.quality.rules import FLAGS, describe_flags

log = logging.getLogger("jobs")
# Input files -> their articles (dicts with id, sha256, title, paragraphs): jobs.inputs' reader,
# handed in by the CLI, so that outputs never imports inputs.
ReadInputs = Callable[[list[str]], Iterable[dict[str, Any]]]
PREVIEW_SUFFIX = ".preview.html"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'"
STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header,main,nav{max-width:1200px;margin:0 auto;padding:0 16px}
header{padding-top:16px}h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:0 0 8px}
.meta{color:#555;font-size:13px}.meta code{font-size:12px}
table{border-collapse:collapse;width:100%}th,td{vertical-align:top;text-align:left;padding:6px 8px;border-top:1px solid #e3e3e3}
th{font-size:12px;color:#666;font-weight:600;white-space:nowrap}
.article{background:#fff;border:1px solid #ddd;border-radius:6px;margin:16px 0;padding:12px 16px}
.text td{width:46%}.text th{width:8%}
tr.flagged td,tr.flagged th{background:#fff4e5}
.flag{display:inline-block;font:12px/1.6 ui-monospace,Menlo,Consolas,monospace;background:#b3261e;color:#fff;border-radius:4px;padding:0 6px;margin:2px 4px 2px 0}
.flag.summarize{background:#7a4b00}.zero{color:#888}
.flags{margin:4px 0}.missing{color:#888;font-style:italic}
nav ol{columns:2;font-size:14px}nav a{color:#0b57d0;text-decoration:none}
.count{font-size:12px;color:#b3261e;margin-left:6px}
dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;font-size:12px;color:#444;margin:4px 0}
dl.fields dt{font-family:ui-monospace,Menlo,Consolas,monospace}dl.fields dd{margin:0;overflow-wrap:anywhere}
dl.legend dt{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:600}dl.legend dd{margin:0 0 6px 16px;font-size:13px;color:#333}
details{margin:8px 0}
.unit{display:inline-block;font:12px/1.6 ui-monospace,Menlo,Consolas,monospace;border-radius:4px;padding:0 6px;margin:2px 4px 2px 0;color:#fff}
.unit.human{background:#1b6e3a}.unit.repaired{background:#0b57d0}.unit.glossary{background:#6b4fa0}
"""


# --------------------------------------------------------------------------- reading bundles


def read_bundle(bundle_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A bundle's manifest and its articles.jsonl records."""
    manifest = read_manifest(bundle_dir)
    lines = (bundle_dir / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return manifest, [json.loads(line) for line in lines if line.strip()]


def is_source_bundle(manifest: dict[str, Any]) -> bool:
    """The source-language bundle carries the original text: it has no translation model."""
    return (manifest.get("models") or {}).get("translation") is None


def find_source_bundle(bundle_dir: Path) -> Path | None:
    """The source-language bundle of the same run (outputs/<lang>/<run_id>), if that run wrote one."""
    run_id = bundle_dir.name
    for candidate in sorted(bundle_dir.parent.parent.glob(f"*/{run_id}")):
        if candidate == bundle_dir or not has_manifest(candidate):
            continue
        try:
            manifest = read_manifest(candidate)
        except (OSError, ValueError):
            continue
        if is_source_bundle(manifest):
            return candidate
    return None


def source_texts(
    records: Iterable[dict[str, Any]], source_bundle: Path | None, read_inputs: ReadInputs | None = None
) -> dict[str, dict[str, Any]]:
    """Per article id: the original title, summary and paragraphs, from the source bundle or else the input file.

    The input file is read again (with read_inputs) only when it is still where the run found it
    and its article has the same checksum; otherwise the page shows the translation alone.
    """
    if source_bundle is not None:
        _, source_records = read_bundle(source_bundle)
        return {
            r["id"]: {"title": r["title"], "summary": r["summary"], "paragraphs": r["paragraphs"]}
            for r in source_records
        }
    return _reread_inputs(records, read_inputs) if read_inputs is not None else {}


def _reread_inputs(records: Iterable[dict[str, Any]], read_inputs: ReadInputs) -> dict[str, dict[str, Any]]:
    wanted = {r["id"]: r["source"] for r in records}
    files = sorted({s["file"] for s in wanted.values() if Path(s["file"]).is_file()})
    if not files:
        return {}
    found: dict[str, dict[str, Any]] = {}
    try:
        articles = read_inputs(files)
    except Exception as exc:  # a changed or unreadable input only costs the source column
        log.warning("preview: could not read the inputs again (%s); showing translations only", exc)
        return {}
    for article in articles:
        source = wanted.get(article["id"])
        if source and source["sha256"] == article["sha256"]:
            found[article["id"]] = {
                "title": article["title"],
                "summary": None,
                "paragraphs": list(article["paragraphs"]),
            }
    return found


# --------------------------------------------------------------------------- rendering


def esc(value: Any) -> str:
    """Any value as escaped HTML text (quotes too, so it is safe in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def _flag_badge(flag: dict[str, Any]) -> str:
    where = []
    if flag.get("sentence") is not None:
        where.append(f"sentence {int(flag['sentence']) + 1}")
    if flag.get("stage") == "summarize":
        where.append("English summary")
    if flag.get("detail"):
        where.append(str(flag["detail"]))
    label = flag["flag"] + (f" ({'; '.join(where)})" if where else "")
    stage = " summarize" if flag.get("stage") == "summarize" else ""
    return f'<span class="flag{stage}" data-flag="{esc(flag["flag"])}">{esc(label)}</span>'


def _row_key(flag: dict[str, Any]) -> tuple[str, int]:
    part = flag.get("part", "")
    return (part, int(flag.get("paragraph") or 0) if part == "body" else 0)


def _row(
    label: str,
    source: str | None,
    translation: str,
    flags: Sequence[dict[str, Any]],
    lang: str,
    source_lang: str,
    single: bool,
    marks: str = "",
) -> str:
    badges = "".join(_flag_badge(f) for f in flags)
    css = ' class="flagged"' if flags else ""
    flag_html = (f'<div class="flags">{badges}</div>' if flags else "") + marks
    if single:
        return f'<tr{css}><th>{esc(label)}</th><td lang="{esc(lang)}">{esc(translation)}{flag_html}</td></tr>'
    original = (
        f'<td lang="{esc(source_lang)}">{esc(source)}</td>'
        if source is not None
        else '<td class="missing">source not available</td>'
    )
    return f'<tr{css}><th>{esc(label)}</th>{original}<td lang="{esc(lang)}">{esc(translation)}{flag_html}</td></tr>'


def render_article(record: dict[str, Any], source: dict[str, Any] | None, source_lang: str, single: bool) -> str:
    """One article: a table with a row for the title, the summary and each paragraph."""
    lang = record["lang"]
    flags = record.get("qa", {}).get("flags", [])
    by_row: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for flag in flags:
        by_row.setdefault(_row_key(flag), []).append(flag)
    marks = editorial_marks(record)  # human / repaired / glossary units (jobs.outputs.editorial)
    src = source or {}
    src_paragraphs = src.get("paragraphs") or []
    source_title = src.get("title") or record["source"].get("title")
    source_summary = src.get("summary") or record["source"].get("summary")  # v2: translated records carry it

    def row(label: str, original: str | None, text: str, key: tuple[str, int]) -> str:
        return _row(label, original, text, by_row.get(key, []), lang, source_lang, single, marks.get(key, ""))

    rows = [row("title", source_title, record["title"], ("title", 0))]
    rows.append(row("summary", source_summary, record["summary"], ("summary", 0)))
    for number, paragraph in enumerate(record["paragraphs"]):
        original = src_paragraphs[number] if number < len(src_paragraphs) else None
        rows.append(row(f"¶ {number + 1}", original, paragraph, ("body", number)))
    known = {("title", 0), ("summary", 0)} | {("body", n) for n in range(len(record["paragraphs"]))}
    stray = [f for key, fs in by_row.items() if key not in known for f in fs]
    stray_html = f'<div class="flags">{"".join(_flag_badge(f) for f in stray)}</div>' if stray else ""
    head = (
        "<tr><th></th>"
        + (
            f"<th>text ({esc(lang)})</th>"
            if single
            else f"<th>source ({esc(source_lang)})</th><th>translation ({esc(lang)})</th>"
        )
        + "</tr>"
    )
    count = f'<span class="count">{len(flags)} flag{"s" if len(flags) != 1 else ""}</span>' if flags else ""
    return (
        f'<article class="article" id="a-{esc(record["id"])}" data-id="{esc(record["id"])}" data-flags="{len(flags)}">'
        f'<h2 lang="{esc(lang)}">{esc(record["title"])}{count}</h2>'
        f'<div class="meta">id <code>{esc(record["id"])}</code> · {_where(record["source"])}</div>{stray_html}'
        f"{editorial_line(record)}"
        f"{_fields(record)}"
        f'<table class="text"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></article>'
    )


def _field_text(value: Any) -> str:
    """A front-matter value as one line of text: mappings as key=value, lists joined."""
    if isinstance(value, dict):
        return " · ".join(f"{key}={_field_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_field_text(item) for item in value) or "none"
    return "" if value is None else str(value)


def _fields(record: dict[str, Any]) -> str:
    """The article's Markdown front matter (markdown.article_fields), field by field; title and
    summary are in the table above, so they are not repeated."""
    shown = {k: v for k, v in article_fields(record).items() if k not in ("title", "summary")}
    items = "".join(f"<dt>{esc(key)}</dt><dd>{esc(_field_text(value))}</dd>" for key, value in shown.items())
    return f'<details class="fields"><summary>Front matter</summary><dl class="fields">{items}</dl></details>'


def _where(source: dict[str, Any]) -> str:
    """Where the article came from: its URL (as text: the page links nowhere) or file and line."""
    if source.get("url"):
        return esc(source["url"])
    return f"{esc(source.get('file'))}:{esc(source.get('line'))}"


def _toc(records: Sequence[dict[str, Any]]) -> str:
    items = []
    for record in records:
        n = len(record.get("qa", {}).get("flags", []))
        count = f'<span class="count">{n} flag{"s" if n != 1 else ""}</span>' if n else ""
        items.append(f'<li><a href="#a-{esc(record["id"])}">{esc(record["title"] or record["id"])}</a>{count}</li>')
    return f'<nav id="toc"><h2>Articles ({len(records)})</h2><ol>{"".join(items)}</ol></nav>'


def _summary(manifest: dict[str, Any], records: Sequence[dict[str, Any]]) -> str:
    counts = dict.fromkeys(FLAGS, 0)
    for record in records:
        for flag in record.get("qa", {}).get("flags", []):
            counts[flag["flag"]] = counts.get(flag["flag"], 0) + 1
    cells = "".join(
        f'<tr class="{"fired" if n else "zero"}" data-flag="{esc(name)}"><th>{esc(name)}</th><td>{n}</td></tr>'
        for name, n in counts.items()
    )
    flagged = sum(1 for r in records if r.get("qa", {}).get("flags"))
    models = manifest.get("models") or {}
    translation = (models.get("translation") or {}).get("id", "none (source language)")
    summary = (models.get("summary") or {}).get("id", "?")
    legend = "".join(f"<dt>{esc(name)}</dt><dd>{esc(text)}</dd>" for name, text in describe_flags().items())
    return (
        f'<div class="meta">run <code>{esc(manifest.get("run_id"))}</code> · created {esc(manifest.get("created_at"))}'
        f" · translation model <code>{esc(translation)}</code> · summary model <code>{esc(summary)}</code></div>"
        f"<p>{flagged} of {len(records)} articles have QA flags: check the highlighted rows before publishing.</p>"
        f'<table class="qa" style="width:auto"><tbody>{cells}</tbody></table>'
        f'<details><summary>What the flags mean</summary><dl class="legend">{legend}</dl></details>'
    )


def render_preview(
    manifest: dict[str, Any],
    records: Sequence[dict[str, Any]],
    sources: dict[str, dict[str, Any]] | None,
    source_lang: str = "en",
) -> str:
    """The whole page as a string: header with QA counts, table of contents, every article."""
    lang = manifest.get("lang") or (records[0]["lang"] if records else "")
    single = is_source_bundle(manifest)
    articles = "".join(render_article(r, (sources or {}).get(r["id"]), source_lang, single) for r in records)
    title = f"Review: {lang} · {manifest.get('run_id', '')}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{esc(title)}</h1>{_summary(manifest, records)}</header>"
        f"{_toc(records)}<main>{articles}</main></body></html>\n"
    )


# --------------------------------------------------------------------------- writing pages


def preview_path(bundle_dir: Path) -> Path:
    """outputs/<lang>/<run_id>.preview.html for outputs/<lang>/<run_id>."""
    return bundle_dir.parent / f"{bundle_dir.name}{PREVIEW_SUFFIX}"


def write_preview(
    bundle_dir: Path, source_bundle: Path | None = None, out: Path | None = None, read_inputs: ReadInputs | None = None
) -> Path:
    """Write the review page of one bundle (default: preview_path) and return its path.

    Without a source-language bundle of the same run, read_inputs (if given) reads the input files again."""
    bundle_dir = bundle_dir.resolve()
    manifest, records = read_bundle(bundle_dir)
    sources: dict[str, dict[str, Any]] | None = None
    source_lang = "en"
    if not is_source_bundle(manifest):
        source_bundle = source_bundle or find_source_bundle(bundle_dir)
        sources = source_texts(records, source_bundle, read_inputs)
        if source_bundle is not None:
            source_lang = read_manifest(source_bundle).get("lang") or source_lang
    page = render_preview(manifest, records, sources, source_lang)
    target = out or preview_path(bundle_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, page)  # a reader never sees half a page
    return target


def bundles_to_preview(outputs: Path, langs: Sequence[str] = (), run: str | None = None) -> list[Path]:
    """The bundles `jobs preview [--lang X] [RUN]` means: RUN is a bundle folder or a run id
    (default: each language's latest); without --lang, every language folder that has it.
    A `latest` link is followed only to a bundle beside it, never out of the outputs folder."""
    if run and has_manifest(Path(run)):
        return [Path(run).resolve()]
    if run and not is_bundle_name(run):
        return []
    if langs:
        lang_dirs = [outputs / lang for lang in langs if is_bundle_name(lang)]
    else:
        lang_dirs = language_dirs(outputs) if outputs.is_dir() else []
    found = []
    for lang_dir in lang_dirs:
        bundle = lang_dir / run if run else latest_bundle(outputs, lang_dir.name)
        if bundle is not None and not bundle.is_symlink() and has_manifest(bundle):
            found.append(bundle.resolve())
    return found


def write_previews(
    outputs: Path,
    langs: Sequence[str] = (),
    run: str | None = None,
    out_dir: Path | None = None,
    read_inputs: ReadInputs | None = None,
) -> list[Path]:
    """Write a page for every bundle bundles_to_preview finds; out_dir puts them all in one folder."""
    pages = []
    for bundle in bundles_to_preview(outputs, langs, run):
        out = out_dir / f"{bundle.parent.name}-{bundle.name}{PREVIEW_SUFFIX}" if out_dir else None
        pages.append(write_preview(bundle, out=out, read_inputs=read_inputs))
    return pages
