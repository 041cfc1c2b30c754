"""Bundles a publishing system takes as they are: stable files, feeds that validate, changes, no paths.

The model runs use tiny random-weight models (tests/tiny_models.py): they check structure and
invariants, never wording. feed.atom is validated against RFC 4287's RELAX NG schema with Debian's
jing (tests/fixtures/atom-rfc4287.rnc), feed.json against a JSON Feed 1.1 JSON Schema
(tests/fixtures/jsonfeed-1.1.schema.json); each fixture says where it comes from.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import feedparser
import jsonschema
import pytest
from lxml import etree

from jobs.config import build_config
from jobs.outputs.changes import CHANGES_FILE, bundle_changes
from jobs.outputs.feeds import ATOM, ATOM_FILE, JSON_FEED_FILE, SCHEME, FeedSettings, entry_id, feed_files
from jobs.outputs.records import PreviousBundle, content_hashes, date_records, record_schema, record_sha256
from jobs.pipeline import run_job
from tests.conftest import REPO

FIXTURES = Path(__file__).parent / "fixtures"
ATOM_RNC = FIXTURES / "atom-rfc4287.rnc"
JSON_FEED_SCHEMA = json.loads((FIXTURES / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
JING = shutil.which("jing")
LANGS = ("en", "ru", "kk")
NOW = "2026-12-01T10:00:00+00:00"
PAGE = """Tag: World

  • Ministers meet in Astana

    Foreign ministers of five countries met in Astana on Monday.

    They agreed to open 3 new border crossings next year.

  • Rail link opens

    The new rail link cuts the journey from 12 hours to 7.

    Officials said freight traffic would double.

  • Harvest report

    Farmers reported a record wheat harvest of 20 million tonnes.

    Prices fell for the second month.
