"""Review pages: structure, escaping and sources, checked on the HTML and in a real headless browser."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from jobs.config import REVIEW_FLAGS
from jobs.outputs.preview import bundles_to_preview, preview_path, write_preview, write_previews
from jobs.outputs.records import RECORD_SCHEMA, record_schema, review
from tests.bundles import publish_bundle
from tests.conftest import SEED_PAGE

RUN = "20250101T000000Z-abc123"
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)> "quoted" \'single\''
CHROMIUM = next(
    (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None
)


class Dom(HTMLParser):
    """Elements of a page as (tag, attrs, text inside), enough to check what a browser built."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in ("meta", "br", "img", "link", "input", "hr"):
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def find(self, tag=None, cls=None):
        return [
            e
            for e in self.elements
            if (tag is None or e["tag"] == tag) and (cls is None or cls in e["attrs"].get("class", "").split())
        ]


def record(
    article_id: str,
    lang: str,
    title: str,
    summary: str,
    paragraphs: list[str],
    flags: list[dict],
    source_title: str,
    translation: str | None,
) -> dict:
    result = {
        "schema": RECORD_SCHEMA,
        "id": article_id,
        "lang": lang,
        "lang_tag": {"zh": "zh-Hans", "kk": "kk-Cyrl"}.get(lang, lang),
        "source": {
            "file": "news.txt",
            "line": 1,
            "tag": "",
            "title": source_title,
            "sha256": hashlib.sha256(source_title.encode()).hexdigest(),
            "paragraphs": len(paragraphs),
        },
        "title": title,
        "summary": summary,
        "paragraphs": paragraphs,
        "review": review(flags, REVIEW_FLAGS),
        "qa": {"flags": flags, "summary_chunks": 1, "summary_levels": 1},
        "models": {"translation": translation, "summary": "tiny-bart@sha256:0"},
        "translations": [],
    }
    jsonschema.validate(result, record_schema())
    return result


def manifest(lang: str, translation: dict | None) -> dict:
    return {
        "schema": "jobs.manifest/v1",
        "run_id": RUN,
        "created_at": "2025-01-01T00:00:00+00:00",
        "lang": lang,
        "models": {"translation": translation, "summary": {"id": "tiny-bart"}},
        "qa": {},
    }


EN = [
    record(
        "hostile",
        "en",
        HOSTILE,
        "An English summary.",
        ["First <b>para</b>.", "Second para with 1,500 people."],
        [],
        HOSTILE,
        None,
    ),
    record(
        "plain",
        "en",
        "Plain title",
        "Plain summary.",
        ["Only paragraph."],
        [{"flag": "length_limit", "part": "summary", "stage": "summarize"}],
        "Plain title",
        None,
    ),
]
RU = [
    record(
        "hostile",
        "ru",
        "Заголовок " + HOSTILE,
        "Русское резюме.",
        ["Первый абзац.", "Второй абзац, 1 600 человек."],
        [
            {"flag": "repetition", "part": "title", "paragraph": 0, "sentence": 0, "stage": "translate"},
            {
                "flag": "numbers_missing",
                "part": "body",
                "paragraph": 1,
                "sentence": 0,
                "stage": "translate",
                "detail": "1,500",
            },
        ],
        HOSTILE,
        "tiny-marian@sha256:1",
    ),
    record(
        "plain",
        "ru",
        "Простой заголовок",
        "Простое резюме.",
        ["Единственный абзац."],
        [{"flag": "length_limit", "part": "summary", "stage": "summarize"}],
        "Plain title",
        "tiny-marian@sha256:1",
    ),
]


HOSTILE_URL = 'https://example.com/a?b=<i>x</i>&c="d"'
RU[0]["source"]["url"] = HOSTILE_URL


@pytest.fixture()
def outputs(tmp_path) -> Path:
    """outputs/en and outputs/ru bundles of one run, with a hostile title and flags on several rows."""
    out = tmp_path / "outputs"
    publish_bundle(out, "en", RUN, EN, manifest("en", None))
    publish_bundle(out, "ru", RUN, RU, manifest("ru", {"id": "tiny-marian", "revision": "sha256:1"}))
    return out


def test_preview_goes_beside_the_bundle_not_into_it(outputs):
    """Not inside the bundle (its manifest lists every file), and a file, not a folder that looks like a run."""
    bundle = outputs / "ru" / RUN
    listed = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))["files"]
    page = write_preview(outputs / "ru" / "latest")
    assert page == outputs / "ru" / f"{RUN}.preview.html" == preview_path(bundle)
    assert sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()) == sorted(
        [*listed, "manifest.json"]
    )
    assert not list(page.parent.glob(".*.tmp"))
    assert sorted(p.name for p in (outputs / "ru").iterdir() if p.is_dir() and not p.is_symlink()) == [RUN]


