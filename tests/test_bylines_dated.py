"""Bylines shown beside the headline without a mark: a line of the day and the author's name
(bylinesigns.dated_byline) and a label before line breaks."""

from __future__ import annotations

import pytest

from tests.test_bylines import STORY, byline, page


def dated(above: str = "", under: str = "", head: str = "") -> str:
    """An article page with `above` just before its headline and `under` just after it."""
    return (
        f"<html lang='de'><head><title>Port strike ends</title>{head}</head><body><article>"
        f"{above}<h1>Port strike ends</h1>{under}{STORY}{STORY}</article></body></html>"
    )


@pytest.mark.parametrize(
    ("above", "under"),
    [
        ("<small>04.02.2022 | 13:10 Uhr | Maria Lopez</small>", ""),
        (
            "<div class='timedata'>05.02.2020 <span>- Redaktion: Maria Lopez (Pressesprecherin)</span></div><div></div>",
            "",
        ),
        ("", "<div>Essay</div><div><span>25.10.2022 - Maria Lopez</span></div>"),
        ("", "<div class='meta'><span>Maria Lopez</span> | <time>April 13, 2020</time></div>"),
    ],
)
def test_a_line_of_the_day_and_a_name_beside_the_headline_is_its_byline(above: str, under: str) -> None:
    assert byline(dated(above, under)) == "Maria Lopez"


@pytest.mark.parametrize(
    "under",
    [
        "<div>Essay - Maria Lopez</div>",  # no day
        "<div>25.10.2022 - Redaktion</div>",  # a desk, no person
        "<div>25.10.2022 - Politik und Gesellschaft</div>",  # a section
        "<div>25.10.2022 - Maria Lopez - Tom Hardy</div>",  # two names: not a line of one author and the day
        "<div>25.10.2022 - Maria Lopez sagt</div>",  # words of a sentence
        STORY + STORY + "<div>25.10.2022 - Maria Lopez</div>",  # far below the headline
        "<nav><div>25.10.2022 - Maria Lopez</div></nav>",  # outside where a byline is looked for
        "<span>04. November 2021 | PAID CONTENT</span>",  # a label in capitals
        "<div><div class='story-tags'>Hafen Hamburg</div><div>02 Feb. 2022</div></div>",  # the story's topic
        "<h2>30.11. | Buch der Woche</h2><p>Das Buch der Woche</p>",  # words the page writes in lower case
        "<p>Junges Leben | 3</p>",  # a count, no day
    ],
)
def test_a_line_that_is_not_the_day_and_one_name_close_to_the_headline_is_none(under: str) -> None:
    assert byline(dated(under=under)) == ""


def test_a_byline_label_before_line_breaks_names_the_author_after_them() -> None:
    assert byline(page(bottom="<p><a href='mailto:x'><b>Von:</b> <br> <br> Maria Lopez</a></p>")) == "Maria Lopez"
    assert byline(page(bottom="<p><b>Von:</b> <br> <i>x</i> Maria Lopez</p>")) == ""
