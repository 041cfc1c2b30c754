"""Publishing one language's bundle the way a one-language run does, for tests of what reads bundles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jobs.outputs.bundle import pending_mark, point_latest, write_bundle


def publish_bundle(out: Path, lang: str, run_id: str, records: list[dict[str, Any]], manifest: dict[str, Any]) -> Path:
    """The bundle written into place, then `latest` swapped to it (jobs.outputs.publish does this for
    every language of a run at once, and drops the bundle's pending mark after the run record)."""
    path = write_bundle(out, lang, run_id, records, manifest)
    point_latest(out / lang, run_id)
    pending_mark(path).unlink()
    return path
