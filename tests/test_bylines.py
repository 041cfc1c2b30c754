"""Bylines of article pages: who the page says wrote it, from its structured data and its text.

One small hand-written page per mechanism: JSON-LD authors (a string, a list, a Person, an @id
reference into an @graph), meta tags, rel=author links, hCard and microdata, a byline paragraph in
the text; commenters, teasers of other stories and names the page never shows give no byline.
"""

from __future__ import annotations

import json

import pytest

from jobs.inputs.bylines import byline_in_text, byline_line, plausible_byline
from jobs.inputs.html import extract_page
from jobs.inputs.pageauthors import shown_on_page
from jobs.inputs.pagemeta import PageMeta, page_meta

STORY = "<p>" + "Dock workers ended their strike on Thursday after the port agreed to a new pay deal. " * 8 + "</p>"


def page(head: str = "", top: str = "", bottom: str = "", after: str = "") -> str:
    """An article page: `head` in <head>, `top` above the story, `bottom` below it inside
    <article>, `after` after the article (comments, teasers of other stories)."""
    return (
        f"<html lang='en'><head><title>Port strike ends</title>{head}</head><body>"
        f"<article><h1>Port strike ends</h1>{top}{STORY}{STORY}{bottom}</article>{after}</body></html>"
    )


def json_ld(data: object) -> str:
    return f"<script type='application/ld+json'>{json.dumps(data)}</script>"


def byline(html: str) -> str:
    return extract_page(html).byline


def test_json_ld_author_as_a_string_a_person_or_a_list() -> None:
    for author in (
        "Maria Lopez",
        {"@type": "Person", "name": "Maria Lopez"},
        [{"@type": "Person", "name": "Maria Lopez"}, "Tom Hardy"],
    ):
        html = page(json_ld({"@type": "NewsArticle", "author": author}), "<p>By Maria Lopez and Tom Hardy</p>")
        expected = "Maria Lopez; Tom Hardy" if isinstance(author, list) else "Maria Lopez"
        assert byline(html) == expected


def test_json_ld_author_given_as_an_id_in_a_graph_is_looked_up() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Organization", "@id": "https://example.org/#org", "name": "Harbour Times"},
            {"@type": "Article", "author": {"@id": "https://example.org/#/person/1"}},
            {"@type": ["Person", "Organization"], "@id": "https://example.org/#/person/1", "name": "Ana Silva"},
        ],
    }
    assert byline(page(json_ld(graph), "<p class='meta'>Ana Silva, 3 May 2024</p>")) == "Ana Silva"


def test_an_organization_as_author_gives_no_byline_unless_the_text_names_a_person() -> None:
    head = json_ld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": "HT"}})
    assert byline(page(head, "<div class='author'>Harbour Times Staff</div>")) == ""
    assert byline(page(head, bottom="<p>Von Cosima Künzel</p>")) == "Cosima Künzel"


@pytest.mark.parametrize(
    "tag",
    [
        "<meta name='author' content='Maria Lopez'>",
        "<meta property='article:author' content='Maria Lopez'>",
        "<meta name='parsely-author' content='Maria Lopez'>",
        "<meta name='DC.creator' content='Maria Lopez'>",
    ],
)
def test_meta_authors(tag: str) -> None:
    assert byline(page(tag, "<p>Maria Lopez</p>")) == "Maria Lopez"


def test_rel_author_hcard_and_microdata() -> None:
    assert byline(page(top="<p>Words: <a rel='author' href='/people/ana'>Ana Silva</a></p>")) == "Ana Silva"
    assert byline(page(top="<p class='vcard'>By <span class='fn'>Ana Silva</span></p>")) == "Ana Silva"
    microdata = (
        "<span itemprop='author' itemscope itemtype='https://schema.org/Person'>"
        "<meta itemprop='name' content='Ana Silva'></span><p>Text: Ana Silva</p>"
    )
    assert byline(page(top=microdata)) == "Ana Silva"


def test_a_commenter_is_no_author() -> None:
    comments = (
        "<ol class='comment-list'><li class='comment'><div class='comment-author vcard'>"
        "<b class='fn'>Harm Otten</b> says:</div><p>Great piece, thanks.</p>"
        "<a rel='author' href='/u/harm'>Harm Otten</a></li></ol>"
    )
    assert byline(page(after=comments)) == ""


def test_a_name_the_page_never_shows_is_not_published() -> None:
    """A CMS account in the structured data only (the web editor who posted a press release)."""
    head = json_ld({"@type": "BlogPosting", "author": {"@type": "Person", "name": "Henry Tauber"}})
    assert byline(page(head)) == ""
    assert byline(page(head, "<p class='byline'>Henry Tauber</p>")) == "Henry Tauber"


