"""Bylines whose structured data tells only part of the story: the page's fuller list of authors."""

from __future__ import annotations

from tests.test_bylines import byline, json_ld, page

ONE = json_ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Maria Lopez"}})


def test_a_marked_byline_listing_the_json_ld_author_and_more_gives_them_all() -> None:
    card = "<div class='meta author'><span class='vcard author'><span class='fn'>von Maria Lopez, Tom Hardy</span></span></div>"
    assert byline(page(ONE, card)) == "Maria Lopez; Tom Hardy"


def test_a_marked_byline_that_does_not_hold_the_json_ld_author_does_not_replace_it() -> None:
    card = "<p>By Maria Lopez</p><div class='byline'><span class='vcard'><span class='fn'>Tom Hardy, Ana Silva</span></span></div>"
    assert byline(page(ONE, card)) == "Maria Lopez"
    same = "<div class='byline'><span class='vcard'><span class='fn'>By Maria Lopez</span></span></div>"
    assert byline(page(ONE, same)) == "Maria Lopez"


def test_a_translator_beside_the_json_ld_author_in_the_marked_byline_is_no_author() -> None:
    marks = (
        "<div class='meta'><div class='postAuthor'><span class='label'>Von</span>: Maria Lopez</div>"
        "<div class='postAuthor'><span class='label'>Übersetzt von</span>: <span class='author'>Tom Hardy</span></div></div>"
    )
    assert byline(page(ONE, marks)) == "Maria Lopez"
