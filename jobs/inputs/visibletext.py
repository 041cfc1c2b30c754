"""The text a page shows its reader, and whether a name is in it: a byline is a name the reader
can see (pageauthors.stated_authors checks structured data's names against it; html.py checks a
visible byline's names are not credited with other work).

The page's text outside asides (but an author's box), navigation, readers' comments, sidebars and
lists of other stories, and hidden elements (unseen.hidden_class), folded: case, accents and
punctuation away.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from jobs.inputs.bylinemarks import body_path
from jobs.inputs.bylines import words
from jobs.inputs.unseen import hidden_class

_NAMESPACES = {"re": "http://exslt.org/regular-expressions"}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Readers' comments: an element (not <body>, whose classes may say "showing-comments") whose class
# or id says "comment". A commenter's hCard or rel=author link names no author of the article.
COMMENTS = (
    "*[not(self::body or self::html)][contains(translate(concat(@class, ' ', @id), "
    "'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 'comment') and not(contains(translate("
    "concat(@class, ' ', @id), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 'commentary'))]"
)
# An aside marked as the author's box (`<aside class="author">`) is the byline, not another story.
_AUTHOR_ASIDE = "aside[re:test(concat(@class, ' ', @id), 'author|byline|autor|auteur', 'i')]"
# An aside that is an author's box though its class does not say so: it holds an element marked as
# the author's and no heading or link of another story ("<aside><section class='author'>...").
_AUTHOR_BOX = (
    "aside[.//*[re:test(concat(@class, ' ', @id), 'author|byline|autor|auteur', 'i')]]"
    "[not(.//h2 or .//h3 or .//h4 or .//h5 or .//a[string-length(normalize-space()) > 40])]"
)


# Text a reader does not see: hidden by an attribute, an inline style or a class that says so
# (unseen.hidden_class: "hidden", "rich-snippet-hidden"; not "field-label-hidden" or "overflow-hidden").
_HIDDEN = "*[not(self::body or self::html)][@hidden or re:test(@style, 'display\\s*:\\s*none|visibility\\s*:\\s*hidden', 'i')]"
_CLASSED = "*[not(self::body or self::html)][@class]"
# Elements whose text is not shown on the page.
_NOT_SHOWN = frozenset({"script", "style", "noscript", "head", "title", "nav"})
# Lists of related or other stories, sidebars, carousels, menus and link lists ("blogroll"),
# as their class or id says; never an element holding the page's headline (a layout class such
# as "has-recommendations" or "sidebar-right" on the page's frame, "category-popular-posts" on
# the article itself).
_SITE_PARTS = (
    "*[not(self::body or self::html)][re:test(concat(@class, ' ', @id), "
    "'related|recommend|popular|trending|listing|blogroll|(^|\\s)(sidebar|carousel|newsletter|menu)', 'i')]"
    "[not(.//h1)]"
)


def visible_text(tree: Any) -> str:
    """The page's visible text outside asides (but an author's box), navigation, readers' comments
    (not a commentary: an opinion piece), sidebars and lists of other stories (_SITE_PARTS), and
    outside hidden elements; folded (see folded), with a space at either end.

    A page parsed without a <body> (bylinemarks.body_path) is read whole but its <head>. One walk
    down the page that leaves out those parts whole: an XPath testing every text node's ancestors
    against the comments' class (its form until 2026-12-04) took about 13 of a page's 27 ms.
    """
    body = body_path(tree)
    starts = tree.xpath(body)
    skipped = set(tree.xpath(f"{body}//{_HIDDEN} | {body}//{COMMENTS}", namespaces=_NAMESPACES))
    skipped |= {element for element in tree.xpath(f"{body}//{_CLASSED}") if hidden_class(element.get("class"))}
    boxes = set(tree.xpath(f"{body}//{_AUTHOR_ASIDE} | {body}//{_AUTHOR_BOX}", namespaces=_NAMESPACES))
    other = set(tree.xpath(f"{body}//aside | {body}//{_SITE_PARTS}", namespaces=_NAMESPACES)) - boxes
    texts: list[str] = []
    for start in starts:
        if not any(ancestor in starts for ancestor in start.iterancestors()):  # a body inside another
            _visible_texts(start, False, _Parts(skipped, other, boxes), texts)
    return f" {folded(' '.join(texts))} "


@dataclass(frozen=True)
class _Parts:
    """The parts of a page visible_text leaves out: `skipped` whole (hidden, comments), `other`
    (asides, the site's parts) unless an author's box inside them (`boxes`) holds the text."""

    skipped: set
    other: set
    boxes: set


def _visible_texts(element: Any, left_out: bool, parts: _Parts, texts: list[str]) -> None:
    """Add the texts inside `element` that visible_text keeps, in the page's order; `left_out`:
    whether `element` lies in one of the `other` parts with no author's box between."""
    if element.text and not left_out:
        texts.append(element.text)
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _NOT_SHOWN and child not in parts.skipped:
            inside = False if child in parts.boxes else True if child in parts.other else left_out
            _visible_texts(child, inside, parts, texts)
        if child.tail and not left_out:
            texts.append(child.tail)


def shown_on_page(name: str, visible: str) -> bool:
    """Whether a name appears in a page's visible text (PageMeta.visible) as written, its words
    in a row (case, accents and punctuation folded); a name in CJK script, which has no spaces
    between words: each word anywhere in it.

    Structured data and CMS fields name accounts the page never credits (the web editor who
    posted a press release), and a name made from an account ("jane.doe" as "Jane Doe") may
    not be the one the page shows ("Jane P. Doe"): a byline is a name the reader can see.
    """
    words = folded(name).split()
    if words and not any(_CJK.search(word) for word in words):
        return f" {' '.join(words)} " in visible
    return bool(words) and all(
        (f" {word} " in visible) if word.isascii() or not _CJK.search(word) else (word in visible) for word in words
    )


def credited_otherwise(name: str, visible: str) -> bool:
    """Whether the page's visible text credits a name with other work than writing ("Photographed by
    Jane Doe", "Styled by ..."): fields list every contributor of a story as its author."""
    name = folded(name)
    return any(f" {verb} by {name} " in visible for verb in _OTHER_WORK)


_OTHER_WORK = words(
    "photographed photos photo photographs illustrated illustrations illustration edited styled modeled "
    "modelled produced designed graphics video hair makeup make-up"
)


def folded(text: str) -> str:
    """Case, accents and punctuation folded: "Giampiero MAGGIO," and "giampiero maggio" agree."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (
        ch if ch.isalnum() else " "
        for ch in decomposed
        if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"  # a soft hyphen: "Mat\xadthi\xadas"
    )
    return " ".join("".join(kept).split())
