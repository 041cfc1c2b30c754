"""A page's date: given only when the page's own evidence agrees on it (jobs/inputs/pagedates.py)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from jobs.inputs.headlines import address_sections
from jobs.inputs.pagedates import days_in_text
from jobs.inputs.pagemeta import page_meta
from jobs.inputs.titles import choose_title

PAGE = """<html lang="{lang}"><head><title>Harbour strike ends | The Daily Chronicle</title>{head}</head>
<body><header><p>{header}</p></header><article><h1>Harbour strike ends</h1>{article}
<p>Dock workers ended their strike on Thursday after a pay deal was agreed by both sides.</p></article>
{after}</body></html>"""


def published(head: str = "", article: str = "", header: str = "", after: str = "", lang: str = "en-GB") -> str:
    page = PAGE.format(lang=lang, head=head, article=article, header=header, after=after)
    return page_meta(lxml_html.fromstring(page)).published


def ld(**fields: str) -> str:
    body = ", ".join(f'"{key}": "{value}"' for key, value in fields.items())
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", {body}}}</script>'


def meta(name: str, value: str) -> str:
    return f'<meta property="{name}" content="{value}">'


def test_agreeing_fields_give_the_day_as_written() -> None:
    head = ld(datePublished="2024-03-14T09:30:00+01:00") + meta("article:published_time", "2024-03-14T08:30:00Z")
    assert published(head) == "2024-03-14"
    assert published(ld(datePublished="2022-05-03T23:10:00-03:00")) == "2022-05-03"  # the page's day, not UTC's


def test_fields_that_disagree_give_no_day_unless_the_page_shows_one_of_them() -> None:
    head = ld(datePublished="2024-03-14T09:30:00+01:00") + meta("article:published_time", "2024-03-12T09:30:00+01:00")
    assert published(head) == ""
    assert published(head, article="<p>12 March 2024</p>") == "2024-03-12"


def test_modified_before_published_gives_no_day_unless_the_page_shows_it() -> None:
    head = meta("article:published_time", "2022-01-28T08:20:11+00:00") + meta(
        "article:modified_time", "2022-01-27T16:58:24+00:00"
    )
    assert published(head) == ""
    assert published(head, article="<p>Published 28.01.2022</p>") == "2022-01-28"
    later = meta("article:published_time", "2022-01-28T08:20:11+00:00") + meta(
        "article:modified_time", "2022-02-03T10:00:00+00:00"
    )
    assert published(later) == "2022-01-28"
    same_day = meta("article:published_time", "2023-11-06T12:08:47+00:00") + meta(
        "article:modified_time", "2023-11-06T11:37:18+00:00"
    )
    assert published(same_day) == "2023-11-06"  # edited half an hour before it went out: the same day


def test_dates_that_do_not_say_what_they_date_need_the_page_to_show_them() -> None:
    weak = '<meta name="date" content="2017-01-24">'
    assert published(weak) == ""
    assert published(weak, article="<p>24. Januar 2017</p>", lang="de") == "2017-01-24"
    near_midnight = ld(datePublished="2020-11-04T21:53:22Z")  # another day east or west of UTC
    assert published(near_midnight) == ""
    assert published(near_midnight, article="<p>By Ann Lee 04 November 2020</p>") == "2020-11-04"
    webpage = '<script type="application/ld+json">{"@type": "WebPage", "datePublished": "2019-01-10"}</script>'
    assert published(webpage) == ""


def test_a_locale_in_one_band_of_time_zones_widens_the_hours_a_utc_time_names_its_day() -> None:
    evening = meta("article:published_time", "2022-10-06T20:18:03+00:00")  # 22:18 in Berlin, 23:18 in Helsinki
    assert published(evening, lang="en-GB") == ""  # English: anywhere, 20:18 UTC is tomorrow east of UTC+4
    assert published(evening, lang="de-DE") == "2022-10-06"
    assert published(evening, lang="de") == "2022-10-06"
    assert published(evening, lang="fi") == "2022-10-06"
    late = meta("article:published_time", "2022-10-06T21:30:00+00:00")
    assert published(late, lang="fi-FI") == ""  # 00:30 in Helsinki
    assert published(late, lang="pl") == "2022-10-06"
    assert published(evening, lang="fr") == ""  # French is also Canada's, Africa's, the Pacific's
    assert published(evening, lang="fr-CA") == ""
    assert published(evening, lang="sv-FI") == "2022-10-06"  # the region decides: Finland
    assert published(evening, lang="sv") == ""  # Swedish without a region: Sweden's or Finland's
    assert published(late, lang="sv-FI") == ""


def test_a_day_the_page_labels_as_its_publication_counts_wherever_it_is_shown() -> None:
    prose = "<p>" + "The council met again in the evening and the talks went on until late. " * 12 + "</p>"
    label = '<div class="meta">Veröffentlicht von Redaktion am 5. April 2017</div>'
    assert published(article=prose + label, lang="de") == "2017-04-05"  # far after the headline
    assert published(article=prose, after="<p>Posted by Ann Lee on May 3, 2020</p>") == "2020-05-03"
    assert published(article=prose + "<p>Mise en ligne le 23 mai 2019</p>", lang="fr") == "2019-05-23"
    assert published(article=prose) == ""
    in_a_comment = '<ol class="comments"><li>Veröffentlicht am 6. April 2017</li></ol>'
    assert published(article=prose, after=in_a_comment, lang="de") == ""
    teaser = "<aside><p>Published on June 1, 2020</p></aside>"
    assert published(article=prose, after=teaser) == ""
    other = "<p>Veröffentlicht am 7. April 2017</p>"
    assert published(article=prose + label, after=other, lang="de") == ""  # two days: which one? none
    unlabelled = "<p>Am 5. April 2017 begann der Bau.</p>"
    assert published(article=prose + unlabelled, lang="de") == ""  # a day in running prose dates the event
    weak = '<meta name="date" content="2017-04-05">'
    assert published(weak, article=prose + label, lang="de") == "2017-04-05"  # a weak field confirmed
    assert published(article=prose + "<p>Geschrieben von Cooper am 25.08.2015 22:30</p>", lang="de") == "2015-08-25"
    warning = "<b>Warning</b>: include() failed<br />\n<!DOCTYPE html>\n"  # parsed without a <body>
    page = PAGE.format(lang="de", head="", header="", after="", article=prose + label)
    assert page_meta(lxml_html.fromstring(warning + page)).published == "2017-04-05"


def test_the_one_day_the_page_labels_as_its_publication_wins_over_a_field_that_names_another() -> None:
    prose = "<p>" + "The council met again in the evening and the talks went on until late. " * 12 + "</p>"
    label = "<p>Erschienen am: 13.10.2021</p>"
    assert published(meta("date", "2021-10-15"), article=prose + label, lang="de") == "2021-10-13"
    header_time = '<time datetime="2023-11-01T13:56:20+01:00">Mittwoch, 01. November 2023</time>'
    byline = "<p>Von Georg Kasch 31. Oktober 2023.</p>"
    page = PAGE.format(lang="de", head="", header=header_time, after="", article=prose + byline).replace(
        "article>", "div>"
    )
    assert page_meta(lxml_html.fromstring(page)).published == "2023-10-31"  # the header's <time> is today's
    two = label + "<p>Erschienen am: 14.10.2021</p>"
    assert published(meta("date", "2021-10-15"), article=prose + two, lang="de") == ""  # two labelled days: none


def test_a_weak_field_in_an_order_the_locale_does_not_decide_does_not_hide_the_day_shown() -> None:
    prose = "<p>" + "The council met again in the evening and the talks went on until late. " * 12 + "</p>"
    shown = "<p>Erstellt am: 01.11.2023</p>"
    assert published(meta("date", "11/01/2023 12:43:42"), article=prose + shown, lang="de-ch") == "2023-11-01"


def test_a_weak_field_naming_another_day_does_not_hide_the_one_day_shown_by_the_headline() -> None:
    stand = "<p>Stand: 28.04.2020 18:00 Uhr</p>"
    assert published(meta("date", "2020-04-29T11:52:23"), article=stand, lang="de") == "2020-04-28"  # an edit's time
    created = '<meta name="dcterms.created" content="2021-12-20T11:02:44+01:00">'
    assert published(created, article="<p>27.01.2022</p>", lang="de") == "2022-01-27"  # the draft's creation
    assert published(meta("date", "2020-04-29"), article="<p>28.04.2020 und 27.04.2020</p>", lang="de") == ""
    assert published(ld(datePublished="2020-04-26"), article=stand, lang="de") == ""  # a stated day: not weak


def test_a_label_may_name_the_weekday_but_an_update_or_a_quoted_post_is_no_publication() -> None:
    prose = "<p>" + "The council met again in the evening and the talks went on until late. " * 12 + "</p>"
    weekday = "<p>Erstellt von Fabian am Dienstag 6. Mai 2014</p>"
    assert published(article=prose + weekday, lang="de") == "2014-05-06"
    assert published(article=prose + "<p>By Sarah Yang Updated May 06, 2019</p>") == ""
    post = '<blockquote cite="https://example.com/posts/1"><p>Rents must not rise.</p><p>Posted by Anna Weber on Monday, February 7, 2022</p></blockquote>'
    stated = ld(datePublished="2022-02-04T15:29:27+01:00")
    assert published(stated, article=prose + post) == "2022-02-04"  # the embedded post's day is not the article's


def test_a_day_right_after_a_byline_counts_as_shown() -> None:
    prose = "<p>" + "The council met again in the evening and the talks went on until late. " * 12 + "</p>"
    assert published(article=prose + "<p>Von Julia Müller 28. Dezember 2022</p>", lang="de") == "2022-12-28"
    assert published(article=prose + "<div>By Ann Lee | May 3, 2020</div>", lang="en-US") == "2020-05-03"
    assert published(article=prose + "<p>Von Leonora Holling (21. November 2022)</p>", lang="de") == "2022-11-21"
    assert published(article=prose + "<p>Por Rodolfo Costa Brasília 03/05/2022 21:44</p>", lang="pt-BR") == "2022-05-03"
    teaser_title = "<p>Die Thermostate von Wiser 22. November 2018</p>"  # "von" and a noun: no byline
    assert published(article=prose + teaser_title, lang="de") == ""
    sentence = "<p>Die Firma. Lebensmittel Praxis 31.10.2023</p>"
    assert published(article=prose + sentence, lang="de") == ""


def test_a_stated_day_the_page_shows_otherwise_is_left_out_or_read_as_the_pages_local_day() -> None:
    late = meta("article:published_time", "2016-12-29T01:32:00+00:00")  # 8:32 p.m. the day before in New York
    assert published(late) == ""  # which day, where the page is? none
    assert published(late, article="<p>December 28, 2016</p>") == "2016-12-28"  # the page shows its own
    assert published(late, article="<p>December 26, 2016</p>") == ""  # not a neighbouring day
    stated = ld(datePublished="2018-09-15T10:15:48+02:00")
    assert published(stated, article="<p>By admin - 2018-09-16</p>") == ""  # which one? none
    utc = meta("article:published_time", "2019-11-19T07:03:25+00:00")  # 11:03 p.m. the day before in California
    assert published(utc, article="<p>November 18, 2019 11:03 PM</p>") == "2019-11-18"
    assert published(utc, article="<p>November 12, 2019</p>") == ""  # not a neighbouring day: not the same time
    assert published(utc, lang="en-US") == ""  # 7 a.m. UTC is yesterday on the Pacific coast
    assert published(utc, lang="en-GB") == "2019-11-19"


def test_the_address_date_confirms_a_time_near_midnight_utc() -> None:
    late = meta("article:published_time", "2019-11-14T22:56:28+00:00")
    address = '<link rel="canonical" href="https://blog.example/2019/11/14/christmas-words/">'
    assert published(late + address) == "2019-11-14"
    other = '<link rel="canonical" href="https://blog.example/2019/11/15/christmas-words/">'
    assert published(late + other) == ""
    assert published(address) == "2019-11-14"  # nothing stated: the address's day


def test_a_time_marked_as_the_publication_counts_outside_the_headlines_article() -> None:
    marked = '<time itemprop="datePublished" datetime="2019-12-26T23:07:45+00:00">26/12/2019</time>'
    assert published(after=f"<article><header>{marked}</header></article>") == "2019-12-26"


def test_update_times_comments_and_other_stories_times_are_not_the_articles() -> None:
    update = '<p><time class="updated" datetime="2020-04-11T10:27:00+02:00">Updated: 11.04.2020</time></p>'
    assert published(article=update) == ""
    comment = (
        '<ol class="comment-list"><li><article><footer><time datetime="2020-02-25T13:02:01+01:00">'
        "25. Februar 2020</time></footer><p>Great episode!</p></article></li></ol>"
    )
    assert published(article=comment) == ""
    teasers = (
        '<div><article><a href="/other"><h2>Another story</h2><time datetime="2020-02-19T19:32:07+02:00">'
        "19:32</time></a></article></div>"
    )
    assert published(after=teasers) == ""
    own = '<p class="byline"><time class="entry-date published" datetime="2016-04-15T08:12:12+02:00">15 April 2016</time></p>'
    assert published(article=own) == "2016-04-15"


def test_a_time_labelled_as_an_update_by_the_text_before_it_is_the_updates() -> None:
    """Vox prints "Updated <time datetime=...>Jul 24, 2018</time>" for a story first published
    months before: the label stands before the <time>, not in it."""
    stated = ld(datePublished="2017-12-15T08:50:02-05:00")
    update = '<p class="byline"><span>Updated <time datetime="2018-07-24T18:15:58+00:00">Jul 24, 2018</time></span></p>'
    assert published(head=stated, article=update) == "2017-12-15"
    first = (
        '<p class="byline"><span>Published <time datetime="2017-12-15T13:50:02+00:00">Dec 15, 2017</time></span></p>'
    )
    assert published(head=stated, article=first) == "2017-12-15"


def test_a_time_at_the_instant_the_page_was_modified_is_the_modification() -> None:
    """Arena's pages (`<meta name=... value=...>`) state the publication and the modification and show
    only the modification's <time>, unlabelled: that day is no publication's."""
    head = (
        '<meta name="parsely-pub-date" value="2016-12-21T15:49:10Z"><meta name="modified" value="2018-03-07T00:49:32Z">'
    )
    shown = '<div><time datetime="2018-03-06T19:49:32-05:00">Mar 6, 2018</time></div>'
    assert published(head=head, article=shown) == ""  # it was "2018-03-06": the page shows the update's day only
    assert published(head=head.replace("value=", "content="), article=shown) == ""
    assert published(head=head) == "2016-12-21"
    same = '<meta name="parsely-pub-date" value="2018-03-07T00:49:32Z">'  # first published then, not modified since
    assert published(head=same + head.split(">", 1)[1], article=shown) == "2018-03-06"


def test_a_date_shown_right_after_the_headline_is_its_dateline_not_one_in_the_sites_header() -> None:
    assert published(article="<p>Published on August 19, 2019</p>") == "2019-08-19"
    assert published(header="Today: Feb. 19 2020") == ""  # before the headline: today's date
    assert published(article="<p>03.05.2022 and 04.05.2022</p>", lang="de") == ""  # two days: which?


def test_a_date_right_before_the_headline_is_its_kicker_line_not_the_sites_header() -> None:
    page = """<html lang="de"><head><title>Gottesdienste bleiben möglich</title></head><body>
