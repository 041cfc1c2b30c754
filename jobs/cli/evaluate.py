"""`jobs eval`: the configured models scored on public references."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Optional

import typer

from jobs.cli.app import app, fail
from jobs.cli.options import (
    BackendOption,
    BatchTokensOption,
    ConfigOption,
    DeviceOption,
    DtypeOption,
    LangOption,
    ModelOption,
    QuantizeOption,
    SummaryModelOption,
)
from jobs.errors import ConfigError, JobError

log = logging.getLogger("jobs")

FloresOption = Annotated[
    Optional[Path],
    typer.Option(
        "--flores",
        metavar="DIR",
        help="Folder of FLORES-200 devtest files (default: $JOBS_EVAL_DATA/flores200-devtest, else shared/eval/flores200-devtest).",
    ),
]
SrcOption = Annotated[
    Optional[Path],
    typer.Option("--src", metavar="FILE", help="Source lines to use instead of FLORES eng_Latn (with --ref)."),
]
RefOption = Annotated[
    list[str],
    typer.Option(
        "--ref", metavar="LANG=FILE", help="LANG=FILE: reference lines, line-aligned with the source; repeatable."
    ),
]
MetadataOption = Annotated[
    Optional[Path],
    typer.Option(
        "--metadata",
        metavar="FILE",
        help="TSV with a URL column, one row per line: consecutive lines of one URL are a document.",
    ),
]
SummariesOption = Annotated[
    list[Path],
    typer.Option(
        "--summaries",
        metavar="FILE",
        help="JSONL of article + reference summary; repeatable (default: every *.jsonl in the data's summarization/).",
    ),
]
NoSummariesOption = Annotated[bool, typer.Option("--no-summaries", help="Do not score the summarizer.")]
NoTranslationOption = Annotated[bool, typer.Option("--no-translation", help="Score the summarizer only.")]
NoDocumentsOption = Annotated[bool, typer.Option("--no-documents", help="Skip the document path.")]
LimitOption = Annotated[
    Optional[int],
    typer.Option("--limit", min=1, metavar="N", help="Only the first N lines and summary rows (a quick check)."),
]
ReportDirOption = Annotated[
    Optional[Path],
    typer.Option(
        "--report-dir", metavar="DIR", help="Where eval.json and eval.md go (default: eval-reports/<UTC time>/)."
    ),
]


@app.command("eval")
def eval_command(
    lang: LangOption = [],
    flores: FloresOption = None,
    src: SrcOption = None,
    ref: RefOption = [],
    metadata: MetadataOption = None,
    summaries: SummariesOption = [],
    no_summaries: NoSummariesOption = False,
    no_translation: NoTranslationOption = False,
    no_documents: NoDocumentsOption = False,
    limit: LimitOption = None,
    report_dir: ReportDirOption = None,
    model: ModelOption = [],
    summary_model: SummaryModelOption = None,
    config: ConfigOption = None,
    device: DeviceOption = None,
    batch_tokens: BatchTokensOption = None,
    backend: BackendOption = "auto",  # score what a plain `jobs run` publishes
    dtype: DtypeOption = "auto",
    quantize: QuantizeOption = "none",
) -> None:
    """Score the configured models on public references: BLEU and chrF (sacrebleu), ROUGE (rouge-score)."""
    from jobs.config import build_config
    from jobs.evaluation import run_eval

    try:
        job = build_config(
            config_file=config,
            langs=lang,
            model_overrides=model,
            summary_model=summary_model,
            device=device,
            batch_tokens=batch_tokens,
            backend=backend,
            dtype=dtype,
            quantize=quantize,
        )
        refs = _references(ref, src, job.models if not no_translation else {})
        if not summaries and not no_summaries:
            summaries = _default_summaries(warn=not no_translation)
        report = run_eval(
            job,
            flores_dir=flores,
            src=src,
            refs=refs,
            metadata=metadata,
            summaries=[] if no_summaries else summaries,
            limit=limit,
            documents=not no_documents,
            translate=not no_translation,
        )
    except JobError as exc:
        raise fail(exc) from None
    except (OSError, ValueError) as exc:  # missing or malformed reference files
        raise fail(ConfigError(str(exc))) from None
    _report(report, report_dir)


def _default_summaries(*, warn: bool) -> list[Path]:
    """The summarization references of the eval data; with `warn`, a line when there are none
    (and the eval data is there: else eval's own error says what is missing)."""
    from jobs.quality.eval import default_eval_dir

    folder = default_eval_dir() / "summarization"
    found = sorted(folder.glob("*.jsonl"))
    if not found and warn and folder.parent.is_dir():
        log.warning(
            "summaries are not scored: no --summaries FILE given and no *.jsonl in %s "
            "(pass --summaries FILE to score them, or --no-summaries to skip them without this line)",
            folder,
        )
    return found


def _report(report: dict, report_dir: Path | None) -> None:
    """The table on stdout, eval.json and eval.md in the report folder."""
    from datetime import datetime, timezone

    from jobs.quality.eval_report import format_table, write_reports

    folder = report_dir or Path("eval-reports") / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    json_path, md_path = write_reports(report, folder)
    typer.echo(format_table(report))
    typer.echo(f"reports: {json_path} {md_path}")


def _references(values: list[str], src: Path | None, languages) -> dict[str, Path]:
    """`--ref LANG=FILE` flags; with `--src`, every translated language needs one."""
    refs: dict[str, Path] = {}
    for value in values:
        code, sep, path = value.partition("=")
        if not sep or not path.strip():
            raise ConfigError(f"--ref takes LANG=FILE, not {value!r}")
        refs[code.strip()] = Path(path.strip())
    if src and set(languages) - set(refs):
        raise ConfigError(f"--src needs --ref LANG=FILE for {', '.join(sorted(set(languages) - set(refs)))}")
    return refs