def test_a_teaser_of_another_story_gives_no_byline() -> None:
    teaser = (
        "<aside><h2><a href='/other'>Storm leaves one dead</a></h2><span class='author'>Valeria Piantoni</span></aside>"
    )
    assert byline(page(after=teaser)) == ""


def test_visible_by_line_with_several_authors() -> None:
    assert byline(page(top="<p class='byline'>By Aisha Khan and John O'Neill, Staff Writers</p>")) == (
        "Aisha Khan; John O'Neill"
    )


def test_structured_names_are_found_among_the_visible_words() -> None:
    meta = page_meta_of("<p>Von GIAMPIERO MAGGIO, Torino</p><p>责任编辑：孔德明</p>")
    assert shown_on_page("Giampiero Maggio", meta.visible)
    assert shown_on_page("孔德明", meta.visible)
    assert not shown_on_page("Giampiero Rossi", meta.visible)
    assert not shown_on_page("", meta.visible)


def page_meta_of(body: str) -> PageMeta:
    from lxml import html as lxml_html

    return page_meta(lxml_html.fromstring(f"<html><body>{body}</body></html>"))


@pytest.mark.parametrize(
    ("paragraph", "names"),
    [
        ("Von Cosima Künzel", "Cosima Künzel"),
        ("Autoren Jelko Djuren und Jutta Klaukien", "Jelko Djuren; Jutta Klaukien"),
        ("By Aisha Khan and John O'Neill", "Aisha Khan; John O'Neill"),
        ("作者：王小明", "王小明"),
        ("Von Berlin nach Hamburg", ""),  # a sentence, not a byline
        ("By Jane Doe, Staff Writer", ""),  # a role to strip: not a byline paragraph and nothing else
        ("Jane Doe", ""),  # no byline word
    ],
)
def test_a_byline_paragraph_is_a_byline_word_and_names_only(paragraph: str, names: str) -> None:
    assert byline_line(paragraph) == names


def test_byline_paragraphs_that_disagree_give_none() -> None:
    assert byline_in_text(["Text.", "Von Jan Kupitz", "More text.", "Von Jan Kupitz"]) == "Jan Kupitz"
    assert byline_in_text(["Von Jan Kupitz", "Text.", "Von Anna Berg"]) == ""


@pytest.mark.parametrize(
    ("written", "names"),
    [
        ("孔德明", "孔德明"),  # a Chinese name: one token, no spaces
        ("责任编辑：孔德明", "孔德明"),
        ("新华社", ""),  # Xinhua, an agency
        ("记者 王小明", "王小明"),
        ("Revamp-It Webteam", ""),  # a desk: a compound of team
        ("Sportredaktion", ""),
        ("Jane Doe; Onlineredaktion", "Jane Doe"),
        # roles, outlets, datelines, dates, handles and buttons around a name
        ("Jane Doe, The Associated Press", "Jane Doe"),
        ("Jane Doe and John Roe, The Washington Post", "Jane Doe; John Roe"),
        ("The Guardian", ""),
        ("La Repubblica", ""),
        ("Oberösterreichische Nachrichten; Claudia Riedler", "Claudia Riedler"),
        ("Jane Doe jane.doe@example.com", "Jane Doe"),
        ("Jane Doe (@janedoe)", "Jane Doe"),
        ("Jane Doe (AP)", "Jane Doe"),
        ("Jane Doe in Berlin", "Jane Doe"),
        ("Von Jane Doe, Berlin", "Jane Doe"),
        ("Jane Doe May 3, 2022", "Jane Doe"),
        ("Jane Doe 12. Mai 2022", "Jane Doe"),
        ("Jane Doe • 5 min read", "Jane Doe"),
        ("Jane Doe View Profile", "Jane Doe"),
        ("Senior Reporter Jane Doe", "Jane Doe"),
        ("Korrespondentin Jane Doe", "Jane Doe"),
        ("Jane Doe Redakteurin", "Jane Doe"),
        ("Ein Kommentar von Jane Doe", "Jane Doe"),
        ("Jane Doe, with reporting by John Roe", "Jane Doe; John Roe"),
        ("Jane Doe mit Material von dpa", "Jane Doe"),
        ("Foto: Jane Doe", ""),  # a picture's credit
        ("Text: Jane Doe, Fotos: John Roe", "Jane Doe"),
        ("Jane Doe Photo: John Roe", "Jane Doe"),
        # names stay whole
        ("Leonardo da Vinci", "Leonardo da Vinci"),
        ("Christoph von Eichhorn", "Christoph von Eichhorn"),
        ("Abu al-Hassan", "Abu al-Hassan"),
        ("María José García-López", "María José García-López"),
        ("Sinéad O’Connor", "Sinéad O’Connor"),
    ],
)
def test_name_model(written: str, names: str) -> None:
    assert plausible_byline(written) == names
