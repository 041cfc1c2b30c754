"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

ConfigOption = Annotated[
    Optional[Path], typer.Option("--config", help="Model registry file (default: configs/models.yaml).")
]
LangOption = Annotated[
    list[str], typer.Option("--lang", "-l", help="Target language, repeatable; `all` for every configured one.")
]
ModelOption = Annotated[list[str], typer.Option("--model", "-m", help="LANG=HUB_ID[@REV] or LANG=FOLDER, repeatable.")]
SummaryModelOption = Annotated[
    Optional[str], typer.Option("--summary-model", help="Summarizer: HUB_ID[@REV] or FOLDER.")
]
DeviceOption = Annotated[Optional[str], typer.Option("--device", help="auto, cpu, cuda, cuda:N or mps.")]
BatchTokensOption = Annotated[
    Optional[int],
    typer.Option("--batch-tokens", help="Padded input tokens per model batch (default: sized to the device)."),
]
BackendOption = Annotated[
    str, typer.Option("--backend", help="auto (ctranslate2 where installed, else torch), torch or ctranslate2.")
]
DtypeOption = Annotated[
    str, typer.Option("--dtype", help="auto (the fastest this machine keeps exact enough), fp32, bf16 or fp16.")
]
QuantizeOption = Annotated[str, typer.Option("--quantize", help="none or int8 (dynamic int8 Linear layers on CPU).")]

InputsOption = Annotated[
    list[str],
    typer.Option("--input", "-i", help="Input file, folder, page or feed URL; repeatable (default: seeds/)."),
]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Outputs folder; bundles go to OUT/<lang>/<run_id>/.")]
OfflineOption = Annotated[bool, typer.Option("--offline", help="No network: URL and feed inputs are refused.")]
EncodingOption = Annotated[
    Optional[str], typer.Option("--encoding", help="Encoding of text files that are not UTF-8 (e.g. cp1251).")
]
MaxUrlsOption = Annotated[int, typer.Option("--max-urls", help="Pages fetched per run, at most.")]
EngineOption = Annotated[str, typer.Option("--engine", help="local, or ray (pip install -e '.[ray]').")]
RayAddressOption = Annotated[
    Optional[str], typer.Option("--ray-address", help="Ray cluster to join (default: start a local Ray).")
]
RayActorsOption = Annotated[
    int, typer.Option("--ray-actors", help="Actors per model on Ray; each loads the model once.")
]
RayGpusPerActorOption = Annotated[
    float, typer.Option("--ray-gpus-per-actor", help="GPUs per Ray actor (e.g. 1, or 0.5 to share).")
]
CacheOption = Annotated[Optional[Path], typer.Option("--cache", help="Cache file (default: OUT/.cache/jobs.sqlite3).")]
ForceOption = Annotated[bool, typer.Option("--force", help="Ignore cached outputs: run every model on everything.")]
SkipUnchangedOption = Annotated[
    bool, typer.Option("--skip-unchanged", help="Publish nothing for a language whose articles did not change.")
]
FailOnQaOption = Annotated[
    Optional[str],
    typer.Option(
        "--fail-on-qa",
        metavar="FLAG,...",
        help="Exit 7 when any of these QA flags (or `all`) fired; bundles are published anyway.",
    ),
]
