"""The article's title: what the page states and shows, without the site's decorations (jobs/inputs/headlines.py)."""

from __future__ import annotations

from lxml import html as lxml_html

from jobs.inputs.headlines import clean_title, headline_text
from jobs.inputs.pagemeta import page_meta
from jobs.inputs.titles import choose_title

_SITE = '<meta property="og:site_name" content="Garden Times">'
PAGE = """<html><head><title>{title}</title></head><body>{h1}<article>
<p>Dock workers ended their strike on Thursday after a pay deal was agreed by both sides.</p></article></body></html>"""


def title_of(title: str, h1: str) -> str:
    meta = page_meta(lxml_html.fromstring(PAGE.format(title=title, h1=h1)))
    return choose_title(title, meta, meta.shown_headline, title)


def test_a_style_sheet_inside_the_h1_shows_no_text() -> None:
    h1 = (
        '<h1><style data-emotion="css a1">.css-a1{font-size:16px;display:block;}</style>'
        '<span class="css-a1">Press release of the harbour office '
        '<style data-emotion="css b2">.css-b2{clip:rect(0 0 0 0);position:absolute;}</style>'
        '<span class="css-b2">:</span></span>Harbour strike ends after pay deal</h1>'
    )
    assert (
        headline_text(lxml_html.fromstring(h1))
        == "Press release of the harbour office :Harbour strike ends after pay deal"
    )
    assert title_of("Harbour strike ends after pay deal", h1) == "Harbour strike ends after pay deal"


def test_a_tagline_the_title_repeats_glued_to_the_headline_is_the_sites() -> None:
    stated = "Truck wash A31The other business directory | The other business directory"
    assert clean_title(stated) == "Truck wash A31"
    # a headline that merely ends with the words of another part, after a space, keeps them
    assert clean_title("Why we love the city | the city") == "Why we love the city"


def test_a_separator_without_spaces_between_chinese_pieces_sets_off_the_sites_name() -> None:
    assert clean_title("武汉的声音：有英勇的你，才有英雄的城！-新华网") == "武汉的声音：有英勇的你，才有英雄的城！"
    assert clean_title("港口工人罢工在周四达成协议后结束_经济_新闻网") == "港口工人罢工在周四达成协议后结束"
    # pieces of even length are one headline: nothing is dropped
    assert clean_title("中美贸易-最新进展") == "中美贸易-最新进展"


def test_a_page_without_an_h1_showing_its_title_whole_in_an_h2_keeps_the_part_after_the_bar() -> None:
    head = '<meta property="og:title" content="Growing lemons from seed | A step-by-step guide">'
    page = f"""<html><head><title>Growing lemons from seed | A step-by-step guide</title>{head}</head><body>
<h2 class="hero">Growing lemons from seed | A step-by-step guide</h2><article>
<p>Dock workers ended their strike on Thursday after a pay deal was agreed by both sides.</p></article></body></html>"""
    meta = page_meta(lxml_html.fromstring(page))
    stated = "Growing lemons from seed | A step-by-step guide"
    assert choose_title(stated, meta, meta.shown_headline, stated) == stated
    # unless a part of it names the site
    named = page.replace("A step-by-step guide", "Garden Times").replace("</head>", _SITE + "</head>")
    meta, named_title = page_meta(lxml_html.fromstring(named)), "Growing lemons from seed | Garden Times"
    assert meta.shown_headline == ""
    assert choose_title(named_title, meta, meta.shown_headline, named_title) == "Growing lemons from seed"


def test_a_marked_headline_that_carries_the_titles_sentence_on_is_the_headline() -> None:
    h1 = (
        '<h1>No weight gain at Christmas: 10 tips</h1><h2><span class="c-headline">'
        "No weight gain at Christmas: 10 tips for a slim feast</span></h2>"
    )
    assert (
        title_of("No weight gain at Christmas: 10 tips", h1) == "No weight gain at Christmas: 10 tips for a slim feast"
    )
    bylined = h1.replace("for a slim feast", "by Jane Doe")
    assert title_of("No weight gain at Christmas: 10 tips", bylined) == "No weight gain at Christmas: 10 tips"


