"""The article's title: what the page states and shows, without the site's decorations (jobs/inputs/headlines.py)."""

from __future__ import annotations

from lxml import html as lxml_html

from jobs.inputs.headlines import headline_text
from jobs.inputs.pagemeta import page_meta
from jobs.inputs.titles import choose_title

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
