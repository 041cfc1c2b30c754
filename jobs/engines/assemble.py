"""An archive's bundles, assembled from its shards' outputs a record at a time.

Per language, the shards' records are streamed in plan order into one staging bundle: each line
copied into articles.jsonl as it passes, its digest, counts and QA flags added up, and only the
newest FEED_ARTICLES records kept for the feeds (outputs.feeds.feed_files); the Markdown files
each shard's writer rendered (outputs.markdown) are hard-linked into articles/. The manifest (outputs.manifest) is written last, then the
staging folder renamed into place; outputs.publish.publish_run moves every `latest` at once, as
for `jobs run`. Memory holds one record and the feed's records, whatever the archive's size.

What differs from a `jobs run` bundle: no changes.json (comparing with the previous bundle would
need both in memory), and feeds hold the newest FEED_ARTICLES articles, not all of them.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jobs.engines.shards import Shard, shards_dir
from jobs.errors import InputProblem, environment_error
from jobs.outputs.bundle import STAGING_PREFIX
from jobs.outputs.feeds import FeedSettings, feed_files
from jobs.outputs.manifest import MANIFEST_FILE, bundle_manifest, manifest_bytes
from jobs.quality.flags import count_flags

FEED_ARTICLES = 200  # the newest articles of an archive's feeds


class _Sink:
    """Files written into a staging bundle, each one's sha256 and size noted for the manifest."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: dict[str, dict[str, Any]] = {}

    def put(self, name: str, data: bytes) -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}

    def link_markdown(self, shard: Path, lang: str) -> None:
        """A shard's articles/<id>.md of one language, hard-linked (copied across filesystems)."""
        listed = json.loads((shard / f"{lang}.md.json").read_text(encoding="utf-8"))
        for name, facts in listed.items():
            source, target = shard / lang / name, self.folder / "articles" / name
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
            self.files[f"articles/{name}"] = facts


class _Totals:
    """What the manifest counts over a language's records, added up one record at a time."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()  # as outputs.records.records_sha256
        self.articles = self.paragraphs = 0
        self.qa: dict[str, int] = count_flags([])
        self.newest: list[tuple[str, int, str]] = []  # (published, order, record) for the feeds

    def add(self, record: dict[str, Any], line: str) -> None:
        self.digest.update(json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        self.articles += 1
        self.paragraphs += len(record["paragraphs"])
        for name, count in count_flags([record]).items():
            self.qa[name] = self.qa.get(name, 0) + count
        item = (str(record.get("published") or ""), self.articles, line)
        if len(self.newest) < FEED_ARTICLES:
            heapq.heappush(self.newest, item)
        else:
            heapq.heappushpop(self.newest, item)

    def feed_records(self) -> list[dict[str, Any]]:
        """The newest records, in archive order."""
        return [json.loads(line) for _, _, line in sorted(self.newest, key=lambda item: item[1])]


def shard_lines(out: Path, shards: list[Shard], name: str) -> Iterator[str]:
    """The lines of one file of every shard, in plan order."""
    for shard in shards:
        with (shards_dir(out) / shard.key / name).open(encoding="utf-8") as handle:
            yield from handle


def shard_failures(out: Path, shards: list[Shard], lang: str) -> list[InputProblem]:
    """Every shard's listed failures: shared ones (reading, screening, summaries) and this language's."""
    problems = []
    for shard in shards:
        found = json.loads((shards_dir(out) / shard.key / "failures.json").read_text(encoding="utf-8"))
        problems += [InputProblem(**f) for f in [*found["shared"], *found.get(lang, [])]]
    return problems


def shard_models(out: Path, shards: list[Shard], lang: str) -> tuple[Any, Any]:
    """The translation and summary models' manifest entries, as the first shard that loaded them tells."""
    translation = summary = None
    for shard in shards:
        models = json.loads((shards_dir(out) / shard.key / "models.json").read_text(encoding="utf-8"))
        translation = translation or models.get(lang)
        summary = summary or models.get("summary")
        if translation and summary:
            break
    return translation, summary


def assemble_bundle(config, lang: str, run: dict[str, Any], shards: list[Shard], units: int) -> Path:
    """One language's bundle from the shards' outputs, renamed into place (`latest` not moved)."""
    out = config.out
    final = out / lang / run["run_id"]
    staging = out / lang / f"{STAGING_PREFIX}{run['run_id']}-{os.getpid()}"
    try:
        staging.mkdir(parents=True)
        _write_bundle(config, lang, run, shards, units, staging)
        os.rename(staging, final)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise environment_error(exc, final, f"writing the {lang} bundle") or exc from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def _write_bundle(config, lang: str, run: dict[str, Any], shards: list[Shard], units: int, staging: Path) -> None:
    sink = _Sink(staging)
    totals = _Totals()
    (staging / "articles").mkdir()
    articles = hashlib.sha256()
    size = 0
    with (staging / "articles.jsonl").open("w", encoding="utf-8") as handle:
        for line in shard_lines(config.out, shards, f"{lang}.jsonl"):
            record = json.loads(line)
            handle.write(line)
            articles.update(line.encode("utf-8"))
            size += len(line.encode("utf-8"))
            totals.add(record, line)
        for shard in shards:  # the Markdown the shard's writer rendered, linked into the bundle
            sink.link_markdown(shards_dir(config.out) / shard.key, lang)
        handle.flush()
        os.fsync(handle.fileno())
    files = {"articles.jsonl": {"sha256": articles.hexdigest(), "bytes": size}}
    feeds = feed_files(totals.feed_records(), FeedSettings.for_language(config, lang), now=run["created_at"])
    for name, data in feeds.items():
        sink.put(name, data)
    failures = shard_failures(config.out, shards, lang)
    translation, summary = shard_models(config.out, shards, lang)
    counts = {"articles": totals.articles, "paragraphs": totals.paragraphs, "units": units, "failed": len(failures)}
    manifest = bundle_manifest(
        run,
        lang,
        translation_model=translation,
        summary_model=summary,
        failures=failures,
        counts=counts,
        qa=totals.qa,
        content_sha256=totals.digest.hexdigest(),
    )
    manifest["files"] = {**files, **sink.files}
    os.sync()  # the linked and written files on disk before the manifest that lists them
    with (staging / MANIFEST_FILE).open("wb") as handle:
        handle.write(manifest_bytes(manifest))
        handle.flush()
        os.fsync(handle.fileno())
