"""Tidying text from any input: control characters out, whitespace collapsed, lines and paragraphs."""

from __future__ import annotations

import re
from collections.abc import Sequence

# C0/C1 controls that are not whitespace (whitespace ones are collapsed later), a stray BOM left
# by concatenated files, the bidi embedding/override/isolate controls (U+202A-U+202E,
# U+2066-U+2069: "Trojan Source" reordering), and the invisible break hints that pages put inside
# words for their own line breaking: the soft hyphen (U+00AD, "réac\u00adtion"), the zero-width
# space (U+200B) and the word joiner (U+2060). Left in, they split a word for the tokenizer, the
# sentence splitter and every comparison. The bidi marks U+200E/U+200F and the joiners
# U+200C/U+200D (Persian, Indic scripts, emoji) carry meaning and stay.
BREAK_HINTS = "\u00ad\u200b\u2060"
_CONTROL_CHARS = re.compile(
    f"[\\x00-\\x08\\x0e-\\x1b\\x7f-\\x84\\x86-\\x9f{BREAK_HINTS}\\ufeff\\u202a-\\u202e\\u2066-\\u2069]"
)
_NO_BREAK_HINTS = dict.fromkeys(map(ord, BREAK_HINTS))
# JSON may carry lone surrogates ("\ud800"); they cannot be encoded to UTF-8 or stored.
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean(text: str) -> str:
    """One tidy line: control characters removed, all whitespace collapsed to single spaces."""
    text = _SURROGATES.sub("\ufffd", _CONTROL_CHARS.sub("", text))
    return " ".join(text.split())


def without_break_hints(text: str) -> str:
    """The text without the invisible break hints (BREAK_HINTS) pages put inside words."""
    return text.translate(_NO_BREAK_HINTS)


def one_line(text: str) -> str:
    """All whitespace runs collapsed to single spaces (extracted page and feed text)."""
    return " ".join(text.split())


def split_lines(text: str) -> list[str]:
    """Physical lines; split on \\n only so line numbers match editors (U+2028 stays inside a line)."""
    return text.replace("\r\n", "\n").split("\n")


def blocks(text_lines: Sequence[str]) -> list[str]:
    """Paragraphs from lines: blank lines separate them, consecutive lines join with a space."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*text_lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(clean(" ".join(current)))
            current = []
    return [p for p in paragraphs if p]
