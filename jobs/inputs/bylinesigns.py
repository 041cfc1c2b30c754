"""Bylines the page shows without marking them as such: a signature under the article's text, and a
label element before the name ("<h5>Autor: </h5>Jane Doe": see labelled_byline).

A signature is the author's name alone, in bold or italics, as the last paragraph of the element
that holds the text ("<p><strong>Jane Doe</strong></p>" after the story).

Read only where the page marks no byline (pageauthors.stated_authors). The paragraph holds nothing
but one bold or italic element (<b>, <strong>, <i>, <em>, nested), whose text is a person's name as
it stands (bylines.plausible_byline keeps it whole, 2 to 4 words). It is the last paragraph with
text in its element, after at least SIGNED_TEXT_WORDS words of text there, outside the parts no
byline is looked for in (asides, footers, comments, teasers: bylinemarks). No word of the name is
written in lower case elsewhere in the page's text: "Viel Spaß", "Herzliche Grüße", "Weitere
Informationen" are words of the language, a given name is not. Several such signatures naming
different people give none (a page of several pieces).
"""

from __future__ import annotations

import re
from typing import Any

from jobs.inputs.bylinemarks import block_text, body_path, byline_scope
from jobs.inputs.bylines import in_record, is_byline_label, plausible_byline
from jobs.inputs.text import one_line

SIGNED_TEXT_WORDS = 80
_EMPHASIS = frozenset(["b", "strong", "i", "em"])
_WORD = re.compile(r"[^\W\d_]+")


def signature(tree: Any) -> tuple[str, ...]:
    """The name a signature under the article's text gives (see the module), () when there is none."""
    found = {
        name
        for paragraph in byline_scope(tree)
        if paragraph.tag == "p" and (name := _signed(paragraph)) and _closes_text(paragraph)
    }
    if len(found) != 1:
        return ()
    name = found.pop()
    text = " ".join(tree.xpath(f"{body_path(tree)}//text()[not(ancestor::script or ancestor::style)]"))
    lower = {word for word in _WORD.findall(text) if word[0].islower()}
    return () if any(word.casefold() in lower for word in _WORD.findall(name)) else (name,)


def _signed(paragraph: Any) -> str:
    """The name a paragraph holding only a bold or italic name gives, else ""."""
    element = paragraph
    while True:
        children = [child for child in element if isinstance(child.tag, str) and child.tag != "br"]
        if (element.text or "").strip() or len(children) != 1 or (children[0].tail or "").strip():
            break
        element = children[0]
    if element is paragraph or element.tag not in _EMPHASIS or len(element):
        return ""
    text = one_line(paragraph.text_content())
    name = plausible_byline(text)
    return name if name == text and 2 <= len(name.split()) <= 4 else ""


def _closes_text(paragraph: Any) -> bool:
    """Whether a paragraph is the last with text in its element, after SIGNED_TEXT_WORDS words of text."""
    if (paragraph.tail or "").strip() or any(
        (sibling.text_content() if isinstance(sibling.tag, str) else "").strip() or (sibling.tail or "").strip()
        for sibling in paragraph.itersiblings()
    ):
        return False
    before = sum(
        len(sibling.text_content().split())
        for sibling in paragraph.itersiblings(preceding=True)
        if isinstance(sibling.tag, str) and sibling.tag not in ("script", "style")
    )
    return before >= SIGNED_TEXT_WORDS


def labelled_byline(tree: Any) -> tuple[str, ...]:
    """The names after a byline label that is an element of its own ("<h5>Autor: </h5>Jane Doe",
    "<strong>Text:</strong> Jane Doe"): the label's text is a byline word and a colon, nothing
    else, and the text right after it is a name (the rest of its line: "Jane Doe/Agency" gives
    Jane Doe). Outside the parts no byline is looked for in; several labels naming different
    people give none (a record of a book's data, several pieces)."""
    found = set()
    for label in byline_scope(tree):
        text = one_line(label.text_content()) if isinstance(label.tag, str) and len(label) == 0 else ""
        if not text.endswith((":", "：")) or not is_byline_label(text):
            continue
        if (names := plausible_byline(one_line(label.tail or ""))) and not _among_fields(label, text):
            found.add(names)
    return tuple(found.pop().split("; ")) if len(found) == 1 else ()


def _among_fields(label: Any, text: str) -> bool:
    """Whether a label stands among the fields of a record (bylines.in_record), in the blocks of
    the element two levels above it (each field in an element of its own)."""
    holder = label.getparent()
    holder = holder.getparent() if holder is not None and holder.getparent() is not None else holder
    blocks = block_text(holder).split(" | ") if holder is not None else []
    index = next((at for at, block in enumerate(blocks) if block.startswith(text)), None)
    return index is not None and in_record(blocks, index)
