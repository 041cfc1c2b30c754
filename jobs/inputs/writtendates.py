"""Reading written dates: a day only where its order is certain, never guessed.

- read_date: a date written in a field ("2022-05-03T23:10-03:00", "19.10.2019", RFC 822) as the
  day written, never converted to UTC; a slashed numeric date only when a part over 12 or the
  page's locale orders it (not a language that writes its dates with dots or the year first: a
  slashed date on a German page comes in a template's order);
- days_in_text: the days a text writes in a certain order: a month in words (en, de, fr, es, it,
  pt, nl), ISO, day.month.year with dots (also "19.10.19"), a slashed date as above, the year
  first ("2019年3月5日", "2019년 3월 5일", "2019/03/05", "2019.03.05" but not a version's "2019.3.5");
- url_day: a /YYYY/MM/DD/ date in a page's address.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from email.utils import parsedate

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:$|T)")
_DOTTED = re.compile(r"^\s*(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
_SLASHED = re.compile(r"^\s*(\d{1,2})[/-](\d{1,2})[/-](\d{4})\b")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/")
# Locales that write a slashed numeric date month first; every other locale with a region or a
# language of its own writes the day first. Plain "en" (no region) is ambiguous.
_MONTH_FIRST = ("en-us", "en-ph", "en-ca", "es-us")
_AMBIGUOUS = ("en", "")
# Languages whose own numeric date is written with dots ("19.10.2019") or the year first: a slashed
# date on their pages comes from a template in another language's order (a German site's
# "11/01/2021" for 1 November), so its order is not the locale's either.
_SLASH_FOREIGN_WORDS = "bg cs da de et fi hr hu is lt lv nb nn no pl ro ru sk sl sr sv tr uk"
_SLASH_FOREIGN = frozenset(_SLASH_FOREIGN_WORDS.split())
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
# Year first: "2019年3月5日" (Chinese, Japanese), "2019년 3월 5일" (Korean), "2019/03/05", "2019.03.05":
# every locale that writes the year first writes the month next.
_CJK_DATE = re.compile(r"((?:19|20)\d{2})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")
_YEAR_FIRST = re.compile(
    r"(?<![\d./-])((?:19|20)\d{2})(/)\s?(\d{1,2})/\s?(\d{1,2})(?![\d/])"
    r"|(?<![\d./-])((?:19|20)\d{2})(\.)(\d{2})\.(\d{2})(?!\d|\.\d)"  # 2019.03.05, never a version's 2019.3.5
)
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_SHORT_DOTTED = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{2})\b(?!\.\d)")  # "19.10.19": day, month, year of this century


def read_date(text: str, locale: str = "") -> str:
    """A written date as YYYY-MM-DD, or "" when it is not one or its order is uncertain.

    The date as written, not converted to UTC: "2022-05-03T23:10-03:00" is 3 May, the page's day.
    """
    text = (text or "").strip()
    if not text:
        return ""
    match = _ISO.match(text) or _COMPACT.match(text)
    if match:
        return checked(*(int(part) for part in match.groups()))
    match = _DOTTED.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return checked(year, month, day)
    match = _CJK_DATE.match(text.translate(_FULLWIDTH_DIGITS)) or _YEAR_FIRST.match(text)
    if match:
        return checked(*_year_first(match))
    match = _SLASHED.match(text)
    if match:
        first, second, year = (int(part) for part in match.groups())
        if first > 12 >= second:
            return checked(year, second, first)
        if second > 12 >= first:
            return checked(year, first, second)
        if first == second:
            return checked(year, first, second)
        if locale in _AMBIGUOUS or locale.replace("_", "-").split("-")[0] in _SLASH_FOREIGN:
            return ""  # 05/03/2022 on a page that does not say where it is from: left out
        if locale.startswith(_MONTH_FIRST):
            return checked(year, first, second)
        return checked(year, second, first)
    parsed = parsedate(text)  # RFC 822: "Tue, 03 May 2022 10:00:00 GMT"
    if parsed and parsed[0]:
        return checked(parsed[0], parsed[1], parsed[2])
    return ""


def days_in_text(text: str, locale: str = "") -> set[str]:
    """The days written in a text in a certain order (month in words, ISO, dotted, or a slashed
    date whose parts decide it)."""
    return {day for day, _start in dated_spans(text, locale)}


def dated_spans(text: str, locale: str = "") -> list[tuple[str, int]]:
    """The days written in a text (as days_in_text), each with where it starts in the text."""
    found: list[tuple[str, int]] = []
    folded = fold(text)  # one character for one: accents only are removed
    for match in _DAY_MONTH_YEAR.finditer(folded):
        month = _MONTH_NUMBER.get(match.group(2).lower())
        if month:
            found.append((checked(int(match.group(3)), month, int(match.group(1))), match.start()))
    for match in _MONTH_DAY_YEAR.finditer(folded):
        month = _MONTH_NUMBER.get(match.group(1).lower())
        if month:
            found.append((checked(int(match.group(3)), month, int(match.group(2))), match.start()))
    for match in _NUMERIC_IN_TEXT.finditer(text):
        found.append((read_date(match.group(1), locale), match.start()))
    for match in (*_CJK_DATE.finditer(text.translate(_FULLWIDTH_DIGITS)), *_YEAR_FIRST.finditer(text)):
        found.append((checked(*_year_first(match)), match.start()))
    for match in _SHORT_DOTTED.finditer(text):
        found.append((checked(2000 + int(match.group(3)), int(match.group(2)), int(match.group(1))), match.start()))
    return [(day, start) for day, start in found if day]


def _year_first(match: re.Match) -> tuple[int, int, int]:
    year, month, day = (int(part) for part in match.groups() if part and part not in "/.")
    return year, month, day


def fold(text: str) -> str:
    """The text without accents, one character for each of the text's."""
    return "".join(unicodedata.normalize("NFKD", ch)[0] if ch.isalpha() else ch for ch in text)


