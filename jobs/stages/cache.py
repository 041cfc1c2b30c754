"""The incremental cache: (model key, source text) → output, in one SQLite file.

A re-run sends to a model only what it has not done before with the same model, revision and
generation settings. Writes are transactions, so a killed run leaves the cache as it was after
its last committed batch; a file that fails SQLite's own check is moved aside and rebuilt,
never trusted.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("jobs")
SCHEMA_VERSION = 1
_CHUNK = 500  # SQLite limits the number of bound parameters per statement


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Cached:
    output: str
    hit_limit: bool
    meta: str = ""  # JSON the caller may store with the output (e.g. summary chunks and levels)


class Cache:
    """Outputs of earlier runs, keyed by a backend's `identity.key()` and the source text."""

    def __init__(self, path: Path, *, reuse: bool = True):
        self.path = path
        self.reuse = reuse  # False under --force: recompute everything, still store the results
        self.hits = 0
        self.misses = 0
        self.rebuilt_from: Path | None = None
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = self._connect()
        except sqlite3.DatabaseError as exc:
            self.rebuilt_from = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            log.error(
                "cache %s is corrupt (%s); moved aside to %s and starting an empty cache",
                self.path,
                exc,
                self.rebuilt_from,
            )
            self.path.rename(self.rebuilt_from)
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            db = self._connect()
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            status = db.execute("PRAGMA quick_check").fetchone()[0]
            if status != "ok":
                raise sqlite3.DatabaseError(f"quick_check: {status}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise sqlite3.DatabaseError(f"cache schema version {version}, expected {SCHEMA_VERSION}")
            db.execute(
                "CREATE TABLE IF NOT EXISTS outputs ("
                " model_key TEXT NOT NULL, source_sha TEXT NOT NULL, output TEXT NOT NULL,"
                " hit_limit INTEGER NOT NULL, meta TEXT NOT NULL, created REAL NOT NULL,"
                " PRIMARY KEY (model_key, source_sha)) WITHOUT ROWID"
            )
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get_many(self, model_key: str, texts: Iterable[str]) -> dict[str, Cached]:
        """The cached outputs among `texts` (texts not cached are absent from the result)."""
        wanted = {text_hash(t): t for t in texts}
        found: dict[str, Cached] = {}
        hashes = list(wanted) if self.reuse else []
        for start in range(0, len(hashes), _CHUNK):
            part = hashes[start : start + _CHUNK]
            rows = self._db.execute(
                f"SELECT source_sha, output, hit_limit, meta FROM outputs WHERE model_key = ? "
                f"AND source_sha IN ({','.join('?' * len(part))})",
                [model_key, *part],
            )
            for sha, output, hit_limit, meta in rows:
                found[wanted[sha]] = Cached(output, bool(hit_limit), meta)
        self.hits += len(found)
        self.misses += len(wanted) - len(found)
        return found

    def put_many(self, model_key: str, items: Sequence[tuple[str, Cached]]) -> None:
        """Store outputs in one transaction: all of them or, if the process dies, none."""
        now = time.time()
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?)",
                [(model_key, text_hash(t), c.output, int(c.hit_limit), c.meta, now) for t, c in items],
            )

    def close(self) -> None:
        self._db.close()
