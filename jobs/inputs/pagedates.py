"""The day a page's article was published, only when the page's own evidence agrees on it.

A wrong date is worse than none, so a day is given only when the page is consistent about it:

- stated: the article's JSON-LD `datePublished`, `article:published_time` and its kin, microdata
  `datePublished`, and the article's own `<time datetime>` (never a comment's, a teaser's or a
  list item's; never one the page marks as an update). These must agree on one day; when they
  disagree, or the page says the article was modified before it was published, only a day the
  page also shows (below) is kept;
- weak: a date that does not say it is the publication's (`<meta name=date>`, Dublin Core, a
  WebPage's JSON-LD, a time in UTC near midnight, whose local day is uncertain) counts only when
  the page also shows that day;
- shown: the days written in the article's `<time>` elements and next to its headline (the
  dateline), read only in a certain order: ISO, day.month.year with dots, a month in words, or a
  slashed date ordered by a part over 12 or by the page's locale;
- last, a /YYYY/MM/DD/ date in the page's address, when nothing stated contradicts it.

The day is the one written, never converted to UTC: "2022-05-03T23:10-03:00" is 3 May.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate
from typing import Any

# Meta fields that name the article's publication time.
STATED_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "pub_date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "cxenseparse:recs:publishtime",
    "dcterms.issued",
    "dc.date.issued",
)
# Meta fields that carry a date without saying which: counted only when the page shows it too.
WEAK_META = (
    "date",
    "dc.date",
    "dc:date",
    "dcterms.date",
    "dcterms.created",
    "citation_date",
    "citation_publication_date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
)
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:$|T)")
_DOTTED = re.compile(r"^\s*(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
_SLASHED = re.compile(r"^\s*(\d{1,2})[/-](\d{1,2})[/-](\d{4})\b")
_UTC_TIME = re.compile(r"[T\s](\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]00:?00|GMT|UTC)\b", re.IGNORECASE)
# A time in UTC names the page's own day only when no time zone within 4 hours of UTC (Europe,
# Africa, the Atlantic coast of South America) would put it on another day; otherwise it is weak.
SAFE_UTC_HOURS = (4, 20)
# Pages of the Americas (UTC-3 to UTC-10): a time in UTC names their day only from 10:00 to 20:00.
AMERICAS_SAFE_UTC_HOURS = (10, 20)
_AMERICAS = ("en-us", "en-ca", "es-us", "es-mx", "es-ar", "es-cl", "es-co", "es-pe", "pt-br")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/")
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
# What marks a <time> (its class, or its text's first word) as an update's, not the publication's.
_UPDATE = re.compile(r"updated|modified|aktualisiert|actualiza|mis à jour|geändert|lastupdate|last-updated", re.I)
# An update's label and what follows it, up to the date it gives.
_UPDATE_DATE = re.compile(rf"(?:{_UPDATE.pattern})\w*:?[^0-9]{{0,25}}[0-9][0-9./-]*(?:\s+\w+\.?\s+\d{{4}})?", re.I)
_PUBLISHED_MARK = re.compile(r"publish|entry-date|pubdate|posted", re.I)
# Containers whose <time> belongs to something other than the article: comments, teasers, lists.
_FOREIGN = re.compile(r"comment|teaser|related|recommend|widget|list-?item|promo|more-?stories", re.I)
DATELINE_CHARS = 160  # how far after the headline's end a shown date is its dateline (not the standfirst's)


@dataclass
class DateEvidence:
    """What a page says about its article's dates, gathered before deciding."""

    stated: list[str]  # the article's publication time, as written, from fields that say so
    weak: list[str]  # dates from fields that do not say what they date
    modified: list[str]  # the article's modification time, as written
    shown: set[str]  # YYYY-MM-DD days the page shows (its article's <time>s, the dateline)


def published_day(evidence: DateEvidence, locale: str, urls: list[str]) -> str:
    """The article's day as YYYY-MM-DD when the evidence is consistent about it, else ""."""
    certain, uncertain = [], []
    for written in evidence.stated:
        day = read_date(written, locale)
        if day:
            (certain if _day_is_certain(written, locale) else uncertain).append(day)
    days = set(certain)
    if len(days) == 1:
        [day] = days
        if evidence.shown and day not in evidence.shown:  # the page shows another day
            return _local_day(day, evidence)
        if not _modified_before(evidence.stated, evidence.modified) or day in evidence.shown:
            return day
        return ""  # "modified" before "published": one of them is wrong; the page does not show which
    if len(days) > 1:  # the page's fields disagree: only the day it also shows
        confirmed = days & evidence.shown
        return next(iter(confirmed)) if len(confirmed) == 1 else ""
    addressed = {day for day in (_url_day(url) for url in urls) if day}  # the site's own (local) day
    weak = {day for day in uncertain + [read_date(w, locale) for w in evidence.weak] if day}
    confirmed = weak & (evidence.shown | addressed)
    if len(confirmed) == 1:
        return next(iter(confirmed))
    if uncertain or confirmed:
        return ""
    if len(evidence.shown) == 1 and not evidence.weak:  # shown by the article alone, stated nowhere
        return next(iter(evidence.shown))
    return next(iter(addressed)) if len(addressed) == 1 and not (weak - addressed) else ""


