"""The story a page states in its JSON-LD when its HTML shows too little (jobs/inputs/statedbody.py)."""

from __future__ import annotations

import json

import pytest

from jobs.inputs.article import ContentError
from jobs.inputs.html import extract_page

LINES = [
    "The city council voted on Tuesday to close the old bridge over the river for two years of repairs.",
    "Engineers had warned last spring that the steel beams under the road were rusting faster than expected.",
    "Buses will take a longer route through the north of the town, and a ferry will run every half hour.",
]


def _page(*stories: dict, headline: str = "Council closes the old bridge") -> str:
    data = json.dumps({"@context": "https://schema.org", "@graph": list(stories)})
    return (
        f"<html><head><title>{headline} | The Town Post</title>"
        f"<meta property='og:title' content='{headline}'>"
        f"<script type='application/ld+json'>{data}</script></head>"
        f"<body><div id='app'><h1>{headline}</h1><figure><img src='b.jpg'>"
        "<figcaption>The old bridge at dusk. Photo: Ann Lee</figcaption></figure></div>"
        "<script>window.render()</script></body></html>"
    )


def _story(body: str, headline: str = "Council closes the old bridge") -> dict:
    return {"@type": "NewsArticle", "headline": headline, "articleBody": body}


def test_a_page_that_shows_too_little_is_read_from_the_body_its_structured_data_states() -> None:
    page = extract_page(_page(_story("\n".join(LINES))))
    assert page.paragraphs == tuple(LINES)


def test_a_stated_body_in_html_is_read_by_its_blocks() -> None:
    page = extract_page(_page(_story("".join(f"<p>{line}</p>" for line in LINES))))
    assert page.paragraphs == tuple(LINES)


def test_among_several_stated_stories_the_one_under_the_pages_headline_is_read() -> None:
    other = _story("A different story about the harbour and its boats. " * 8, headline="The harbour at night")
    page = extract_page(_page(other, _story("\n".join(LINES))))
    assert page.paragraphs == tuple(LINES)


def test_several_stated_stories_none_the_pages_and_a_stated_body_too_short_are_not_read() -> None:
    other = _story("A different story about the harbour and its boats. " * 8, headline="The harbour at night")
    with pytest.raises(ContentError, match="too little"):
        extract_page(_page(other, _story("\n".join(LINES), headline="Boats in the bay")))
    with pytest.raises(ContentError, match="too little"):
        extract_page(_page(_story("The bridge is closed.")))