def test_a_chinese_title_opening_with_a_short_piece_is_kept_whole() -> None:
    assert clean_title("台北大安_公園賞花 (3) @ 小明的家_晴天") == "台北大安_公園賞花 (3) @ 小明的家_晴天"


def test_stated_titles_differing_only_in_a_label_before_a_colon_agree_on_what_follows() -> None:
    head = '<meta property="og:title" content="Sail away?: Harbour regatta returns">'
    page = PAGE.replace("</head>", head + "</head>").format(title="Previews: Harbour regatta returns", h1="")
    meta = page_meta(lxml_html.fromstring(page))
    stated = "Previews: Harbour regatta returns"
    assert choose_title(stated, meta, meta.shown_headline, stated) == "Harbour regatta returns"
    # where one stated title has no label, nothing is agreed: the first stated title, as before
    page = PAGE.replace("</head>", head + "</head>").format(title="Harbour regatta returns", h1="")
    meta = page_meta(lxml_html.fromstring(page))
    assert choose_title("Sail away?: Harbour regatta returns", meta, "", "Harbour regatta returns") == (
        "Sail away?: Harbour regatta returns"
    )


def test_a_marked_headline_heading_is_read_without_its_topline_and_screen_reader_labels() -> None:
    h1 = (
        '<h1 class="c-intro__headline"><span>Energy transition and sustainable business</span>'
        '<span class="aural">: </span><small class="c-topline"><span class="aural">, Topic:</span>'
        "<span>Research</span></small></h1>"
    )
    stated = "Energy transition and sustainable business"
    assert title_of(stated, h1) == "Energy transition and sustainable business"


def test_a_label_title_without_an_h1_yields_to_the_headline_the_page_marks() -> None:
    marked = '<div class="article-headline">Harbour strike ends after a pay deal</div>'
    assert title_of("Strikes", marked) == "Harbour strike ends after a pay deal"
    # the title stays where it is a headline itself, or where the page shows an h1
    assert title_of("Strike over at the harbour", marked) == "Strike over at the harbour"
    crumbs = '<div class="page-headline">Home / News / Strikes</div>'
    assert title_of("Strikes", crumbs) == "Strikes"  # a path of labels ending in the title
    shown = "<h1>Strikes</h1>" + marked
    meta = page_meta(lxml_html.fromstring(PAGE.format(title="Strikes", h1=shown)))
    assert choose_title("Strikes", meta, "Strikes", "Strikes") == "Strikes"


def test_a_title_part_opening_with_the_sites_name_and_a_label_is_the_sites() -> None:
    assert clean_title("Magic cleaning | Chronicle ♥ Magazine", ["chronicle"]) == "Magic cleaning"
    # a headline part that merely names the site is kept when the other part is the site's
    assert clean_title("Chronicle wins award | Chronicle", ["chronicle"]) == "Chronicle wins award"


def test_a_short_h1_that_is_a_near_variant_of_a_stated_title_is_the_headline_as_shown() -> None:
    assert title_of("Sustainably living", "<h1>Sustainable living</h1>") == "Sustainable living"
    # a short h1 of other words stays a label, and so does a one-word h1 that a stated title's label repeats
    assert title_of("Sustainably living", "<h1>Our campaigns</h1>") == "Sustainably living"
    head = '<meta property="og:title" content="Harbour strike ends after pay deal">'
    page = PAGE.replace("</head>", head + "</head>").format(title="News - Chronicle", h1="<h1>News</h1>")
    meta = page_meta(lxml_html.fromstring(page))
    stated = "Harbour strike ends after pay deal"
    assert choose_title(stated, meta, "News", "News - Chronicle", ["Chronicle"]) == stated


def test_a_box_drawing_bar_separates_the_sites_name() -> None:
    assert clean_title("Become a product tester │ Chronicle Market", ["Chronicle Market"]) == (
        "Become a product tester"
    )


