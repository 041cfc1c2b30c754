"""changes.json: what a bundle adds, changes and removes compared with the language's previous one.

A publisher that mirrors bundles acts on these ids instead of diffing every file. "Changed"
means the record's content hash (records.record_sha256) differs, so a new translation, summary,
QA result or link to another language counts; where the article was read from (file, line,
feed) does not, and a rerun of the same input changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from jobs.outputs.records import PreviousBundle

CHANGES_FILE = "changes.json"
CHANGES_SCHEMA = "jobs.changes/v1"


def bundle_changes(after: dict[str, str], previous: PreviousBundle, run_id: str) -> dict[str, Any]:
    """Ids added, changed and removed since the previous bundle (each list in bundle order), from
    the new records' content hashes (`after`: id -> records.record_sha256, in bundle order)."""
    before = previous.hashes
    return {
        "schema": CHANGES_SCHEMA,
        "run_id": run_id,
        "previous_run_id": previous.name,
        "added": [i for i in after if i not in before],
        "changed": [i for i in after if i in before and before[i] != after[i]],
        "removed": [i for i in before if i not in after],
        "unchanged": sum(1 for i in after if before.get(i) == after[i]),
    }


def changes_bytes(changes: dict[str, Any]) -> bytes:
    """changes.json as written: indented UTF-8 JSON."""
    return (json.dumps(changes, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
