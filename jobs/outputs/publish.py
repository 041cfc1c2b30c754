"""Publishing a run's languages as one step, and what the outputs folder must look like first.

Every language's bundle is written and flushed first (bundle.write_bundle); only then are the
`latest` links swapped, one after the other in a few milliseconds with SIGINT/SIGTERM/SIGHUP
held back, and the run record OUT/index.json written last. A run that fails or is stopped before
the swaps removes the bundles it wrote, so no language moves; one that fails during the swaps
says exactly which languages moved (PublishIncomplete).

    OUT/index.json  {"schema", "run_id", "created_at", "published": [lang...],
                     "languages": {lang: {"bundle": "<lang>/<run_id>", "manifest_sha256": ...}}}
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from jobs.errors import DiskFull, NotWritable, PublishIncomplete, environment_error
from jobs.outputs.bundle import LATEST, STAGING_PREFIX, _fsync_dir, language_dirs, latest_bundle, point_latest
from jobs.outputs.manifest import MANIFEST_FILE, read_manifest

log = logging.getLogger("jobs")
INDEX_FILE = "index.json"
INDEX_SCHEMA = "jobs.index/v1"
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
FREE_SPACE_MARGIN = 1.25  # the next bundles may be somewhat larger than the last ones


def repair_odd_states(out: Path, langs: list[str], default_cache: bool) -> list[Path]:
    """Move aside what a person or another tool left where the job needs its own things: a
    `latest` that is a folder or file instead of a link, and a `.cache` that is a file. Call it
    holding the lock. Returns the new places; a move that fails is NotWritable naming the path."""
    odd = [out / lang / LATEST for lang in langs]
    odd = [p for p in odd if (p.exists() or p.is_symlink()) and not p.is_symlink()]
    if default_cache and (out / ".cache").exists() and not (out / ".cache").is_dir():
        odd.append(out / ".cache")
    moved = []
    for path in odd:
        aside = path.with_name(f".{path.name.lstrip('.')}.moved-{time.strftime('%Y%m%dT%H%M%S')}")
        try:
            os.rename(path, aside)
        except OSError as exc:
            raise NotWritable(
                f"{path} is not what the job keeps there and cannot be moved ({exc.strerror}); move it away by hand"
            ) from None
        log.warning(
            "%s was a %s, not the job's own; moved it aside to %s", path, "folder" if aside.is_dir() else "file", aside
        )
        moved.append(aside)
    return moved


def check_free_space(out: Path, langs: list[str]) -> None:
    """Refuse a run that would fill the disk: the previous bundles' size (from their manifests)
    must fit in the free space of the outputs folder's disk, with a margin (DiskFull otherwise)."""
    needed = 0
    for lang in langs:
        bundle = latest_bundle(out, lang)
        if bundle is None:
            continue
        with contextlib.suppress(OSError, ValueError, AttributeError):
            needed += sum(f.get("bytes", 0) for f in read_manifest(bundle).get("files", {}).values())
    if not needed:
        return
    needed = int(needed * FREE_SPACE_MARGIN) + (1 << 20)
    free = shutil.disk_usage(out).free
    if free < needed:
        raise DiskFull(
            f"{out}: {free / 1e6:.1f} MB free, the run needs about {needed / 1e6:.1f} MB (its last bundles' size); "
            "free space (e.g. `jobs prune --keep 6`) and run again"
        )


def discard(bundles: list[Path]) -> None:
    """Remove bundles written by this run and never pointed at (a run that stops before the swaps)."""
    for bundle in bundles:
        aside = bundle.with_name(f"{STAGING_PREFIX}discarded-{bundle.name}")
        with contextlib.suppress(OSError):
            os.rename(bundle, aside)
            shutil.rmtree(aside, ignore_errors=True)


def publish_run(out: Path, run_id: str, written: dict[str, Path], langs: list[str]) -> dict:
    """Swap every written language's `latest` to this run, then write OUT/index.json; return it.

    Signals wait until the swaps and the record are done; a swap that fails raises
    PublishIncomplete naming the languages that moved and those that did not."""
    moved: list[str] = []
    failed: dict[str, str] = {}
    with signals_held():
        for lang, bundle in written.items():
            try:
                point_latest(out / lang, bundle.name)
                moved.append(lang)
            except OSError as exc:
                failed[lang] = str(environment_error(exc, out / lang / LATEST) or exc)
        index = write_index(out, run_id, langs, moved)
        for lang in moved:  # logged before a held signal is let through
            log.info("published %s", written[lang])
    if failed:
        raise PublishIncomplete(
            f"run {run_id}: published {', '.join(moved) or 'no language'}; NOT published "
            + "; ".join(f"{lang} ({why})" for lang, why in failed.items())
            + f"; {out / INDEX_FILE} lists what went out. Fix the cause and run again"
        )
    return index


@contextlib.contextmanager
def signals_held():
    """SIGINT, SIGTERM and SIGHUP wait until the block is done, then reach their handlers.

    Python handlers, not a blocked signal mask: with other threads running (torch, tokenizers)
    the kernel hands a process-directed signal to any thread that does not block it, and Python
    runs the handler in the main thread at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum)) for sig in _HELD_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        if caught:
            log.warning("signal %d arrived while publishing; the run's languages moved together first", caught[0])
            signal.raise_signal(caught[0])


def write_index(out: Path, run_id: str, langs: list[str], published: list[str]) -> dict:
    """OUT/index.json: the run, the languages it moved, and every language that has a latest
    bundle (the run's first, then those it left as they were, by name)."""
    languages = {}
    for lang in [*langs, *sorted({d.name for d in language_dirs(out)} - set(langs))]:
        bundle = latest_bundle(out, lang)
        if bundle is None:
            continue
        try:
            digest = hashlib.sha256((bundle / MANIFEST_FILE).read_bytes()).hexdigest()
        except OSError:
            digest = None
        languages[lang] = {"bundle": f"{lang}/{bundle.name}", "manifest_sha256": digest}
    index = {
        "schema": INDEX_SCHEMA,
        "run_id": run_id,
        "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "published": published,
        "languages": languages,
    }
    temporary = out / f".{INDEX_FILE}.{os.getpid()}"
    try:
        with temporary.open("w", encoding="utf-8") as fh:
            json.dump(index, fh, ensure_ascii=False, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, out / INDEX_FILE)
        _fsync_dir(out)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        log.error("%s", environment_error(exc, out / INDEX_FILE, "writing the run record") or exc)
    return index
