"""Output bundles: one folder per language and run, published atomically.

    outputs/<lang>/<run_id>/articles.jsonl, articles/<id>.md, manifest.json (written last)
    outputs/<lang>/latest -> <run_id>

A bundle is written into a staging folder beside its final place, flushed to disk, and renamed
into place; then `latest` is swapped to it with an atomic rename. A reader never sees a
half-written bundle, and a run that dies leaves the previous `latest` as it was; the next run
removes what it left (remove_stale_staging). This module alone knows how those names look.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
import sys
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from jobs.errors import environment_error
from jobs.outputs.manifest import MANIFEST_FILE, manifest_bytes
from jobs.outputs.markdown import render_markdown

log = logging.getLogger("jobs")
STAGING_PREFIX = ".staging-"
LATEST = "latest"


def new_run_id(now: datetime | None = None) -> str:
    """Sortable and unique: UTC time to the second plus a short random suffix."""
    now = now or datetime.now(timezone.utc)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def _write(path: Path, data: bytes, *, sync: bool = True, same_as: Path | None = None) -> dict[str, Any]:
    """Write `data` to `path`, or hard-link `same_as` there when that file holds exactly `data`
    (a file unchanged since the previous bundle: no second copy on disk, nothing to flush)."""
    if same_as is None or not _linked(same_as, path, data):
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            fh.write(data)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _linked(existing: Path, path: Path, data: bytes) -> bool:
    """Hard-link `existing` to `path` if it holds `data` byte for byte (read, never trusted from a
    manifest: a damaged file is not carried on); False where it differs or cannot be linked."""
    try:
        if existing.stat().st_size != len(data) or existing.read_bytes() != data:
            return False
        os.link(existing, path)
    except OSError:  # gone, unreadable, another filesystem, no hard links there, too many links
        return False
    return True


@lru_cache(maxsize=1)
def _syncfs():
    """Linux's syncfs(2) through libc, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


def _sync_files(folder: Path, files: list[Path]) -> None:
    """Flush files written without fsync: one syncfs(2) of their filesystem on Linux (an fsync
    per file costs milliseconds each, seconds for thousands of articles), else an fsync each."""
    syncfs = _syncfs()
    if syncfs is None:
        for path in files:
            with path.open("rb+") as fh:
                os.fsync(fh.fileno())
        return
    import ctypes

    fd = os.open(folder, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(folder))
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # some platforms cannot open folders; the rename is still atomic there
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bundle(
    out: Path,
    lang: str,
    run_id: str,
    records: list[dict[str, Any]],
    manifest: dict[str, Any],
    extra: dict[str, bytes] | None = None,
    previous: Path | None = None,
) -> Path:
    """Write a bundle to staging, flush it and rename it into place (`latest` not moved); return its path.

    extra: more files of the bundle by name (feeds, changes.json), listed in the manifest too.
    previous: the bundle this one follows; its files that are unchanged are hard-linked, not written.
    An environment error (disk full, read-only, permission) comes out as that JobError naming the
    bundle, with the staging folder removed."""
    lang_dir = out / lang
    final = lang_dir / run_id
    staging = lang_dir / f"{STAGING_PREFIX}{run_id}-{os.getpid()}"
    try:
        lang_dir.mkdir(parents=True, exist_ok=True)
        if final.exists():
            raise FileExistsError(f"bundle {final} already exists")
        staging.mkdir()
        _write_files(staging, records, manifest, extra or {}, previous)
        os.rename(staging, final)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise environment_error(exc, final, f"writing the {lang} bundle") or exc from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def _write_files(
    staging: Path,
    records: list[dict[str, Any]],
    manifest: dict[str, Any],
    extra: dict[str, bytes],
    previous: Path | None,
) -> None:
    files: dict[str, Any] = {}

    def put(name: str, data: bytes) -> None:
        files[name] = _write(staging / name, data, sync=False, same_as=previous / name if previous else None)

    put("articles.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8"))
    (staging / "articles").mkdir()
    for record in records:
        put(f"articles/{record['id']}.md", render_markdown(record).encode("utf-8"))
    for name, data in extra.items():
        put(name, data)
    _sync_files(staging, [staging / name for name in files])
    _fsync_dir(staging / "articles")
    manifest = {**manifest, "files": files}
    _write(staging / MANIFEST_FILE, manifest_bytes(manifest))
    _fsync_dir(staging)


def point_latest(lang_dir: Path, run_id: str) -> None:
    """Swap the `latest` symlink to run_id atomically (a new link renamed over the old one)."""
    temporary = lang_dir / f".{LATEST}-{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(run_id, temporary)
    os.replace(temporary, lang_dir / LATEST)
    _fsync_dir(lang_dir)


def latest_bundle(out: Path, lang: str) -> Path | None:
    """The bundle `latest` points at, if any."""
    link = out / lang / LATEST
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def language_dirs(out: Path) -> list[Path]:
    """The language folders of an outputs folder, by name (hidden ones, such as the cache's, left out)."""
    return sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))


def kept_bundles(lang_dir: Path) -> list[Path]:
    """The bundle folders of one language, by run id (not `latest`, not a staging folder)."""
    return sorted(p for p in lang_dir.iterdir() if p.is_dir() and not p.name.startswith(".") and not p.is_symlink())


def remove_stale_staging(out: Path) -> list[Path]:
    """Remove the staging folders and temporary links left by killed runs; return what was removed.

    Call it only while holding the outputs folder's lock: then no other run is writing."""
    removed = []
    for lang_dir in language_dirs(out):
        for leftover in lang_dir.iterdir():
            if leftover.name.startswith(STAGING_PREFIX):
                shutil.rmtree(leftover, ignore_errors=True)
                removed.append(leftover)
            elif leftover.name.startswith(f".{LATEST}-") and leftover.is_symlink():
                leftover.unlink()
                removed.append(leftover)
    for path in removed:
        log.warning("removed %s, left by a run that did not finish", path)
    return removed
