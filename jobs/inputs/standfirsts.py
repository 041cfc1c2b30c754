"""A story's standfirst: the lead paragraph a page shows under its headline, apart from the story.

Pages set the standfirst (intro, teaser, excerpt, abstract, chapo) in the story's header,
next to the headline, date and byline, often in a box of its own; extraction scores it with the
header's furniture and leaves it out, though it is the story's first paragraph. Read before
extraction: the first block of running prose after the headline <h1>, with only labels (a date,
a byline, a category) between them, is the standfirst when the page marks it as one (its class
or id, or that of a box around it, says so). A deck or subtitle (`dek`, `subtitle`, an <h2> under
the headline) is the headline's second line, not the story's first paragraph; a box classed
`lead`, `summary` or `description`, or the page's stated description, may be either: none of
them is read (on the corpus, whose annotators leave deck lines out of the story, each of them
marked deck lines as often as story text: docs/inputs.md, the tenth round).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from jobs.inputs.headlines import headline_elements, same_headline
from jobs.inputs.pagekind import normal_text
from jobs.inputs.prose import prose_words

# Words of a class or id (split at dashes, underscores and camelCase) that mark a standfirst.
_MARKS = frozenset(["intro", "introduction", "teaser", "excerpt", "abstract", "chapo", "standfirst", "vorspann"])
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "header",
        "li",
        "ul",
        "ol",
        "dl",
        "table",
        "figure",
    ]
)
_LEAVES = frozenset(["p", "div", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "dd"])
# Where no standfirst is: the page's furniture, pictures and their captions, links to other pages.
_OUTSIDE = (
    "ancestor-or-self::*[self::nav or self::aside or self::footer or self::form or self::figure"
    " or self::figcaption or self::button or self::a or self::script or self::style or self::noscript]"
)
_LINKED_HEADING = (
    ".//*[self::h2 or self::h3 or self::h4 or self::h5][.//a[@href and not(starts-with(normalize-space(@href), '#'))]]"
)
MAX_LABEL_WORDS = 40  # labels between the headline and its standfirst: a date, a byline, a category
MAX_LABEL_BLOCKS = 8
MIN_WORDS = 8  # a standfirst says something: "Jetzt lesen" or a date is no standfirst
MARK_LEVELS = 3  # how far above the block its mark may sit (a box holding the standfirst's <p>)


def standfirst(tree: Any) -> tuple[str, ...]:
    """The paragraphs of the standfirst under the page's headline (see _headline and the module), or () if none.
    Read before extraction, which prunes the tree."""
    h1 = _headline(tree)
    if h1 is None:
        return ()
    headline = " ".join(h1.text_content().split())
    labels = blocks = 0
    for block in h1.xpath("following::*"):
        if not _is_leaf(block) or block.xpath(_OUTSIDE):
            continue
        text = " ".join(block.text_content().split())
        if not text or same_headline(text, headline):
            continue  # the headline shown again (for print or small screens) is no label
        if len(text.split()) >= MIN_WORDS and prose_words([text]):
            holder = _marked(block, h1)
            return _paragraphs(holder) if holder is not None and not _teaser(holder) else ()
        labels, blocks = labels + len(text.split()), blocks + 1
        if labels > MAX_LABEL_WORDS or blocks > MAX_LABEL_BLOCKS:
            return ()
    return ()


def _headline(tree: Any) -> Any:
    """The headline <h1>; on a page without one, the first h2-h4 (not in a link) that shows the page's
    stated title (og:title, <title>) as its headline; None if neither."""
    h1s = headline_elements(tree)
    if h1s:
        return h1s[0]
    titles = [t for t in tree.xpath("//meta[@property='og:title']/@content | //title//text()") if t.strip()]
    for heading in tree.xpath("//*[self::h2 or self::h3 or self::h4][not(ancestor::a)]"):
        text = " ".join(heading.text_content().split())
        if text and any(same_headline(text, title) for title in titles):
            return heading
    return None


def with_standfirst(paragraphs: Sequence[str], lead: Sequence[str]) -> list[str]:
    """`paragraphs` opened by the standfirst `lead`, unless they hold it already (or it holds one of them)."""
    keys = [normal_text(p) for p in paragraphs]
    missing = [
        p for p in lead if (key := normal_text(p)) and not any(key in k or (len(k) > 40 and k in key) for k in keys)
    ]
    return [*missing, *paragraphs] if len(missing) == len(lead) else list(paragraphs)


def _is_leaf(element: Any) -> bool:
    """A block element with no block inside it: a paragraph as the page shows it."""
    if not isinstance(element.tag, str) or element.tag not in _LEAVES:
        return False
    return not any(isinstance(e.tag, str) and e.tag in _BLOCKS for e in element.iterdescendants())


def _marked(block: Any, h1: Any) -> Any:
    """The element, the block or one of its MARK_LEVELS ancestors that does not hold the headline,
    whose class or id says standfirst; None if none."""
    for element in [block, *list(block.iterancestors())[:MARK_LEVELS]]:
        if h1 in element.iterdescendants():
            return None
        words = {w.lower() for w in _WORD.findall(f"{element.get('class', '')} {element.get('id', '')}")}
        if words & _MARKS:
            return element
    return None


def _teaser(holder: Any) -> bool:
    """Whether the marked box is another story's teaser: it holds a heading that links to another
    page ("<div class=teaser><h3><a href=...>Headline</a></h3><p>...")."""
    return bool(holder.xpath(_LINKED_HEADING))


def _paragraphs(holder: Any) -> tuple[str, ...]:
    """The standfirst's paragraphs: the prose leaves of the element holding it."""
    leaves = [holder] if _is_leaf(holder) else [e for e in holder.iterdescendants() if _is_leaf(e)]
    texts = [" ".join(e.text_content().split()) for e in leaves if not e.xpath(_OUTSIDE)]
    return tuple(text for text in texts if len(text.split()) >= MIN_WORDS and prose_words([text]))