def test_a_title_that_is_a_label_and_a_colon_before_the_headline_the_page_marks_is_that_headline() -> None:
    marked = '<h2 itemprop="headline">Dock workers and the return of the strike</h2>'
    stated = "Border closures: Dock workers and the return of the strike"
    assert title_of(stated, marked) == "Dock workers and the return of the strike"
    # an h1 that shows the label with its colon keeps it
    shown = f"<h1>{stated}</h1>" + marked
    meta = page_meta(lxml_html.fromstring(PAGE.format(title=stated, h1=shown)))
    assert choose_title(stated, meta, meta.shown_headline, stated) == stated


TYPESET = """<html lang="en"><head><title>{title}</title>
<meta property="og:title" content="{title}"></head><body><div class="post"><h2>{heading}</h2>
<h1>Corsets – by country</h1>
<p>Corset makers in three countries sell their work online, and this list names the shops we trust most.</p>
<p>Each of them makes corsets to measure, ships across Europe and answers questions by e-mail within a day.</p>
<p>Prices start at about eighty euros for a simple model and rise with the fabric and the boning chosen.</p>
</div></body></html>"""


def test_a_title_stated_with_typewriter_dashes_keeps_the_typographic_form_a_heading_shows() -> None:
    from jobs.inputs.html import extract_page

    stated, shown = "Corsets - shops, makers, buying online", "Corsets – shops, makers, buying online"
    assert extract_page(TYPESET.format(title=stated, heading=shown)).title == shown
    # a heading of other words leaves the title as stated
    other = "Corsets – the makers we trust"
    assert extract_page(TYPESET.format(title=stated, heading=other)).title == stated


def test_a_json_ld_headline_with_character_references_is_read_as_the_characters() -> None:
    script = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "&#8222;Finally&#8220;: Harbour strike ends &amp; pay rises"}</script>'
    )
    page = PAGE.format(title="Harbour", h1="").replace("</head>", script + "</head>")
    assert page_meta(lxml_html.fromstring(page)).headline == "„Finally“: Harbour strike ends & pay rises"


ARCHIVED = """<html lang="en"><head><title>Chronicle of the Coast » Blog archive » Harbour strike ends after pay deal</title>
</head><body><h1><a href="/web/2014/http://chronicle.example/">Chronicle of the Coast</a></h1>
<div class="post"><h2>{heading}</h2>
<p>Dock workers ended their strike on Thursday after a pay deal was agreed by both sides of the dispute.</p>
<p>The union said its members would return to work on Monday, and the port expects ships to sail again then.</p>
<p>Talks had lasted three weeks, with the harbour board offering a rise of four per cent over two years.</p>
</div></body></html>"""


def test_a_title_part_the_h1_shows_yields_to_another_part_the_text_opens_with() -> None:
    from jobs.inputs.html import extract_page

    heading = "Harbour strike ends after pay deal"
    assert extract_page(ARCHIVED.format(heading=heading)).title == heading
    # a text opening with a heading that is no part of the title leaves the h1's part
    other = extract_page(ARCHIVED.format(heading="Strike news from the port"))
    assert other.title == "Chronicle of the Coast"


def test_a_title_cut_short_with_an_ellipsis_is_completed_from_a_title_that_goes_on() -> None:
    from jobs.inputs.html import extract_page

    cut = "Why the council should read the harbour report before the vote..."
    full = "Why the council should read the harbour report before the vote on Friday"
    page = (
        f"<html><head><title>{full} | The Town Post</title>"
        f'<script type=\'application/ld+json\'>{{"@type": "NewsArticle", "headline": "{cut}"}}</script>'
        "</head><body><article>"
        + "".join(
            f"<p>The council meets on day {n} to vote on the plan for the old harbour and its piers.</p>"
            for n in range(6)
        )
        + "</article></body></html>"
    )
    assert extract_page(page).title == full
    assert extract_page(page.replace(full, "Harbour plan")).title == cut  # nothing goes on from it
    assert extract_page(page.replace(full, cut + " - Culture")).title == cut  # a headline ending in "..."