"""


# --------------------------------------------------------------------------- validators


def check_atom(path: Path) -> None:
    """feedparser reads it without a bozo flag; jing finds it valid against RFC 4287's schema."""
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    if JING is None:
        if os.environ.get("JOBS_REQUIRE_JING"):  # CI sets it: there a missing jing is a failure
            pytest.fail("JOBS_REQUIRE_JING is set but jing is not installed")
        pytest.skip("jing is not installed (CI installs Debian's jing: apt-get install jing)")
    result = subprocess.run([JING, "-c", str(ATOM_RNC), str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    # The schema's Schematron rule, which jing does not check: an author for the feed or each entry.
    root = etree.parse(str(path)).getroot()
    assert root.find(f"{{{ATOM}}}author") is not None


def check_json_feed(path: Path) -> dict:
    feed = json.loads(path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(JSON_FEED_SCHEMA, format_checker=jsonschema.FormatChecker())
    validator.validate(feed)
    return feed


# --------------------------------------------------------------------------- the feeds alone


def record(article_id: str, title: str = "Title", paragraphs=("One.", "Two."), **extra) -> dict:
    return {
        "schema": "jobs.article/v2",
        "id": article_id,
        "lang": "kk",
        "lang_tag": "kk-Cyrl",
        "source": {"file": "f.txt", "line": 1, "tag": "World", "title": title, "sha256": "0" * 64, "paragraphs": 2},
        "title": title,
        "summary": "Sum.",
        "paragraphs": list(paragraphs),
        "review": {"status": "ok", "flags": []},
        "qa": {"flags": []},
        "models": {"translation": "m@1", "summary": "s@1"},
        "translations": [{"lang": "zh", "lang_tag": "zh-Hans"}],
        **extra,
    }


FEED = FeedSettings(lang="kk", lang_tag="kk-Cyrl", title="News (Kazakh)", author="Desk")


def write_feeds(folder: Path, records: list[dict], now: str = NOW, previous: Path | None = None) -> Path:
    """Records dated against the previous bundle (records.date_records), their feeds and articles.jsonl."""
    folder.mkdir(parents=True)
    date_records(records, {}, PreviousBundle.read(previous), now=now)
    for name, data in feed_files(records, FEED, now=now).items():
        (folder / name).write_bytes(data)
    (folder / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return folder


def test_feeds_validate_and_carry_text_as_text(tmp_path):
    hostile = '<script>alert("x")</script> & ]]> a\x0bb'
    records = [
        record("a-1", title=hostile, paragraphs=(hostile, "Ещё абзац.")),
        record("b-2", url="https://example.org/b?x=1&y=2", published="2026-11-29"),
    ]
    records[1]["source"]["byline"] = "A. Writer"
    bundle = write_feeds(tmp_path / "b", records)
    check_atom(bundle / ATOM_FILE)
    feed = check_json_feed(bundle / JSON_FEED_FILE)
    parsed = feedparser.parse((bundle / ATOM_FILE).read_bytes())
    assert parsed.feed.language == "kk-Cyrl" and feed["language"] == "kk-Cyrl"
    assert [e.id for e in parsed.entries] == [entry_id("kk", "a-1"), entry_id("kk", "b-2")]
    assert parsed.entries[0].title == hostile.replace("\x0b", "")  # the one character XML cannot carry
    assert "<script>" not in (bundle / ATOM_FILE).read_text(encoding="utf-8")
    assert [p.text for p in etree.parse(str(bundle / ATOM_FILE)).iter("{http://www.w3.org/1999/xhtml}p")][1] == (
        "Ещё абзац."
    )
    second = parsed.entries[1]
    assert second.published == "2026-11-29T00:00:00+00:00" and second.author == "A. Writer"
    links = {(link.rel, link.get("hreflang")): link.href for link in second.links}
    assert links[("alternate", "kk-Cyrl")] == "articles/b-2.md"
    assert links[("alternate", "zh-Hans")] == "../../zh/latest/articles/b-2.md"
    assert links[("via", None)] == "https://example.org/b?x=1&y=2"
    assert [i["id"] for i in feed["items"]] == ["a-1", "b-2"] and feed["items"][1]["external_url"].endswith("y=2")
    assert parsed.feed.title == "News (Kazakh)" and parsed.feed.author == "Desk"
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == ["feed.atom"]
    root = etree.parse(str(bundle / ATOM_FILE)).getroot()
    assert root.find("{http://www.w3.org/2005/Atom}generator").get("version")


def test_atom_entries_carry_review_qa_counts_and_models_like_json_feed(tmp_path):
    flagged = record("a-1", qa={"flags": [{"flag": "repetition"}, {"flag": "repetition"}, {"flag": "wrong_script"}]})
    flagged["review"] = {"status": "needs_review", "flags": ["repetition", "wrong_script"]}
    bundle = write_feeds(tmp_path / "b", [flagged])
    check_atom(bundle / ATOM_FILE)
    entry = feedparser.parse((bundle / ATOM_FILE).read_bytes()).entries[0]
    tags = {(t.scheme, t.term): t.get("label") for t in entry.tags}
    assert tags[(SCHEME + "review", "needs_review")] is None
    assert tags[(SCHEME + "qa", "repetition")] == "repetition: 2"
    assert tags[(SCHEME + "qa", "wrong_script")] == "wrong_script: 1"
    assert tags[(SCHEME + "model:translation", "m@1")] is None
    item = json.loads((bundle / JSON_FEED_FILE).read_text())["items"][0]["_jobs"]
    assert item["review"] == "needs_review" and item["qa"] == {"repetition": 2, "wrong_script": 1}


def test_updated_is_when_the_content_first_appeared_not_the_run(tmp_path):
    first = write_feeds(tmp_path / "1", [record("a-1"), record("b-2")], now=NOW)
    later = "2026-12-02T10:00:00+00:00"
    second = write_feeds(tmp_path / "2", [record("a-1"), record("b-2", paragraphs=("Edited.", "Two."))], later, first)
    times = {i["id"]: i["date_modified"] for i in json.loads((second / JSON_FEED_FILE).read_text())["items"]}
    assert times == {"a-1": NOW, "b-2": later}
    # Where the article was read from is not content: a new file and line change no date.
    moved = [record("a-1"), record("b-2", paragraphs=("Edited.", "Two."))]
    for r in moved:
        r["source"].update(file="renamed-export.jsonl", line=7)
    fourth = write_feeds(tmp_path / "4", moved, "2028", second)
    assert [e.updated for e in feedparser.parse((fourth / ATOM_FILE).read_bytes()).entries] == [NOW, later]
    parsed = feedparser.parse((second / ATOM_FILE).read_bytes())
    assert [e.updated for e in parsed.entries] == [NOW, later] and parsed.feed.updated == later
    # Unchanged content a run later: byte-identical feeds.
    third = write_feeds(tmp_path / "3", [record("a-1"), record("b-2", paragraphs=("Edited.", "Two."))], "2027", second)
    for name in (ATOM_FILE, JSON_FEED_FILE):
        assert (third / name).read_bytes() == (second / name).read_bytes()


def test_changes_list_added_changed_and_removed(tmp_path):
    previous = tmp_path / "20260101T000000Z-aaaaaa"
    previous.mkdir()
    before = [record("a-1"), record("b-2"), record("c-3")]
    (previous / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in before), encoding="utf-8")
    after = [record("a-1"), record("c-3", paragraphs=("Changed.", "Two.")), record("d-4")]
    changes = bundle_changes(content_hashes(after), PreviousBundle.read(previous), "20260102T000000Z-bbbbbb")
    assert changes == {
        "schema": "jobs.changes/v1",
        "run_id": "20260102T000000Z-bbbbbb",
        "previous_run_id": "20260101T000000Z-aaaaaa",
        "added": ["d-4"],
        "changed": ["c-3"],
        "removed": ["b-2"],
        "unchanged": 1,
    }
    assert bundle_changes(content_hashes(after), PreviousBundle.read(None), "r")["added"] == ["a-1", "c-3", "d-4"]
    moved = [record("a-1"), record("b-2"), record("c-3")]
    for r in moved:
        r["source"].update(file="other.jsonl", line=99, feed="https://example.org/feed")
    assert (
        bundle_changes(content_hashes(moved), PreviousBundle.read(previous), "r")["unchanged"] == 3
    )  # provenance is no change
    assert record_sha256(record("a-1")) == record_sha256(json.loads(json.dumps(record("a-1"))))


# --------------------------------------------------------------------------- whole runs


def as_jsonl(page: str) -> str:
    """The page's articles as a CMS export would give them: JSONL with the CMS's own ids.

    Ids that come with the source stay when an article is edited (an article without one is
    named by a hash of its text, so an edit gives it a new id: README, bundle contract)."""
    lines = []
    for block in page.split("  • ")[1:]:
        title, *paragraphs = [part.strip() for part in block.strip().split("\n\n")]
        cms_id = title.lower().replace(" ", "-")
        lines.append(json.dumps({"id": cms_id, "tag": "World", "title": title, "paragraphs": paragraphs}))
    return "\n".join(lines) + "\n"


def run(tiny_models, tiny_config, page: Path, out: Path):
    config = build_config(
        config_file=tiny_config,
        langs=list(LANGS),
        inputs=[page],
        out=out,
        model_overrides=[f"{lang}={tiny_models[lang]}" for lang in LANGS if lang != "en"],
        summary_model=str(tiny_models["summary"]),
    )
    return run_job(config)


def bundle_files(bundle: Path) -> dict[str, bytes]:
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_models, tiny_config):
    """Four runs into one outputs folder: the articles, the same again, one paragraph edited, one article removed.

    The page and the outputs lie outside the working folder under absolute paths, as in production."""
    base = tmp_path_factory.mktemp("feeds-runs")
    page, out = base / "articles.jsonl", base / "out"
    page.write_text(as_jsonl(PAGE), encoding="utf-8")
    reports = [run(tiny_models, tiny_config, page, out), run(tiny_models, tiny_config, page, out)]
    page.write_text(as_jsonl(PAGE.replace("would double", "would triple")), encoding="utf-8")
    reports.append(run(tiny_models, tiny_config, page, out))
    page.write_text(as_jsonl(PAGE.replace("would double", "would triple").split("  • Harvest")[0]), encoding="utf-8")
    reports.append(run(tiny_models, tiny_config, page, out))
    return base, reports


def changes(report, lang: str) -> dict:
    return json.loads((report.bundles[lang] / CHANGES_FILE).read_text(encoding="utf-8"))


def ids(report, lang: str) -> list[str]:
    lines = (report.bundles[lang] / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["id"] for line in lines]


@pytest.mark.parametrize("lang", LANGS)
def test_two_runs_give_byte_identical_bundles_but_manifest_and_changes(runs, lang):
    _, (first, second, *_) = runs
    one, two = bundle_files(first.bundles[lang]), bundle_files(second.bundles[lang])
    assert set(one) == set(two) and {ATOM_FILE, JSON_FEED_FILE, CHANGES_FILE, "manifest.json"} <= set(one)
    assert [name for name in one if one[name] != two[name]] == ["changes.json", "manifest.json"]
    assert changes(second, lang)["previous_run_id"] == first.run_id
    assert (changes(second, lang)["added"], changes(second, lang)["changed"]) == ([], [])


@pytest.mark.parametrize("lang", LANGS)
def test_feeds_of_a_run_validate_and_are_listed_in_the_manifest(runs, lang):
    _, (first, *_) = runs
    bundle = first.bundles[lang]
    check_atom(bundle / ATOM_FILE)
    feed = check_json_feed(bundle / JSON_FEED_FILE)
    assert [item["id"] for item in feed["items"]] == ids(first, lang)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert {ATOM_FILE, JSON_FEED_FILE, CHANGES_FILE} <= set(manifest["files"])


def test_records_are_v2_with_tags_reviews_and_translations(runs):
    _, (first, *_) = runs
    validator = jsonschema.Draft202012Validator(record_schema(), format_checker=jsonschema.FormatChecker())
    tags = {"en": "en", "ru": "ru", "kk": "kk-Cyrl"}
    for lang in LANGS:
        for line in (first.bundles[lang] / "articles.jsonl").read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            validator.validate(rec)
            assert rec["lang_tag"] == tags[lang]
            assert [t["lang_tag"] for t in rec["translations"]] == [tags[o] for o in sorted(LANGS) if o != lang]
            assert ("summary" in rec["source"]) == (lang != "en")
            assert rec["review"]["status"] == ("needs_review" if rec["review"]["flags"] else "ok")
            assert rec["models"]["summary"].startswith("local:bart@sha256:")
            front = (first.bundles[lang] / "articles" / f"{rec['id']}.md").read_text(encoding="utf-8")
            assert f"hreflang: {tags['kk']}" in front or lang == "kk"


def test_editing_one_paragraph_lists_exactly_that_article_as_changed(runs):
    _, (_, second, third, _) = runs
    edited = next(i for i in ids(third, "en") if i.startswith("rail-link-opens"))
    for lang in LANGS:
        assert changes(third, lang) | {"unchanged": 0} == {
            "schema": "jobs.changes/v1",
            "run_id": third.run_id,
            "previous_run_id": second.run_id,
            "added": [],
            "changed": [edited],
            "removed": [],
            "unchanged": 0,
        }


def test_removing_an_article_lists_it_as_removed(runs):
    _, (_, _, third, fourth) = runs
    gone = next(i for i in ids(third, "en") if i.startswith("harvest-report"))
    for lang in LANGS:
        assert (changes(fourth, lang)["removed"], changes(fourth, lang)["changed"]) == ([gone], [])
        assert gone not in ids(fourth, lang)


def test_no_absolute_path_in_any_file_of_any_bundle(runs, tiny_models):
    base, reports = runs
    # Every absolute path these runs knew: inputs, outputs, cache, models, config, the repository, home.
    known = {str(base), str(REPO), str(Path.home()), *(str(Path(p).parent) for p in tiny_models.values())}
    pattern = re.compile(r"(?<![\w.:/])/(?:tmp|home|root|work|Users|var|opt|usr|private)/")
    bundles = {r.bundles[lang] for r in reports for lang in LANGS}
    files = [p for bundle in bundles for p in bundle.rglob("*") if p.is_file()]
    assert len(files) >= len(bundles) * 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not [k for k in known if k in text], path
        assert not pattern.search(text), f"{path}: {pattern.search(text)}"


def test_readme_example_record_fits_the_v2_schema():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- readme-example-record:", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    example = json.loads(block)
    jsonschema.Draft202012Validator(record_schema(), format_checker=jsonschema.FormatChecker()).validate(example)
    assert example["schema"] == "jobs.article/v2" and example["lang_tag"] == "kk-Cyrl"