def test_page_shows_sources_translations_flags_and_contents(outputs):
    dom = Dom(write_preview(outputs / "ru" / RUN).read_text(encoding="utf-8"))
    articles = dom.find("article", "article")
    assert [a["attrs"]["data-id"] for a in articles] == ["hostile", "plain"]
    assert [a["attrs"]["data-flags"] for a in articles] == ["2", "1"]
    assert [a["attrs"]["href"] for a in dom.find("a")] == ["#a-hostile", "#a-plain"]
    cells = [c["text"] for c in dom.find("td")]
    assert "Second para with 1,500 people." in cells and "Второй абзац, 1 600 человек." in " ".join(cells)
    assert "An English summary." in cells  # the source summary comes from the en bundle of the run
    flags = [(f["attrs"]["data-flag"], f["text"]) for f in dom.find("span", "flag")]
    assert ("numbers_missing", "numbers_missing (sentence 1; 1,500)") in flags
    assert ("length_limit", "length_limit (English summary)") in flags
    assert len(dom.find("tr", "flagged")) == 3
    fired = {row["attrs"]["data-flag"]: row["text"] for row in dom.find("tr", "fired")}
    assert set(fired) == {"repetition", "numbers_missing", "length_limit"}


def test_every_text_is_escaped_and_nothing_is_loaded(outputs):
    page = write_preview(outputs / "ru" / RUN).read_text(encoding="utf-8")
    dom = Dom(page)
    assert not dom.find("script") and not dom.find("img") and not dom.find("link") and not dom.find("b")
    assert not dom.find("i") and HOSTILE_URL in [m["text"].strip() for m in dom.find("div", "meta")][1]
    assert not [e for e in dom.elements if any(name.startswith("on") for name in e["attrs"])]
    assert [e for e in dom.find("h2") if e["text"].startswith("Заголовок " + HOSTILE)]
    assert all(e["attrs"].get("href", "#").startswith("#") for e in dom.elements)
    assert "default-src 'none'" in dom.find("meta")[1]["attrs"]["content"]


def test_source_bundle_gets_one_column(outputs):
    dom = Dom(write_preview(outputs / "en" / RUN).read_text(encoding="utf-8"))
    assert [h["text"] for h in dom.find("th") if h["text"].startswith("text")] == ["text (en)"] * 2
    assert not [c for c in dom.find("td", "missing")]


def test_without_a_source_bundle_the_inputs_are_read_again(tmp_path):
    from jobs.inputs import read_articles

    articles = read_articles([SEED_PAGE]).articles.select(range(2))
    records = [
        record(
            a["id"],
            "kk",
            "Тақырып",
            "Қорытынды.",
            [f"Абзац {i}." for i in range(len(a["paragraphs"]))],
            [],
            a["title"],
            "tiny@sha256:2",
        )
        for a in articles
    ]
    for r, a in zip(records, articles):
        r["source"].update(file=str(SEED_PAGE), sha256=a["sha256"])
    publish_bundle(tmp_path, "kk", RUN, records, manifest("kk", {"id": "tiny"}))
    page = write_preview(tmp_path / "kk" / RUN, read_inputs=lambda files: read_articles(files).articles)
    dom = Dom(page.read_text(encoding="utf-8"))
    cells = [c["text"] for c in dom.find("td")]
    assert articles[0]["paragraphs"][0] in cells and articles[1]["paragraphs"][-1] in cells
    assert len(dom.find("td", "missing")) == 2  # no summary in an input file


def test_which_bundles_a_preview_covers(outputs, tmp_path):
    assert [b.parent.name for b in bundles_to_preview(outputs)] == ["en", "ru"]
    assert [b.parent.name for b in bundles_to_preview(outputs, ["ru"], RUN)] == ["ru"]
    assert bundles_to_preview(outputs, run=str(outputs / "en" / RUN)) == [(outputs / "en" / RUN).resolve()]
    assert bundles_to_preview(outputs, ["zh"]) == [] and bundles_to_preview(tmp_path / "none") == []
    pages = write_previews(outputs, out_dir=tmp_path / "pages")
    assert sorted(p.name for p in pages) == [f"en-{RUN}.preview.html", f"ru-{RUN}.preview.html"]


def test_page_in_a_headless_browser(outputs, tmp_path):
    if CHROMIUM is None:
        if os.environ.get("JOBS_REQUIRE_BROWSER"):  # CI sets it: there a missing browser is a failure, not a skip
            pytest.fail("JOBS_REQUIRE_BROWSER is set but chromium is not installed")
        pytest.skip("chromium is not installed (CI installs Debian's chromium: apt-get install chromium)")
    page = write_preview(outputs / "ru" / RUN)
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        page.as_uri(),
    ]
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = Dom(result.stdout)
    assert [a["attrs"]["data-id"] for a in dom.find("article", "article")] == ["hostile", "plain"]
    assert len(dom.find("span", "flag")) == 3 and len(dom.find("tr", "flagged")) == 3
    # What the browser built from the page: the hostile title is text, not elements.
    assert not dom.find("script") and not dom.find("img")
    assert [e for e in dom.find("h2") if e["text"].startswith("Заголовок " + HOSTILE)]
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in result.stdout
    assert "Второй абзац, 1 600 человек." in result.stdout


def test_page_shows_the_markdown_front_matter_fields(outputs):
    import yaml

    page = write_preview(outputs / "ru" / RUN).read_text(encoding="utf-8")
    dom = Dom(page)
    markdown = (outputs / "ru" / RUN / "articles" / "hostile.md").read_text(encoding="utf-8")
    front = yaml.safe_load(markdown.split("---\n", 2)[1])
    names = [e["text"] for e in dom.find("dt") if e["text"] in front]
    assert names[: len(front) - 2] == [k for k in front if k not in ("title", "summary")]
    assert "run_id" not in front and front["lang"] == "ru" and front["language"] == "ru" and "review" in front
