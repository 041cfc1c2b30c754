"""Why a byline is not right: aggregate failure classes for `python -m benchmarks.pages --classes`.

Each byline that is not right ("persons only" figure, benchmarks/pages.py) falls in one class:

- "none given, page states a name in structured data": the reader gave no byline, and a required
  truth name is written in the page's structured data (a JSON-LD `author`/`creator`, an
  author-like `<meta>`, microdata `itemprop=author`, a `rel=author` link), words in a row;
- "none given, only visible": the reader gave no byline, and no required truth name is written in
  the structured data (the page shows it, if at all, in its text or markup only);
- "ours is a subset of truth (some authors missed)": every name given is right, some are missing;
- "ours has extra text": a name given holds a truth name's words and more, or fewer of them
  ("Jane Doe Stand" for "Jane Doe", "Jane Doe" for "Jane P. Doe");
- "different person": a name given shares no such relation with any truth name.

Only counts are printed, for either part: they say which mechanism is worth building next
without showing any held-out page.
"""

from __future__ import annotations

import gzip
import unicodedata
from pathlib import Path

CLASSES = (
    "none given, page states a name in structured data",
    "none given, only visible",
    "ours is a subset of truth (some authors missed)",
    "ours has extra text",
    "different person",
)
_META_NAMES = ("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author", "sailthru.author", "byl")


def byline_class(page: Path, ours: frozenset[str], required: frozenset[str], allowed: frozenset[str]) -> str:
    """The failure class (CLASSES) of a byline that is not right; names as benchmarks.pages.names gives them."""
    if not ours:
        written = structured_text(page)
        return CLASSES[0] if any(f" {name} " in written for name in required) else CLASSES[1]
    extra = ours - allowed
    if not extra:
        return CLASSES[2]
    for name in extra:
        words = set(name.split())
        if any(words < set(truth.split()) or set(truth.split()) < words for truth in allowed):
            return CLASSES[3]
    return CLASSES[4]


def structured_text(page: Path) -> str:
    """The author names a page's structured data writes, normalized (accents folded, then benchmarks.pages.normal) and
    joined by " | " with a space at either end."""
    from trafilatura.utils import load_html

    from benchmarks.pages import normal
    from jobs.inputs.decoding import decode_html
    from jobs.inputs.pagemeta import json_ld_objects

    tree = load_html(decode_html(gzip.decompress(page.read_bytes()), name=page.name))
    if tree is None:
        return " "
    found: list[str] = []
    for data in json_ld_objects(tree):
        for key in ("author", "creator"):
            _names(data.get(key), found)
    lower = "translate({},'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
    for name in _META_NAMES:
        found += tree.xpath(
            f"//meta[{lower.format('@name')}='{name}' or {lower.format('@property')}='{name}']/@content"
        )
    found += [e.get("content") or e.text_content() for e in tree.xpath("//*[@itemprop='author']")]
    found += [a.text_content() for a in tree.xpath("//a[@rel='author']")]
    return " " + " | ".join(normal(_unaccented(text)) for text in found if text) + " "


def _unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _names(value: object, found: list[str]) -> None:
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, list):
        for item in value:
            _names(item, found)
    elif isinstance(value, dict) and isinstance(value.get("name"), str):
        found.append(value["name"])
