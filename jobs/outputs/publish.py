"""Publishing a run's languages as one step, and what the outputs folder must look like first.

Every language's bundle is written and flushed first (bundle.write_bundle, each marked
pending); only then are the `latest` links swapped, one after the other in a few milliseconds
with SIGINT/SIGTERM/SIGHUP held back (jobs.outputs.stopping), the run record OUT/index.json
written, and the pending marks removed last. A run that fails or is stopped before the swaps
removes the bundles it wrote, so no language moves; one that fails during the swaps says exactly
which languages moved (PublishIncomplete); one that cannot write the run record after the swaps
ends with that error (disk full: 8). A run killed with SIGKILL (or a power cut) in between
leaves pending marks, so `publish_state` (jobs verify, jobs status) sees what it left: languages
out of step, a stale index, bundles never published; the next run settles it before its own work
(repair_interrupted): languages that did not move follow the ones that did, bundles of a run
that moved no language are removed, and the run record is written again.

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
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from jobs.errors import DiskFull, NotWritable, PublishIncomplete, environment_error
from jobs.fsutil import atomic_write, remove_temporaries
from jobs.outputs import stopping
from jobs.outputs.bundle import (
    LATEST,
    STAGING_PREFIX,
    language_dirs,
    latest_bundle,
    pending_bundles,
    pending_mark,
    point_latest,
)
from jobs.outputs.manifest import MANIFEST_FILE, read_manifest

log = logging.getLogger("jobs")
INDEX_FILE = "index.json"
INDEX_SCHEMA = "jobs.index/v1"
FREE_SPACE_MARGIN = 1.25  # the next bundles may be somewhat larger than the last ones


def repair_odd_states(out: Path, langs: list[str], default_cache: bool) -> list[Path]:
    """Move aside what a person or another tool left where the job needs its own things: a
    `latest` that is a folder or file instead of a link, and a `.cache` that is a file; then
    settle what a run stopped while publishing left (repair_interrupted). Call it holding the
    lock. Returns the new places; a move that fails is NotWritable naming the path."""
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
    repair_interrupted(out)
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
        with contextlib.suppress(OSError):
            if not bundle.exists():
                pending_mark(bundle).unlink(missing_ok=True)


def publish_run(out: Path, run_id: str, written: dict[str, Path], langs: list[str]) -> dict:
    """Swap every written language's `latest` to this run, write OUT/index.json, then drop the
    pending marks; return the index.

    Stop signals wait (jobs.outputs.stopping): until the end of the run when everything went
    out, else until the error is raised. A swap that fails raises PublishIncomplete naming the
    languages that moved and those that did not (DiskFull with the same message when the disk
    was full; a run that moved no language removes its bundles); a run record that cannot be
    written after the swaps raises its environment error (DiskFull, NotWritable) saying the
    languages moved."""
    moved: list[str] = []
    failed: dict[str, str] = {}
    failed_kinds: dict[str, type] = {}
    stopping.hold()
    try:
        for lang, bundle in written.items():
            try:
                point_latest(out / lang, bundle.name)
                moved.append(lang)
            except OSError as exc:
                problem = environment_error(exc, out / lang / LATEST)
                failed[lang] = str(problem or exc)
                failed_kinds[lang] = type(problem)
        try:
            index = write_index(out, run_id, langs, moved)
        except OSError as exc:
            problem = environment_error(exc, out / INDEX_FILE, "writing the run record")
            if problem is None:
                raise
            moved_text = ", ".join(moved) or "no language"
            raise type(problem)(
                f"{problem}; run {run_id} published {moved_text} but {INDEX_FILE} still names the previous run "
                f"(`jobs status` shows it; the next run writes it again)"
            ) from None
        for lang in moved:  # logged before a held signal is let through
            log.info("published %s", written[lang])
        if failed:
            if not moved:  # nothing went out: the run's bundles are not left behind
                discard(list(written.values()))
            what = (
                f"run {run_id}: published {', '.join(moved) or 'no language'}; NOT published "
                + "; ".join(f"{lang} ({why})" for lang, why in failed.items())
                + f"; {out / INDEX_FILE} lists what went out. Fix the cause and run again"
                + (" (the next run moves the languages together)" if moved else "")
            )
            raise (DiskFull if all(kind is DiskFull for kind in failed_kinds.values()) else PublishIncomplete)(what)
        for lang in moved:
            with contextlib.suppress(OSError):  # a mark left behind is settled by the next run
                pending_mark(written[lang]).unlink(missing_ok=True)
        stopping.mark_published()
    except BaseException:
        stopping.release(failing=True)
        raise
    return index


def write_index(out: Path, run_id: str, langs: list[str], published: list[str], *, repaired: bool = False) -> dict:
    """OUT/index.json: the run, the languages it moved, and every language's current bundle.
    Every language that has a latest bundle is listed: the run's first, then those it left as
    they were, by name. Raises the OSError of a write that failed (the previous index is left as it was)."""
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
    if repaired:  # written again by a later run, after this one was stopped while publishing
        index["repaired"] = True
    atomic_write(out / INDEX_FILE, json.dumps(index, ensure_ascii=False, indent=2))
    return index


def read_index(out: Path) -> dict | None:
    """OUT/index.json as a dict, or None when it is missing or not one."""
    try:
        index = json.loads((out / INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return index if isinstance(index, dict) else None


@dataclass
class PublishState:
    """What a run stopped while publishing left in an outputs folder (all empty: nothing)."""

    # run id -> languages whose `latest` moved to it / whose bundle of it was written but not published
    out_of_step: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    never_published: list[Path] = field(default_factory=list)  # bundles of runs that moved no language
    stale_index: list[str] = field(default_factory=list)  # how OUT/index.json differs from the links
    settled_marks: list[Path] = field(default_factory=list)  # pending marks of bundles that did go out

    def problems(self) -> list[str]:
        """One line per problem, each saying how it is repaired."""
        lines = [
            f"languages out of step: run {run} moved {', '.join(moved)} but not {', '.join(behind)} "
            "(a run stopped between the `latest` swaps); the next run moves them together"
            for run, (moved, behind) in self.out_of_step.items()
        ]
        lines += [
            f"{bundle}: never published (left by a run stopped before publishing); the next run removes it"
            for bundle in self.never_published
        ]
        if self.stale_index:
            lines.append(
                f"{INDEX_FILE} is stale ({'; '.join(self.stale_index)}): a run was stopped before writing it; "
                "the next run writes it again"
            )
        return lines


def publish_state(out: Path) -> PublishState:
    """Read-only: pending bundles and OUT/index.json against the `latest` links (see the module).

    Meaningful only while no run holds the outputs folder (a run in progress has pending bundles)."""
    state = PublishState()
    runs: dict[str, dict[str, Path]] = {}
    for lang_dir in language_dirs(out):
        for bundle in pending_bundles(lang_dir):
            runs.setdefault(bundle.name, {})[lang_dir.name] = bundle
    for run, bundles in sorted(runs.items()):
        moved = sorted(lang for lang in bundles if _latest_name(out, lang) == run)
        behind = sorted(lang for lang in bundles if lang not in moved)
        if moved and behind:
            state.out_of_step[run] = (moved, behind)
        elif not moved:
            state.never_published += [bundles[lang] for lang in behind]
        state.settled_marks += [pending_mark(bundles[lang]) for lang in moved]
    index = read_index(out)
    if index is None:
        if (out / INDEX_FILE).exists():
            state.stale_index.append("it does not read as JSON")
        elif state.out_of_step or state.settled_marks:
            state.stale_index.append("it is missing")
        return state
    languages = index.get("languages")
    for lang, entry in sorted(languages.items() if isinstance(languages, dict) else []):
        named = entry.get("bundle", "") if isinstance(entry, dict) else ""
        latest = _latest_name(out, lang)
        if named.rsplit("/", 1)[-1] != latest:
            state.stale_index.append(f"it names {named or 'nothing'} for {lang}, `latest` is {latest or 'none'}")
    listed = set(languages) if isinstance(languages, dict) else set()
    for run, (moved, behind) in state.out_of_step.items():
        missing = [lang for lang in moved + behind if lang not in listed]
        if missing:
            state.stale_index.append(f"it does not list {', '.join(missing)} of run {run}")
    return state


def _latest_name(out: Path, lang: str) -> str | None:
    bundle = latest_bundle(out, lang)
    return bundle.name if bundle is not None else None


def repair_interrupted(out: Path) -> PublishState:
    """Settle what a run stopped while publishing left (call it holding the lock): languages that
    did not move follow the ones that did (when their bundle is sound and newer than their
    `latest`), bundles of a run that moved no language are removed, and OUT/index.json is
    written again when it does not match the links. Returns what was found; each repair is
    logged. A link that cannot be moved is the environment error naming it."""
    from jobs.outputs.verify import verify_bundle

    remove_temporaries(out, INDEX_FILE)
    state = publish_state(out)
    touched: set[str] = set()
    for run, (moved, behind) in state.out_of_step.items():
        touched.update(moved)
        for lang in behind:
            bundle = out / lang / run
            current = _latest_name(out, lang)
            damage = verify_bundle(bundle, records=False)
            if damage or (current is not None and current > run):
                log.warning(
                    "%s: not published by the stopped run %s (%s); removed it",
                    bundle,
                    run,
                    damage[0] if damage else f"`latest` is the newer {current}",
                )
                discard([bundle])
                continue
            try:
                point_latest(out / lang, run)
            except OSError as exc:
                raise environment_error(exc, out / lang / LATEST, "moving a language left behind") or exc from None
            pending_mark(bundle).unlink(missing_ok=True)
            touched.add(lang)
            log.warning(
                "%s: moved `latest` to %s, as %s already were (a run stopped between the swaps)",
                lang,
                run,
                ", ".join(moved),
            )
    for bundle in state.never_published:
        log.warning("%s: removed, never published (left by a run stopped before publishing)", bundle)
        discard([bundle])
    for mark in state.settled_marks:
        with contextlib.suppress(OSError):
            mark.unlink(missing_ok=True)
    if state.stale_index or state.out_of_step:
        index = read_index(out) or {}
        listed = index.get("languages") if isinstance(index.get("languages"), dict) else {}
        langs = sorted(set(listed) | touched)
        names = {lang: _latest_name(out, lang) for lang in langs}
        newest = max((name for name in names.values() if name), default=index.get("run_id") or "")
        published = [lang for lang in langs if names[lang] == newest]
        try:
            write_index(out, newest, langs, published, repaired=True)
        except OSError as exc:
            raise environment_error(exc, out / INDEX_FILE, "writing the run record again") or exc from None
        log.warning("%s written again: it named what was published before a stopped run", out / INDEX_FILE)
    return state
