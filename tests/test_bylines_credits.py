"""Bylines that credit more than the article's authors: an editor, a role with its
organization, a card of a place, a link's address cut into words, a link labelled "Text".

Shapes met on real pages of mozilla/readability's test set (Apache-2.0), written here by hand.
"""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from jobs.inputs.bylinemarks import marked_byline
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


def test_a_first_name_that_is_a_month_or_a_day_is_a_name() -> None:
    assert plausible_byline("April Glaser") == "April Glaser"
    assert plausible_byline("Juli Clover") == "Juli Clover"
    assert plausible_byline("By Jane Doe Thursday") == "Jane Doe"  # a day after the name is still cut


def _story_page(top: str = "", before: str = "", after: str = "", head: str = "") -> str:
    """A page whose site logo is an <h1> too, with blocks before and after the article."""
    return (
        f"<html><head><title>Port strike ends</title>{head}</head><body><header><h1 class='site-logo'>"
        f"<a href='/'>Harbour Times</a></h1></header>{before}<article><h1>Port strike ends</h1>{top}{STORY}"
        f"{STORY}</article>{after}</body></html>"
    )


def test_other_stories_authors_and_a_quoted_person_are_not_the_byline() -> None:
    """MacRumors' cards of other stories carry rel=author links, a teaser above the article a byline
    (Recode), a pull quote an "author" (National Geographic), a picture's caption a microdata author
    (Sports Illustrated)."""
    card = "<div class='card'><h3><a href='/x'>Other story</a></h3><p>by <a rel='author' href='/author/{0}'>{1}</a></p></div>"
    cards = card.format("sami-fathi", "Sami Fathi") + card.format("tim-hardwick", "Tim Hardwick")
    own = "<div class='byline'>by <a rel='author' href='/author/juli-clover/'>Juli Clover</a></div>"
    assert byline(_story_page(top=own, after=cards)) == "Juli Clover"
    teaser = "<h2><a href='/y'>Nintendo's first game</a></h2><div class='c-byline'>by <a href='/authors/ina-fried'>Ina Fried</a></div>"
    mine = "<div class='c-byline'>by <a href='/authors/april-glaser'>April Glaser</a></div>"
    assert byline(_story_page(top=mine, before=teaser)) == "April Glaser"
    quote = "<div class='pull-quote'><blockquote>I agree with my wife.</blockquote><span class='author'>Boris Kingma</span></div>"
    assert byline(_story_page(top=quote)) == ""
    caption = (
        "<figure><img src='a.jpg'><figcaption><p itemprop='author'><span>Greg Nelson</span></p></figcaption></figure>"
    )
    assert byline(_story_page(top=caption + "<p class='byline'>By Austin Murphy</p>")) == "Austin Murphy"


def test_a_byline_element_with_the_outlet_and_the_day_in_blocks_of_their_own() -> None:
    """Tribune Publishing's pages: the author, then the outlet the story comes from and its day."""
    for outlet in ("Washington Post", "NEW YORK DAILY NEWS"):
        marked = (
            f"<div class='article_byline'><div>By <span>Joe Davidson</span></div><div><div>{outlet}</div>"
            "<time>Dec 13, 2016 at 3:45 pm</time></div></div>"
        )
        assert byline(_story_page(top=marked)) == "Joe Davidson"


def test_a_meta_author_given_as_value_instead_of_content() -> None:
    """Vox Media's pages write `<meta name="author" value="April Glaser">`."""
    head = "<meta name='author' value='April Glaser'>"
    assert (
        byline(_story_page(head=head, top="<p>The FCC will now have a Republican majority, April Glaser writes.</p>"))
        == "April Glaser"
    )


def test_an_author_box_tagline_and_a_customer_testimonial_are_no_byline() -> None:
    """Hackernoon's author box: a handle, then the author's tagline in a block of its own; a shop's
    testimonial signed "Credaris-Kundin A.K.\""""
    box = "<div class='author'><div class='name'><a href='/@x'><strong>linksc</strong></a><p>Creating Search Engine API</p></div></div>"
    assert marked_byline(lxml_html.fromstring(_story_page(top=box))) == ()
    testimonial = "<div class='testimonial-author'><div class='testimonial-author-info'><div>Credaris-Kundin A.K.</div></div></div>"
    assert marked_byline(lxml_html.fromstring(_story_page(after=testimonial))) == ()


def test_contributors_the_page_credits_with_other_work_are_no_authors() -> None:
    """Refinery29's meta author lists the writer, the photographer, the models and the stylist."""
    head = "<meta name='author' content='Connie Wang,Sharokh Mirzai,Bethie Girmai,Paul Warren for Amika'>"
    shown = (
        "<div class='byline'>written by <span>Connie Wang</span></div><div class='other-contributors'>"
        "<span>Photographed by <span>Sharokh Mirzai</span></span>; <span>Styled by <span>Bethie Girmai</span></span>; "
        "<span>Hair by <span>Paul Warren for Amika</span></span></div>"
    )
    assert byline(_story_page(head=head, top=shown)) == "Connie Wang"


def test_the_sites_name_given_as_value_is_the_site_not_an_author() -> None:
    """`<meta name="og:site_name" value="Us Weekly">` and an author "Us Weekly Staff": a desk."""
    head = "<meta value='Us Weekly' name='og:site_name'><meta value='Us Weekly Staff' name='author'>"
    assert byline(_story_page(head=head, top="<p>By Us Weekly Staff</p>")) == ""


def test_text_a_reader_does_not_see_is_no_part_of_a_marked_byline() -> None:
    orcid = (
        "<a class='link-icon author-orcid-logo' href='https://orcid.org/0000'>"
        "<span class='title element-invisible'>View ORCID Profile</span></a>"
    )
    authors = (
        "<div class='authors'><span class='citation-author'>Jun Zhao</span>, "
        f"<span class='citation-author'>{orcid}<span>Elena</span> <span>Raupach</span></span></div>"
    )
    tree = lxml_html.fromstring(f"<html><body><h1>Port strike ends</h1>{authors}{STORY}</body></html>")
    assert marked_byline(tree) == ("Jun Zhao", "Elena Raupach")
    empty = "<div class='post-author'>01.12.2022 / Top Solar News <span class='author-name'></span></div>"
    tree = lxml_html.fromstring(f"<html><body><h1>Port strike ends</h1>{empty}{STORY}</body></html>")
    assert marked_byline(tree) == ()  # a byline left empty: the text beside it is no name


def test_a_by_word_written_twice() -> None:
    assert plausible_byline("By by JOSH HASKELL, DAVID CAPLAN and PATRICK REEVELL") == (
        "JOSH HASKELL; DAVID CAPLAN; PATRICK REEVELL"
    )
