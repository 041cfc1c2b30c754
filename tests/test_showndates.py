"""Where a page shows its article's day (jobs/inputs/showndates.py), read through pagemeta.page_meta."""

from __future__ import annotations

from lxml import html as lxml_html

from jobs.inputs.pagemeta import page_meta

PROSE = "<p>" + "Der Rat tagte am Abend erneut, und die Gespräche dauerten bis spät in die Nacht. " * 6 + "</p>"


def published(page: str) -> str:
    return page_meta(lxml_html.fromstring(page)).published


def test_a_label_in_the_headlines_own_container_counts_whatever_its_class() -> None:
    page = """<html lang="de"><head><title>Putzfirma expandiert nach Wien</title></head><body>
    <main><article class="single single-promotion"><h1>Putzfirma expandiert nach Wien</h1>{prose}
    <p>Veröffentlicht am 5. November 2023, 14:09</p></article>
    <div class="promo"><p>Veröffentlicht am 2. November 2023</p></div></main></body></html>"""
    assert published(page.format(prose=PROSE)) == "2023-11-05"  # the story's own "promotion" container
    teaser_only = page.replace("<p>Veröffentlicht am 5. November 2023, 14:09</p>", "")
    assert published(teaser_only.format(prose=PROSE)) == ""  # a promo box's label: another story's


def test_a_content_systems_promoted_story_is_no_promo_for_its_label() -> None:
    page = """<html lang="de"><head><title>Vegetarier zu sein | Blog</title></head><body>
    <header><h1>Vegetarier zu sein</h1></header>
    <div class="{kind}"><p>Gespeichert von human am 7. Juli 2019 - 18:44</p>{prose}</div>
    </body></html>"""
    assert published(page.format(kind="node node-blog node-promoted", prose=PROSE)) == "2019-07-07"
    assert published(page.format(kind="node node--type-article node--promoted", prose=PROSE)) == "2019-07-07"
    assert published(page.format(kind="promo", prose=PROSE)) == ""  # a promo box
    assert published(page.format(kind="node-promoted teaser", prose=PROSE)) == ""  # a promoted story's teaser


BLOG = """<html lang="en"><head><title>{title}</title>
<meta property="og:title" content="Meta-Programming In Emacs Using Defadvice"></head><body>
<header><div class="widget Header"><h1 class="title">Ann's Audio Desktop</h1>
<p>This is where I plan to write about the tricks and features I build as I go along.</p></div></header>
<div class="widget Blog"><div class="date-outer"><h2 class="date-header"><span>Wednesday, October 16, 2019</span></h2>
<div class="post"><h3 class="post-title">Meta-Programming In Emacs Using Defadvice</h3>{prose}</div></div></div>
</body></html>"""


def test_a_blogs_name_in_its_h1_gives_way_to_the_posts_heading() -> None:
    prose = "<p>" + "Advice lets a program change what a function does without editing its source. " * 4 + "</p>"
    title = "Ann's Audio Desktop: Meta-Programming In Emacs Using Defadvice"
    assert published(BLOG.format(title=title, prose=prose)) == "2019-10-16"  # the date header over the post's title
    other = "Ann's Audio Desktop: Notes on Emacs"  # the h3 is not the title's other part: the h1 stays
    assert published(BLOG.format(title=other, prose=prose)) == ""


HEADING = """<html lang="de"><head><title>Empa-Spin-off misst Treibhausgase</title></head><body><div class="main">
<{tag} class="news-heading"><div class="news-publication-info"><span class="news-date">12.12.2022</span>
 - Empa (Eidgenössische Materialprüfungs- und Forschungsanstalt){more}</div>
<h1>Empa-Spin-off misst Treibhausgase</h1></{tag}>{prose}</div></body></html>"""


def test_a_date_marked_before_the_headline_in_its_heading_block_is_shown() -> None:
    assert published(HEADING.format(tag="div", more="", prose=PROSE)) == "2022-12-12"  # past the kicker's 60 characters
    assert published(HEADING.format(tag="header", more="", prose=PROSE)) == ""  # a site's header: today's date
    more = " Die Anstalt forscht seit vielen Jahren an Materialien und Technologien für eine nachhaltige Zukunft." * 5
    assert published(HEADING.format(tag="div", more=more, prose=PROSE)) == ""  # a block of prose, no heading's


STORY = """<html lang="de"><head><title>LVMH mit ordentlichem Wachstum | Weinwirtschaft</title></head><body>
<main><div class="page-header"><h1 class="page-title">LVMH mit ordentlichem Wachstum</h1></div>
<article class="{kind}">{heading}<p class="meta">28.01.2022 / 0 Kommentare</p>{prose}</article>
<article class="node"><h2>Die aktuelle Ausgabe</h2><p>Erschienen im Januar.</p></article></main></body></html>"""


def test_an_article_without_a_heading_after_a_title_outside_every_article_is_its_story() -> None:
    story = STORY.format(kind="node node--type-article node--promoted", heading="", prose=PROSE)
    assert published(story) == "2022-01-28"  # the story under the page's title
    teaser = STORY.format(kind="node", heading="<h2>Weinbau im Wandel</h2>", prose=PROSE)
    assert published(teaser) == ""  # an article with a heading of its own: another story
    comment = STORY.format(kind="comment-body", heading="", prose=PROSE)
    assert published(comment) == ""  # a comment's date


def test_an_element_marked_as_publish_info_after_the_headline_shows_the_date() -> None:
    page = """<html lang="de"><head><title>Der enge Partner wird zum Fremden</title></head><body><article>
    <h1>Der enge Partner wird zum Fremden</h1>{prose}
    <div class="{kind}"><span>Thomas Hanke</span> <span>27.04.2020 - 18:50 Uhr</span></div>{prose}
    </article></body></html>"""
    assert published(page.format(kind="vhb-publish-info", prose=PROSE)) == "2020-04-27"  # past the dateline's reach
    assert published(page.format(kind="vhb-author-info", prose=PROSE)) == ""


def test_a_title_in_an_element_classed_as_a_title_or_a_short_heading_stating_it_whole_is_dated_around() -> None:
    page = """<html lang="de"><head><title>Effiziente Hybridbatterie für Elektroautos - Nachrichten</title></head>
    <body><div class="h-news"><div class="{kind}">Effiziente Hybridbatterie für Elektroautos</div>
    <div class="h-info">01.11.2023 11:35</div></div>{prose}</body></html>"""
    assert published(page.format(kind="h-title", prose=PROSE)) == "2023-11-01"
    assert published(page.format(kind="h-lead", prose=PROSE)) == ""  # no heading, no title's element
    post = """<html lang="de"><head><title>{title}</title><meta property="og:title" content="{title}"></head>
    <body><div class="post"><h2 class="date-header">Dienstag, 28. April 2020</h2><h3 class="post-title">Tach auch!</h3>
    {prose}</div></body></html>"""
    assert published(post.format(title="Tach auch!", prose=PROSE)) == "2020-04-28"  # the title whole, two words
    assert published(post.format(title="Tach auch! Mein Kochblog", prose=PROSE)) == ""  # two words a title starts with
