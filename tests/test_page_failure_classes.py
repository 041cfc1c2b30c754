"""The scorer's failure classes of titles and dates (benchmarks/pages.py --classes): counts only."""

from __future__ import annotations

import pytest

from benchmarks.pages import PageChecks, classes, date_class, title_class


@pytest.mark.parametrize(
    ("ours", "truths", "kind"),
    [
        ("", ["Harbour strike ends"], "none given"),
        ("Harbour Strike Ends!", ["Harbour strike ends"], "same words, other case or punctuation"),
        (
            "Harbour strike ends - Chronicle",
            ["Harbour strike ends"],
            "ours longer: the truth is a prefix or suffix of ours",
        ),
        (
            "Harbour strike ends",
            ["Harbour strike ends after pay deal"],
            "ours shorter: ours is a prefix or suffix of the truth",
        ),
        ("Strike", ["Harbour strike ends"], "one contains the other (not at an end)"),
        ("National Rail Enquiries", ["Rail replacement services"], "different text"),
    ],
)
def test_a_wrong_title_falls_in_one_class(ours: str, truths: list[str], kind: str) -> None:
    assert title_class(ours, truths) == kind


@pytest.mark.parametrize(
    ("ours", "expected", "kind"),
    [
        ("2022-05-04", "2022-05-03", "wrong: off by one day"),
        ("2022-03-01", "2022-02-28", "wrong: off by one day"),
        ("2022-03-05", "2022-05-03", "wrong: day and month swapped"),
        ("2021-05-03", "2022-05-03", "wrong: year differs"),
        ("2022-01-24", "2022-02-24", "wrong: month differs"),
        ("2022-05-03", "", "wrong: the truth has none"),
        ("2022-07-19", "2022-05-03", "wrong: other"),
    ],
)
def test_a_wrong_date_falls_in_one_class(ours: str, expected: str, kind: str) -> None:
    assert date_class(ours, expected) == kind


def test_the_classes_are_printed_as_counts_without_pages() -> None:
    checks = PageChecks(part="held-out")
    checks.title_classes["different text"] += 2
    checks.date_classes["wrong: off by one day"] += 1
    assert classes(checks).splitlines() == [
        "failure classes, part held-out (counts only):",
        "- title, different text: 2",
        "- date, wrong: off by one day: 1",
    ]
