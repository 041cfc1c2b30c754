"""Feed boilerplate ("Continue reading...", "Related: ...", "The post ... appeared first on ...") and teasers.

Feeds append lines to an item's text that are about the feed, not the story; they never become
paragraphs. A description that ends in such a "read more" link, or is too short to be a whole
story, is a teaser: it stands for the article instead of being it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A whole paragraph that is only about the feed or the site.
_BOILERPLATE_PARAGRAPH = re.compile(
    r"^(?:"
    r"(?:continue|keep) reading\b.*"
    r"|read (?:more|the (?:full|whole|rest)\b).*"
    r"|related(?: (?:stories|articles|coverage|reading))?\s*[:\-–—].*"
    r"|the post\b.+\bappeared first on\b.*"
    r"|.{0,200}\bwas (?:originally|first) published\b.{0,200}"
    r"|(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.)"
    r")$",
    re.IGNORECASE,
)
# A "read more" link or a bracketed ellipsis at the end of a paragraph of story text.
_BOILERPLATE_TAIL = re.compile(
    r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]|(?:continue|keep) reading\b.{0,80}|read more\b.{0,40})$",
    re.IGNORECASE,
)
_MAX_BOILERPLATE_WORDS = 40  # longer paragraphs are story text, whatever words they hold
# A description shorter than this, or in fewer paragraphs, is a teaser rather than a story.
TEASER_MAX_WORDS = 100
TEASER_MAX_PARAGRAPHS = 2


@dataclass(frozen=True)
class Stripped:
    """An item's paragraphs without feed boilerplate, and whether they were cut off ("read more")."""

    paragraphs: tuple[str, ...]
    truncated: bool


def strip_boilerplate(paragraphs: Sequence[str]) -> Stripped:
    """The paragraphs without feed boilerplate lines and trailing "read more" links or ellipses."""
    kept: list[str] = []
    truncated = False
    for paragraph in paragraphs:
        if len(paragraph.split()) <= _MAX_BOILERPLATE_WORDS and _BOILERPLATE_PARAGRAPH.match(paragraph):
            truncated = truncated or _is_read_more(paragraph)
            continue
        tail = _BOILERPLATE_TAIL.search(paragraph)
        if tail:
            truncated = True
            paragraph = paragraph[: tail.start()].rstrip()
        if paragraph:
            kept.append(paragraph)
    return Stripped(tuple(kept), truncated)


def is_teaser(stripped: Stripped) -> bool:
    """Whether a feed description stands for its story rather than holding it."""
    words = sum(len(p.split()) for p in stripped.paragraphs)
    cut_off = bool(stripped.paragraphs) and stripped.paragraphs[-1].endswith(("…", "..."))
    return (
        stripped.truncated or cut_off or words < TEASER_MAX_WORDS or len(stripped.paragraphs) <= TEASER_MAX_PARAGRAPHS
    )


def _is_read_more(paragraph: str) -> bool:
    lowered = paragraph.casefold()
    return lowered.startswith(("continue reading", "keep reading", "read more", "read the")) or lowered in (
        "…",
        "...",
    )
