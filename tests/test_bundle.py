"""Publishing bundles: complete or invisible, with `latest` swapped only after a full write."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

import pytest

import jobs.outputs.bundle as bundle
from jobs.errors import ConfigError, InputProblem
from jobs.outputs.bundle import (
    kept_bundles,
    latest_bundle,
    new_run_id,
    remove_stale_staging,
)
from jobs.outputs.manifest import bundle_manifest, manifest_field, read_manifest
from jobs.outputs.markdown import markdown_text, render_markdown
from jobs.outputs.names import public_model, public_path
from jobs.outputs.records import (
    RECORD_SCHEMA,
    check_review_flags,
    iso_published,
    link_translations,
    records_sha256,
    review,
)
from tests.bundles import publish_bundle


def record(article_id: str, title: str = "Title", paragraphs=("One.", "Two.")) -> dict:
    return {
        "schema": RECORD_SCHEMA,
        "id": article_id,
        "lang": "ru",
        "source": {
            "file": "f.txt",
            "line": 1,
            "tag": "",
            "title": title,
            "sha256": "0" * 64,
            "paragraphs": len(paragraphs),
        },
        "title": title,
        "summary": "Sum.",
        "paragraphs": list(paragraphs),
        "qa": {"flags": []},
        "models": {"translation": "m@1", "summary": "s@1"},
    }


def test_publish_writes_bundle_then_points_latest(tmp_path):
    path = publish_bundle(tmp_path, "ru", "20260101T000000Z-aaaaaa", [record("a-1"), record("b-2")], {"run_id": "x"})
    assert path == tmp_path / "ru" / "20260101T000000Z-aaaaaa"
    assert os.readlink(tmp_path / "ru" / "latest") == path.name
    manifest = json.loads((path / "manifest.json").read_text())
    assert set(manifest["files"]) == {"articles.jsonl", "articles/a-1.md", "articles/b-2.md"}
    assert [json.loads(line)["id"] for line in (path / "articles.jsonl").read_text().splitlines()] == ["a-1", "b-2"]
    assert not [p for p in (tmp_path / "ru").iterdir() if p.name.startswith(".")]


def test_a_failure_mid_write_leaves_no_bundle_and_latest_untouched(tmp_path, monkeypatch):
    first = publish_bundle(tmp_path, "ru", "20260101T000000Z-aaaaaa", [record("a-1")], {})
    calls = {"n": 0}
    real = bundle.render_markdown

    def explode(rec):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(rec)

    monkeypatch.setattr(bundle, "render_markdown", explode)
    with pytest.raises(OSError, match="disk full"):
        publish_bundle(tmp_path, "ru", "20260102T000000Z-bbbbbb", [record("a-1"), record("b-2")], {})
    assert sorted(p.name for p in (tmp_path / "ru").iterdir()) == ["20260101T000000Z-aaaaaa", "latest"]
    assert (tmp_path / "ru" / "latest").resolve() == first.resolve()


def test_an_existing_bundle_is_never_overwritten(tmp_path):
    publish_bundle(tmp_path, "ru", "20260101T000000Z-aaaaaa", [record("a-1")], {})
    with pytest.raises(FileExistsError):
        publish_bundle(tmp_path, "ru", "20260101T000000Z-aaaaaa", [record("a-1")], {})


def test_run_ids_sort_by_time_and_are_unique():
    start = datetime(2026, 1, 9, 23, 59, 59, tzinfo=timezone.utc)
    times = [start + timedelta(seconds=s) for s in (0, 1, 61, 3600, 86400 * 40, 86400 * 400)]
    ids = [new_run_id(t) for t in times]
    assert sorted(ids) == ids  # text order is time order, across second, day, month and year
    assert all(len(i) == len("20261129T030000Z-3f9a1c") and i[8] == "T" for i in ids)
    assert len({new_run_id(start) for _ in range(50)}) == 50  # same second, still unique


def test_stale_staging_and_temporary_links_are_removed(tmp_path):
    kept = publish_bundle(tmp_path, "ru", "20260101T000000Z-aaaaaa", [record("a-1")], {})
    staging = tmp_path / "ru" / f"{bundle.STAGING_PREFIX}20260102T000000Z-bbbbbb-123"
    (staging / "articles").mkdir(parents=True)
    link = tmp_path / "ru" / f".{bundle.LATEST}-123"
    os.symlink(kept.name, link)
    (tmp_path / ".cache").mkdir()
    assert sorted(remove_stale_staging(tmp_path)) == sorted([staging, link])
    assert sorted(p.name for p in (tmp_path / "ru").iterdir()) == [kept.name, "latest"]
    assert kept_bundles(tmp_path / "ru") == [kept] and latest_bundle(tmp_path, "ru") == kept.resolve()


def test_manifest_is_written_and_read_back(tmp_path):
    failure = InputProblem(file="f.txt", line=3, article_id="c-3", message="article 'c-3': summary failed")
    manifest = bundle_manifest(
        {"schema": "jobs.manifest/v1", "run_id": "r"},
        "ru",
        translation_model={"id": "m"},
        summary_model={"id": "s"},
        failures=[failure],
        counts={"articles": 1},
        qa={"repetition": 0},
        content_sha256=records_sha256([record("a-1")]),
    )
    assert list(manifest) == ["schema", "run_id", "lang", "models", "failures", "counts", "qa", "content_sha256"]
    path = publish_bundle(tmp_path, "ru", "20260101T000000Z-aaaaaa", [record("a-1")], manifest)
    assert read_manifest(path) == {**manifest, "files": read_manifest(path)["files"]}
    assert read_manifest(path)["failures"] == [
        {"file": "f.txt", "line": 3, "article_id": "c-3", "message": "article 'c-3': summary failed"}
    ]
    assert manifest_field(path, "content_sha256") == records_sha256([record("a-1")]) != records_sha256([record("b-2")])
    assert manifest_field(path, "missing") is None and manifest_field(tmp_path / "nowhere", "run_id") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "\\1. not a list"),
        ("Plain & simple", "Plain &amp; simple"),
    ],
)
def test_markdown_text_is_inert(text, expected):
    assert markdown_text(text) == expected


def test_markdown_has_front_matter_and_every_paragraph():
    rendered = render_markdown(record("a-1", title='Quote " and: colon', paragraphs=("First.", "Second.")))
    front, body = rendered.split("---\n", 2)[1:]
    import yaml

    assert yaml.safe_load(front)["title"] == 'Quote " and: colon'
    assert "run_id" not in yaml.safe_load(front)
    assert body.count("First.") == 1 and body.count("Second.") == 1


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-07-02", "2024-07-02"),
        ("2024-07-02T08:00:00Z", "2024-07-02T08:00:00+00:00"),
        ("2024-07-02T08:00:00+05:00", "2024-07-02T08:00:00+05:00"),
        ("2024-07-02T08:00:00", "2024-07-02T08:00:00+00:00"),
        ("", None),
        ("yesterday", None),
        ("Tue, 02 Jul 2024 08:00:00 GMT", None),
    ],
)
def test_published_is_iso_8601_or_absent(given, expected):
    assert iso_published(given) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Helsinki-NLP/opus-mt-en-ru@0123abcd", "Helsinki-NLP/opus-mt-en-ru@0123abcd"),
        ("/abs/path/to/opus-mt-en-ru@sha256:d54a2bf7", "local:opus-mt-en-ru@sha256:d54a2bf7"),
        ("models/bart/@sha256:70", "local:bart@sha256:70"),
        (None, None),
    ],
)
def test_models_are_named_without_paths(label, expected):
    assert public_model(label) == expected


def test_files_are_named_without_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert public_path("seeds/page.txt") == "seeds/page.txt"
    assert public_path(tmp_path / "in" / "page.txt") == "in/page.txt"
    assert public_path("/elsewhere/data/page.txt") == "page.txt"
    assert public_path("https://example.com/a") == "https://example.com/a"


def test_review_counts_only_the_configured_flags():
    flags = [{"flag": "length_ratio", "part": "body"}, {"flag": "repetition", "part": "title"}]
    assert review(flags, ["repetition", "wrong_script"]) == {"status": "needs_review", "flags": ["repetition"]}
    assert review(flags, ["wrong_script"]) == {"status": "ok", "flags": []}
    with pytest.raises(ConfigError, match="unknown QA flag.*repetiton"):
        check_review_flags(["repetiton"])


def test_translations_link_the_languages_that_carry_an_id():
    by_lang = {"en": [record("a-1"), record("b-2")], "kk": [record("a-1")], "zh": [record("b-2")]}
    link_translations(by_lang, {"kk": "kk-Cyrl", "zh": "zh-Hans"})
    assert by_lang["en"][0]["translations"] == [{"lang": "kk", "lang_tag": "kk-Cyrl"}]
    assert by_lang["en"][1]["translations"] == [{"lang": "zh", "lang_tag": "zh-Hans"}]
    assert by_lang["kk"][0]["translations"] == [{"lang": "en", "lang_tag": "en"}]


def test_a_bad_lang_tag_in_the_registry_is_a_config_error(tmp_path):
    from jobs.config import load_registry

    path = tmp_path / "models.yaml"
    path.write_text(
        "summary: {model: s}\nlanguages:\n  en: {name: English}\n  kk: {name: Kazakh, model: m, lang_tag: 'kk Cyrl'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="languages.kk.lang_tag"):
        load_registry(path)
