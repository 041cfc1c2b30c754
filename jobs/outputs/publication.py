"""A run's publication: every language's records, bundle and feeds, then all of them published as one step.

The pipeline hands over what the model stages made (`Work`); this module builds each language's
records, dates them (`first_seen` from the story register, `updated` carried from the previous
bundle while the published content is the same), links each record to its versions in every
other language that has a latest bundle — the run's own languages and those a partial run left
as they were — writes the bundles and publishes them together (publish.publish_run).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobs.errors import InputProblem
from jobs.outputs.bundle import language_dirs, latest_bundle, write_bundle
from jobs.outputs.changes import CHANGES_FILE, bundle_changes, changes_bytes
from jobs.outputs.editorial import editorial_manifest
from jobs.outputs.feeds import FeedSettings, feed_files
from jobs.outputs.manifest import bundle_manifest, manifest_field
from jobs.outputs.publish import discard, publish_run
from jobs.outputs.records import (
    PreviousBundle,
    build_records,
    bundle_counts,
    content_hashes,
    date_records,
    failed_ids,
    inputs_sha256,
    link_translations,
    records_sha256,
)
from jobs.outputs.verify import verify_bundle
from jobs.quality.flags import count_flags

if TYPE_CHECKING:
    from jobs.config import JobConfig

log = logging.getLogger("jobs")


@dataclass
class Work:
    """What the model stages made, handed from one stage to the next and then to publishing."""

    articles: Any  # datasets.Dataset of the articles that reached the model stages
    summaries: list[Any] = field(default_factory=list)
    summary_model: dict[str, Any] | None = field(default_factory=dict)  # the manifest's entry
    summary_label: str | None = ""  # MODEL@REVISION, as records name it; None: no summaries made
    shared_failures: list[InputProblem] = field(default_factory=list)  # in every language's manifest
    translated: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = field(default_factory=dict)
    lang_failures: dict[str, list[InputProblem]] = field(default_factory=dict)
    first_seen: dict[str, str] = field(default_factory=dict)  # story id -> when it was first published
    editorial: dict[str, dict[str, Any]] = field(default_factory=dict)  # per language: the manifest's account


@dataclass
class Published:
    """What publish_languages did, per language."""

    bundles: dict[str, Path] = field(default_factory=dict)
    unchanged: dict[str, Path] = field(default_factory=dict)  # --skip-unchanged: latest kept as it was
    qa: dict[str, dict[str, int]] = field(default_factory=dict)


def publish_languages(config: JobConfig, work: Work, run: dict[str, Any], units: int) -> Published:
    """Every language's bundle written, then all of them published as one step (publish_run).

    run: the manifest fields the run's languages share (manifest.run_manifest)."""
    done = Published()
    rows = work.articles.to_list()  # plain dicts: iterating a datasets table formats row by row
    ids = [row["id"] for row in rows]
    carried = {lang: set(ids) - failed_ids(work.lang_failures.get(lang, [])) for lang in config.langs}
    others = other_languages(config.out, config.langs)
    everywhere = {**carried, **{lang: ids_ for lang, (ids_, _) in others.items()}}
    lang_tags = {**{lang: tag for lang, (_, tag) in others.items()}, **config.lang_tags}
    digests = {lang: _inputs_sha256(config, lang, work, rows, everywhere, lang_tags) for lang in config.langs}
    for lang in config.langs:
        unchanged = _unchanged(config, lang, digests[lang])
        if unchanged is not None:
            done.unchanged[lang] = unchanged
            done.qa[lang] = manifest_field(unchanged, "qa") or {}
            log.info("%s: unchanged since %s; nothing published (--skip-unchanged)", lang, unchanged.name)
    records = {lang: _records(config, lang, work, rows) for lang in config.langs if lang not in done.unchanged}
    link_translations(records, lang_tags, everywhere)
    try:
        for lang, built in records.items():
            _write_language(config, lang, built, digests[lang], work, run, units, done)
    except BaseException:
        discard(list(done.bundles.values()))  # no language moves: the run did not finish
        done.bundles.clear()
        raise
    publish_run(config.out, run["run_id"], done.bundles, config.langs)
    return done


