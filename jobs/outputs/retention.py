"""Retention: how many bundles (and how old) each language keeps; the rest are removed.

Applied after every successful publish and by `jobs prune`. A bundle `latest` points to is never
removed, nor one OUT/index.json names; a bundle's review page (OUT/<lang>/<run_id>.preview.html)
goes with it. Bundles never published (marked pending: a run in progress, or one that was
stopped) do not count toward `keep` and are not removed here (publish.repair_interrupted is what
removes the stopped runs' ones). A bundle is first renamed to a staging name, then deleted, so a run killed half-way
leaves no half-deleted bundle in sight (the next run clears the staging folder).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

from jobs.errors import environment_error
from jobs.outputs.bundle import STAGING_PREFIX, kept_bundles, language_dirs, latest_bundle, pending_bundles
from jobs.outputs.preview import preview_path

log = logging.getLogger("jobs")


def run_time(bundle: Path) -> datetime:
    """When a bundle's run started: from its run id (UTC), else the folder's modification time."""
    try:
        return datetime.strptime(bundle.name[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return datetime.fromtimestamp(bundle.stat().st_mtime, timezone.utc)


def expired(bundles: list[Path], keep: int | None, keep_days: float | None, now: datetime) -> list[Path]:
    """The bundles (sorted oldest first) beyond the newest `keep`, or older than `keep_days`."""
    gone = set(bundles[: max(0, len(bundles) - keep)] if keep is not None else [])
    if keep_days is not None:
        gone |= {b for b in bundles if now - run_time(b) > timedelta(days=keep_days)}
    return [b for b in bundles if b in gone]


def prune_bundles(
    out: Path, keep: int | None, keep_days: float | None = None, now: datetime | None = None
) -> list[Path]:
    """Remove the bundles (and their review pages) every language no longer keeps; return them.

    Call it holding the outputs folder's lock."""
    if not out.is_dir():
        return []
    now = now or datetime.now(timezone.utc)
    protected = _indexed(out)
    removed = []
    for lang_dir in language_dirs(out):
        current = latest_bundle(out, lang_dir.name)
        protected_here = protected | ({current.name} if current else set())
        pending = set(pending_bundles(lang_dir))
        published = [b for b in kept_bundles(lang_dir) if b not in pending]
        for bundle in expired(published, keep, keep_days, now):
            if bundle.name in protected_here:
                continue
            try:
                _remove(bundle)
            except OSError as exc:  # the run's own work is done; say why the disk will not shrink
                log.error("retention: %s", environment_error(exc, bundle, "removing an old bundle") or exc)
                break
            removed.append(bundle)
    if removed:
        log.info("retention: removed %d old bundle(s) (keep %s, keep days %s)", len(removed), keep, keep_days)
    return removed


def _indexed(out: Path) -> set[str]:
    """Run ids of the bundles OUT/index.json names (a reader may be following it)."""
    try:
        index = json.loads((out / "index.json").read_text(encoding="utf-8"))
        return {entry["bundle"].rsplit("/", 1)[-1] for entry in index.get("languages", {}).values()}
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return set()


def _remove(bundle: Path) -> None:
    aside = bundle.with_name(f"{STAGING_PREFIX}pruned-{bundle.name}")
    os.rename(bundle, aside)
    with contextlib.suppress(FileNotFoundError):
        preview_path(bundle).unlink()
    shutil.rmtree(aside, ignore_errors=True)


def disk_used(path: Path) -> int:
    """Bytes the files under `path` take on disk (hard-linked files counted once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                st = os.lstat(os.path.join(root, name))
                if (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    total += st.st_blocks * 512
    return total