def _url_day(url: str) -> str:
    match = _URL_DATE.search(url or "")
    return _checked(*(int(part) for part in match.groups())) if match else ""


def _local_day(day: str, evidence: DateEvidence) -> str:
    """The day the page shows for a time stated in UTC: a day before or after UTC's, where the page
    is (7 p.m. in California is 3 a.m. UTC); "" when the stated times are not in UTC or the page
    shows another day or several."""
    in_utc = all(_UTC_TIME.search(written) for written in evidence.stated if written.strip())
    if not in_utc or len(evidence.shown) != 1:
        return ""
    [shown] = evidence.shown
    return shown if abs((date.fromisoformat(shown) - date.fromisoformat(day)).days) == 1 else ""


def _day_is_certain(written: str, locale: str = "") -> bool:
    """A time in UTC near midnight does not say the page's own day; every other written date does."""
    match = _UTC_TIME.search(written or "")
    first, last = AMERICAS_SAFE_UTC_HOURS if locale.startswith(_AMERICAS) else SAFE_UTC_HOURS
    return match is None or first <= int(match.group(1)) < last


def _modified_before(published: list[str], modified: list[str]) -> bool:
    """Whether the page says the article was last modified before it was first published."""
    for zoned in (True, False):  # times with a zone and times without one are not compared
        starts = [m for m in map(_moment, published) if m and (m.tzinfo is not None) == zoned]
        changes = [m for m in map(_moment, modified) if m and (m.tzinfo is not None) == zoned]
        if starts and changes and max(changes) < min(starts):
            return True
    return False


def _moment(written: str) -> datetime | None:
    text = (written or "").strip()
    if not _ISO.match(text):
        return None
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        return None


def evidence(
    tree: Any, articles: list[dict], pages: list[dict], headline: Any = None, locale: str = ""
) -> DateEvidence:
    """The dates a parsed page (an lxml tree) gives for its article; `articles`: its JSON-LD
    article objects, `pages`: its JSON-LD WebPage objects; `headline`: the h1 element, if any."""
    stated, weak, modified = [], [], []
    for article in articles:
        stated += [article["datePublished"]] if isinstance(article.get("datePublished"), str) else []
        weak += [article["dateCreated"]] if isinstance(article.get("dateCreated"), str) else []
        modified += [article["dateModified"]] if isinstance(article.get("dateModified"), str) else []
    for other in pages:  # a WebPage's dates: the page's, not necessarily the article's
        weak += [other[key] for key in ("datePublished", "dateCreated") if isinstance(other.get(key), str)]
    stated += _metas(tree, STATED_META)
    weak += _metas(tree, WEAK_META)
    modified += _metas(tree, MODIFIED_META)
    stated += tree.xpath("//*[@itemprop='datePublished']/@datetime | //*[@itemprop='datePublished']/@content")
    modified += tree.xpath("//*[@itemprop='dateModified']/@datetime | //*[@itemprop='dateModified']/@content")
    times = article_times(tree, headline)
    shown: set[str] = set()
    for element in times:
        text = " ".join(element.text_content().split())
        updated = _UPDATE.search(f"{element.get('class', '')} {text[:20]}") and not _PUBLISHED_MARK.search(
            element.get("class", "")
        )
        (modified if updated else stated).extend([element.get("datetime")] if element.get("datetime") else [])
        if not updated:
            shown |= days_in_text(text, locale)
    shown |= days_in_text(dateline(headline), locale)
    return DateEvidence(stated=stated, weak=weak, modified=modified, shown=shown)


def _metas(tree: Any, names: tuple[str, ...]) -> list[str]:
    lowered = "translate(@{0},'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
    found: list[str] = []
    for name in names:
        found += tree.xpath(
            f"//meta[{lowered.format('property')}='{name}' or {lowered.format('name')}='{name}' "
            f"or {lowered.format('itemprop')}='{name}']/@content"
        )
    return found


