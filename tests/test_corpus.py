"""Real pages read against ground truth (benchmarks/pages.py; figures in docs/inputs.md).

Reads the tune part of tests/fixtures/pages (225 pages, a few minutes). The floors are the
measurement of 2026-12-03 rounded down a little, so that a new trafilatura release does not fail
it by one sentence; a change that reads real pages worse does. The held-out part is measured by
`python -m benchmarks.pages --part held-out` and never tuned on.
"""

from __future__ import annotations

import pytest

from benchmarks.pages import PageChecks, check_pages, table

RECALL_FLOOR = 0.93
PRECISION_FLOOR = 0.97
TITLES_EXACT_FLOOR = 0.75
MAX_WRONG_BYLINES = 3
MAX_REFUSED = 5


@pytest.fixture(scope="module")
def checks() -> PageChecks:
    return check_pages(part="tune")


def test_sentence_recall_and_precision_hold_their_floors(checks: PageChecks, capsys: pytest.CaptureFixture) -> None:
    with capsys.disabled():  # the figures, for the log of every run
        print("\n" + table(checks))
    assert checks.pages == 225 and len(checks.score.refused) <= MAX_REFUSED
    assert checks.score.recall >= RECALL_FLOOR
    assert checks.score.precision >= PRECISION_FLOOR


def test_titles_are_the_pages_headlines(checks: PageChecks) -> None:
    assert checks.titles_exact / checks.titles_total >= TITLES_EXACT_FLOOR, checks.wrong_titles


def test_no_headline_is_repeated_and_bylines_are_names(checks: PageChecks) -> None:
    assert checks.repeated_headlines == []
    assert checks.implausible_bylines == []
    assert checks.bylines.wrong <= MAX_WRONG_BYLINES, checks.bylines.misses
