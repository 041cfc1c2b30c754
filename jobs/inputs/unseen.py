"""Text a reader of the page does not see: the one definition, by class, of what a page hides
from sight ("hidden", Bootstrap's "d-none") and of what it gives to screen readers only
("sr-only", "visually-hidden", Drupal's "element-invisible").

A class that hides only at some screen sizes ("hidden-xs", "d-none d-md-block") or clips an
overflow ("overflow-hidden", "field-label-hidden" hides a label, not the field) hides no text.
"""

from __future__ import annotations

import re

# Class words of text hidden from everyone, matched as whole words of the class attribute.
HIDDEN_WORDS = frozenset({"hidden", "is-hidden", "hide", "d-none", "invisible", "text-hide", "rich-snippet-hidden"})
# Bootstrap's display classes that show, from some width on, what "d-none" hides below it.
_SHOWN_FROM = re.compile(r"d-(?:sm|md|lg|xl|xxl)-(?:block|inline|inline-block|flex|inline-flex|grid|table)")
# Text read out to screen readers only, matched anywhere in the class attribute
# ("screen-reader-text", "visually-hidden-focusable", "u-visually-hidden").
_SCREEN_READER = re.compile(r"aural|sr-only|screen-?reader|visually-?hidden|element-invisible", re.IGNORECASE)


def hidden_class(classes: str) -> bool:
    """Whether a class attribute (or several, joined by spaces) hides text from everyone."""
    words = set(classes.lower().split())
    if not words & HIDDEN_WORDS:
        return False
    return bool(words & HIDDEN_WORDS - {"d-none"}) or not any(_SHOWN_FROM.fullmatch(word) for word in words)


def screen_reader_only(classes: str) -> bool:
    """Whether a class attribute gives text to screen readers only."""
    return _SCREEN_READER.search(classes) is not None


def unseen_class(classes: str) -> bool:
    """Whether a class attribute keeps its text from a sighted reader: hidden, or for screen readers only."""
    return screen_reader_only(classes) or hidden_class(classes)
