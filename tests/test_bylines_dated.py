"""Bylines shown without a mark or where the page's meta author names nobody it shows: a line of the
day and the author's name beside the headline (bylinesigns.dated_byline), a label before line
breaks or in a signature, a joint credit for the text and the pictures."""

from __future__ import annotations

import pytest

from jobs.inputs.bylines import plausible_byline
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


def test_an_empty_h1_is_not_the_headline_a_dated_line_stands_by() -> None:
    site = f"<div class='site'><h1><a href='/'><img src='/logo.png'></a></h1>{STORY}</div>"
    html = dated(above="<div>05.02.2020 - Maria Lopez</div><div></div>")
    assert byline(html.replace("<body>", f"<body>{site}")) == "Maria Lopez"


def test_a_signature_after_a_byline_label_names_the_author_before_her_role() -> None:
    signed = "<p><strong>Autorin: Maria Lopez, Projektleiterin in Tunis.</strong></p>"
    assert byline(page(bottom=signed)) == "Maria Lopez"
    assert byline(page(bottom="<p><strong>Quelle: Maria Lopez, Projektleiterin in Tunis.</strong></p>")) == ""
    assert byline(page(bottom="<p><strong>Autorin: Maria Lopez sagt danke</strong></p>")) == ""


OUTLET = "<meta name='author' content='Hafen-Stiftung e.V.'>"


def test_a_signature_counts_where_the_meta_author_names_the_outlet() -> None:
    assert byline(page(OUTLET, bottom="<p><strong>Maria Lopez</strong></p>")) == "Maria Lopez"


def test_a_meta_author_the_page_never_shows_gives_way_to_its_byline() -> None:
    assert byline(
        dated(under="<div>25.10.2022 - Maria Lopez</div>", head="<meta name='author' content='Tom Hardy'>")
    ) == ("Maria Lopez")


def test_a_joint_credit_for_text_and_pictures_names_the_author() -> None:
    assert plausible_byline("Text & Fotos: Maria Lopez") == "Maria Lopez"
    assert plausible_byline("Fotos: Maria Lopez") == ""
    marked = (
        "<table><tr><td>26 | 01 | 2022</td><td class='author'><b>Text &amp; Fotos:</b> Maria Lopez</td></tr></table>"
    )
    assert byline(dated(above=marked, head=OUTLET)) == "Maria Lopez"  # a mark just above the headline


def test_a_kicker_in_an_element_of_its_own_before_the_name_of_a_dated_line_is_left_out() -> None:
    trending = "<div class='meta'><span class='trending'>yas!</span> <span>Maria Lopez</span> | <time>April 13, 2020</time></div>"
    assert byline(dated(under=trending)) == "Maria Lopez"
    unmarked = "<div class='meta'><span>yas!</span> <span>Maria Lopez</span> | <time>April 13, 2020</time></div>"
    assert byline(dated(under=unmarked)) == ""
