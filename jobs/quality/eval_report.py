"""`jobs eval` reports: the terminal table, eval.md and eval.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jobs.fsutil import atomic_write

EVAL_SCHEMA = "jobs.eval/v1"


def format_table(report: dict[str, Any]) -> str:
    """The report as a plain-text table for the terminal."""
    lines = []
    if report["translation"]:
        lines.append(
            f"{'lang':<5} {'model':<40} {'lines':>5} {'BLEU':>6} {'chrF':>6} {'docBLEU':>7} {'docchrF':>7} {'Δ chrF':>7} {'merged':>6}"
        )
        for lang, r in report["translation"].items():
            doc = r.get("document") or {}
            delta = _delta(doc.get("chrf"), r["sentence"]["chrf"])
            lines.append(
                f"{lang:<5} {_short(r.get('model', {}).get('label', '?'), 40):<40} {r['lines']:>5} {_num(r['sentence']['bleu']):>6} "
                f"{_num(r['sentence']['chrf']):>6} {_num(doc.get('bleu')):>7} {_num(doc.get('chrf')):>7} {delta:>7} "
                f"{doc.get('lines_merged', '-'):>6}"
            )
    if report["summarization"]:
        lines.append(f"{'summaries':<20} {'model':<40} {'docs':>5} {'R-1':>6} {'R-2':>6} {'R-L':>6}")
        for name, r in report["summarization"].items():
            lines.append(
                f"{_short(name, 20):<20} {_short(r.get('model', {}).get('label', '?'), 40):<40} {r['documents']:>5} "
                f"{r['rouge1']:>6.2f} {r['rouge2']:>6.2f} {r['rougeL']:>6.2f}"
            )
    return "\n".join(lines)


def render_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: tables, sacrebleu signatures, models and data checksums."""
    out = [
        "# jobs eval",
        "",
        f"Created {report['created_at']}; config `{report['config_file']}`"
        + (f"; first {report['limit']} lines/rows only" if report.get("limit") else "")
        + ".",
        "",
    ]
    if report["translation"]:
        out += [
            "## Translation",
            "",
            "| lang | model | lines | BLEU | chrF | doc-path BLEU | doc-path chrF | Δ chrF | per-doc chrF (sent / doc path) | lines merged |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
        ]
        for lang, r in report["translation"].items():
            doc = r.get("document") or {}
            per_doc = doc.get("per_document", {})
            pair = (
                f"{_num(per_doc['sentence_path']['chrf'])} / {_num(per_doc['document_path']['chrf'])}"
                if per_doc
                else "-"
            )
            out.append(
                f"| {lang} | `{r.get('model', {}).get('label', '?')}` | {r['lines']} | {_num(r['sentence']['bleu'])} | "
                f"{_num(r['sentence']['chrf'])} | {_num(doc.get('bleu'))} | {_num(doc.get('chrf'))} | "
                f"{_delta(doc.get('chrf'), r['sentence']['chrf'])} | {pair} | {doc.get('lines_merged', '-')} |"
            )
        out += ["", "sacrebleu signatures:", ""]
        for lang, r in report["translation"].items():
            sig = r["sentence"]["signature"]
            out.append(f"- {lang}: BLEU `{sig['bleu']}`; chrF `{sig['chrf']}`")
        out.append("")
    if report["summarization"]:
        out += [
            "## Summaries",
            "",
            "| data | model | documents | ROUGE-1 | ROUGE-2 | ROUGE-L |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for name, r in report["summarization"].items():
            out.append(
                f"| {name} | `{r.get('model', {}).get('label', '?')}` | {r['documents']} | {r['rouge1']:.2f} | "
                f"{r['rouge2']:.2f} | {r['rougeL']:.2f} |"
            )
        scorer = next(iter(report["summarization"].values()))["scorer"]
        out += ["", f"Scorer: {scorer}.", ""]
    out += ["## Versions", "", ", ".join(f"{k} {v}" for k, v in report["versions"].items()), ""]
    return "\n".join(out)


def write_reports(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write eval.json (everything, outputs included) and eval.md into out_dir; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "eval.json", out_dir / "eval.md"
    atomic_write(json_path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    atomic_write(md_path, render_markdown(report))
    return json_path, md_path


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _delta(value: float | None, base: float | None) -> str:
    return "-" if value is None or base is None else f"{value - base:+.2f}"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1) :]