<header><nav><a href="/">Start</a> <span>Freitag, 19.11.2021</span></nav></header>{kicker}
<h1>Gottesdienste bleiben möglich</h1><p>Die Kirche hat die Regeln für den Lockdown am Freitag beschlossen.</p>
</body></html>"""

    def dated(kicker: str) -> str:
        return page_meta(lxml_html.fromstring(page.format(kicker=kicker))).published

    assert dated("<div><span>Aktuell</span> <span>18.11.2021</span> <span>Kirche</span></div>") == "2021-11-18"
    assert dated("") == ""  # the site's header shows today's date
    assert dated("<p>Die Synode tagte am 18.11.2021 in Wien und beriet über die neuen Regeln.</p>") == ""  # prose
    assert dated("<div>18.11.2021</div>" + "<span>Kirche Wien</span>" * 6) == ""  # too far before it
    assert dated("<div>18. November 2021, 13:15 Uhr - 19:00 Uhr, Wien</div>") == ""  # an event's hours
    assert dated("<div>Zweirad 11/01/2021</div>") == ""  # 11 January or 1 November: a German site writes both


def test_without_an_h1_dates_are_read_around_the_heading_that_shows_the_title() -> None:
    page = """<html lang="en"><head><title>Mercurial's Journey to Python 3 | Gregory's Home</title></head>
