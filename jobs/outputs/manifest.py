"""A bundle's manifest.json: how the bundle was made (run, settings, models, versions), what it
holds (counts, QA flags, failures, every file with its checksum), and reading it back.

Every reader of a manifest (`jobs status`, `jobs preview`, --skip-unchanged) goes through
`read_manifest`; every manifest is assembled by `run_manifest` + `bundle_manifest`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from jobs.errors import InputProblem
from jobs.outputs.names import public_model_id, public_path
from jobs.versions import package_versions

if TYPE_CHECKING:
    from jobs.config import JobConfig

MANIFEST_SCHEMA = "jobs.manifest/v1"
MANIFEST_FILE = "manifest.json"


def run_manifest(
    *,
    run_id: str,
    created_at: datetime,
    config: JobConfig,
    sources: Iterable[Any],
    cache_path: Path,
    cache_hits: int,
    cache_misses: int,
) -> dict[str, Any]:
    """The fields every language's manifest of one run shares: run, inputs, settings, versions, cache."""
    return {
        "schema": MANIFEST_SCHEMA,
        "run_id": run_id,
        "created_at": created_at.isoformat(timespec="seconds"),
        "engine": engine_entry(config),
        "inputs": [_public_source(vars(source)) for source in sources],
        "settings": {
            "device": config.device,
            "batch_tokens": config.batch_tokens,
            "backend": config.backend,
            "dtype": config.dtype,
            "quantize": config.quantize,
            "config_file": public_path(config.config_file),
            "force": config.force,
        },
        "versions": package_versions(),
        "cache": {"path": public_path(cache_path), "hits": cache_hits, "misses": cache_misses},
    }


def engine_entry(config: JobConfig) -> dict[str, Any]:
    """What ran the model stages: the only field in which the manifests of the local and the Ray
    engine differ (their records and model entries are the same)."""
    if config.engine == "local":
        return {"name": "local"}
    return {"name": config.engine, "actors": config.ray_actors, "gpus_per_actor": config.ray_gpus_per_actor}


def bundle_manifest(
    run: dict[str, Any],
    lang: str,
    *,
    translation_model: dict[str, Any] | None,
    summary_model: dict[str, Any],
    failures: Iterable[InputProblem],
    counts: dict[str, int],
    qa: dict[str, int],
    content_sha256: str,
    inputs_sha256: str | None = None,
) -> dict[str, Any]:
    """One language's manifest: the run's fields (run_manifest) plus its models, failures, counts,
    QA flag counts and fingerprints (of the records, and of what they were made from:
    records.inputs_sha256). bundle.write_bundle adds `files` when it writes it."""
    return {
        **run,
        "lang": lang,
        "models": {"translation": _public_model(translation_model), "summary": _public_model(summary_model)},
        "failures": [_public_failure(problem.record()) for problem in failures],
        "counts": counts,
        "qa": qa,
        "content_sha256": content_sha256,
        **({"inputs_sha256": inputs_sha256} if inputs_sha256 else {}),
    }


def _public_source(source: dict[str, Any]) -> dict[str, Any]:
    """An input as the manifest lists it: no absolute path (names.public_path)."""
    return {k: public_path(v) if k in ("path", "display") and v is not None else v for k, v in source.items()}


def _public_model(model: dict[str, Any] | None) -> dict[str, Any] | None:
    """A model entry whose `id` names a local folder as `local:<folder name>` (its revision is its
    hash), and whose other paths (the converted model's folder) are named by their last part."""
    if model is None:
        return None
    local = str(model.get("revision", "")).startswith("sha256:")
    public = {k: PurePath(v).name if isinstance(v, str) and os.path.isabs(v) else v for k, v in model.items()}
    return {**public, "id": public_model_id(str(model.get("id", "")), local=local)}


def _public_failure(failure: dict[str, Any]) -> dict[str, Any]:
    """A failure naming its file as names.public_path does, in `file` and in the message."""
    file = failure.get("file")
    if not file or public_path(file) == file:
        return failure
    return {
        **failure,
        "file": public_path(file),
        "message": str(failure.get("message", "")).replace(file, public_path(file)),
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """manifest.json as written: indented UTF-8 JSON, non-ASCII text kept as it is."""
    return json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")


def has_manifest(bundle: Path) -> bool:
    """Whether a folder is a complete bundle (the manifest is written last)."""
    return (bundle / MANIFEST_FILE).is_file()


def read_manifest(bundle: Path) -> dict[str, Any]:
    """A bundle's manifest; OSError or ValueError when it is missing or unreadable."""
    return json.loads((bundle / MANIFEST_FILE).read_text(encoding="utf-8"))


def manifest_field(bundle: Path, name: str) -> Any:
    """One field of a bundle's manifest, or None when the manifest or the field is missing."""
    try:
        return read_manifest(bundle).get(name)
    except (OSError, ValueError):
        return None
