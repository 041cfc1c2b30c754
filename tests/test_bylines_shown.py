"""Bylines and what the reader sees: a name is published only where the page shows it as this
article's, not in hidden markup, in lists of other stories, in sidebars or on other stories' cards.

One small hand-written page per mechanism (tests/test_bylines.py has the others).
"""

from __future__ import annotations

from jobs.inputs.bylines import byline_in_text, byline_line, plausible_byline
from jobs.inputs.pagemeta import PageMeta, page_meta
from jobs.inputs.visibletext import shown_on_page
from tests.test_bylines import STORY, byline, json_ld, page


def meta_of(html: str) -> PageMeta:
    from lxml import html as lxml_html

    return page_meta(lxml_html.fromstring(html))


AUTHOR = json_ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Henry Tauber"}})


def test_a_name_only_in_hidden_markup_is_not_shown() -> None:
    """Themes print the author for search engines in hidden elements: the reader sees no byline."""
    for hidden in (
        "<div style='display: none'><span class='fn'>Henry Tauber</span></div>",
        "<span class='vcard rich-snippet-hidden'><span class='fn'>Henry Tauber</span></span>",
        "<span class='hidden'>Henry Tauber</span>",
        "<span hidden>Henry Tauber</span>",
    ):
        assert byline(page(AUTHOR, hidden)) == ""
    # classes that hide something else, or hide on some screens only, and <body>'s layout classes
    for shown in (
        "<div class='field field-label-hidden'>Henry Tauber</div>",
        "<div class='overflow-hidden'>Henry Tauber</div>",
    ):
        assert byline(page(AUTHOR, shown)) == "Henry Tauber"
    assert byline(page(AUTHOR, "<p>Henry Tauber</p>", body_class="breadcrumb-mobile-hidden hidden")) == "Henry Tauber"


def test_a_name_only_in_a_list_of_other_stories_or_a_sidebar_is_not_shown() -> None:
    """The author of a related story, a teaser in a listing, a blogroll's link."""
    for other in (
        "<div class='relatedArticle'><p><span class='author'>Par Henry Tauber</span></p></div>",
        "<div class='article-listing'><a href='/x'>Other story <span>Von Henry Tauber am 08.12.2022</span></a></div>",
        "<ul class='xoxo blogroll'><li><a href='https://example.net'>Henry Tauber</a></li></ul>",
        "<div id='sidebar'><p>Henry Tauber</p></div>",
    ):
        assert byline(page(AUTHOR, after=other)) == ""
        assert not shown_on_page("Henry Tauber", meta_of(page(after=other)).visible)


def test_an_author_box_in_a_sidebar_and_a_frame_with_layout_classes_are_shown() -> None:
    box = "<section id='sidebar'><aside class='author-meta'><a href='/a/henry'>Henry Tauber</a></aside></section>"
    assert byline(page(AUTHOR, after=box)) == "Henry Tauber"
    framed = (
        "<html><head><title>Port strike ends</title></head><body><div class='layout sidebar-right has-recommendations'>"
        f"<article class='category-popular-posts'><h1>Port strike ends</h1><p>Von Henry Tauber</p>{STORY}{STORY}"
        "</article></div></body></html>"
    )
    assert byline(framed) == "Henry Tauber"


def test_microdata_authors_of_other_stories_cards_are_left_out() -> None:
    """A blog post's page lists other posts as cards, each with its microdata author."""

    def card(title: str, name: str, heading: str = "h2", text: str = "") -> str:
        return (
            f"<article itemscope itemtype='https://schema.org/BlogPosting'><{heading} itemprop='headline'>{title}"
            f"</{heading}><span class='author vcard' itemprop='author'>by <a class='url fn n' href='/a/{name}'>"
            f"{name}</a></span>{text}</article>"
        )

    html = (
        "<html><head><title>Port strike ends</title></head><body>"
        f"{card('Port strike ends', 'Jake Goulding', 'h1', STORY + STORY)}"
        f"<div class='more'>{card('Other post', 'Emma Bostian')}{card('Third post', 'Ben Popper')}</div></body></html>"
    )
    assert byline(html) == "Jake Goulding"


