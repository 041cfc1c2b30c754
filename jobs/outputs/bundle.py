"""Output bundles: one folder per language and run, published atomically.

    outputs/<lang>/<run_id>/articles.jsonl, articles/<id>.md, manifest.json (written last)
    outputs/<lang>/latest -> <run_id>
    outputs/<lang>/.pending-<run_id>   (a bundle written, not yet published)

A bundle is written into a staging folder beside its final place, flushed to disk, and renamed
into place, with a `.pending-<run_id>` mark beside it; then `latest` is swapped to it with an
atomic rename, and the mark removed once every language and OUT/index.json are done
(jobs.outputs.publish). A reader never sees a half-written bundle, and a run that dies leaves
the previous `latest` as it was; the next run removes what it left (remove_stale_staging) and
settles what a run stopped while publishing left (publish.repair_interrupted). `latest` is
only ever a link to a bundle folder beside it: one pointing anywhere else is not followed.
This module alone knows how those names look.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import sys
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from jobs.errors import environment_error
from jobs.fsutil import fsync_dir
from jobs.outputs.manifest import MANIFEST_FILE, manifest_bytes
from jobs.outputs.markdown import render_markdown

log = logging.getLogger("jobs")
STAGING_PREFIX = ".staging-"
PENDING_PREFIX = ".pending-"
LATEST = "latest"


def new_run_id(now: datetime | None = None) -> str:
    """Sortable and unique: UTC time to the second plus a short random suffix."""
    now = now or datetime.now(timezone.utc)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")


def is_run_id(name: str) -> bool:
    """Whether a folder's name is one `new_run_id` makes: only such folders are the job's bundles."""
    return RUN_ID.fullmatch(name) is not None


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
    bundle, with the staging folder removed. The bundle is marked pending (pending_mark) until
    publish.publish_run has published it or publish.discard removed it."""
    lang_dir = out / lang
    final = lang_dir / run_id
    staging = lang_dir / f"{STAGING_PREFIX}{run_id}-{os.getpid()}"
    mark = pending_mark(final)
    try:
        lang_dir.mkdir(parents=True, exist_ok=True)
        if final.exists():
            raise FileExistsError(f"bundle {final} already exists")
        staging.mkdir()
        _write_files(staging, records, manifest, extra or {}, previous)
        mark.touch()  # before the bundle shows under its name: a kill after the rename leaves both
        os.rename(staging, final)
        fsync_dir(lang_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        _unmark(mark, final)
        raise environment_error(exc, final, f"writing the {lang} bundle") or exc from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _unmark(mark, final)
        raise
    return final


def pending_mark(bundle: Path) -> Path:
    """The mark beside a bundle written by a run that has not published it (yet)."""
    return bundle.with_name(f"{PENDING_PREFIX}{bundle.name}")


def _unmark(mark: Path, bundle: Path) -> None:
    if not bundle.exists():
        mark.unlink(missing_ok=True)


def pending_bundles(lang_dir: Path) -> list[Path]:
    """The bundles of one language marked pending: written by a run that did not publish them
    (a run in progress, or one stopped before or during the swaps)."""
    try:
        marks = [p for p in lang_dir.iterdir() if p.name.startswith(PENDING_PREFIX)]
    except OSError:
        return []
    bundles = (lang_dir / m.name[len(PENDING_PREFIX) :] for m in marks)
    return sorted(b for b in bundles if b.is_dir() and not b.is_symlink())


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
    fsync_dir(staging / "articles")
    manifest = {**manifest, "files": files}
    _write(staging / MANIFEST_FILE, manifest_bytes(manifest))
    fsync_dir(staging)


def point_latest(lang_dir: Path, run_id: str) -> None:
    """Swap the `latest` symlink to run_id atomically (a new link renamed over the old one)."""
    temporary = lang_dir / f".{LATEST}-{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(run_id, temporary)
    os.replace(temporary, lang_dir / LATEST)
    fsync_dir(lang_dir)


def latest_target(out: Path, lang: str) -> str | None:
    """What OUT/<lang>/latest points to, as written in the link (None: no link there)."""
    try:
        return os.readlink(out / lang / LATEST)
    except OSError:
        return None


def latest_bundle(out: Path, lang: str) -> Path | None:
    """The bundle `latest` points at, if any: a bundle folder beside the link, never a path
    elsewhere (a link a person or another tool pointed out of the outputs folder is not followed)."""
    target = latest_target(out, lang)
    if not target or not is_bundle_name(target):
        return None
    bundle = out / lang / target
    return bundle.resolve() if bundle.is_dir() and not bundle.is_symlink() else None


def is_bundle_name(name: str) -> bool:
    """A bundle folder's own name: one plain path part, not hidden (`latest` links hold only these)."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".") and name != LATEST


def language_dirs(out: Path) -> list[Path]:
    """The language folders of an outputs folder, by name: those holding something of the job's
    (a bundle, `latest`, a staging folder or pending mark); hidden ones (the cache's) and folders
    of other tools (a site's assets) left out."""
    return sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".") and _holds_runs(p))


def _holds_runs(folder: Path) -> bool:
    try:
        names = [child.name for child in folder.iterdir()]
    except OSError:
        return True  # unreadable: listed, so that the command reading it names the problem
    ours = (STAGING_PREFIX, PENDING_PREFIX, f".{LATEST}-")
    return any(name == LATEST or is_run_id(name) or name.startswith(ours) for name in names)


def kept_bundles(lang_dir: Path) -> list[Path]:
    """The bundle folders of one language, by run id (not `latest`, not a staging folder). Only
    folders named by a run id (`is_run_id`): whatever else a person or another tool keeps in the
    outputs folder (a site's assets, an editor's notes) is not ours to list, verify or remove."""
    return sorted(p for p in lang_dir.iterdir() if is_run_id(p.name) and p.is_dir() and not p.is_symlink())


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
            elif (
                leftover.name.startswith(PENDING_PREFIX)
                and not (lang_dir / leftover.name[len(PENDING_PREFIX) :]).is_dir()
            ):
                leftover.unlink()  # its bundle is gone: nothing to settle
                removed.append(leftover)
    for path in removed:
        log.warning("removed %s, left by a run that did not finish", path)
    return removed
