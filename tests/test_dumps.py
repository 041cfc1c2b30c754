"""A short story that trafilatura dumps as one block with the page's header (jobs/inputs/dumps.py)."""

from __future__ import annotations

import pytest
from lxml import html

from jobs.inputs.article import ContentError
from jobs.inputs.dumps import header_dump
from jobs.inputs.html import extract_page

STORY = (
    "<p>I would put my money in smart and cheap charging posts for electric cars. I wonder why there "
    "are still none that can compete, with the service around them.</p>"
    "<p><strong>Thanks for the tip, and for the two per cent.</strong></p>"
)


def _page(story: str) -> str:
    return (
        "<html><head><title>Charging posts - My Blog</title></head><body>"
        "<header><a href='/'>My Blog</a><nav><a href='/a'>About</a> <a href='/c'>Contact</a></nav></header>"
        "<main><article class='post'><header class='entry-header'><h1 class='entry-title'>Charging posts.</h1>"
        "<div class='entry-meta'><span class='posted-on'><a href='/2019/11/17/posts/' rel='bookmark'>"
        "<time class='entry-date published' datetime='2019-11-17T15:14:48+01:00'>17/11/2019</time></a></span>"
        "<span class='byline'> ~ <a class='url fn n' href='/author/jo/'>Jo Lane</a></span></div></header>"
        f"<div class='entry-content'>{story}"
        "<div class='sharedaddy'><h3 class='sd-title'>Rate this:</h3><h3 class='sd-title'>Share this:</h3>"
        "<ul><li><a href='/s?t'>Twitter</a></li><li><a href='/s?f'>Facebook</a></li></ul>"
        "<h3 class='sd-title'>Like this:</h3><a href='/like'>Like</a> Loading ...</div></div>"
        "<footer class='entry-footer'><div class='author-info'><h2>Published by Jo Lane</h2>"
        "<p>Life is not digital. Life is a burning bush. I write about cars, cities and the money that moves "
        "them, from a small desk by the window, and I have done so for twenty years in three countries.</p><a href='/author/jo/'>View all posts by Jo Lane</a>"
        "</div></footer></article></main>"
        "<footer>(c) My Blog</footer></body></html>"
    )


def test_a_short_story_is_read_without_the_header_and_share_buttons_glued_on() -> None:
    story = (  # over 40 words of prose in under 250 characters: trafilatura dumps the whole <article>
        "<p>We sat by the lake at six. The rain came in fast, and we ran to the car. It was a long day.</p>"
        "<p>Then the sun came out. We ate on the wall by the road, and the kids ran off to see the ducks.</p>"
    )
    page = extract_page(_page(story))
    assert (
        page.paragraphs[0]
        == "We sat by the lake at six. The rain came in fast, and we ran to the car. It was a long day."
    )
    assert len(page.paragraphs) == 2
    assert not any(s in p for p in page.paragraphs for s in ("17/11/2019", "Jo Lane", "Share this", "Twitter"))


def test_a_story_too_short_once_the_header_is_off_is_refused_not_published_as_the_dump() -> None:
    with pytest.raises(ContentError, match="too little running prose"):
        extract_page(_page(STORY))


def test_a_dump_is_one_block_that_opens_with_the_headline_and_goes_on() -> None:
    def body(*blocks: str):
        return html.fromstring("<div>" + "".join(f"<p>{b}</p>" for b in blocks) + "</div>")

    dump = "Home News A day at the mill 17/11/2019 ~ Jo Lane We met at the old mill."
    assert header_dump(body(dump), ["A day at the mill"])
    assert not header_dump(body("We met at the mill.", dump), ["A day at the mill"])  # several blocks
    assert not header_dump(body("A day at the mill"), ["A day at the mill"])  # the headline alone
    late = " ".join(["word"] * 30) + " A day at the mill"  # named late in a story: no header
    assert not header_dump(body(late), ["A day at the mill"])
