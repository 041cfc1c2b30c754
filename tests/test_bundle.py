"""Publishing bundles: complete or invisible, with `latest` swapped only after a full write."""

from __future__ import annotations

import json
import os

import pytest

import jobs.outputs.bundle as bundle
from jobs.outputs.bundle import markdown_text, new_run_id, publish_bundle, render_markdown


def record(article_id: str, title: str = "Title", paragraphs=("One.", "Two.")) -> dict:
    return {
        "schema": bundle.RECORD_SCHEMA, "id": article_id, "lang": "ru",
        "source": {"file": "f.txt", "line": 1, "tag": "", "title": title, "sha256": "0" * 64, "paragraphs": len(paragraphs)},
        "title": title, "summary": "Sum.", "paragraphs": list(paragraphs),
        "qa": {"flags": []}, "models": {"translation": "m@1", "summary": "s@1"},
    }


def test_publish_writes_bundle_then_points_latest(tmp_path):
    path = publish_bundle(tmp_path, "ru", "20260101T000000Z-aaaaaa", [record("a-1"), record("b-2")], {"run_id": "x"})
    assert path == tmp_path / "ru" / "20260101T000000Z-aaaaaa"
    assert os.readlink(tmp_path / "ru" / "latest") == path.name
    manifest = json.loads((path / "manifest.json").read_text())
    assert set(manifest["files"]) == {"articles.jsonl", "articles/a-1.md", "articles/b-2.md"}
    assert [json.loads(l)["id"] for l in (path / "articles.jsonl").read_text().splitlines()] == ["a-1", "b-2"]
    assert not [p for p in (tmp_path / "ru").iterdir() if p.name.startswith(".")]


def test_a_failure_mid_write_leaves_no_bundle_and_latest_untouched(tmp_path, monkeypatch):
    first = publish_bundle(tmp_path, "ru", "20260101T000000Z-aaaaaa", [record("a-1")], {})
    calls = {"n": 0}
    real = bundle.render_markdown

    def explode(rec, run_id):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(rec, run_id)

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
    ids = {new_run_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == len("20261129T030000Z-3f9a1c") and i[8] == "T" for i in ids)


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
    rendered = render_markdown(record("a-1", title='Quote " and: colon', paragraphs=("First.", "Second.")), "r")
    front, body = rendered.split("---\n", 2)[1:]
    import yaml

    assert yaml.safe_load(front)["title"] == 'Quote " and: colon'
    assert body.count("First.") == 1 and body.count("Second.") == 1