def url_day(url: str) -> str:
    """The /YYYY/MM/DD/ day in a page's address, "" if none."""
    match = _URL_DATE.search(url or "")
    return checked(*(int(part) for part in match.groups())) if match else ""


def checked(year: int, month: int, day: int) -> str:
    """YYYY-MM-DD when the parts name a real day of a plausible year, else ""."""
    if not _EARLIEST <= year <= _LATEST_YEAR:
        return ""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


_UTC_TIME = re.compile(r"[T\s](\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]00:?00|GMT|UTC)\b", re.IGNORECASE)
# A time in UTC names the page's own day only when no time zone within 4 hours of UTC (Europe,
# Africa, the Atlantic coast of South America) would put it on another day; otherwise it is weak.
SAFE_UTC_HOURS = (4, 20)
# Pages of the Americas (UTC-3 to UTC-10): a time in UTC names their day only from 10:00 to 20:00.
AMERICAS_SAFE_UTC_HOURS = (10, 20)
_AMERICAS = ("en-us", "en-ca", "es-us", "es-mx", "es-ar", "es-cl", "es-co", "es-pe", "pt-br")


def in_utc(written: str) -> bool:
    """Whether a written time is stated in UTC ("...Z", "+00:00", "GMT")."""
    return bool(_UTC_TIME.search(written or ""))


# Pages whose locale puts them in one band of time zones, and the UTC hours that are the same day
# everywhere in it (local hour = UTC hour + offset, within 0-23 for every offset of the band):
# Central Europe (UTC+0 in the Canaries, +1, summer +2), Eastern Europe (+2, summer +3), Portugal
# (-1 in the Azores, 0, summer +1). A locale names its region ("fr-fr", "ca-es") or is a bare
# language spoken in one band ("de", "pl", "fi"; not Swedish, also Finland's, nor Danish, also
# Greenland's). English is not placed by its region: "en-gb" is many sites' default English, far
# from Britain as often as in it.
_BANDS = (
    (
        "at be ch cz de dk es fr hr hu it li lu mt nl no pl se si sk",
        "cs de hr hu it nb nl nn no pl sk sl",
        (0, 22),
    ),
    ("bg cy ee fi gr lt lv ro", "bg el et fi lt lv ro", (0, 21)),
    ("pt", "", (1, 23)),
)


def utc_day_is_certain(written: str, locale: str = "") -> bool:
    """A time in UTC near midnight does not say the page's own day; every other written date does.
    How near: by the band of time zones the page's locale names (4 hours either way when none)."""
    match = _UTC_TIME.search(written or "")
    first, last = _safe_hours(locale)
    return match is None or first <= int(match.group(1)) < last


def _safe_hours(locale: str) -> tuple[int, int]:
    language, _, region = locale.replace("_", "-").lower().partition("-")
    region = region.split("-")[-1] if region else ""
    for regions, languages, hours in _BANDS:
        if language != "en" and (region in regions.split() if region else language in languages.split()):
            return hours
    return AMERICAS_SAFE_UTC_HOURS if locale.startswith(_AMERICAS) else SAFE_UTC_HOURS


# A day's start east of UTC stored in UTC: a date without a time entered at midnight in Berlin
# (UTC+1) is "...T23:00:00Z" the day before; a time on the hour so late names two days.
_MIDNIGHT_EAST = re.compile(r"T(?:2[0-3]):00(?::00(?:\.0+)?)?\s*(?:Z|[+-]00:?00)$", re.IGNORECASE)


def midnight_east_of_utc(written: str) -> bool:
    """Whether a written time is a midnight east of UTC stored in UTC ("2022-11-06T23:00:00.000Z")."""
    return bool(_MIDNIGHT_EAST.search((written or "").strip()))
