"""The standfirst a page shows under its headline, which extraction leaves out (standfirsts.py)."""

from __future__ import annotations

from lxml import html

from jobs.inputs.html import extract_page
from jobs.inputs.standfirsts import standfirst, with_standfirst

LEAD = "Die Heizungsbauer verkaufen so viele Wärmepumpen wie nie zuvor. Gas bleibt dennoch vorn."
STORY = (
    "Trotz knapper Teile hat die Heizungsindustrie bis Oktober rund 800.000 neue Wärmeerzeuger verkauft, "
    "meldet der Verband der Hersteller. Das sind zwölf Prozent mehr als im Vorjahr, vor allem im Neubau."
)
MORE = (
    "Den größten Zuwachs hatten Wärmepumpen mit 42 Prozent. Der Verband nennt die gestiegenen Preise für "
    "Gas und Öl als Grund und die Sorge um die Versorgung im kommenden Winter, die viele Kunden umtreibe."
)


def _page(lead_box: str = f"<div class='article-header__abstract'>{LEAD}</div>") -> str:
    return (
        "<html><head><title>Wärmepumpen boomen</title></head><body><nav><a href='/'>Start</a></nav>"
        "<div class='article-header'><span class='kicker'>Wärme</span><h1>Wärmepumpen boomen</h1>"
        f"{lead_box}<span class='date'>06.12.2022</span></div>"
        f"<div class='article-body'><p>{STORY}</p><p>{MORE}</p></div>"
        "<footer><p>Impressum Datenschutz</p></footer></body></html>"
    )


def test_the_box_marked_as_the_standfirst_under_the_headline_is_read() -> None:
    assert standfirst(html.fromstring(_page())) == (LEAD,)
    teaser = f"<div class='teaser-text'><p>{LEAD}</p></div>"
    assert standfirst(html.fromstring(_page(teaser))) == (LEAD,)


def test_the_standfirst_opens_the_page_s_text() -> None:
    assert extract_page(_page()).paragraphs[:3] == (LEAD, STORY, MORE)


def test_unmarked_prose_subtitles_links_and_far_blocks_are_no_standfirst() -> None:
    """The story's own first paragraph, a deck (a subtitle of the headline), a teaser of another
    page and a marked block after the story's first paragraph are not read as the standfirst."""
    assert standfirst(html.fromstring(_page(f"<p>{LEAD}</p>"))) == ()
    for deck in ("dek", "subtitle", "lead"):
        assert standfirst(html.fromstring(_page(f"<p class='{deck}'>{LEAD}</p>"))) == ()
    assert standfirst(html.fromstring(_page(f"<a href='/other'><p class='teaser'>{LEAD}</p></a>"))) == ()
    late = _page("").replace(f"<p>{MORE}</p>", f"<p class='intro'>{LEAD}</p><p>{MORE}</p>")
    assert standfirst(html.fromstring(late)) == ()


def test_a_standfirst_the_text_holds_already_is_not_added_again() -> None:
    assert with_standfirst([STORY, MORE], [LEAD]) == [LEAD, STORY, MORE]
    assert with_standfirst([f"{LEAD} {STORY}", MORE], [LEAD]) == [f"{LEAD} {STORY}", MORE]
    assert with_standfirst([LEAD, STORY], [LEAD]) == [LEAD, STORY]


def test_the_headline_shown_again_is_passed_over() -> None:
    """A second copy of the headline (an h2 for print or small screens) stands between it and its standfirst."""
    headline = "Warum verkaufen die Heizungsbauer jetzt so viele Wärmepumpen wie nie?"
    again = f"<h2>{headline}</h2><div class='intro'>{LEAD}</div>"
    page = _page(again).replace("<h1>Wärmepumpen boomen</h1>", f"<h1>{headline}</h1>")
    assert standfirst(html.fromstring(page)) == (LEAD,)


def test_without_an_h1_the_heading_showing_the_stated_title_is_the_headline() -> None:
    page = (
        "<html><head><meta property='og:title' content='Heizungsbauer melden Rekord beim Absatz'></head><body>"
        "<h3><a href='/news/1'>Ein anderer Bericht aus dem Archiv</a></h3>"
        f"<div class='news-single'><h3>Heizungsbauer melden Rekord beim Absatz</h3><span>06.12.2022</span>"
        f"<div class='teaser-text'><p>{LEAD}</p></div><p>{STORY}</p></div></body></html>"
    )
    assert standfirst(html.fromstring(page)) == (LEAD,)
    assert standfirst(html.fromstring(page.replace("og:title", "og:site_name"))) == ()


def test_another_story_s_teaser_between_the_headline_and_the_story_is_no_standfirst() -> None:
    teaser = "<div class='teaser'><h3><a href='/andere-meldung'>Gasheizungen bleiben gefragt</a></h3>"
    teaser += f"<p>{LEAD}</p></div>"
    assert standfirst(html.fromstring(_page(teaser))) == ()
