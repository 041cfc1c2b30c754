"""Bylines the page shows without marking them as such: a signature under the article's text, a
label element before the name ("<h5>Autor: </h5>Jane Doe": see labelled_byline), and a line of the
day and the author's name beside the headline ("04.02.2022 | 13:10 Uhr | Jane Doe": dated_byline).

A signature is the author's name alone, in bold or italics, as the last paragraph of the element
that holds the text ("<p><strong>Jane Doe</strong></p>" after the story), or the name above the
signer's role after a line break ("<p>Jane Doe<br>Bundesvorsitzende</p>").

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
from collections.abc import Iterator
from typing import Any

from jobs.inputs.bylinemarks import (
    MAX_BYLINE_WORDS,
    above_headline,
    block_text,
    body_path,
    byline_scope,
    headline_h1,
    under_headline,
)
from jobs.inputs.bylines import byline_line, in_record, is_byline_label, names_a_role, plausible_byline
from jobs.inputs.bylinewords import CALENDAR_WORDS, MONTH_ABBREVIATIONS
from jobs.inputs.text import one_line

SIGNED_TEXT_WORDS = 80
_EMPHASIS = frozenset(["b", "strong", "i", "em"])
_WORD = re.compile(r"[^\W\d_]+")


def signature(tree: Any) -> tuple[str, ...]:
    """The name a signature under the article's text gives (see the module), () when there is none."""
    found = {
        name
        for paragraph in byline_scope(tree)
        if paragraph.tag == "p"
        and (name := _signed(paragraph) or _signed_above_role(paragraph))
        and _closes_text(paragraph)
    }
    if len(found) != 1:
        return ()
    name = found.pop()
    return () if _written_in_lower_case(tree, name) else (name,)


def _written_in_lower_case(tree: Any, name: str) -> bool:
    """Whether a word of a name is written in lower case somewhere in the page's text: a word of the
    language ("Viel Spaß", "Buch der Woche"), not a given name or a family name."""
    text = " ".join(tree.xpath(f"{body_path(tree)}//text()[not(ancestor::script or ancestor::style)]"))
    lower = {word for word in _WORD.findall(text) if word[0].islower()}
    return any(word.casefold() in lower for word in _WORD.findall(name))


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
    label, colon, rest = text.partition(":")  # "Autorin: Jane Doe, Projektleiterin in Tunis."
    text = rest.strip() if colon and is_byline_label(label + colon) else text
    name = plausible_byline(text)
    whole = name == text or bool(colon and name and text.startswith(f"{name},") and "; " not in name)
    return name if whole and 2 <= len(name.split()) <= 4 else ""


def _signed_above_role(paragraph: Any) -> str:
    """The name of a paragraph that is a name as it stands (2 to 4 words), a line break and the
    signer's role on a line of its own ("Jane Doe<br>Bundesvorsitzende": a role or office word,
    bylines.names_a_role; not "Related Articles<br>Budget"), else ""."""
    breaks = [child for child in paragraph if child.tag == "br"]
    first = one_line(paragraph.text or "")
    role = breaks[0].tail or "" if breaks else ""
    if not first or len(paragraph) != 1 or len(role.split()) > 6 or not names_a_role(role):
        return ""
    name = plausible_byline(first)
    return name if name == first and 2 <= len(name.split()) <= 4 else ""


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
        if (names := plausible_byline(_after_label(label))) and not _among_fields(label, text):
            found.add(names)
    return tuple(found.pop().split("; ")) if len(found) == 1 else ()


def _after_label(label: Any) -> str:
    """The text right after a label element, on its line or after the line breaks that follow it
    ("<b>Von:</b><br><br>Jane Doe")."""
    text, node = one_line(label.tail or ""), label
    while not text and (node := node.getnext()) is not None and node.tag == "br":
        text = one_line(node.tail or "")
    return text


def _among_fields(label: Any, text: str) -> bool:
    """Whether a label stands among the fields of a record (bylines.in_record), in the blocks of
    the element two levels above it (each field in an element of its own)."""
    holder = label.getparent()
    holder = holder.getparent() if holder is not None and holder.getparent() is not None else holder
    blocks = block_text(holder).split(" | ") if holder is not None else []
    index = next((at for at, block in enumerate(blocks) if block.startswith(text)), None)
    return index is not None and in_record(blocks, index)


