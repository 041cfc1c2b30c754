"""Dialogs and overlays: the login, registration, consent and message panels a page keeps hidden.

They are not the article, yet their texts read as prose ("Du erhältst in Kürze eine E-Mail von
uns ...", "We use cookies to improve ..."). trafilatura leaves forms out of its own reading, but
when that reading is short it falls back to readers that see the whole page, dialogs included:
a video page with a two-line description came out as its login dialog's sentences. So such
panels leave the tree before any reading. A panel is an element that says it is one (<dialog>,
role=dialog or alertdialog, aria-modal=true, or a class or id naming a dialog, modal or popup)
and holds a control to click (button, select) or a field to fill in (input, textarea), unless it
holds the page's headline or main part (an <h1>, <main>, role=main, microdata's articleBody), or
holds no field and more than half of the page's visible text: some sites show the article itself
in a modal, and the body of a page with a modal open is marked "modal-open". A panel with a
field (a login, a sign-up, a consent form) goes whatever its size: on a page whose article is
two lines, its sentences are most of the text. What a browser's translator adds to a page that
was saved translated goes too (_BROWSER_UI).
"""

from __future__ import annotations

import re
from typing import Any

_PANEL_MARK = re.compile(r"(?:^|[-_\s])(?:dialog|modal|popup|pop-up)(?:$|[-_\s])", re.IGNORECASE)
_PAGE_PARTS = ".//h1|.//main|.//*[@role='main']|.//*[@itemprop='articleBody']"  # what a panel never holds
_PANEL_ROLES = frozenset({"dialog", "alertdialog"})
_FIELDS = ("input", "textarea")
_CONTROLS = (*_FIELDS, "button", "select")
MAX_TEXT_SHARE = 0.5  # a panel holding more of the page's text than this is the page
# What a browser's page translator adds to a page it translates, and a page saved then keeps:
# Google Translate's tooltip and banner (`#goog-gt-tt`, `.skiptranslate`; its tooltip holds an
# <h1>Original text</h1> that was read as the page's headline).
_BROWSER_UI = (
    ".//*[starts-with(@id, 'goog-gt-') or contains(concat(' ', normalize-space(@class), ' '), ' skiptranslate ')]"
)


def drop_panels(tree: Any) -> int:
    """Remove the dialogs and overlays of a parsed page (an lxml tree) in place; how many went."""
    body = tree.find(".//body")
    if body is None:
        return 0
    total = _visible_length(body)
    panels = [element for element in body.iterdescendants() if _is_panel(element)]
    injected = body.xpath(_BROWSER_UI)  # whatever it holds: it is the browser's, not the page's
    for element in injected:
        element.drop_tree()
    removed, gone = len(injected), set(injected)
    for element in panels:
        if any(ancestor in gone for ancestor in element.iterancestors()):
            continue  # inside a panel already removed
        if element.xpath(_PAGE_PARTS) or not _holds(element, _CONTROLS):
            continue
        if not _holds(element, _FIELDS) and _visible_length(element) > MAX_TEXT_SHARE * total:
            continue
        element.drop_tree()  # keeps the tail text, which belongs to the parent
        gone.add(element)
        removed += 1
    return removed


def _holds(element: Any, tags: tuple[str, ...]) -> bool:
    return any(element.find(f".//{tag}") is not None for tag in tags)


def _visible_length(element: Any) -> int:
    """Characters of the text a reader sees (scripts and styles hold none), spacing collapsed."""
    texts = element.xpath(".//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]")
    return len(" ".join(" ".join(texts).split()))


def _is_panel(element: Any) -> bool:
    if not isinstance(element.tag, str):
        return False  # a comment or processing instruction
    if element.tag == "dialog" or element.get("role", "").strip().lower() in _PANEL_ROLES:
        return True
    if element.get("aria-modal", "").strip().lower() == "true":
        return True
    if element.tag in ("main", "article"):
        return False  # named for the site's modal viewer, it still holds the page's content
    return bool(_PANEL_MARK.search(f"{element.get('class', '')} {element.get('id', '')}"))
