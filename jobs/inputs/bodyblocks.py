"""The paragraphs of trafilatura's output tree: one per block, without link blocks that promote
other stories or a run of teasers after the story's end, and the prose a second reading found."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jobs.inputs.pagekind import normal_text
from jobs.inputs.prose import prose_words
from jobs.inputs.text import one_line

MOSTLY_LINK = 0.8  # a block with this share of its characters in links is a link, not a paragraph
MAX_PROMOTION_SHARE = 0.25  # up to this share of link blocks are promotions of other stories
# This many blocks in a row at the end, each opening with a link and shorter than TEASER_MAX_WORDS,
# are teasers of other stories ("Headline Teaser sentence"), not the story's end.
MIN_TEASER_RUN = 3
TEASER_MAX_WORDS = 40


def body_paragraphs(body: Any) -> tuple[list[str], float]:
    """One paragraph per block (and per <br> line) of trafilatura's output tree, and the link share.

    The link share is the fraction of blocks whose text is mostly link text: a front page's
    headlines are links through and through, an article's paragraphs at most hold a few. A few
    such blocks among many paragraphs are promotions of other stories ("SEE MORE: ...") and are
    dropped; many are the text itself (a list of deals) and stay.
    """
    blocks: list[tuple[list[str], bool, bool]] = []
    for element in body:
        items = element.findall(".//item") if element.tag == "list" else [element]
        for item in items:
            lines = _lines(item)
            if lines:
                link_chars = sum(len(one_line("".join(ref.itertext()))) for ref in item.iter("ref"))
                linked = link_chars >= MOSTLY_LINK * sum(map(len, lines))
                blocks.append((lines, linked, _leads_with_link(item)))
    share = sum(linked for _, linked, _ in blocks) / len(blocks) if blocks else 0.0
    promotions = share <= MAX_PROMOTION_SHARE
    tail = 0  # "Headline Teaser sentence" blocks after the story's end: a list of other stories
    while (
        tail < len(blocks)
        and blocks[-1 - tail][2]
        and sum(len(line.split()) for line in blocks[-1 - tail][0]) < TEASER_MAX_WORDS
    ):
        tail += 1
    if tail >= MIN_TEASER_RUN and tail < len(blocks):
        blocks = blocks[:-tail]
    return [line for lines, linked, _ in blocks if not (linked and promotions) for line in lines], share


def _leads_with_link(item: Any) -> bool:
    """Whether a block opens with a link (a teaser's headline), with no text before it."""
    first = next(iter(item), None)
    return first is not None and first.tag == "ref" and not (item.text or "").strip()


def _lines(element: Any) -> list[str]:
    """The element's text, split where it had line breaks (<lb/>)."""
    lines: list[str] = [""]

    def walk(node: Any) -> None:
        for child in node:
            if child.tag == "lb":
                lines.append("")
            else:
                lines[-1] += child.text or ""
                walk(child)
            lines[-1] += child.tail or ""

    lines[-1] += element.text or ""
    walk(element)
    return [text for text in (one_line(line) for line in lines) if text]


def merge_missed_prose(paragraphs: Sequence[str], other: Sequence[str]) -> list[str]:
    """The paragraphs, with the prose another reading of the page found inside the same article.

    Where the two readings disagree, a paragraph only `other` has is kept when it is running prose
    (prose.prose_words: sentences, not labels or links) and lies between two paragraphs both
    readings share: inside the article, not before its start or after its end. It goes after the
    shared paragraph that precedes it.
    """
    ours = {normal_text(p): index for index, p in enumerate(paragraphs)}
    shared = [index for index, p in enumerate(other) if normal_text(p) in ours]
    if len(shared) < 2:
        return list(paragraphs)
    inserts: dict[int, list[str]] = {}
    anchor = None
    for index, paragraph in enumerate(other):
        key = normal_text(paragraph)
        if key in ours:
            anchor = ours[key]
        elif anchor is not None and shared[0] < index < shared[-1] and prose_words([paragraph]):
            inserts.setdefault(anchor, []).append(paragraph)
    merged: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        merged.append(paragraph)
        merged.extend(inserts.get(index, []))
    return merged
