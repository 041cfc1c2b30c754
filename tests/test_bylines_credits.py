"""Bylines that credit more than the article's authors: an editor, a role with its
organization, a card of a place, a link's address cut into words, a link labelled "Text".

Shapes met on real pages of mozilla/readability's test set (Apache-2.0), written here by hand.
"""

from __future__ import annotations

import pytest

from jobs.inputs.bylines import byline_line, plausible_byline, without_byline_lines
from jobs.inputs.html import extract_page
from tests.test_bylines import STORY, byline, page


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Written by Rob Ewaschuk Edited by Betsy Beyer", "Rob Ewaschuk"),
        ("By Jane Doe. Photographs by John Roe", "Jane Doe"),
        ("Von Jane Doe, bearbeitet von John Roe", "Jane Doe"),
        ("Medically reviewed by John Roe", ""),
        ("Revised Edition Edited by Adrian Parr", ""),
        (
            "By Daniel Kahn Gillmor, Senior Staff Technologist, ACLU Speech, Privacy, and Technology Project",
            "Daniel Kahn Gillmor",
        ),
        ("By Jane Doe, a former diplomat, Acme Policy Institute", "Jane Doe"),
        # a role between two authors does not take the second one away
        ("By Jane Doe, Staff Writer, and John Roe, Correspondent", "Jane Doe; John Roe"),
        ("Jane Doe; John Roe", "Jane Doe; John Roe"),
        ("Jane Doe, John Roe and Max Muster", "Jane Doe; John Roe; Max Muster"),
        ("NASA Goddard", ""),
        ("Patricio Candia | Palma de Mallorca | 08/01/2014", "Patricio Candia"),
        ("Jane Doe | John Roe", "Jane Doe; John Roe"),
        ("Martin UNTERSINGER", "Martin UNTERSINGER"),
        ("JANE DOE", "JANE DOE"),
        ("J.R.R. Tolkien", "J.R.R. Tolkien"),
    ],
)
def test_only_the_authors_of_a_byline_that_credits_others_too(text: str, names: str) -> None:
    assert plausible_byline(text) == names


def test_a_label_word_opens_a_byline_in_the_text_only_with_its_colon() -> None:
    """ "Text Without Notes" is a link to the story without its notes; "Text: Jane Doe" is a byline."""
    assert byline_line("Text Without Notes Melville Web Links") == ""
    assert byline_line("Text: Jane Doe") == "Jane Doe"
    assert byline_line("Von Jane Doe") == "Jane Doe"


def test_an_editor_in_the_byline_element_is_no_author() -> None:
    marked = "<p class='byline author'>Written by Rob Ewaschuk<br>Edited by Betsy Beyer</p>"
    assert byline(page(top=marked)) == "Rob Ewaschuk"


def test_a_card_of_a_place_or_an_organization_names_no_author() -> None:
    """Wikipedia's infobox is an hCard (`.vcard .fn.org`) of the country the page is about."""
    infobox = (
        "<table class='infobox vcard'><tr><th><div class='fn org country-name'>New Zealand</div></th></tr></table>"
    )
    assert byline(page(top=infobox)) == ""
    place = "<div class='vcard'><span class='fn'>Harbour Hall</span>, Quay Street 3</div>"
    assert byline(page(bottom=place)) == ""
    author = "<span class='byline'><span class='vcard'><a class='url fn n' href='/a/ana'>Ana Silva</a></span></span>"
    assert byline(page(top=author)) == "Ana Silva"


def test_an_author_address_cut_into_words_is_no_byline() -> None:
    """trafilatura reads `<meta name=author content="Jane Doe (http://example.org/jdoe/)">` on a
    site named after its author as "Jane Doe http; Example Org; Jdoe": the site's address, in words,
    is no person."""
    html = (
        "<html><head><title>On events - Bradley Kuhn (bkuhn)</title>"
        "<meta name='author' content='Bradley Kuhn (http://ebb.org/bkuhn/)'>"
        "<meta property='og:site_name' content='Bradley Kuhn (bkuhn)'></head><body><div id='post'>"
        f"<h1>On events</h1><p>Tuesday 15 October 2019 by Bradley Kuhn</p>{STORY}{STORY}"
        "<p>Mail <a href='http://ebb.org/bkuhn/'>ebb.org</a></p></div></body></html>"
    )
    assert byline(html) == ""


def test_a_byline_line_is_the_articles_byline_not_a_paragraph_of_its_text() -> None:
    """ "By Jane Doe" at the top of the text was published, translated and summarized as the
    story's first paragraph; a byline in another language with the author's desk in parentheses too."""
    for top, name in (
        ("<p>By Jane Doe</p>", "Jane Doe"),
        ("<p>Autori:Anna Ūdre(LTV Ziņu dienesta ārzemju ziņu redaktore)</p>", "Anna Ūdre"),
        ("<p>Autor: Anna Udre (LTV)</p>", "Anna Udre"),
    ):
        read = extract_page(page(top=top))
        assert read.byline == name
        assert read.paragraphs[0].startswith("Dock workers ended their strike")
    # a sentence naming the author stays, and so does a byline-shaped line inside the story
    said = extract_page(page(top="<p>By Thursday, Jane Doe said, the strike was over.</p>"))
    assert said.paragraphs[0].startswith("By Thursday")
    story = ["The union met the port authority twice before the vote was called."] * 4
    assert without_byline_lines([*story[:3], "By Jane Doe", *story]) == [*story[:3], "By Jane Doe", *story]
    assert without_byline_lines(["By Jane Doe", *story, "Von Jane Doe"]) == story
