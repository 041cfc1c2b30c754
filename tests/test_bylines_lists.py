"""Bylines whose structured data tells only part of the story: the page's fuller list of authors."""

from __future__ import annotations

import lxml.html

from jobs.inputs.bylinesigns import labelled_byline
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


SIGNED = "<p>{}</p>"


def test_a_bold_or_italic_name_closing_the_text_is_its_byline() -> None:
    for signed in ("<b><i>Tom Hardy</i></b>", "<strong>Tom Hardy</strong>", "<em>Tom Hardy</em>"):
        assert byline(page(bottom=SIGNED.format(signed))) == "Tom Hardy"


def test_a_closing_bold_line_that_is_no_name_or_not_the_last_is_no_byline() -> None:
    assert byline(page(bottom=SIGNED.format("<strong>Viel Spaß</strong>") + "<p>Wir wünschen viel Spaß</p>")) == ""
    assert byline(page(bottom="<p>Es hat viel Spaß gemacht.</p>" + SIGNED.format("<strong>Viel Spaß</strong>"))) == ""
    assert byline(page(bottom=SIGNED.format("<strong>Tom Hardy</strong>") + "<p>More from the port</p>")) == ""
    assert byline(page(bottom=SIGNED.format("<strong>Tom</strong> Hardy"))) == ""
    assert byline(page(after="<footer>" + SIGNED.format("<b>Tom Hardy</b>") + "</footer>")) == ""


def test_a_translator_beside_the_json_ld_author_in_the_marked_byline_is_no_author() -> None:
    marks = (
        "<div class='meta'><div class='postAuthor'><span class='label'>Von</span>: Maria Lopez</div>"
        "<div class='postAuthor'><span class='label'>Übersetzt von</span>: <span class='author'>Tom Hardy</span></div></div>"
    )
    assert byline(page(ONE, marks)) == "Maria Lopez"


def test_a_byline_label_element_before_the_name() -> None:
    assert (
        byline(page(top="<div><h5>Datum: </h5>03.11.2021 <br><h5>Autor: </h5>Tom Hardy/Agency<br></div>"))
        == "Tom Hardy"
    )
    assert byline(page(top="<p><strong>Text:</strong> Tom Hardy</p>")) == "Tom Hardy"
    two = "<div><b>Autor:</b> Tom Hardy</div><div><b>Autorin:</b> Ana Silva</div>"  # a record of several pieces
    assert labelled_byline(lxml.html.fromstring(page(bottom=two))) == ()
    assert byline(page(top="<div><b>Autor:</b> schreibt gern</div>")) == ""


def test_a_credit_for_other_work_after_a_byline_paragraph_is_cut() -> None:
    assert byline(page(top="<p><em>Text von Tom Hardy &nbsp; Illustration von Ana Silva</em></p>")) == "Tom Hardy"


def test_a_byline_label_among_a_books_data_is_no_byline() -> None:
    fields = "".join(
        f"<div><u>{label}: </u>{value}</div>"
        for label, value in (
            ("Titel", "The Port"),
            ("Seiten", "400 Seiten"),
            ("Autorin", "Tom Hardy"),
            ("Verlag", "Harbour"),
        )
    )
    assert labelled_byline(lxml.html.fromstring(page(bottom=f"<div>{fields}</div>"))) == ()


def test_a_name_above_the_signers_role_closing_the_text_is_its_byline() -> None:
    assert byline(page(bottom="<p>Tom Hardy<br> Bundesvorsitzender</p>")) == "Tom Hardy"
    long = "<p>Tom Hardy<br>Talks on the port's future go on next week at the town hall.</p>"
    assert byline(page(bottom=long)) == ""  # a line of text, not a role
    assert byline(page(bottom="<p>Tom Hardy<br>Bundesvorsitzender</p><p>More text.</p>")) == ""  # not the last
    assert byline(page(bottom="<p>Port Strike<br>Bundesvorsitzender</p>")) == ""  # "strike": a word of the text


def test_the_line_under_a_closing_name_must_name_a_role() -> None:
    assert byline(page(bottom="<p>Tom Hardy<br>Union-Bundesvorsitzender</p>")) == "Tom Hardy"
    assert byline(page(bottom="<p>Tom Hardy<br>Managing Editor</p>")) == "Tom Hardy"
    assert byline(page(bottom="<p>Related Articles<br>Budget</p>")) == ""  # a label, no role under it
    assert byline(page(bottom="<p>Live Ticker<br>Updates</p>")) == ""
    assert byline(page(bottom="<p>Best Regards<br>The Team</p>")) == ""  # a letter's closing formula
