"""`jobs status`: what the outputs folder holds, read from the bundles' manifests."""

from __future__ import annotations

import shutil
from pathlib import Path

from jobs.outputs.bundle import kept_bundles, language_dirs, latest_bundle
from jobs.outputs.lock import running_holder
from jobs.outputs.manifest import read_manifest
from jobs.outputs.retention import disk_used
from jobs.outputs.verify import verify_bundle


def bundle_status(out: Path) -> str:
    """A short report: one line per language, then whether a run holds the folder now."""
    if not out.is_dir():
        return f"{out}: no outputs yet"
    lines = [f"outputs: {out}"]
    langs = [p.name for p in language_dirs(out)]
    for lang in langs:
        bundle = latest_bundle(out, lang)
        if bundle is None:
            lines.append(f"  {lang:<4} no complete bundle")
            continue
        try:
            manifest = read_manifest(bundle)
        except (OSError, ValueError) as exc:
            lines.append(f"  {lang:<4} {bundle.name}: manifest unreadable ({exc})")
            continue
        damage = verify_bundle(bundle)
        if damage:
            lines.append(f"  {lang:<4} {bundle.name}: DAMAGED ({damage[0]}); the next run republishes it")
            continue
        counts = manifest.get("counts", {})
        qa = sum(manifest.get("qa", {}).values())
        runs = len(kept_bundles(out / lang))
        lines.append(
            f"  {lang:<4} latest {bundle.name}  made {manifest.get('created_at', '?')}  "
            f"{counts.get('articles', '?')} articles, {len(manifest.get('failures', []))} failures, "
            f"{qa} QA flags; {runs} bundle(s) kept"
        )
    if not langs:
        lines.append("  no bundles yet")
    usage = shutil.disk_usage(out)
    lines.append(f"disk: {disk_used(out) / 1e6:.1f} MB used by {out}; {usage.free / 1e6:.0f} MB free on its disk")
    holder = running_holder(out)
    if holder is None:
        lines.append("no run in progress")
    else:
        lines.append(
            f"run in progress: run {holder.get('run_id', '?')}, pid {holder.get('pid', '?')} on "
            f"{holder.get('host', '?')}, started {holder.get('started_at', '?')}"
        )
    return "\n".join(lines)
