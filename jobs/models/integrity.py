"""Every model of a run checked before the run takes the lock, reads inputs or writes anything.

Torch-free, so that a fully cached run stays fast: beyond `hub.check_available` (the folder
or the cached snapshot is there), the files a model needs are opened and parsed the way their
own libraries read them (config.json, the tokenizer's JSON files, SentencePiece models), and
the weights must be present. All problems are named at once, not one per run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from jobs.config import ModelSpec
from jobs.errors import ModelNotAvailable
from jobs.models.hub import cached_snapshot, check_available, hub_offline
from jobs.models.text_side import not_loadable

TOKENIZER_JSON = (
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.json",
    "special_tokens_map.json",
    "added_tokens.json",
)
SENTENCEPIECE_SUFFIXES = (".spm", ".model")
VOCABULARIES = ("tokenizer.json", "vocab.json", "vocab.txt")
LARGE_JSON = 1 << 20
WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")


def broken_models(models: Mapping[str, ModelSpec]) -> list[str]:
    """What is wrong with each model that is there (a folder, a cached snapshot) but cannot load."""
    problems: list[str] = []
    for role, spec in models.items():
        if spec.is_local and not spec.path.is_dir():
            continue  # missing: named by hub.check_all_available
        try:
            check_model_files(spec, role)
        except ModelNotAvailable as exc:
            problems.append(f"{role}: {exc}")
    return problems


def check_models(models: Mapping[str, ModelSpec]) -> None:
    """Raise one ModelNotAvailable naming every model (role -> spec) that cannot load."""
    problems: list[str] = []
    for role, spec in models.items():
        try:
            check_available(spec, role)
            check_model_files(spec, role)
        except ModelNotAvailable as exc:
            problems.append(str(exc))
    if len(problems) == 1:
        raise ModelNotAvailable(problems[0])
    if problems:
        raise ModelNotAvailable(f"{len(problems)} models cannot be used:\n" + "\n".join(f"- {p}" for p in problems))


def check_model_files(spec: ModelSpec, role: str) -> None:
    """A local folder's or cached snapshot's config, tokenizer and weights files, parsed where cheap.

    A hub model that is not cached is left to loading, which downloads it (or names it, offline).
    """
    folder = spec.path if spec.is_local else cached_snapshot(spec)
    if folder is None:
        return
    try:
        _check_config(folder)
        _check_tokenizer(folder)
        if spec.is_local or hub_offline():  # online, missing weights are downloaded when they load
            _check_weights(folder)
    except (OSError, ValueError, RuntimeError) as exc:
        raise not_loadable(spec, role, exc) from None


def _check_config(folder: Path) -> None:
    config = _read_json(folder / "config.json", whole=True)
    if not isinstance(config, dict) or not isinstance(config.get("model_type"), str):
        raise ValueError(f"{folder / 'config.json'} has no model_type")


def _check_tokenizer(folder: Path) -> None:
    for name in TOKENIZER_JSON:
        if (folder / name).exists():
            _read_json(folder / name)
    pieces = sorted(p for p in folder.iterdir() if p.suffix in SENTENCEPIECE_SUFFIXES and p.is_file())
    if pieces:
        import sentencepiece

        for path in pieces:
            try:
                sentencepiece.SentencePieceProcessor(model_file=str(path))
            except (OSError, RuntimeError) as exc:
                raise ValueError(f"{path} is not a SentencePiece model ({exc})") from None
    if not pieces and not any((folder / name).is_file() for name in VOCABULARIES):
        raise ValueError(f"{folder} has no tokenizer files (tokenizer.json, vocab.json or a SentencePiece model)")


def _check_weights(folder: Path) -> None:
    if not any((folder / name).is_file() for name in WEIGHTS) and not any(folder.glob("*.safetensors")):
        raise ValueError(f"{folder} has no weights (model.safetensors or pytorch_model.bin)")


def _read_json(path: Path, whole: bool = False) -> object:
    """A JSON file parsed; one over LARGE_JSON bytes (NLLB's tokenizer.json is 17 MB, a quarter
    of a second to parse on every cron run) only checked to open and close its object, which
    is what a cut-off copy fails."""
    try:
        if not whole and path.stat().st_size > LARGE_JSON:
            with path.open("rb") as handle:
                head = handle.read(64).lstrip()
                handle.seek(-64, 2)
                tail = handle.read().rstrip()
            if not head.startswith(b"{") or not tail.endswith(b"}"):
                raise ValueError("the file is cut off: it does not open and close one object")
            return {}
        return json.loads(path.read_bytes())
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise ValueError(f"{path} is not valid JSON ({exc})") from None
