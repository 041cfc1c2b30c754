"""`jobs verify`: published bundles checked against their manifests.

A bundle is sound when its manifest reads and has the manifest schema, every file it lists is
there with the listed size and sha256, nothing else sits in the bundle, and every articles.jsonl
line is a record that meets jobs/article.schema.json (as many as the manifest counts). The
checks `--skip-unchanged` and `jobs status` make before trusting the latest bundle are these.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from jobs.outputs.bundle import kept_bundles, language_dirs
from jobs.outputs.manifest import MANIFEST_FILE, MANIFEST_SCHEMA, read_manifest
from jobs.outputs.records import record_schema


def verify_bundle(bundle: Path, *, records: bool = True) -> list[str]:
    """What is wrong with a bundle (empty when it is sound); `records=False` skips the schema check."""
    try:
        manifest = read_manifest(bundle)
    except (OSError, ValueError) as exc:
        return [f"{MANIFEST_FILE} unreadable: {exc}"]
    if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA:
        return [f"{MANIFEST_FILE} is not a {MANIFEST_SCHEMA} manifest"]
    listed = manifest.get("files") or {}
    problems = [problem for name, entry in listed.items() if (problem := _check_file(bundle, name, entry))]
    extra = sorted(
        str(p.relative_to(bundle))
        for p in bundle.rglob("*")
        if not p.is_dir() and str(p.relative_to(bundle)) not in listed and p.name != MANIFEST_FILE
    )
    problems += [f"{name}: not listed in the manifest" for name in extra]
    if records and not problems and "articles.jsonl" in listed:
        problems += _check_records(bundle / "articles.jsonl", manifest.get("counts", {}).get("articles"))
    return problems


def _check_file(bundle: Path, name: str, entry: dict) -> str | None:
    path = bundle / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"{name}: {exc.strerror or exc}"
    if len(data) != entry.get("bytes"):
        return f"{name}: {len(data)} bytes, the manifest says {entry.get('bytes')}"
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        return f"{name}: sha256 differs from the manifest's"
    return None


def _check_records(jsonl: Path, expected: int | None) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(record_schema())
    problems = []
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        try:
            error = jsonschema.exceptions.best_match(validator.iter_errors(json.loads(line)))
        except ValueError as exc:
            error = exc
        if error is not None:
            problems.append(f"articles.jsonl:{number}: {getattr(error, 'message', error)}")
    if expected is not None and len(lines) != expected:
        problems.append(f"articles.jsonl: {len(lines)} records, the manifest counts {expected}")
    return problems


def verify_outputs(out: Path, langs: list[str] | None = None) -> dict[Path, list[str]]:
    """Every bundle of an outputs folder (or of `langs`) and what is wrong with it."""
    results = {}
    for lang_dir in language_dirs(out):
        if langs and lang_dir.name not in langs:
            continue
        for bundle in kept_bundles(lang_dir):
            results[bundle] = verify_bundle(bundle)
    return results