def article_times(tree: Any, headline: Any = None) -> list[Any]:
    """The article's own <time> elements: the first marked pubdate or datePublished, else those in the headline's
    <article> (or, with no such article, outside every <article>), never in a list item, a comment,
    a teaser or a related block; the first of them, and any marked as the publication's."""
    marked = [t for t in tree.xpath("//time[@pubdate or @itemprop='datePublished']") if not foreign(t)]
    if marked:
        return marked[:1]
    scope = headline.xpath("ancestor::article[1]") if headline is not None else []
    if scope:
        candidates = [t for t in scope[0].iter("time") if t.xpath("ancestor::article[1]")[0] is scope[0]]
    else:
        candidates = tree.xpath("//time[not(ancestor::article)]")
        if not candidates and len(tree.xpath("//article")) == 1:
            candidates = tree.xpath("//article//time")
    own = [t for t in candidates if not foreign(t)]
    return own[:1] + [
        t for t in own[1:] if _PUBLISHED_MARK.search(t.get("class", "")) or _UPDATE.search(t.get("class", ""))
    ]


def foreign(element: Any, itself: bool = False) -> bool:
    """Whether an element lies in a comment, a teaser, a list of other stories, a figure or an aside."""
    for ancestor in [element, *element.iterancestors()] if itself else element.iterancestors():
        if ancestor.tag in ("body", "html"):  # their classes describe the whole page's layout
            break
        if ancestor.tag in ("aside", "nav", "figure", "figcaption"):
            return True
        if _FOREIGN.search(f"{ancestor.get('class', '')} {ancestor.get('id', '')}"):
            return True
    return False


def dateline(headline: Any = None) -> str:
    """The text right after the headline element (DATELINE_CHARS), where pages print the
    article's date; not before it, where a site's header shows today's."""
    if headline is None:
        return ""
    text = " ".join(_texts(headline, DATELINE_CHARS))
    return _UPDATE_DATE.sub(" ", text)  # "Updated: 11.04.2020" is not the publication's day


def _texts(headline: Any, limit: int) -> list[str]:
    """The texts after the headline, up to `limit` characters: scripts, styles, comments, teasers and
    other <article>s than the headline's left out."""
    scope = headline.xpath("ancestor::article[1]")
    found, size = [], 0
    for node in headline.xpath("following::text()"):
        parent = node.getparent()
        if parent is None or parent.tag in ("script", "style", "noscript"):
            continue
        nearest = parent.xpath("ancestor-or-self::article[1]")
        if (nearest[0] if nearest else None) is not (scope[0] if scope else None) or foreign(parent, itself=True):
            continue
        text = " ".join(str(node).split())
        if text:
            found.append(text)
            size += len(text) + 1
            if size >= limit:
                break
    return found


def days_in_text(text: str, locale: str = "") -> set[str]:
    """The days written in a text in a certain order (month in words, ISO, dotted, or a slashed
    date whose parts decide it)."""
    found: set[str] = set()
    folded = _fold(text)
    for match in _DAY_MONTH_YEAR.finditer(folded):
        month = _MONTH_NUMBER.get(match.group(2).lower())
        if month:
            found.add(_checked(int(match.group(3)), month, int(match.group(1))))
    for match in _MONTH_DAY_YEAR.finditer(folded):
        month = _MONTH_NUMBER.get(match.group(1).lower())
        if month:
            found.add(_checked(int(match.group(3)), month, int(match.group(2))))
    for match in _NUMERIC_IN_TEXT.finditer(text):
        found.add(read_date(match.group(1), locale))
    for match in _SHORT_DOTTED.finditer(text):
        found.add(_checked(2000 + int(match.group(3)), int(match.group(2)), int(match.group(1))))
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
    match = _ISO.match(text) or _COMPACT.match(text)
    if match:
        return _checked(*(int(part) for part in match.groups()))
    match = _DOTTED.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return _checked(year, month, day)
    match = _SLASHED.match(text)
    if match:
        first, second, year = (int(part) for part in match.groups())
        if first > 12 >= second:
            return _checked(year, second, first)
        if second > 12 >= first:
            return _checked(year, first, second)
        if first == second:
            return _checked(year, first, second)
        if locale in _AMBIGUOUS:
            return ""  # 05/03/2022 on a page that does not say where it is from: left out
        if locale.startswith(_MONTH_FIRST):
            return _checked(year, first, second)
        return _checked(year, second, first)
    parsed = parsedate(text)  # RFC 822: "Tue, 03 May 2022 10:00:00 GMT"
    if parsed and parsed[0]:
        return _checked(parsed[0], parsed[1], parsed[2])
    return ""


def _checked(year: int, month: int, day: int) -> str:
    if not _EARLIEST <= year <= _LATEST_YEAR:
        return ""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""
