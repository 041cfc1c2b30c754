"""Bylines of article pages: who the page says wrote it, from its structured data and its text.

One small hand-written page per mechanism: JSON-LD authors (a string, a list, a Person, an @id
reference into an @graph), meta tags, rel=author links, hCard and microdata, a byline paragraph in
the text; commenters, teasers of other stories and names the page never shows give no byline.
"""

from __future__ import annotations

import gzip
import json

import pytest

from jobs.inputs.bylinemarks import marked_byline
from jobs.inputs.bylines import byline_in_text, byline_line, plausible_byline
from jobs.inputs.html import extract_page
from jobs.inputs.pagemeta import PageMeta, page_meta
from jobs.inputs.visibletext import shown_on_page

STORY = "<p>" + "Dock workers ended their strike on Thursday after the port agreed to a new pay deal. " * 8 + "</p>"


def page(head: str = "", top: str = "", bottom: str = "", after: str = "", body_class: str = "") -> str:
    """An article page: `head` in <head>, `top` above the story, `bottom` below it inside
    <article>, `after` after the article (comments, teasers of other stories); `body_class`: the
    <body>'s classes."""
    return (
        f"<html lang='en'><head><title>Port strike ends</title>{head}</head><body class='{body_class}'>"
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
        ("Blog Beitrag von Jane Doe", "Jane Doe"),  # lead words before the byline word
        ("Autor: Rechtsanwalt Jane Doe", "Jane Doe"),  # a role before the name
        ("It was written by Jane Doe", ""),  # a sentence
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
        ("Jan van der Berg", "Jan van der Berg"),
        ("JANE DOE", "JANE DOE"),  # a byline in capitals: the scorer and readers fold case
        # what goes before a "by" that is no name
        ("Posted on September 21, 2020 by Jane Doe", "Jane Doe"),
        ("Zeige alle Beiträge von Jane Doe", "Jane Doe"),
        ("Erstellt von Jane Doe", "Jane Doe"),
        ("Auteur Jane Doe", "Jane Doe"),
        ("Von FOCUS-Online-Experte Jane Doe", "Jane Doe"),  # a compound role
        ("Rechtsanwalt Jane Doe", "Jane Doe"),
        ("Jane Doe Stand: 03.04.2020", "Jane Doe"),
        ("Jane Doe/SP-X", "Jane Doe"),  # an agency after a slash
        ("Jane Doe And John Roe For The Mail On Sunday", "Jane Doe; John Roe"),
        ("Ann Doe, Bob Roe, and Cid Poe", "Ann Doe; Bob Roe; Cid Poe"),  # a serial comma
        ("Ana Paz, Rocío Latorre y José Miguel Wilson", "Ana Paz; Rocío Latorre; José Miguel Wilson"),
        # desks, institutions, translators, labels and phrases are no persons
        ("Deutsches Rotes Kreuz", ""),
        ("Besserwisser eG", ""),
        ("Übersetzung Jane Doe", ""),
        ("Nombre del", ""),  # a name does not end with a particle
        ("ICB-Projektleiter. Seit", ""),
        ("Rezept von Zum Profil", ""),
    ],
)
def test_name_model(written: str, names: str) -> None:
    assert plausible_byline(written) == names


# ------------------------------------------------------------------ bylines shown in the markup only


@pytest.mark.parametrize(
    "shown",
    [
        "<div class='article__byline'>By Jane Doe | May 3, 2024</div>",
        "<span class='article_author-name'><a href='/x'>Jane Doe</a></span>",
        "<div data-testid='prism-byline'><span>By</span> <span>Jane Doe</span></div>",
        "<div class='field--name-field-tag-author'>Jane Doe</div>",
        "<address>Von Jane Doe</address>",
        "<div class='gallery--page-meta--author'>Posted on September 21, 2020 by Jane Doe</div>",
    ],
)
def test_an_element_marked_as_byline(shown: str) -> None:
    assert byline(page(top=shown)) == "Jane Doe"


@pytest.mark.parametrize(
    "link",
    [
        "<a href='/auteur/jane-doe-187'>Jane Doe</a>",
        "<a href='https://example.org/about/newsteam/jane-doe'>Jane Doe</a>",
        "<a href='/profil/es_detail/A7M7/jane-doe?cHash=9a6'>Jane Doe</a>",
        "<a href='/by/jane-doe'>JANE DOE</a>",
    ],
)
def test_a_link_to_the_authors_profile_page_whose_address_holds_the_name(link: str) -> None:
    assert byline(page(top=f"<p>{link}</p>")).casefold() == "jane doe"


def test_links_that_are_no_byline() -> None:
    assert byline(page(top="<p><a href='/tag/jane-doe'>Jane Doe</a></p>")) == ""  # a topic page
    assert byline(page(top="<p><a href='/author/john-roe'>Jane Doe</a></p>")) == ""  # address and text disagree
    assert byline(page(top="<p><a href='/author/jane-doe'>All posts</a></p>")) == ""


def test_several_authors_each_in_a_link() -> None:
    shown = "<p class='meta'>By <a href='/author/jane-doe'>Jane Doe</a> and <a href='/author/john-roe'>John Roe</a></p>"
    assert byline(page(top=shown)) == "Jane Doe; John Roe"