def other_languages(out: Path, langs: Iterable[str]) -> dict[str, tuple[set[str], str]]:
    """The languages of the outputs folder that this run leaves as they are: per language, the
    ids its latest bundle carries and its BCP 47 tag (from its records)."""
    found: dict[str, tuple[set[str], str]] = {}
    if not out.is_dir():
        return found
    for lang_dir in language_dirs(out):
        lang = lang_dir.name
        bundle = latest_bundle(out, lang) if lang not in langs else None
        if bundle is None:
            continue
        ids, tag = set(), lang
        try:
            with (bundle / "articles.jsonl").open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        record = json.loads(line)
                        ids.add(record["id"])
                        tag = record.get("lang_tag", tag)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("cannot read %s/articles.jsonl (%s): no link to %s", bundle, exc, lang)
            continue
        found[lang] = (ids, tag)
    return found


def _records(config: JobConfig, lang: str, work: Work, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One language's records (its failed articles left out)."""
    content, _, label = work.translated.get(lang, ({}, None, None))
    return build_records(
        rows,
        work.summaries,
        content,
        lang,
        labels=(label, work.summary_label),
        lang_tag=config.lang_tags.get(lang, lang),
        review_flags=config.review_flags,
        skip=failed_ids(work.lang_failures.get(lang, [])),
    )


def _inputs_sha256(
    config: JobConfig,
    lang: str,
    work: Work,
    rows: list[dict[str, Any]],
    carried: dict[str, set[str]],
    lang_tags: dict[str, str],
) -> str:
    """What this language's records would be made from (records.inputs_sha256)."""
    content, _, label = work.translated.get(lang, ({}, None, None))
    return inputs_sha256(
        rows,
        work.summaries,
        content,
        lang,
        labels=(label, work.summary_label),
        lang_tags=lang_tags,
        review_flags=config.review_flags,
        carried=carried,
        first_seen=work.first_seen,
    )


def _write_language(
    config: JobConfig,
    lang: str,
    records: list[dict[str, Any]],
    inputs_digest: str,
    work: Work,
    run: dict[str, Any],
    units: int,
    done: Published,
) -> None:
    """One language's bundle, written beside the published ones (publish_run moves `latest`)."""
    _, model_info, _ = work.translated.get(lang, ({}, None, None))
    failures = [*work.shared_failures, *work.lang_failures.get(lang, [])]
    latest = latest_bundle(config.out, lang)
    previous, hashes = PreviousBundle.read(latest), content_hashes(records)
    date_records(records, work.first_seen, previous, now=run["created_at"], hashes=hashes)
    done.qa[lang] = count_flags(records)
    manifest = bundle_manifest(
        run,
        lang,
        translation_model=model_info,
        summary_model=work.summary_model,
        failures=failures,
        counts=bundle_counts(records, units, len(failures)),
        qa=done.qa[lang],
        content_sha256=records_sha256(records),
        inputs_sha256=inputs_digest,
    )
    manifest.update(editorial_manifest(records, work.editorial.get(lang)))
    feed = FeedSettings.for_language(config, lang)
    extra = feed_files(records, feed, now=run["created_at"], hashes=hashes)
    extra[CHANGES_FILE] = changes_bytes(bundle_changes(hashes, previous, run["run_id"]))
    done.bundles[lang] = write_bundle(config.out, lang, run["run_id"], records, manifest, extra, previous=latest)
    log.info("wrote %s (%d articles)", done.bundles[lang], len(records))


def _unchanged(config: JobConfig, lang: str, inputs_digest: str) -> Path | None:
    """--skip-unchanged: the latest bundle when it was made from the same inputs and is sound, else None."""
    latest = latest_bundle(config.out, lang) if config.skip_unchanged else None
    if latest is None or manifest_field(latest, "inputs_sha256") != inputs_digest:
        return None
    damage = verify_bundle(latest, records=False)  # sizes and sha256 of every file: enough to trust it
    if damage:
        log.warning("%s: latest bundle %s is damaged (%s); publishing it again", lang, latest, damage[0])
        return None
    return latest
