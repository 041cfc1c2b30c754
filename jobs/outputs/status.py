"""`jobs status`: what the outputs folder holds, read from the bundles' manifests.

Reads only, creates nothing (the lock is probed read-only), so it works on a read-only disk and
on a folder of another user it may read; a folder it cannot read, or a file where the folder
should be, is the one-line environment error (NotWritable, exit 9). `latest` links are followed
only to bundles beside them.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from jobs.errors import NotWritable, environment_error
from jobs.outputs.bundle import kept_bundles, language_dirs, latest_bundle, latest_target, pending_bundles
from jobs.outputs.lock import running_holder
from jobs.outputs.manifest import read_manifest
from jobs.outputs.publish import publish_state
from jobs.outputs.retention import disk_used
from jobs.outputs.verify import verify_bundle


def check_outputs_folder(out: Path, doing: str) -> bool:
    """False when `out` does not exist; NotWritable (one line, exit 9) when it is not a folder or
    cannot be listed; True when it can be read."""
    if not out.exists() and not out.is_symlink():
        return False
    if not out.is_dir():
        raise NotWritable(f"{out} is not a folder, so not an outputs folder; pass --out with the outputs folder")
    try:
        next(iter(out.iterdir()), None)
    except OSError as exc:
        raise environment_error(exc, out, doing) or NotWritable(f"{out}: {exc.strerror or exc} while {doing}") from None
    return True


def bundle_status(out: Path) -> str:
    """A short report: one line per language, what a stopped run left, then whether a run holds the folder now."""
    if not check_outputs_folder(out, "reading the outputs folder"):
        return f"{out}: no outputs yet"
    try:
        return _report(out)
    except OSError as exc:  # a language folder or the lock file it may not read
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise environment_error(exc, out, "reading the outputs folder") from None
        raise


def _report(out: Path) -> str:
    lines = [f"outputs: {out}"]
    langs = [p.name for p in language_dirs(out)]
    for lang in langs:
        lines.append(_language_line(out, lang))
    if not langs:
        lines.append("  no bundles yet")
    try:
        holder = running_holder(out)
    except PermissionError as exc:  # another user's lock file, not readable: say so, report the rest
        holder = {"unknown": exc.strerror}
    if holder is None:
        problems = publish_state(out).problems()
        lines += [f"  PROBLEM: {problem}" for problem in problems]
    usage = shutil.disk_usage(out)
    lines.append(f"disk: {disk_used(out) / 1e6:.1f} MB used by {out}; {usage.free / 1e6:.0f} MB free on its disk")
    if holder is None:
        lines.append("no run in progress")
    elif "unknown" in holder:
        lines.append(f"run in progress: cannot tell (the lock file cannot be opened: {holder['unknown']})")
    else:
        lines.append(
            f"run in progress: run {holder.get('run_id', '?')}, pid {holder.get('pid', '?')} on "
            f"{holder.get('host', '?')}, started {holder.get('started_at', '?')}"
        )
    return "\n".join(lines)


def _language_line(out: Path, lang: str) -> str:
    bundle = latest_bundle(out, lang)
    if bundle is None:
        target = latest_target(out, lang)
        if target is not None:
            return f"  {lang:<4} `latest` points to {target!r}, not a bundle beside it: not followed; the next run replaces it"
        return f"  {lang:<4} no complete bundle"
    try:
        manifest = read_manifest(bundle)
    except (OSError, ValueError) as exc:
        return f"  {lang:<4} {bundle.name}: manifest unreadable ({exc})"
    damage = verify_bundle(bundle)
    if damage:
        return f"  {lang:<4} {bundle.name}: DAMAGED ({damage[0]}); the next run republishes it"
    counts = manifest.get("counts", {})
    qa = sum(manifest.get("qa", {}).values())
    pending = set(pending_bundles(out / lang))
    runs = len([b for b in kept_bundles(out / lang) if b not in pending])
    return (
        f"  {lang:<4} latest {bundle.name}  made {manifest.get('created_at', '?')}  "
        f"{counts.get('articles', '?')} articles, {len(manifest.get('failures', []))} failures, "
        f"{qa} QA flags; {runs} bundle(s) kept"
    )
