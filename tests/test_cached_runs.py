"""Hourly runs over the same articles: what a cached run still does, and what it no longer redoes.

Screening and QA findings come from the cache like model outputs; --skip-unchanged decides from
what the records would be made of, before building any; unchanged files of a new bundle are hard
links to the previous bundle's.
"""

from __future__ import annotations

import pytest

import jobs.quality.flags as flags
import jobs.quality.language as language
import jobs.stages.screen as screen
import jobs.stages.translate as translate
from jobs.outputs import publication
from jobs.outputs.verify import verify_bundle
from jobs.pipeline import run_job
from tests.conftest import SEED_PAGE
from tests.test_cron import config_for


class Counted:
    """Wraps a module function and counts its calls (or refuses them)."""

    def __init__(self, monkeypatch, module, name: str, refuse: bool = False):
        self.calls = 0
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            self.calls += 1
            if refuse:
                raise AssertionError(f"{name} called")
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)


def test_a_cached_run_detects_no_language_and_checks_no_unit_again(tmp_path, tiny_models, tiny_config, monkeypatch):
    out = tmp_path / "out"
    first = run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE))
    detect = Counted(monkeypatch, language, "detect_language")
    findings = Counted(monkeypatch, flags, "unit_findings")
    second = run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE))
    assert detect.calls == 0 and findings.calls == 0
    assert second.qa == first.qa and second.failures == first.failures
    assert (second.bundles["ru"] / "articles.jsonl").read_bytes() == (
        first.bundles["ru"] / "articles.jsonl"
    ).read_bytes()


def test_new_rules_check_everything_again(tmp_path, tiny_models, tiny_config, monkeypatch):
    """Remembered results are filed under the QA code's version: a new version redoes them."""
    out = tmp_path / "out"
    run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE))
    monkeypatch.setattr(screen, "rules_version", lambda: "a-newer-version")
    monkeypatch.setattr(translate, "rules_version", lambda: "a-newer-version")
    detect = Counted(monkeypatch, language, "detect_language")
    findings = Counted(monkeypatch, flags, "unit_findings")
    report = run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE))
    assert detect.calls == report.articles and findings.calls > 0


def test_skip_unchanged_builds_no_record(tmp_path, tiny_models, tiny_config, monkeypatch):
    out = tmp_path / "out"
    first = run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE))
    Counted(monkeypatch, publication, "build_records", refuse=True)
    Counted(monkeypatch, publication, "write_bundle", refuse=True)
    again = run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE, skip_unchanged=True))
    assert again.unchanged == {"ru": first.bundles["ru"]} and again.bundles == {}
    assert again.qa == first.qa  # the unchanged bundle's counts, for the summary and --fail-on-qa


def test_changed_settings_are_not_unchanged(tmp_path, tiny_models, tiny_config):
    """What records say beyond the model outputs (here: which QA flags send an article to review)
    is part of what --skip-unchanged compares."""
    out = tmp_path / "out"
    run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE))
    config = config_for(tiny_models, tiny_config, out, SEED_PAGE, skip_unchanged=True)
    again = run_job(config.model_copy(update={"review_flags": ["mojibake"]}))
    assert again.unchanged == {} and "ru" in again.bundles


@pytest.fixture
def edited_page(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(SEED_PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    return page


def test_unchanged_files_are_hard_links_to_the_previous_bundle(tmp_path, tiny_models, tiny_config, edited_page):
    out = tmp_path / "out"
    first = run_job(config_for(tiny_models, tiny_config, out, edited_page)).bundles["ru"]
    text = edited_page.read_text(encoding="utf-8")
    old = "China and Kazakhstan share a long tradition of friendship, Xi noted."
    assert old in text
    edited_page.write_text(text.replace(old, old.replace("long", "very long")), encoding="utf-8")
    second = run_job(config_for(tiny_models, tiny_config, out, edited_page, skip_unchanged=True)).bundles["ru"]

    def inode(path):
        return path.stat().st_ino

    before = sorted(p.name for p in (first / "articles").iterdir())
    names = sorted(p.name for p in (second / "articles").iterdir())
    assert names == before  # the edited article keeps its id (inputs.stories)
    new = [n for n in names if inode(second / "articles" / n) != inode(first / "articles" / n)]
    assert len(new) == 1 and new[0].startswith("xi-hails-uniqueness")  # only the edited one is written
    assert inode(second / "articles.jsonl") != inode(first / "articles.jsonl")
    assert verify_bundle(first) == [] and verify_bundle(second) == []


def test_a_damaged_previous_file_is_written_again_not_linked(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    first = run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE)).bundles["ru"]
    damaged = sorted((first / "articles").iterdir())[0]
    data = damaged.read_bytes()
    damaged.write_bytes(data[:-1] + (b"x" if data[-1:] != b"x" else b"y"))  # same size, other bytes
    second = run_job(config_for(tiny_models, tiny_config, out, SEED_PAGE)).bundles["ru"]
    fresh = second / "articles" / damaged.name
    assert fresh.read_bytes() == data and fresh.stat().st_ino != damaged.stat().st_ino
    assert verify_bundle(second) == []
