"""A short article that trafilatura returns as one block with its page's header glued on.

When trafilatura's own extraction finds under MIN_EXTRACTED_SIZE characters (a short story, a
blog post of two paragraphs), its baseline rescue takes the text of the page's whole <article>
(or <body>) as one paragraph: the headline, the date line, the byline, breadcrumbs and share
buttons glued to the story ("Elektro-Zapfsäulen. 17/11/2019 ~ Cem Basman Ich würde ja ...
Bewerten: Teilen Sie dies mit: Twitter Facebook"). Such a body is told by its shape: one block
that holds a headline of the page and more. The page is then read again with trafilatura's
precision setting, which has no baseline rescue: the story's own paragraphs, however short
(the prose minimum then decides whether it is an article at all).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jobs.inputs.pagekind import normal_text

# The header's words a dump may show before the headline (breadcrumbs, a section label, a date).
HEADER_WORDS = 12


def header_dump(body: Any, headlines: Iterable[str]) -> bool:
    """True when `body` (trafilatura's) is one block that opens with one of `headlines` (after at
    most HEADER_WORDS words) and goes on: the page's header glued to the story."""
    blocks = [text for element in body if (text := normal_text(" ".join(element.itertext())))]
    if len(blocks) != 1:
        return False
    for headline in {normal_text(h) for h in headlines} - {""}:
        start = blocks[0].find(headline)
        if start >= 0 and blocks[0] != headline and len(blocks[0][:start].split()) <= HEADER_WORDS:
            return True
    return False


def precision_body(html: str, url: str | None, prepare: Any) -> Any:
    """trafilatura's body of `html` read with favor_precision (no baseline rescue), or None when it
    finds no text. `prepare`: what the caller does to a parsed tree before extracting."""
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return None
    prepare(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_links=True,
        with_metadata=False,
    )
    if document is None or document.body is None or not normal_text(" ".join(document.body.itertext())):
        return None
    return document.body
