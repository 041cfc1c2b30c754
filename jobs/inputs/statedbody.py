"""The story a page states in its structured data (JSON-LD `articleBody`), for pages that show too little.

A page that builds its story in the browser holds, as HTML, little more than a headline, a photo's
caption and scripts; many such pages state the whole story in their structured data, as search
engines ask: an Article object (schema.org's `articleBody` belongs to Article and its kinds) with
the text. When the text read from the page is too little to be an article, the job reads this
stated body instead (jobs.inputs.html), checked like any other: the prose minimum, boilerplate,
bylines and repeated headlines, and split into its paragraphs (its lines, or its blocks when it
is HTML). The body is taken only when the page states one story: one Article with a body, or
among several the one whose headline is the page's. trafilatura's own rescue reads any
`articleBody` as one paragraph, every one when there are several: such a paragraph, when the
page does not show that text, is set aside for the story chosen here, or for none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jobs.inputs.pagekind import normal_text
from jobs.inputs.pagemeta import json_ld_objects

_MARKUP = re.compile(r"<(?:p|br|div|h[1-6]|li)\b[^>]*>", re.IGNORECASE)  # a body stated as HTML


@dataclass(frozen=True)
class Stated:
    """What a page's structured data says its story is."""

    story: str = ""  # the articleBody of the page's one story, "" if none can be told
    unshown: frozenset[str] = frozenset()  # every articleBody it states and does not show, normalized

    def unread(self, paragraphs: Sequence[str]) -> list[str]:
        """`paragraphs` (extracted) without any that is a whole stated body the page does not show:
        the structured data read as one paragraph (trafilatura's rescue)."""
        return [p for p in paragraphs if normal_text(p) not in self.unshown]


def stated_body(tree: Any, headlines: Iterable[str]) -> Stated:
    """The page's stated story: its one Article with an `articleBody`, or among several the one under
    one of `headlines`. Read before extraction, which removes the scripts."""
    stated = [o for o in json_ld_objects(tree) if isinstance(o.get("articleBody"), str) and o["articleBody"].strip()]
    bodies = {normal_text(_text(o["articleBody"])) for o in stated}
    if bodies:
        shown = normal_text(" ".join(tree.xpath("//body//text()[not(ancestor::script or ancestor::style)]")))
        bodies = {body for body in bodies if body not in shown}
    if len(stated) > 1:
        wanted = {normal_text(h) for h in headlines} - {""}
        stated = [o for o in stated if normal_text(str(o.get("headline") or "")) in wanted][:1]
    return Stated(stated[0]["articleBody"] if stated else "", frozenset(bodies))


def _text(body: str) -> str:
    """A stated body's text (its markup's, when it is HTML)."""
    if not is_markup(body):
        return body
    from lxml import etree
    from lxml import html as lxml_html

    try:
        return lxml_html.fragment_fromstring(body, create_parent="div").text_content()
    except (etree.ParserError, ValueError):
        return body


def is_markup(body: str) -> bool:
    """True when a stated body is HTML (paragraph or line-break tags), not plain text."""
    return _MARKUP.search(body) is not None