def test_credits_and_other_stories_in_the_markup_are_no_byline() -> None:
    from lxml import html as lxml_html

    for shown in (
        "<p>Picture: <a class='license-author' href='/f'><span class='author-name'>Jane Doe</span></a></p>",
        "<div class='related-stories'><h3>More</h3><span class='author'>Jane Doe</span></div>",
        "<figure><img src='a.jpg'><figcaption><span class='author'>Jane Doe</span></figcaption></figure>",
        "<aside><a href='/author/jane-doe'>Jane Doe</a></aside>",
        "<ul class='news-list'><li><span class='news-list-author'>Jane Doe</span></li></ul>",
    ):
        assert marked_byline(lxml_html.fromstring(page(bottom=shown))) == ()
    assert marked_byline(lxml_html.fromstring(page(bottom="<p class='byline'>Jane Doe</p>"))) == ("Jane Doe",)


def test_the_byline_after_the_headline_is_the_articles() -> None:
    html = page(top="<p class='byline'>By Jane Doe</p>").replace(
        "<article>", "<div class='topbar'><span class='author'>John Roe</span></div><article>"
    )
    assert byline(html) == "Jane Doe"


def test_json_ld_creator_and_meta_byl() -> None:
    head = json_ld({"@type": "NewsArticle", "creator": ["Jane Doe"]})
    assert byline(page(head, "<p>Jane Doe</p>")) == "Jane Doe"
    assert byline(page("<meta name='byl' content='By JANE DOE'>", "<p>By Jane Doe</p>")) == "JANE DOE"


def test_article_author_given_as_a_profile_address() -> None:
    head = "<meta property='article:author' content='https://example.org/author/jane-doe/'>"
    assert byline(page(head, "<p>Jane Doe</p>")) == "Jane Doe"
    linked = "<p><a href='https://example.org/author/jane-doe/'>Jane Doé</a></p>"
    assert byline(page(head, linked)) == "Jane Doé"  # the link's text, accents and all
    assert byline(page("<meta property='article:author' content='https://facebook.com/janedoe'>", "<p>x</p>")) == ""


def test_json_ld_author_that_is_the_outlet_or_an_account_gives_way_to_the_markup() -> None:
    outlet = json_ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Harbour Times"}})
    shown = "<p>Harbour Times</p><span class='article_author-name'>Jane Doe</span>"
    assert byline(page(outlet, shown)) == "Jane Doe"
    account = json_ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "jane.doe"}})
    assert byline(page(account, "<p class='byline'>Von Jane Doe</p>")) == "Jane Doe"


def test_a_name_made_from_an_account_is_not_the_one_shown() -> None:
    meta = page_meta_of("<p>Chefredakteur Jane P. Doe</p>")
    assert shown_on_page("Jane P. Doe", meta.visible)
    assert not shown_on_page("Jane Doe", meta.visible)  # "jane.doe" made into a name


def test_an_opinion_piece_and_an_author_box_are_not_comments_or_teasers() -> None:
    commentary = page(top="<p>Ingo Arzt</p>", head="<meta name='author' content='Ingo Arzt'>").replace(
        "<article>", "<article class='subjective commentary article'>"
    )
    assert byline(commentary) == "Ingo Arzt"
    box = "<aside class='author sans-photo'><h3><a href='/x'><span>Jeanne Corriveau</span></a></h3></aside>"
    assert byline(page(bottom=box)) == "Jeanne Corriveau"


def test_a_personal_blog_named_after_its_author() -> None:
    assert plausible_byline("Matthew Davis", ("Matthew Davis's Blog",)) == "Matthew Davis"
    assert plausible_byline("Harbour Times", ("The Harbour Times Online",)) == ""
    assert plausible_byline("Hessenschau De", ("hessenschau.de",)) == ""


def test_markup_bylines_read_like_a_reader_sees_them() -> None:
    from lxml import html as lxml_html

    split = "<div data-testid='prism-byline'><span>By</span><span><a href='/a'>Jane Doe</a></span><span>Thursday</span></div>"
    assert byline(page(top=split)) == "Jane Doe"  # "By" and the name in separate elements, a weekday after
    layout = page(top="<div class='post-meta--author'>Posted by Jane Doe</div>").replace(
        "<article>", "<section class='wrapper wrapper__with-sidebar'><article>"
    )
    assert byline(layout) == "Jane Doe"  # a layout "with a sidebar" is not the sidebar
    forum = "<p><a class='username' href='/members/4597_jane-doe.html'>Jane Doe</a></p>"
    assert marked_byline(lxml_html.fromstring(page(bottom=forum))) == ()  # a forum member's account


def test_byline_failure_classes(tmp_path) -> None:
    from benchmarks.bylineclasses import CLASSES, byline_class

    saved = tmp_path / "p.html.gz"
    saved.write_bytes(gzip.compress(page("<meta name='author' content='Jane Doe'>").encode()))
    jane, john = frozenset({"jane doe"}), frozenset({"john roe"})
    assert byline_class(saved, frozenset(), jane, jane) == CLASSES[0]  # stated in a meta tag
    assert byline_class(saved, frozenset(), john, john) == CLASSES[1]
    assert byline_class(saved, jane, jane | john, jane | john) == CLASSES[2]
    assert byline_class(saved, frozenset({"jane doe stand"}), jane, jane) == CLASSES[3]
    assert byline_class(saved, john, jane, jane) == CLASSES[4]
