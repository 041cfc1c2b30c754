"""Dates as pages write them, read only in a certain order: ISO, day.month.year with dots, a month
in words (en, de, fr, es, it, pt, nl), a slashed date ordered by a part over 12 or by the page's
locale; never a guessed day or month order."""

from __future__ import annotations

import re
from datetime import date
from email.utils import parsedate

__all__ = ["ISO", "checked_day", "days_in_text", "read_date"]

ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:$|T)")
_DOTTED = re.compile(r"^\s*(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
_SLASHED = re.compile(r"^\s*(\d{1,2})[/-](\d{1,2})[/-](\d{4})\b")
# Locales that write a slashed numeric date month first; every other locale with a region or a
# language of its own writes the day first. Plain "en" (no region) is ambiguous.
_MONTH_FIRST = ("en-us", "en-ph", "en-ca", "es-us")
_AMBIGUOUS = ("en", "")
_EARLIEST, _LATEST_YEAR = 1995, 2100

# Month names and their usual abbreviations (en, de, fr, es, it, pt, nl), accents folded.
_MONTHS = {
    1: "january jan januar janvier janv enero ene gennaio gen janeiro januari jänner jaenner",
    2: "february feb februar fevrier fev febrero febbraio fevereiro februari",
    3: "march mar marz maerz mars marzo marco maart mrt",
    4: "april apr avril abril aprile avr",
    5: "may mai mayo maggio maio mei",
    6: "june jun juni juin junio giugno junho",
    7: "july jul juli juillet juil julio luglio julho",
    8: "august aug aout agosto ago augustus",
    9: "september sep sept septembre septiembre settembre set setembro",
    10: "october oct oktober okt octobre octubre ottobre outubro",
    11: "november nov novembre noviembre novembro",
    12: "december dec dezember dez decembre diciembre dic dicembre dezembro",
}
_MONTH_NUMBER = {name: number for number, names in _MONTHS.items() for name in names.split()}
_MONTH_WORD = r"([a-zäéûç]{3,10})\.?"
# "19. Oktober 2019", "3 de mayo de 2022", "4 February, 2022" / "August 19, 2019", "Oct 24, 2023"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\.?\s+(?:de\s+)?{_MONTH_WORD},?\s+(?:de\s+)?((?:19|20)\d{{2}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{{2}})\b", re.I)
_NUMERIC_IN_TEXT = re.compile(r"\b(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\s?\d{1,2}\.\s?\d{4}|\d{1,2}/\d{1,2}/\d{4})\b")
_SHORT_DOTTED = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{2})\b(?!\.\d)")  # "19.10.19": day, month, year of this century


def days_in_text(text: str, locale: str = "") -> set[str]:
    """The days written in a text in a certain order (month in words, ISO, dotted, or a slashed
    date whose parts decide it)."""
    found: set[str] = set()
    folded = _fold(text)
    for match in _DAY_MONTH_YEAR.finditer(folded):
        month = _MONTH_NUMBER.get(match.group(2).lower())
        if month:
            found.add(checked_day(int(match.group(3)), month, int(match.group(1))))
    for match in _MONTH_DAY_YEAR.finditer(folded):
        month = _MONTH_NUMBER.get(match.group(1).lower())
        if month:
            found.add(checked_day(int(match.group(3)), month, int(match.group(2))))
    for match in _NUMERIC_IN_TEXT.finditer(text):
        found.add(read_date(match.group(1), locale))
    for match in _SHORT_DOTTED.finditer(text):
        found.add(checked_day(2000 + int(match.group(3)), int(match.group(2)), int(match.group(1))))
    found.discard("")
    return found


def _fold(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def read_date(text: str, locale: str = "") -> str:
    """A written date as YYYY-MM-DD, or "" when it is not one or its order is uncertain.

    The date as written, not converted to UTC: "2022-05-03T23:10-03:00" is 3 May, the page's day.
    """
    text = (text or "").strip()
    if not text:
        return ""
    match = ISO.match(text) or _COMPACT.match(text)
    if match:
        return checked_day(*(int(part) for part in match.groups()))
    match = _DOTTED.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return checked_day(year, month, day)
    match = _SLASHED.match(text)
    if match:
        first, second, year = (int(part) for part in match.groups())
        if first > 12 >= second:
            return checked_day(year, second, first)
        if second > 12 >= first:
            return checked_day(year, first, second)
        if first == second:
            return checked_day(year, first, second)
        if locale in _AMBIGUOUS:
            return ""  # 05/03/2022 on a page that does not say where it is from: left out
        if locale.startswith(_MONTH_FIRST):
            return checked_day(year, first, second)
        return checked_day(year, second, first)
    parsed = parsedate(text)  # RFC 822: "Tue, 03 May 2022 10:00:00 GMT"
    if parsed and parsed[0]:
        return checked_day(parsed[0], parsed[1], parsed[2])
    return ""


def checked_day(year: int, month: int, day: int) -> str:
    if not _EARLIEST <= year <= _LATEST_YEAR:
        return ""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""