def test_soft_hyphens_inside_a_name() -> None:
    """Pages hyphenate names for line breaks with invisible soft hyphens: "Mat\\xadthi\\xadas"."""
    assert byline_line("Von Mat\xadthi\xadas Lauerer") == "Matthias Lauerer"
    assert plausible_byline("Mat\u00adthi\u00adas Lauerer") == "Matthias Lauerer"
    assert shown_on_page(
        "Matthias Lauerer", meta_of("<html><body><p>Von Mat\xadthi\xadas Lauerer</p></body></html>").visible
    )


def test_an_author_field_of_a_record_in_the_text_is_no_byline() -> None:
    """A book's data in a review ("Titel:", "Autorin:", "Verlag:") names the book's author."""
    record = ["Text of the review.", "Seiten: 400 Seiten", "Autorin: Alys Arden", "Verlag: Fortheartofit"]
    assert byline_in_text(record) == ""
    book = ["Text of the review.", "Setz dich in Bewegung", "von Jane Doe und John Roe", "192 Seiten, 39,90 Euro"]
    assert byline_in_text(book) == ""
    assert byline_in_text(["A Field Guide", "By Jane Doe", "ISBN 978-3-16-148410-0"]) == ""
    credits = ["(wird fortgesetzt)", "Text: Klausmartin Friedrich", "Fotos: Helmut Elstrodt, Frank Jäger"]
    assert byline_in_text(credits) == "Klausmartin Friedrich"


def test_a_meta_author_naming_the_outlet_does_not_hide_the_author_link() -> None:
    head = "<meta name='author' content='Die Furche'>"
    top = "<div class='article-authors'>von <a rel='author' href='/autor/ursula-baatz-1270'>Ursula Baatz</a></div>"
    assert byline(page(head, top)) == "Ursula Baatz"


def test_an_aside_holding_only_the_authors_box_is_shown() -> None:
    box = "<aside><section class='author'><img alt='Autor-Avatar'><span class='author-name'>Henry Tauber</span></section></aside>"
    assert byline(page(AUTHOR, box)) == "Henry Tauber"
    teaser = (
        "<aside><h2><a href='/other'>Storm leaves one dead</a></h2><span class='author'>Henry Tauber</span></aside>"
    )
    assert byline(page(AUTHOR, teaser)) == ""


def test_quotes_around_a_byline_are_no_part_of_the_names() -> None:
    assert plausible_byline("'Luana Patriolino, Raphael Felice'") == "Luana Patriolino; Raphael Felice"
    assert plausible_byline("«Jane Doe»") == "Jane Doe"
    assert plausible_byline("John O'Neill") == "John O'Neill"


def test_a_page_opening_with_a_server_warning_shows_its_byline() -> None:
    """Text printed above <!DOCTYPE> (a PHP warning) leaves the parsed page without a <body>."""
    warning = "<br />\n<b>Warning</b>: mysql_connect() failed in <b>/www/plugin.php</b><br />\n<!DOCTYPE html>\n"
    document = (
        "<html><head><title>Quarantine List</title><meta name='author' content='Jane Doe'></head><body><article>"
        "<header><a href='/author/janed/' rel='author'>Jane Doe</a></header><p>Text of the story.</p>"
        "</article></body></html>"
    )
    visible = meta_of(warning + document).visible
    assert shown_on_page("Jane Doe", visible)
    assert not shown_on_page("Quarantine List", visible)  # the <head>'s title is not the page's text


def test_a_page_opening_with_a_server_warning_keeps_its_byline_marks() -> None:
    """Without a <body> (text above <!DOCTYPE>), byline markup is looked for in the whole document."""
    from lxml import html as lxml_html

    from jobs.inputs.bylinemarks import marked_byline

    warning = "<br />\n<b>Warning</b>: mysql_connect() failed in <b>/www/plugin.php</b><br />\n<!DOCTYPE html>\n"
    marked = page(top="<div class='byline'>By Jane Doe</div>")
    assert lxml_html.fromstring(warning + marked).xpath("//body") == []
    assert marked_byline(lxml_html.fromstring(marked)) == ("Jane Doe",)
    assert marked_byline(lxml_html.fromstring(warning + marked)) == ("Jane Doe",)


