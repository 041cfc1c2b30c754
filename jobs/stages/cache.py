"""The incremental cache: (model key, source text) → output, in one SQLite file.

A re-run sends to a model only what it has not done before with the same model, revision and
generation settings. Writes are transactions, so a killed run leaves the cache as it was after
its last committed batch; a file that fails SQLite's own check (quick_check, or "not a
database") is moved aside and rebuilt, never trusted. Anything else (locked by another process,
read-only, disk full, a folder in the way) is reported as what it is and the file left alone.

When an entry was last used (read or written) is kept in a side table, `outputs_used`,
refreshed at most once a day per entry (an hourly run that finds everything cached does not
rewrite its whole cache), for retention (jobs.stages.cache_retention); an older jobs that does
not know the table keeps working with the file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobs.errors import ConfigError, DiskFull, JobError, LockHeld, NotWritable, environment_error

log = logging.getLogger("jobs")
SCHEMA_VERSION = 1
_CHUNK = 500  # SQLite limits the number of bound parameters per statement
BUSY_TIMEOUT_S = 30.0  # how long to wait for another process's write lock on the cache
CORRUPT_KEPT = 1  # moved-aside damaged caches kept for a post-mortem, newest first
USED_REFRESH_S = 86400.0  # an entry's last use is recorded again only when older than this
# SQLite's result codes for a file that is not a (healthy) database: the only reasons to move it aside.
_DAMAGE_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


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
        self._warned_unmarked = False
        self._db = self._open()
        try:
            prune_corrupt(self.path)
        except OSError as exc:  # a read-only folder: the cache still works, the old copies stay
            log.warning("could not remove older damaged caches beside %s: %s", self.path, exc)

    def _open(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise NotWritable(
                f"cache {self.path} is a folder; --cache must name a file, e.g. {self.path / 'jobs.sqlite3'}"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise environment_error(exc, self.path.parent, "creating the cache's folder") or exc from None
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise cache_error(self.path, exc) from None
            damage = exc
        self.rebuilt_from = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        log.error(
            "cache %s is damaged (%s); moved aside to %s and starting an empty cache",
            self.path,
            damage,
            self.rebuilt_from,
        )
        self.path.rename(self.rebuilt_from)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            raise cache_error(self.path, exc) from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        try:
            status = db.execute("PRAGMA quick_check").fetchone()[0]
            if status != "ok":
                raise sqlite3.DatabaseError(f"quick_check: {status}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                db.close()
                raise ConfigError(
                    f"cache {self.path} has schema version {version} (a newer jobs?), this one reads "
                    f"{SCHEMA_VERSION}; pass --cache with another file"
                )
            db.execute(
                "CREATE TABLE IF NOT EXISTS outputs ("
                " model_key TEXT NOT NULL, source_sha TEXT NOT NULL, output TEXT NOT NULL,"
                " hit_limit INTEGER NOT NULL, meta TEXT NOT NULL, created REAL NOT NULL,"
                " PRIMARY KEY (model_key, source_sha)) WITHOUT ROWID"
            )
            db.execute(USED_TABLE)
            if version != SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get_many(self, model_key: str, texts: Iterable[str], *, count: bool = True) -> dict[str, Cached]:
        """The cached outputs among `texts` (texts not cached are absent from the result).

        `count=False`: a lookup of the job's own bookkeeping (sentence splits), left out of the
        hits and misses a run reports for its models."""
        wanted = {text_hash(t): t for t in texts}
        found: dict[str, Cached] = {}
        hashes = list(wanted) if self.reuse else []
        stale_before, stale = time.time() - USED_REFRESH_S, []  # entries whose last use is to be recorded
        for start in range(0, len(hashes), _CHUNK):
            part = hashes[start : start + _CHUNK]
            try:
                rows = self._db.execute(
                    f"SELECT o.source_sha, o.output, o.hit_limit, o.meta, {LAST_USED} {FROM_ENTRIES} "
                    f"WHERE o.model_key = ? AND o.source_sha IN ({','.join('?' * len(part))})",
                    [model_key, *part],
                ).fetchall()
            except sqlite3.OperationalError as exc:
                raise cache_error(self.path, exc) from None
            for sha, output, hit_limit, meta, used in rows:
                found[wanted[sha]] = Cached(output, bool(hit_limit), meta)
                if used < stale_before:
                    stale.append(sha)
        if stale:
            self._mark_used(model_key, stale)
        if count:
            self.hits += len(found)
            self.misses += len(wanted) - len(found)
        return found

    def put_many(self, model_key: str, items: Sequence[tuple[str, Cached]]) -> None:
        """Store outputs in one transaction: all of them or, if the process dies, none."""
        now = time.time()
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?)",
                    [(model_key, text_hash(t), c.output, int(c.hit_limit), c.meta, now) for t, c in items],
                )
        except sqlite3.OperationalError as exc:
            raise cache_error(self.path, exc) from None

    def _mark_used(self, model_key: str, hashes: list[str]) -> None:
        """Record that these entries were used now (for retention); get_many asks only for those
        last used over a day ago. A cache that cannot be written (read-only) is still read: the
        entries only look older."""
        now = time.time()
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO outputs_used (model_key, source_sha, used) VALUES (?, ?, ?)",
                    [(model_key, sha, now) for sha in hashes],
                )
        except sqlite3.OperationalError as exc:
            if not self._warned_unmarked:
                log.warning(
                    "cache %s: could not record which entries were used (%s); retention sees them as older",
                    self.path,
                    exc,
                )
                self._warned_unmarked = True

    def close(self) -> None:
        self._db.close()


USED_TABLE = (
    "CREATE TABLE IF NOT EXISTS outputs_used ("
    " model_key TEXT NOT NULL, source_sha TEXT NOT NULL, used REAL NOT NULL,"
    " PRIMARY KEY (model_key, source_sha)) WITHOUT ROWID"
)
# When an entry was last used: written or read, whichever is later.
LAST_USED = "MAX(o.created, COALESCE(u.used, 0))"
FROM_ENTRIES = "FROM outputs o LEFT JOIN outputs_used u ON u.model_key = o.model_key AND u.source_sha = o.source_sha"


def remembered(cache: Cache | None, kind: str, keys: Sequence[str], compute: Callable[[int], Any]) -> list[Any]:
    """compute(i) for every keys[i], results kept in the cache as JSON under `kind`.

    For the job's own checks of texts that come back every hour (language detection, QA
    findings): `kind` must change when what compute does changes. Identical keys are computed
    once; the lookups are not counted as model hits or misses. Without a cache: computed."""
    if cache is None:
        return [compute(i) for i in range(len(keys))]
    found = cache.get_many(kind, keys, count=False)
    results: list[Any] = []
    made: dict[str, Any] = {}
    for i, key in enumerate(keys):
        if key in found:
            results.append(json.loads(found[key].output))
        else:
            if key not in made:
                made[key] = compute(i)
            results.append(made[key])
    if made:
        cache.put_many(
            kind, [(key, Cached(json.dumps(value, ensure_ascii=False), False)) for key, value in made.items()]
        )
    return results


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file itself is damaged (as opposed to busy, read-only, full...)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _DAMAGE_CODES
    return str(exc).startswith("quick_check:")


def cache_error(path: Path, exc: sqlite3.DatabaseError) -> JobError:
    """A cache problem that is not damage, as a JobError naming the file and the fix."""
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return LockHeld(
            f"cache {path} is locked by another process (waited {BUSY_TIMEOUT_S:g} s); another run "
            "with the same --cache? Try again when it has finished, or pass another --cache"
        )
    if code == sqlite3.SQLITE_READONLY:
        return NotWritable(
            f"cache {path} is read-only ({exc}); make it and its folder writable, or pass another --cache"
        )
    if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR and _nearly_full(path)):
        return DiskFull(f"cache {path}: no space left on the device; free space and run again (the cache is intact)")
    if code == sqlite3.SQLITE_CANTOPEN:
        return NotWritable(f"cache {path} cannot be opened ({exc}); check that its folder exists and is writable")
    if code == sqlite3.SQLITE_IOERR:
        return NotWritable(f"cache {path}: I/O error ({exc}); check the disk it is on")
    return NotWritable(f"cache {path}: {exc}; check the file, or pass another --cache")


def _nearly_full(path: Path) -> bool:
    """Whether the disk holding `path` has (almost) no room left: SQLite reports a full disk met
    while creating its side files as a plain I/O error."""
    try:
        return shutil.disk_usage(path.parent).free < 1 << 20
    except OSError:
        return False


def prune_corrupt(path: Path, keep: int = CORRUPT_KEPT) -> list[Path]:
    """Remove all but the newest `keep` damaged caches moved aside from `path`; return the removed."""
    moved = sorted(path.parent.glob(f"{path.name}.corrupt-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = []
    for old in moved[keep:]:
        old.unlink(missing_ok=True)
        removed.append(old)
        log.info("removed %s, an older damaged cache", old)
    return removed


# Names the job itself uses at the top of an outputs folder (the default cache's folder, the run
# record, the lock and its holder file): never a cache file.
_RESERVED_IN_OUT = {".cache", "index.json", ".jobs.outputs.lock", ".jobs.lock.json"}


def check_cache_place(cache: Path, out: Path) -> None:
    """A cache must be a file outside every bundle: inside the outputs folder only at its top
    (not one of the job's own names) or in a hidden folder such as OUT/.cache/ (ConfigError otherwise).
    Then a folder where the file should be, or a file where one of its folders should be, is
    NotWritable. Checked before the outputs folder is locked, so a refused --cache creates nothing."""
    try:
        inside = cache.resolve().relative_to(out.resolve())
    except ValueError:
        inside = None
    parts = inside.parts if inside is not None else ()
    if inside is not None and (
        not parts or (len(parts) == 1 and parts[0] in _RESERVED_IN_OUT) or (len(parts) > 1 and parts[0][:1] != ".")
    ):
        raise ConfigError(
            f"--cache {cache} is inside the outputs folder {out} where the job keeps bundles or its own files; "
            f"name a file such as {out / '.cache' / 'jobs.sqlite3'} or one outside {out}"
        )
    if cache.is_dir():
        raise NotWritable(f"cache {cache} is a folder; --cache must name a file, e.g. {cache / 'jobs.sqlite3'}")
    for parent in cache.parents if inside is None else ():  # OUT's own folders: the run's lock names them
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise NotWritable(
                    f"{parent}: a file is where a folder should be; move it away, or choose another --cache"
                )
            break