def test_a_page_without_an_h1_showing_every_stated_titles_first_piece_in_an_h2_has_that_headline() -> None:
    head = '<meta property="og:title" content="The historic somersault (2021/5)">'
    page = f"""<html><head><title>The historic somersault (2021/5): Chronicle</title>{head}</head><body>
<h2>Travel</h2><h2 class="intro">The historic somersault</h2><article>
<p>Dock workers ended their strike on Thursday after a pay deal was agreed by both sides.</p></article></body></html>"""
    meta = page_meta(lxml_html.fromstring(page))
    assert meta.shown_headline == "The historic somersault"
    stated = "The historic somersault (2021/5)"
    assert choose_title(stated, meta, meta.shown_headline, "The historic somersault (2021/5): Chronicle") == (
        "The historic somersault"
    )
    # a piece of one word is a label, and an h2 that only opens a title's words is no piece of it
    for shown in ("The historic", "The"):
        other = page.replace(">The historic somersault</h2>", f">{shown}</h2>")
        assert page_meta(lxml_html.fromstring(other)).shown_headline == ""


def test_stated_titles_naming_the_site_only_yield_to_the_headline_h1() -> None:
    site = '<meta property="og:site_name" content=".:: GARDEN-TIMES ::. Seeds, Tools / Bulbs">'
    head = site + '<meta property="og:title" content=".:: GARDEN-TIMES ::. Seeds, Tools / Bulbs">'
    h1 = "<h1>New rules for our seed catalogue</h1>"
    page = PAGE.replace("</head>", head + "</head>").format(title=".:: GARDEN-TIMES ::. Seeds, Tools / Bulbs", h1=h1)
    meta = page_meta(lxml_html.fromstring(page))
    stated, names = ".:: GARDEN-TIMES ::. Seeds, Tools / Bulbs", meta.site_names
    assert choose_title(stated, meta, meta.shown_headline, stated, names) == "New rules for our seed catalogue"
    # a label h1 does not take the site's name's place: the stated title stays
    label = page.replace(h1, "<h1>Catalogue</h1>")
    meta = page_meta(lxml_html.fromstring(label))
    assert choose_title(stated, meta, meta.shown_headline, stated, names) == stated


def test_a_label_title_without_an_h1_yields_to_the_first_h2_that_reads_as_its_headline() -> None:
    page = """<html><head><title>Fireguard Oldenburg - Training</title></head><body>
<nav><h2>Menu training</h2></nav><h2 class="sr-only">Training navigation</h2><div id="body">
<h2>Boat service training</h2><p>Dock workers ended their strike on Thursday after a pay deal.</p></div></body></html>"""
    meta = page_meta(lxml_html.fromstring(page))
    assert meta.first_heading == "Boat service training"
    assert choose_title("Fireguard Oldenburg", meta, "", "Fireguard Oldenburg - Training") == "Boat service training"
    # an h2 that shares no word with the stated title (a date, a blog's section) leaves the label
    dated = page.replace("Boat service training", "Tuesday, 28 April 2020")
    meta = page_meta(lxml_html.fromstring(dated))
    assert choose_title("Fireguard Oldenburg", meta, "", "Fireguard Oldenburg - Training") == "Fireguard Oldenburg"
    # a side panel's one-word h1 other than the title is no headline either
    panel = page.replace("<nav>", '<div id="sidebar"><h1>Page</h1></div><nav>')
    meta = page_meta(lxml_html.fromstring(panel))
    assert (
        choose_title("Fireguard Oldenburg", meta, "Page", "Fireguard Oldenburg - Training") == "Boat service training"
    )
    # and so does a page whose h1 shows the headline
    meta = page_meta(lxml_html.fromstring(page))
    assert choose_title("Training", meta, "Training", "Training") == "Training"