<body><h3>Recent posts</h3><div class="post"><h2>Mercurial's Journey to Python 3</h2><p>January 13, 2020 at 08:45 AM</p>
<p>Mercurial now runs on Python 3, after years of work by many of its developers.</p></div></body></html>"""
    assert page_meta(lxml_html.fromstring(page)).published == "2020-01-13"
    section = page.replace("Mercurial's Journey to Python 3</h2>", "Mercurial</h2>")  # one word: a section's
    assert page_meta(lxml_html.fromstring(section)).published == ""


def test_a_date_in_running_prose_after_the_headline_is_not_its_dateline() -> None:
    prose = "<p>Im Beisein zahlreicher Ehrengäste wurde das Zentrum am 18. Oktober 2021 am Erzberg eröffnet.</p>"
    assert published(article=prose, lang="de") == ""
    address = '<link rel="canonical" href="https://example.at/2021/10/20/zentrum-eroeffnet/">'
    assert published(address, article=prose, lang="de") == "2021-10-20"  # the address's day, not the event's
    post = (  # a forum post's <li> holds its author's box, its date and its text: no paragraph of prose
        '<ol><li class="post"><div class="user">Predator Profil Beiträge anzeigen</div><div>03.03.2011, 14:17</div>'
        "<div>Gibt es denn irgendwo eine Seite, wo die neuen Funktionen genau beschrieben sind?</div></li></ol>"
    )
    assert published(ld(datePublished="2011-02-21T17:47:28+01:00"), article=post, lang="de") == ""
    outside = (
        "<div>Beim Ministerium liegt ein Volksbegehren auf. Bis 25. November 2019 könnt ihr es unterstützen.</div>"
    )
    assert published(ld(datePublished="2019-11-17T21:18:06+01:00"), article=outside, lang="de") == "2019-11-17"
    standfirst = (
        "<p>Am vergangenen Freitag hat die Regierung das Gesetz zur Preisbremse beschlossen. Es sieht weiterhin die"
        " Abschöpfung von Erlösen der Anlagen vor. Das behindert den Ausbau, sagt die Branche.</p>"
    )
    press = "<p>29.11.2022 – Mehrfach und vehement hatte die Branche die Nachteile des Gesetzes beklagt.</p>"
    assert published(article=standfirst + press, lang="de") == "2022-11-29"  # its dateline after a standfirst
    assert published(article=standfirst * 2 + press, lang="de") == ""  # the third paragraph: not the dateline
    opening = "<p>BERLIN, 3. Mai 2022 (ots) - Die Stadt hat heute den neuen Hafen für alle Schiffe eröffnet.</p>"
    assert published(article=opening, lang="de") == "2022-05-03"  # a press release's dateline opens it


def test_a_date_labelled_as_something_else_is_not_the_articles() -> None:
    assert published(article="<p>Deadline: 15. März 2020</p>", lang="de") == ""
    assert published(article="<p>Veröffentlicht am: 5. Juni 2023</p>", lang="de") == "2023-06-05"
    assert published(article="<p>Stand: 07.11.2023, 07:30 Uhr</p>", lang="de") == "2023-11-07"


def test_a_date_shown_in_the_headline_element_or_marked_as_a_date_is_shown() -> None:
    h1 = "<h1>Harbour strike ends<br><small>02.02.2022 • Press</small></h1>"
    body = f"<article>{h1}<p>{'Dock workers ended their strike. ' * 3}</p></article>"
    page = f'<html lang="de"><head><title>Harbour strike ends</title></head><body>{body}</body></html>'
    assert page_meta(lxml_html.fromstring(page)).published == "2022-02-02"
    standfirst = "<h2>" + "A long standfirst that runs on and on before the article's date is shown. " * 3 + "</h2>"
    marked = standfirst + '<div class="info"><span class="date date-icon">26. Januar 2022</span></div>'
    assert published(article=marked, lang="de") == "2022-01-26"
    assert published(article=standfirst + "<div><span>26. Januar 2022</span></div>", lang="de") == ""


def test_a_recipes_or_a_products_date_counts_only_where_the_page_shows_it() -> None:
    recipe = '<script type="application/ld+json">{"@type": "Recipe", "name": "Muffins"}</script>'
    stated = meta("article:published_time", "2015-05-07T06:45:09")
    assert published(stated) == "2015-05-07"
    assert published(recipe + stated) == ""
    assert published(recipe + stated, article="<p>7 May 2015</p>") == "2015-05-07"
    product = (
        '<div itemscope itemtype="https://schema.org/SoftwareApplication">'
        '<time itemprop="datePublished" datetime="2020-02-12T00:00:00">12.02.2020</time></div>'
    )
    assert published(after=product, lang="de") == ""


def test_a_day_the_address_contradicts_and_the_page_does_not_show_is_left_out() -> None:
    stated = ld(datePublished="2019-06-17T18:28:00+02:00")
    address = '<link rel="canonical" href="https://blog.example/home/2017/7/12/montauk">'
    assert published(stated) == "2019-06-17"
    assert published(stated + address) == ""
    assert published(stated + address, article="<p>17 June 2019</p>") == "2019-06-17"
    next_day = '<link rel="canonical" href="https://blog.example/2019/06/18/montauk/">'
    assert published(stated + next_day) == "2019-06-17"  # a day apart: the site's day, another zone


def test_a_midnight_east_of_utc_stored_in_utc_names_two_days() -> None:
    midnight = meta("article:published_time", "2022-11-06T23:00:00.000Z")  # 7 November in Berlin
    assert published(midnight, article='<p><time datetime="2022-11-06T23:00:00.000Z">6.11.22</time></p>') == ""
    late = meta("article:published_time", "2022-11-06T23:12:40Z")
    assert published(late, article="<p>6 November 2022</p>") == "2022-11-06"


@pytest.mark.parametrize(
    ("text", "lang", "days"),
    [
        ("Publiziert: 03.04.2020, 12:35", "de", {"2020-04-03"}),
        ("Veröffentlicht am 19.10.19 um 14:34 Uhr", "de", {"2019-10-19"}),
        ("3 de mayo de 2022", "es", {"2022-05-03"}),
        ("22. März 2022", "de", {"2022-03-22"}),
        ("Oct 24, 2023", "en", {"2023-10-24"}),
        ("le 5 août 2021", "fr", {"2021-08-05"}),
        ("05/03/2022", "en", set()),  # order uncertain without a region
        ("05/03/2022", "en-gb", {"2022-03-05"}),
        ("03/05/2022 21:44", "pt-br", {"2022-05-03"}),
        ("Zweirad 11/01/2021", "de", set()),  # German writes dots: a slash comes in a template's order
        ("11/01/2021", "de-ch", set()),
        ("25/03/2022", "de", {"2022-03-25"}),  # a part over 12 orders it anywhere
        ("about 20 people in 2022", "en", set()),
        ("公開日：2019年3月5日 10:00", "ja", {"2019-03-05"}),
        ("２０１９年３月５日", "zh", {"2019-03-05"}),
        ("2019년 3월 5일", "ko", {"2019-03-05"}),
        ("2019/03/05 15:00", "ja", {"2019-03-05"}),  # year first: the month follows, in every locale
        ("2019.03.05", "en", {"2019-03-05"}),
        ("PyCharm 2019.3.5 released", "en", set()),  # a version, not a date
        ("build 1.2019.03.05 and 2019.03.05.1", "en", set()),
        ("/2019/03/05/story", "en", set()),  # an address's path is read as an address (url_day)
    ],
)
def test_days_in_text_are_read_only_in_a_certain_order(text: str, lang: str, days: set[str]) -> None:
    assert days_in_text(text, lang) == days


# ------------------------------------------------------------------------------------------ titles

TITLED = """<html><head><title>{title}</title>{head}</head><body>{h1s}<article>
<p>Dock workers ended their strike on Thursday after a pay deal was agreed by both sides.</p></article></body></html>"""


def title_of(title: str, h1s: str, head: str = "", address: str = "", site_names: tuple[str, ...] = ()) -> str:
    tree = lxml_html.fromstring(TITLED.format(title=title, head=head, h1s=h1s))
    meta = page_meta(tree, address or None)
    sections = address_sections(address or meta.address)
    return choose_title(title, meta, meta.shown_headline, title, site_names, sections)


def test_a_kicker_or_date_shown_in_the_h1_is_not_part_of_the_headline() -> None:
    kicker = (
        '<h1><span class="ContentHead_titleheader">Coronavirus and other zoonoses</span>'
        '<span aria-hidden="true"> – </span><span class="text">How habitat loss breeds new epidemics</span></h1>'
    )
    stated = "Coronavirus and other zoonoses – How habitat loss breeds new epidemics | The Daily Chronicle"
    assert title_of(stated, kicker) == "How habitat loss breeds new epidemics"
    topline = '<h1><span class="topline"><span class="date">27.01.2022</span></span>Fuel sales in November 2021</h1>'
    assert title_of("Statistics - Fuel sales in November 2021", topline) == "Fuel sales in November 2021"
    dated = "<h1>23.01.2022 - Wierer wins the last race at home</h1>"
    assert title_of("23.01.2022 - Wierer wins the last race at home - Biathlon", dated) == (
        "Wierer wins the last race at home"
    )


def test_hidden_and_logo_h1s_are_not_the_headline() -> None:
    h1s = (
        '<h1 class="aural">Federal Office of Economics</h1><div class="logo"><h1>The Daily Chronicle</h1></div>'
        "<h1>Harbour strike ends after pay deal</h1>"
    )
    assert title_of("Harbour strike ends after pay deal | The Daily Chronicle", h1s) == (
        "Harbour strike ends after pay deal"
    )


def test_a_section_named_by_the_address_is_a_label_not_the_title() -> None:
    title = "chronicle.example - Outdoornews - High-resolution snow maps for the Alps"
    h1s = "<h1>OutdoorNews | Entry</h1>"
    address = "https://chronicle.example/outdoornews/detail/id/718"
    assert title_of(title, h1s, address=address, site_names=("chronicle.example",)) == (
        "High-resolution snow maps for the Alps"
    )
    # a dashed title whose first part names no section keeps it
    assert title_of("Coronavirus - How habitat loss breeds epidemics", "", address=address) == (
        "Coronavirus - How habitat loss breeds epidemics"
    )


def test_a_title_capitalized_word_by_word_yields_to_the_same_title_as_typed() -> None:
    typed = "Vessel returning to Puerto Rico with 475 pounds of cocaine intercepted, CBP says"
    capitalized = typed.title()
    meta = page_meta(lxml_html.fromstring(TITLED.format(title=typed, head="", h1s="")))
    assert choose_title(capitalized, meta, "", typed) == typed  # og:title capitalized, <title> as typed
    assert choose_title(capitalized, meta, "", "") == capitalized  # no other form stated: kept


def test_a_site_named_only_by_its_pictures_host_is_a_decoration() -> None:
    from jobs.inputs.headlines import site_names_of

    title = "악녀의 덫에 걸린 이유리 - Entermedia"
    picture = '<meta name="og:image1" content="http://entermedia.co.kr/photo/2018/09/28/1.jpg">'
    meta = page_meta(lxml_html.fromstring(TITLED.format(title=title, head=picture, h1s="")))
    assert meta.hosts == ("entermedia.co.kr",)
    names = site_names_of("", "", meta.address, meta.hosts)
    assert choose_title(title, meta, "", title, names) == "악녀의 덫에 걸린 이유리"
    assert site_names_of("", "", "", ("cdn.chronicle.co.uk", "img.example.com", "127.0.0.1")) == (
        "chronicle",
        "example",
    )


def test_guillemets_separate_a_title_from_the_sites_name() -> None:
    title = "Harbour strike ends after a long pay dispute « The Daily Chronicle"
    assert title_of(title, "", site_names=("The Daily Chronicle",)) == "Harbour strike ends after a long pay dispute"


SITE_ONLY = """<html lang="en-GB"><head><title>{title}</title></head><body><nav><a href="/">Home</a></nav>
<main><h2>Rail replacement services travel advice</h2>
<p>Please find below helpful travel advice if you need to travel on a rail replacement service this winter.</p>
<p>Buses, coaches and taxis are different to trains, so some things you expect on a train are not possible there.</p>
<p>Rail replacement provisions can be different for each train company, but the advice below applies to most.</p>
</main></body></html>"""


def test_a_title_naming_only_the_site_yields_to_the_heading_the_text_opens_with() -> None:
    from jobs.inputs.headlines import names_the_site_only
    from jobs.inputs.html import extract_page

    assert extract_page(SITE_ONLY.format(title="Chronicle Rail Enquiries -")).title == (
        "Rail replacement services travel advice"
    )
    assert extract_page(SITE_ONLY.format(title="Winter travel on replacement buses")).title == (
        "Winter travel on replacement buses"
    )
    assert names_the_site_only("| The Daily Chronicle") and names_the_site_only(
        "Chronicle", ("chronicle.example", "chronicle")
    )
    assert not names_the_site_only("Harbour strike ends - The Daily Chronicle")


def test_a_headline_the_page_marks_as_such_wins_where_it_runs_on_from_the_title() -> None:
    marked = (
        '<header><p class="Stage-headline">Leasing or financing – which pays off more?</p></header>'
        '<div class="Phone-headline">Customer service</div><h1>Leasing or financing</h1>'
    )
    assert title_of("Leasing or financing » The big comparison | Chronicle", marked) == (
        "Leasing or financing – which pays off more?"
    )
    microdata = '<h1>Leasing or financing</h1><p itemprop="headline">Leasing or financing: which pays off more?</p>'
    assert title_of("Leasing or financing", microdata) == "Leasing or financing: which pays off more?"
    site = '<h1>Leasing or financing</h1><p class="headline">Leasing or financing - Chronicle</p>'
    assert title_of("Leasing or financing", site, site_names=("Chronicle",)) == "Leasing or financing"
    teaser = (
        '<h1>Leasing or financing</h1><div class="teaser"><p class="headline">Leasing or financing: 5 tips</p></div>'
    )
    assert title_of("Leasing or financing", teaser) == "Leasing or financing"


BLOG = """<html lang="en"><head><title>{title}</title></head><body>
<header>{header}</header><main><h2>Interning of small integers in Python</h2>
<p>Python keeps a single object for every small integer, so two variables holding the number five share it.</p>
<p>Larger numbers are created anew each time, which is why an identity test between them can give false.</p>
<p>The range of interned integers is an implementation detail and can change from one version to the next.</p>
</main></body></html>"""


def test_a_heading_that_links_to_the_front_page_names_the_site_not_the_story() -> None:
    from jobs.inputs.headlines import headline_elements, links_home
    from jobs.inputs.html import extract_page

    title = "Four Years Remaining » Blog Archive » Interning of small integers in Python"
    for home in ("/", "http://fouryears.example", "../", "index.php"):
        page = BLOG.format(title=title, header=f'<h1><a href="{home}">Four Years Remaining</a></h1>')
        assert extract_page(page).title == "Interning of small integers in Python"
    tree = lxml_html.fromstring(
        '<div><h1><a href="/2019/10/interning/">Interning</a></h1><h1><a href="/">Blog</a></h1></div>'
    )
    assert [links_home(h1) for h1 in tree.iter("h1")] == [False, True]  # a permalink is the story's
    assert [h1.text_content() for h1 in headline_elements(tree)] == ["Interning"]


def test_an_h1_naming_the_site_is_not_the_headline() -> None:
    title = "Office 365 – HBDI – the third one | Damian's Blog"
    assert (
        title_of(title, "<h1>Damian's Blog</h1>", site_names=("Damian's Blog",)) == "Office 365 – HBDI – the third one"
    )


@pytest.mark.parametrize(
    ("h1", "expected"),
    [
        (  # a kicker and a separator for screen readers only
            '<h1><span class="fake-h5">Price cap – windfall levy</span><span class="invisible">: </span>'
            "<span>Government throttles bioenergy, industry protests</span></h1>",
            "Government throttles bioenergy, industry protests",
        ),
        (
            '<h1><span class="teaser__kicker">Pandemic</span><span class="visually-hidden"> - </span>'
            "<span>It also matters how people die</span></h1>",
            "It also matters how people die",
        ),
        (  # a topline after the headline, and its screen-reader label
            '<h1><span>Energy transition and sustainable business</span><span class="aural">: </span>'
            '<small class="c-topline"><span class="aural">, Topic:</span> Research</small></h1>',
            "Energy transition and sustainable business",
        ),
        (  # the kicker's separator left over once the kicker is dropped
            '<h1><span class="headline--topline">Orders soar</span><span class="headline--colon">: </span>'
            "<span>Aviation takes off again after the pandemic</span></h1>",
            "Aviation takes off again after the pandemic",
        ),
        (
            "<h1><ruby>子<rt>こ</rt></ruby>どもへの<ruby>体罰<rt>たいばつ</rt></ruby>を禁止する法律ができる</h1>",
            "子どもへの体罰を禁止する法律ができる",
        ),
    ],
)
def test_the_h1_shows_its_headline_without_kickers_separators_or_ruby_readings(h1: str, expected: str) -> None:
    from jobs.inputs.headlines import headline_text

    assert headline_text(lxml_html.fromstring(h1)) == expected


def test_an_element_the_h1_opens_with_is_a_kicker_where_the_stated_title_sets_it_apart() -> None:
    h1 = '<h1><span class="subtitle">Olympic Games in Paris</span> Drinks go by boat into the city centre</h1>'
    stated = "Olympic Games in Paris - Drinks go by boat into the city centre - Food Trade"
    assert title_of(stated, h1, site_names=("Food Trade",)) == "Drinks go by boat into the city centre"
    # a line break between kicker and headline is a space, and the stated headline wins
    h1 = '<h1><span>Open Progress</span><br><span itemprop="headline">Why thinking together beats smarts</span></h1>'
    head = ld(headline="Why thinking together beats smarts")
    assert (
        title_of("Open Progress - Why thinking together beats smarts", h1, head) == "Why thinking together beats smarts"
    )


def test_an_h1_running_on_from_the_stated_title_is_the_headline_and_glued_text_is_not() -> None:
    stated = "Ultium Cells raises gigafactory capacity - Battery News"
    names = ("Battery News",)
    assert title_of(stated, "<h1>Ultium Cells raises gigafactory capacity in Tennessee</h1>", site_names=names) == (
        "Ultium Cells raises gigafactory capacity in Tennessee"
    )
    assert title_of("Lemon cake from the tray | Baking", "<h1>Lemon cake from the tray: simply delicious!</h1>") == (
        "Lemon cake from the tray: simply delicious!"
    )
    glued = "<h1>Ultium Cells raises gigafactory capacity Published by Jane Doe on 3 May</h1>"
    assert title_of(stated, glued, site_names=names) == "Ultium Cells raises gigafactory capacity"


def test_an_h1_that_reads_as_one_of_the_stated_titles_wins_over_the_others() -> None:
    head = meta("og:title", "Can fish feel pain?")
    assert title_of("Can fish feel pain / suffer?", "<h1>Can fish feel pain / suffer?</h1>", head) == (
        "Can fish feel pain / suffer?"
    )


def test_an_h1_that_opens_every_stated_title_as_a_piece_of_its_own_is_the_headline() -> None:
    stated = "Holiday home Feinen (40222) - Holiday homes Lierfeld"
    assert title_of(stated, "<h1>Holiday home Feinen</h1>") == "Holiday home Feinen"
    # a stated title that says otherwise makes the h1 a topic label
    head = meta("og:title", "Saving for your pension with your employer's help")
    stated = "Company pension (cp) - When does it pay? - Finance"
    assert title_of(stated, "<h1>Company pension</h1>", head, site_names=("Finance",)) == (
        "Company pension (cp) - When does it pay?"
    )


def test_stated_titles_that_are_labels_yield_to_the_visible_headline() -> None:
    assert title_of("About Us - Shabka", "<h1>The strategic think and do tank</h1>", site_names=("Shabka",)) == (
        "The strategic think and do tank"
    )


def test_the_h1_with_bars_is_shown_whole_unless_a_part_names_the_site() -> None:
    h1 = "<h1>Change font size of a plot in R (5 examples) | Axis text, title &amp; legend</h1>"
    assert title_of("Change font size of a plot in R | Axis text, title & legend", h1) == (
        "Change font size of a plot in R (5 examples) | Axis text, title & legend"
    )


def test_trafilaturas_title_counts_only_where_the_page_states_or_shows_it() -> None:
    tree = lxml_html.fromstring(TITLED.format(title="x", head=meta("og:title", "Repair café on 31 January"), h1s=""))
    stated = "Repair café on 31 January: City of Ahlen"
    assert choose_title("Latest", page_meta(tree), "", stated, ("City of Ahlen",)) == "Repair café on 31 January"
    assert choose_title("Repair café", page_meta(tree), "", stated, ("City of Ahlen",)) == "Repair café"


def test_a_site_name_spans_dashed_pieces_and_a_guessed_one_is_no_decoration() -> None:
    from types import SimpleNamespace

    from jobs.inputs.headlines import clean_title
    from jobs.inputs.titles import site_name

    named = ("AOC media - Analyse Opinion Critique",)
    assert clean_title("Retirement as an archaism - AOC media - Analyse Opinion Critique", named) == (
        "Retirement as an archaism"
    )
    guessed = SimpleNamespace(sitename="Longing by R. K. Lilley")  # trafilatura: the <title>'s part with a dot
    assert site_name(guessed, SimpleNamespace(site_names=())) == ""
    assert site_name(guessed, SimpleNamespace(site_names=("Longing by R. K. Lilley",))) == "Longing by R. K. Lilley"
    assert (
        site_name(SimpleNamespace(sitename="chronicle.example"), SimpleNamespace(site_names=())) == "chronicle.example"
    )
    assert address_sections("https://ejw.example/aktuell/news/faire-lieferketten/") == ("aktuell", "news")


def test_titles_are_given_as_typed_in_one_unicode_form() -> None:
    from jobs.inputs.titles import typed_form

    assert typed_form("Mes\xadsen\xadger ser\u200bvices") == "Messenger services"
    assert typed_form("বাড\u09bcির") == "বাড\u09bcির" and typed_form("বা\u09dcির") == "বাড\u09bcির"  # NFC
    stated = "Whisky tastings January – May 2020 - whisky.example"
    tree = lxml_html.fromstring(
        TITLED.format(title="x", head=meta("og:title", "Whisky tastings January - May 2020"), h1s="")
    )
    assert choose_title("", page_meta(tree), "", stated, ("whisky.example",)) == "Whisky tastings January – May 2020"


def test_a_page_with_blank_lines_before_its_doctype_is_read() -> None:
    from jobs.inputs.html import extract_page

    page = "\n" * 200 + "<!DOCTYPE html>\n" + BLOG.format(title="Interning of small integers in Python", header="")
    assert extract_page(page).title == "Interning of small integers in Python"


def test_a_blog_post_in_a_widget_container_is_dated_around_its_title() -> None:
    post = """<html><head><title>Anna's Shelf: Viertes Interview mit Anne Lück</title>
    <meta property="og:title" content="Viertes Interview mit Anne Lück"></head><body>
    <div class="widget Blog"><div class="date-outer"><h2 class="date-header">Samstag, 5. Oktober 2013</h2>
    <div class="post"><h3 class="post-title">Viertes Interview mit Anne Lück</h3>
    <p>Heute stelle ich euch wieder eine Autorin vor, die ich schon lange sehr gerne lese und mag.</p>
    </div></div></div>
    <div class="widget Feed"><h2>Viertes Interview mit Anne Lück</h2><p>Sonntag, 6. Oktober 2013</p></div>
    </body></html>"""
    assert page_meta(lxml_html.fromstring(post)).published == "2013-10-05"  # its own "widget": the post's
    teaser = post.replace('og:title" content="Viertes Interview mit Anne Lück', 'og:title" content="Anna')
    teaser = teaser.replace("<title>Anna's Shelf: Viertes Interview mit Anne Lück", "<title>Interview mit Anne Lück")
    assert page_meta(lxml_html.fromstring(teaser)).published == ""  # a heading the title only ends with: a teaser's


def test_a_content_systems_submitted_by_line_labels_the_publication_but_a_last_save_does_not() -> None:
    prose = "<p>" + "The council met again in the evening and the talks went on until late. " * 12 + "</p>"
    assert published(article=prose + "<p>Gespeichert von human am 7. Juli 2019 - 18:44</p>", lang="de") == "2019-07-07"
    assert published(article=prose + "<p>Submitted by Ann Lee on May 3, 2020</p>") == "2020-05-03"
    assert published(article=prose + "<p>Zuletzt gespeichert am 7. Juli 2019</p>", lang="de") == ""