def test_a_meta_author_naming_the_outlet_gives_way_to_a_byline_marked_under_the_headline() -> None:
    head = "<meta name='author' content='Port Times'>"
    top = "<p class='autorenzeile'>Von Anna Berger und Jonas Vogt, NDR</p>"
    assert byline(page(head, top)) == "Anna Berger; Jonas Vogt"
    teaser = (
        "<div class='media-box'><h3>Storm leaves one dead</h3><span class='box__autor'>Anna Berger, NDR</span></div>"
    )
    assert byline(page(head, bottom=teaser)) == ""  # far below the headline: another story's card


def test_a_byline_shown_without_marks_close_under_the_headline() -> None:
    line = "<div class='meta'>Ein Artikel von <strong>Pamela Berger</strong> | 27.01.2022 - 12:45</div>"
    assert byline(page(top=line)) == "Pamela Berger"
    assert byline(page(bottom=line)) == ""  # below the story: no byline of it
    sentence = "<p>Von Pamela Berger stammt die Idee, den Hafen nachts zu öffnen.</p>"
    assert byline(page(top=sentence)) == ""


def test_a_byline_element_of_a_newsroom_system() -> None:
    assert byline(page(top="<byline>Von Anna Berger, dpa</byline>")) == "Anna Berger"


def test_a_teaser_class_on_the_element_holding_the_headline_is_no_other_story() -> None:
    top = (
        "<div class='module module-imageTeaser'><h1>Port strike ends</h1><span class='author'>Anna Berger</span></div>"
    )
    html = f"<html><head><title>Port strike ends</title></head><body><main>{top}{STORY}{STORY}</main></body></html>"
    assert byline(html) == "Anna Berger"
    teaser = "<div class='teaser'><h2>Storm leaves one dead</h2><span class='author'>Jonas Vogt</span></div>"
    assert meta_of(page(bottom=teaser)).authors == ()  # a teaser of another story below it


def test_a_meta_author_listing_more_of_the_shown_authors_is_taken() -> None:
    head = "<meta name='author' content='Anna Berger'><meta name='byl' content='By Anna Berger and Jonas Vogt'>"
    assert byline(page(head, "<p class='credits'>By Anna Berger and Jonas Vogt</p>")) == "Anna Berger; Jonas Vogt"
    other = "<meta name='author' content='Anna Berger'><meta name='byl' content='Jonas Vogt'>"
    assert byline(page(other, "<p class='credits'>By Anna Berger and Jonas Vogt</p>")) == "Anna Berger"


def test_a_name_in_parentheses_closing_the_text_is_its_byline() -> None:
    closing = ["The port reopened on Friday.", "Talks go on next week. (Jane Doe) +++"]
    assert byline_in_text(closing) == "Jane Doe"
    assert byline_in_text(["The port reopened.", "Talks go on. (Jane Doe)"]) == "Jane Doe"
    assert byline_in_text(["Talks go on. (Jane Doe)", "The port reopened."]) == ""  # not the last paragraph
    assert byline_in_text(["„We will manage.“ (Jane Doe)"]) == ""  # a quotation's speaker
    assert byline_in_text(["Talks go on. (Foto: Jane Doe)"]) == ""
    assert byline_in_text(["Talks go on. (dpa)"]) == ""
    assert byline_in_text(["Talks go on. (Jane Doe, Port Authority)"]) == ""


def test_a_closing_name_the_text_speaks_of_or_writes_in_lower_case_is_no_byline() -> None:
    text = ["Mayor Ann Smith said the port would reopen; see the full story of the strike here."]
    assert byline_in_text([*text, "Talks go on. (Jane Doe)"]) == "Jane Doe"
    assert byline_in_text([*text, "Talks go on. (Ann Smith)"]) == ""  # a person of the story
    assert byline_in_text([*text, "Talks go on. (Full Story)"]) == ""  # words of the language
    assert byline_in_text([*text, "Talks go on. (See Also)"]) == ""