def test_an_h1_no_stated_title_agrees_with_yields_to_an_h2_showing_a_stated_title_whole() -> None:
    body = "<h1>Garden Health Centre</h1><h2>Tools and resources</h2><h2>{h2}</h2>"
    page = PAGE.format(title="Children who plant early may avoid allergies", h1=body)
    meta = page_meta(lxml_html.fromstring(page.format(h2="Children who plant early may avoid allergies")))
    stated, shown = "Children who plant early may avoid allergies", meta.shown_headline
    assert choose_title(shown, meta, shown, stated) == stated  # trafilatura read the h1
    # an h2 showing no stated title leaves the h1 (the page's headline as shown)
    meta = page_meta(lxml_html.fromstring(page.format(h2="Something else entirely")))
    assert choose_title(shown, meta, shown, stated) == "Garden Health Centre"
    # nor does one before the h1 (a site's header showing its one title on every page)
    header = PAGE.format(title=stated, h1=f"<header><h2>{stated}</h2></header><h1>Garden Health Centre</h1>")
    meta = page_meta(lxml_html.fromstring(header))
    assert choose_title(shown, meta, shown, stated) == "Garden Health Centre"
    # an h1 a stated title agrees with (og:title and the h2 say another headline) stays
    head = '<meta property="og:title" content="Gardeners sue over poor paving stones">'
    other = PAGE.replace("</head>", head + "</head>").format(
        title="Gardeners sue the building firm | Garden Times",
        h1="<h1>Gardeners sue the building firm</h1><h2>Gardeners sue over poor paving stones</h2>",
    )
    meta, h1 = page_meta(lxml_html.fromstring(other)), "Gardeners sue the building firm"
    assert choose_title(h1, meta, meta.shown_headline, f"{h1} | Garden Times") == h1


def test_an_h2_after_the_h1_that_repeats_it_and_runs_on_after_a_separator_is_the_headline() -> None:
    title = "Post-war fire trucks - Part 49 - Garden Times"
    body = "<h1>Post-war fire trucks - Part 49</h1><em>2 November 2021</em><h2>{h2}</h2>"
    page = PAGE.replace("{h1}", body)
    full, h1 = "Post-war fire trucks - Part 49 – The Büssing years (1931 – 1945)", "Post-war fire trucks - Part 49"
    meta = page_meta(lxml_html.fromstring(page.format(title=title, h2=full)))
    assert meta.heading_after == full
    assert choose_title(title, meta, meta.shown_headline, title, ["Garden Times"]) == full
    # an h2 that goes on with the site's name, or that only shares the h1's opening, is no headline
    for h2 in ("Post-war fire trucks - Part 49 - Garden Times", "Post-war fire trucks - Part 49 and more"):
        meta = page_meta(lxml_html.fromstring(page.format(title=title, h2=h2)))
        assert choose_title(title, meta, meta.shown_headline, title, ["Garden Times"]) == h1
    # one of several h2s that open with the h1 and go on (a guide's sections) is no headline
    sections = page.replace("</article>", "<h2>Post-war fire trucks - Part 49 - how they were built</h2></article>")
    meta = page_meta(lxml_html.fromstring(sections.format(title=title, h2=full)))
    assert choose_title(title, meta, meta.shown_headline, title, ["Garden Times"]) == h1


def test_a_json_ld_headline_wrapped_in_cdata_or_typed_with_a_tab_is_read() -> None:
    ld = '{"@type": "NewsArticle", "headline": "Dock workers end their strike"}'
    for script in (
        f"//<![CDATA[\n{ld}\n//]]>",
        f"/*<![CDATA[*/{ld}/*]]>*/",
        f"<![CDATA[ {ld} ]]>",
        ld.replace(" end", "\tend"),
    ):
        head = f'<script type="application/ld+json">{script}</script>'
        page = PAGE.format(title="", h1="").replace("</head>", head + "</head>")
        assert page_meta(lxml_html.fromstring(page)).headline.split() == ["Dock", "workers", "end", "their", "strike"]
