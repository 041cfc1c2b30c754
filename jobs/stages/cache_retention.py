"""Cache retention: the SQLite cache trimmed in the same pass as the bundles' retention.

An entry no run has used (read or written) for `cache_unused_days` goes; then, while the
entries total over `cache_max_mb`, the least recently used go first (`retention:` in the
registry). When an entry was last used comes from jobs.stages.cache (its `outputs_used` table).
An entry's size is its texts plus ENTRY_OVERHEAD bytes (keys, index, page slack): the cap is on
what the entries hold, not on the file, which SQLite does not shrink by itself; the file is
compacted (VACUUM) when over a quarter of it is free afterwards and the disk has room for the
copy VACUUM writes.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from jobs.config import Retention
from jobs.errors import DiskFull, JobError
from jobs.stages.cache import BUSY_TIMEOUT_S, FROM_ENTRIES, LAST_USED, USED_TABLE, cache_error

log = logging.getLogger("jobs")
ENTRY_OVERHEAD = 96
_ENTRY_BYTES = f"LENGTH(CAST(o.output AS BLOB)) + LENGTH(CAST(o.meta AS BLOB)) + LENGTH(o.model_key) + {ENTRY_OVERHEAD}"
_FREE_SHARE_TO_COMPACT = 0.25


@dataclass(frozen=True)
class CachePruned:
    """What prune_cache did: entries removed (unused too long, over the size cap), size before and after."""

    unused: int
    over_size: int
    bytes_before: int
    bytes_after: int
    file_bytes: int  # the file's size on disk afterwards


def trim_cache(path: Path, retention: Retention) -> CachePruned | None:
    """Cache retention at the end of a run or `jobs prune`: the bundles are published by then, so
    a cache that cannot be trimmed (locked, read-only) is an ERROR line, not the run's failure; a
    full disk is still DiskFull (exit 8: a person must free space)."""
    max_mb = retention.cache_max_mb
    try:
        return prune_cache(path, retention.cache_unused_days, None if max_mb is None else int(max_mb * 1e6))
    except DiskFull:
        raise
    except JobError as exc:
        log.error("cache retention: %s", exc)
        return None


def prune_cache(
    path: Path, unused_days: float | None, max_bytes: int | None, now: float | None = None
) -> CachePruned | None:
    """Remove the entries unused for `unused_days`, then the least recently used while the
    entries' total is over `max_bytes` (None: no such limit); return what was done, or None when
    there is no cache file there. SQLite errors come out as cache_error's JobErrors.

    Opens the file without the quick_check a Cache does: the run that calls this has just checked it."""
    if not path.is_file():
        return None
    now = time.time() if now is None else now
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='outputs'").fetchone():
            return CachePruned(0, 0, 0, 0, path.stat().st_size)
        with db:
            db.execute(USED_TABLE)
            before = _total_bytes(db)
            unused = 0 if unused_days is None else _remove_unused(db, now - unused_days * 86400)
            over = _remove_over_size(db, max_bytes) if max_bytes is not None and _total_bytes(db) > max_bytes else 0
            if unused or over:
                db.execute(
                    "DELETE FROM outputs_used WHERE NOT EXISTS (SELECT 1 FROM outputs o "
                    "WHERE o.model_key = outputs_used.model_key AND o.source_sha = outputs_used.source_sha)"
                )
            after = _total_bytes(db)
        if unused or over:
            _compact(db, path)
    except sqlite3.DatabaseError as exc:
        raise cache_error(path, exc) from None
    finally:
        db.close()
    if unused or over:
        log.info(
            "cache retention: removed %d entries unused for %s days and %d over the size cap; %.1f MB -> %.1f MB",
            unused,
            "-" if unused_days is None else f"{unused_days:g}",
            over,
            before / 1e6,
            after / 1e6,
        )
    return CachePruned(unused, over, before, after, path.stat().st_size)


def _remove_unused(db: sqlite3.Connection, cutoff: float) -> int:
    return db.execute(
        "DELETE FROM outputs WHERE (model_key, source_sha) IN "
        f"(SELECT o.model_key, o.source_sha {FROM_ENTRIES} WHERE {LAST_USED} < ?)",
        [cutoff],
    ).rowcount


def _remove_over_size(db: sqlite3.Connection, max_bytes: int) -> int:
    """Newest use first, a running total of the entries' sizes; every entry past the cap goes."""
    return db.execute(
        "DELETE FROM outputs WHERE (model_key, source_sha) IN (SELECT model_key, source_sha FROM "
        f"(SELECT o.model_key, o.source_sha, SUM({_ENTRY_BYTES}) OVER "
        f"(ORDER BY {LAST_USED} DESC, o.model_key, o.source_sha) AS running {FROM_ENTRIES}) "
        "WHERE running > ?)",
        [max_bytes],
    ).rowcount


def _compact(db: sqlite3.Connection, path: Path) -> None:
    """VACUUM (gives freed pages back to the disk) when worth it and the disk has room for the copy."""
    pages, free = (db.execute(f"PRAGMA {pragma}").fetchone()[0] for pragma in ("page_count", "freelist_count"))
    if (
        pages
        and free / pages > _FREE_SHARE_TO_COMPACT
        and shutil.disk_usage(path.parent).free > 2 * path.stat().st_size
    ):
        db.execute("VACUUM")


def _total_bytes(db: sqlite3.Connection) -> int:
    return db.execute(f"SELECT COALESCE(SUM({_ENTRY_BYTES}), 0) FROM outputs o").fetchone()[0]