# The words of a date or a time besides its digits: "April 13, 2020", "13:10 Uhr", "3 pm".
_DATE_WORDS = CALENDAR_WORDS | MONTH_ABBREVIATIONS | frozenset(["uhr", "am", "pm", "h"])
_PIECES = re.compile(r"\s*(?:\||\s[-–—·•]\s)\s*")


def dated_byline(tree: Any) -> tuple[str, ...]:
    """The name of a line beside the headline that gives the day and the author, nothing else:
    "04.02.2022 | 13:10 Uhr | Jane Doe" just above it, "25.10.2022 - Jane Doe" or "Jane Doe |
    April 13, 2020" close under it (bylinemarks.HEADLINE_REACH), "05.02.2020 - Redaktion: Jane
    Doe". The line's pieces (between bars, bullets and dashes) are dates or times but one, which is
    a person's name as it stands (2 to 4 words) or a byline (bylines.byline_line). A line whose
    name is set in capitals ("PAID CONTENT"), marked as the story's topic (_topic) or holding a word
    the page writes in lower case ("Buch der Woche") names a kicker, not the author: none."""
    headline = headline_h1(tree)
    if headline is None:
        return ()
    above = above_headline(headline)
    allowed = set(byline_scope(tree))
    for element in [*([above] if above is not None else []), *under_headline(headline)]:
        if element in allowed and element.tag not in ("script", "style") and (name := _dated_name(element)):
            if name.isupper() or _topic(element, name) or _written_in_lower_case(tree, name):
                return ()
            return tuple(name.split("; "))
    return ()


# Classes of a story's topic or kicker beside its day: "tags", "category", "kicker", "topline", "Dachzeile", "Rubrik".
_TOPIC = re.compile(r"tag|categor|kicker|topline|dachzeile|rubri|section", re.IGNORECASE)


def _topic(element: Any, name: str) -> bool:
    """Whether a dated line's name stands in an element marked as the story's topic ("<div
    class='story-tags'>Olympische Winterspiele</div>")."""
    return any(name in one_line(inner.text_content()) for inner in _classed(element, _TOPIC))


def _classed(element: Any, pattern: re.Pattern) -> Iterator[Any]:
    """`element` and the elements inside it whose class or id `pattern` finds."""
    for inner in element.iter():
        if isinstance(inner.tag, str) and pattern.search(f"{inner.get('class', '')} {inner.get('id', '')}"):
            yield inner


def _dated_name(element: Any) -> str:
    """The name of a dated line (dated_byline), else ""."""
    text = block_text(element)
    if len(text.split()) > MAX_BYLINE_WORDS:
        return ""
    pieces = [_without_kicker(piece, element) for piece in _PIECES.split(text) if piece.strip(" -–—|")]
    dates = [piece for piece in pieces if _is_date(piece)]
    names = [piece for piece in pieces if piece not in dates]
    if not dates or len(names) != 1:
        return ""
    if labelled := byline_line(names[0]):
        return labelled
    name = plausible_byline(names[0])
    return name if name == names[0] and 2 <= len(name.split()) <= 4 else ""


def _without_kicker(piece: str, element: Any) -> str:
    """A piece of a dated line without a kicker that opens it in an element of its own, marked as
    the story's topic or a trending label ("<span class='trending'>yas!</span> Jane Doe")."""
    for inner in _classed(element, _KICKER):
        kicker = one_line(inner.text_content()) if inner is not element else ""
        if kicker and piece.startswith(kicker + " "):
            return piece[len(kicker) :].strip()
    return piece


# A topic's classes (_TOPIC), and a trending label's or a badge's.
_KICKER = re.compile(rf"{_TOPIC.pattern}|trending|badge|label", re.IGNORECASE)


def _is_date(piece: str) -> bool:
    """Whether a piece of a line is a date or a time: digits and calendar words only, two groups of
    digits or a month's name ("30.11.", "13:10 Uhr", "Feb. 2022"; not a count: "3")."""
    words = [word.casefold() for word in _WORD.findall(piece)]
    digits = re.findall(r"\d+", piece)
    return bool(digits) and all(word in _DATE_WORDS for word in words) and (len(digits) > 1 or bool(words))
