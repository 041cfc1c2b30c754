"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def non_empty_path(value: str | Path) -> Path:
    """A path option's value; an empty one is refused (Path("") would mean the working folder)."""
    if isinstance(value, Path):  # a default
        return value
    if not value.strip():
        raise typer.BadParameter("must not be empty")
    return Path(value)


ConfigOption = Annotated[
    Optional[Path],
    typer.Option(
        "--config", metavar="FILE", parser=non_empty_path, help="Model registry file (default: configs/models.yaml)."
    ),
]
LangOption = Annotated[
    list[str],
    typer.Option(
        "--lang",
        "-l",
        metavar="LANG",
        show_default="all",
        help="Target language, repeatable or comma-separated (ru,kk); `all` for every configured one.",
    ),
]
ModelOption = Annotated[
    list[str], typer.Option("--model", "-m", metavar="LANG=MODEL", help="LANG=HUB_ID[@REV] or LANG=FOLDER, repeatable.")
]
SummaryModelOption = Annotated[
    Optional[str], typer.Option("--summary-model", metavar="MODEL", help="Summarizer: HUB_ID[@REV] or FOLDER.")
]
DeviceOption = Annotated[
    Optional[str],
    typer.Option("--device", metavar="DEVICE", show_default="auto", help="auto, cpu, cuda, cuda:N or mps."),
]
BatchTokensOption = Annotated[
    Optional[int],
    typer.Option(
        "--batch-tokens", metavar="N", help="Padded input tokens per model batch (default: sized to the device)."
    ),
]
BackendOption = Annotated[
    str,
    typer.Option(
        "--backend",
        metavar="BACKEND",
        help="auto (ctranslate2, installed by default; torch where it is missing), torch or ctranslate2 "
        "(pip install -e '.[ct2]' adds it to an install without it).",
    ),
]
DtypeOption = Annotated[
    str,
    typer.Option(
        "--dtype", metavar="DTYPE", help="auto (the fastest this machine keeps exact enough), fp32, bf16 or fp16."
    ),
]
QuantizeOption = Annotated[
    str, typer.Option("--quantize", metavar="MODE", help="none or int8 (dynamic int8 Linear layers on CPU).")
]

InputsOption = Annotated[
    list[str],
    typer.Option(
        "--input",
        "-i",
        metavar="PATH_OR_URL",
        help="Input file, folder, page or feed URL; repeatable (default: seeds/).",
    ),
]
OutOption = Annotated[
    Path,
    typer.Option(
        "--out", "-o", metavar="DIR", parser=non_empty_path, help="Outputs folder; bundles go to OUT/<lang>/<run_id>/."
    ),
]
OfflineOption = Annotated[bool, typer.Option("--offline", help="No network: URL and feed inputs are refused.")]
EncodingOption = Annotated[
    Optional[str],
    typer.Option("--encoding", metavar="ENCODING", help="Encoding of text files that are not UTF-8 (e.g. cp1251)."),
]
MaxUrlsOption = Annotated[int, typer.Option("--max-urls", metavar="N", help="Pages fetched per run, at most.")]
AllowHostOption = Annotated[
    list[str],
    typer.Option(
        "--allow-host",
        metavar="HOST",
        help="Fetch from this host, address or network although it is not public (an internal CMS); repeatable.",
    ),
]
ProxyResolvesOption = Annotated[
    Optional[bool],
    typer.Option(
        "--proxy-resolves",
        help="Through a proxy, fetch names that do not resolve here (the proxy must refuse internal addresses).",
    ),
]
FetchBudgetOption = Annotated[
    Optional[float],
    typer.Option("--fetch-budget", metavar="SECONDS", help="Time for all the fetching of a run (default 300)."),
]
MaxFeedItemsOption = Annotated[
    Optional[int],
    typer.Option("--max-feed-items", metavar="N", help="The newest entries read from each feed (default 200)."),
]
EngineOption = Annotated[
    str, typer.Option("--engine", metavar="ENGINE", help="local, or ray (pip install -e '.[ray]').")
]
MinWordsOption = Annotated[
    Optional[int],
    typer.Option(
        "--min-words", metavar="N", help="Articles shorter than this are listed problems (default 0: no minimum)."
    ),
]
RayAddressOption = Annotated[
    Optional[str],
    typer.Option("--ray-address", metavar="ADDRESS", help="Ray cluster to join (default: start a local Ray)."),
]
RayActorsOption = Annotated[
    int, typer.Option("--ray-actors", metavar="N", help="Actors per model on Ray; each loads the model once.")
]
RayGpusPerActorOption = Annotated[
    float, typer.Option("--ray-gpus-per-actor", metavar="GPUS", help="GPUs per Ray actor (e.g. 1, or 0.5 to share).")
]
CacheOption = Annotated[
    Optional[Path],
    typer.Option(
        "--cache", metavar="FILE", parser=non_empty_path, help="Cache file (default: OUT/.cache/jobs.sqlite3)."
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Ignore cached outputs: run every model on everything.")]
SkipUnchangedOption = Annotated[
    bool, typer.Option("--skip-unchanged", help="Publish nothing for a language whose articles did not change.")
]
SummarizeOption = Annotated[
    bool,
    typer.Option(
        "--summary/--no-summary",
        help="--no-summary: translate only, no summarizer needed; each record's summary is null.",
    ),
]
FailOnQaOption = Annotated[
    Optional[str],
    typer.Option(
        "--fail-on-qa",
        metavar="FLAG,...",
        help="Exit 7 when any of these QA flags (or `all`) fired; bundles are published anyway.",
    ),
]
KeepOption = Annotated[
    Optional[int], typer.Option("--keep", help="Bundles kept per language (default: config `retention.keep`, 24).")
]
KeepDaysOption = Annotated[
    Optional[float],
    typer.Option("--keep-days", help="Also remove bundles older than this many days (default: config, off)."),
]
