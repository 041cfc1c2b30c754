"""Real news pages read against human ground truth (benchmarks/pages.py; figures in docs/inputs.md).

Reads the 39 pages of tests/fixtures/pages (about 30 s). The floors are the first measurement
(recall 0.981, precision 0.970, titles 38/39), rounded down a little so that a new trafilatura
release does not fail it by one sentence; a change that reads real pages worse does.
"""

from __future__ import annotations

import pytest

from benchmarks.pages import PageChecks, check_pages, table

RECALL_FLOOR = 0.975
PRECISION_FLOOR = 0.965
TITLES_EXACT_FLOOR = 0.95


@pytest.fixture(scope="module")
def checks() -> PageChecks:
    return check_pages()


def test_sentence_recall_and_precision_hold_their_floors(checks: PageChecks, capsys: pytest.CaptureFixture) -> None:
    with capsys.disabled():  # the figures, for the log of every run
        print("\n" + table(checks))
    assert checks.pages == 39 and checks.score.refused == []
    assert checks.score.recall >= RECALL_FLOOR
    assert checks.score.precision >= PRECISION_FLOOR


def test_titles_are_the_pages_headlines(checks: PageChecks) -> None:
    assert checks.titles == checks.pages
    assert checks.titles_exact / checks.pages >= TITLES_EXACT_FLOOR, checks.wrong_titles


def test_no_headline_is_repeated_in_the_first_paragraphs(checks: PageChecks) -> None:
    assert checks.repeated_headlines == []


def test_no_implausible_byline_is_published(checks: PageChecks) -> None:
    assert checks.bylines > 0
    assert checks.implausible_bylines == []
