"""The day a page's article was published, only when the page's own evidence agrees on it.

A wrong date is worse than none, so a day is given only when the page is consistent about it:

- stated: the article's JSON-LD `datePublished`, `article:published_time` and its kin, microdata
  `datePublished`, and the article's own `<time datetime>` (never a comment's, a teaser's or a
  list item's; never one the page marks as an update). These must agree on one day; when they
  disagree, or the page says the article was modified before it was published, only a day the
  page also shows (below) is kept;
- a day stated once and shown nowhere near the headline needs the page's address to name no
  other day, and the page's text to write that day somewhere or no day at all;
- weak: a date that does not say it is the publication's (`<meta name=date>`, Dublin Core, a
  WebPage's JSON-LD, a time in UTC that falls on another day somewhere the page's locale allows)
  counts only when the page also shows that day or its address names it;
- shown: the days written in the article's `<time>` elements and next to its headline (the
  dateline: a date line of its own or a paragraph's opening, never the standfirst's prose), read
  only in a certain order (jobs/inputs/datetext.py);
- last, a date in the page's address, when nothing stated or shown contradicts it.

The day is the one written, never converted to UTC: "2022-05-03T23:10-03:00" is 3 May.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from jobs.inputs.datetext import ISO, checked_day, days_in_text, read_date

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
_UTC_TIME = re.compile(r"[T\s](\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]00:?00|GMT|UTC)\b", re.IGNORECASE)
# A time in UTC names the page's own day only when no time zone the page's locale allows would put
# it on another day; otherwise it is weak. Hours [first, last) of UTC that are certain:
SAFE_UTC_HOURS = (4, 20)  # Europe, Africa, the Middle East, the Atlantic coast of South America (UTC-3 to +4)
AMERICAS_SAFE_UTC_HOURS = (10, 20)  # UTC-3 to UTC-10; also plain "es"/"pt" (Spain and Portugal, or the Americas)
ASIA_PACIFIC_SAFE_UTC_HOURS = (0, 10)  # UTC+5 to UTC+13: India to New Zealand
_AMERICAS = (
    *("en-us", "en-ca", "fr-ca", "es-us", "es-mx", "es-ar", "es-cl", "es-co", "es-pe", "es-ve", "es-ec"),
    *("es-uy", "es-419", "pt-br"),
)
_ASIA_PACIFIC = (
    *("zh", "ja", "ko", "th", "vi", "id", "ms", "hi", "bn", "ta", "te", "mr", "ur", "fil", "tl", "my", "km"),
    *("en-au", "en-nz", "en-in", "en-sg", "en-hk", "en-ph", "en-my", "en-pk"),
)
_ANYWHERE = ("", "en")  # no region: any time zone on earth; a time in UTC never names the page's day alone
_URL_DATE = re.compile(r"/((?:19|20)\d{2})(?:/(\d{1,2})/(\d{1,2})/|-(\d{2})-(\d{2})(?:/|$))")
# What marks a <time> (its class, or its text's first word) as an update's, not the publication's.
_UPDATE = re.compile(
    r"updated|modified|aktualisiert|actualiza|mis à jour|geändert|lastupdate|last-updated|"
    r"aggiornat|atualizad|bijgewerkt|revised|zuletzt|\bstand:",
    re.I,
)
# An update's label and what follows it, up to the date it gives.
_UPDATE_DATE = re.compile(rf"(?:{_UPDATE.pattern})\w*:?[^0-9]{{0,25}}[0-9][0-9./-]*(?:\s+\w+\.?\s+\d{{4}})?", re.I)
_PUBLISHED_MARK = re.compile(r"publish|entry-date|pubdate|posted", re.I)
# Containers whose <time> belongs to something other than the article: comments, teasers, lists.
_FOREIGN = re.compile(r"comment|teaser|related|recommend|widget|list-?item|promo|more-?stories", re.I)
DATELINE_CHARS = 160  # how far after the headline's end a shown date is its dateline (not the standfirst's)
# A dateline's date stands in a line of its own ("Published: 3 May 2022 | Politics") or opens a
# paragraph ("Düsseldorf, 22. November 2022 - The ..."); one inside a longer text's running prose
# is an event's ("... the deadline of 3 May 2022 ...").
DATE_LINE_WORDS = 12
DATE_OPENING_WORDS = 6
_LOCAL_DAY_BEFORE_UTC_HOURS = 12  # a page west of UTC shows yesterday only for a time before noon UTC
_LOCAL_DAY_AFTER_UTC_HOURS = 10  # a page east of UTC (up to UTC+14) shows tomorrow only from 10:00 UTC


@dataclass
class DateEvidence:
    """What a page says about its article's dates, gathered before deciding."""

    stated: list[str]  # the article's publication time, as written, from fields that say so
    weak: list[str]  # dates from fields that do not say what they date
    modified: list[str]  # the article's modification time, as written
    shown: set[str]  # YYYY-MM-DD days the page shows (its article's <time>s, the dateline)
    visible: set[str] = field(default_factory=set)  # YYYY-MM-DD days written anywhere in the page's text


def published_day(evidence: DateEvidence, locale: str, urls: list[str]) -> str:
    """The article's day as YYYY-MM-DD when the evidence is consistent about it, else ""."""
    certain, uncertain = [], []
    for written in evidence.stated:
        day = read_date(written, locale)
        if day:
            (certain if _day_is_certain(written, locale) else uncertain).append(day)
    days = set(certain)
    addressed = {day for day in (_url_day(url) for url in urls) if day}  # the site's own (local) day
    if len(days) == 1:
        return _stated_day(next(iter(days)), evidence, addressed)
    if len(days) > 1:  # the page's fields disagree: only the day it also shows
        confirmed = days & evidence.shown
        return next(iter(confirmed)) if len(confirmed) == 1 else ""
    weak = {day for day in uncertain + [read_date(w, locale) for w in evidence.weak] if day}
    confirmed = weak & (evidence.shown | addressed)
    if len(confirmed) == 1:
        return next(iter(confirmed))
    if uncertain or confirmed:
        return ""
    if len(evidence.shown) == 1 and not evidence.weak and addressed <= evidence.shown:  # shown alone
        return next(iter(evidence.shown))
    if len(addressed) == 1 and not (weak - addressed) and _seen(addressed, evidence):  # the address alone
        return next(iter(addressed))
    return ""


def _stated_day(day: str, evidence: DateEvidence, addressed: set[str]) -> str:
    """The one day the page's certain fields state, checked against what the page shows."""
    if evidence.shown and day not in evidence.shown:  # the page shows another day
        return _local_day(day, evidence)
    if day in evidence.shown:
        return day
    if _modified_before(evidence.stated, evidence.modified):
        return ""  # "modified" before "published": one of them is wrong; the page does not show which
    if addressed and day not in addressed:
        return ""  # the address names another day (a republication, a time zone's doing)
    # Stated once, shown nowhere near the headline: the address's day, the day written somewhere on
    # the page, or a page that writes no day at all; one that writes only other days contradicts it.
    return day if day in addressed or _seen({day}, evidence) else ""


def _seen(days: set[str], evidence: DateEvidence) -> bool:
    """Whether the page writes one of `days`, or no day at all, and shows none but them by its headline."""
    shown = not evidence.shown or bool(days & evidence.shown)
    return shown and (not evidence.visible or bool(days & evidence.visible))


def _url_day(url: str) -> str:
    match = _URL_DATE.search(url or "")
    if not match:
        return ""
    year, month, day = (int(part) for part in [match.group(1), *[g for g in match.groups()[1:] if g]])
    return checked_day(year, month, day)


def _local_day(day: str, evidence: DateEvidence) -> str:
    """The day the page shows for a time stated in UTC: a day before UTC's west of it (7 p.m. in
    California is 3 a.m. UTC: before noon), a day after it east of it (from 10:00 UTC); "" when the
    stated times are not in UTC or the page shows another day or several."""
    times = [_UTC_TIME.search(written) for written in evidence.stated if written.strip()]
    if not times or not all(times) or len(evidence.shown) != 1:
        return ""
    [shown] = evidence.shown
    hour = min(int(time.group(1)) for time in times if time)
    offset = (date.fromisoformat(shown) - date.fromisoformat(day)).days
    if offset == -1 and hour < _LOCAL_DAY_BEFORE_UTC_HOURS:
        return shown
    return shown if offset == 1 and hour >= _LOCAL_DAY_AFTER_UTC_HOURS else ""


def _day_is_certain(written: str, locale: str = "") -> bool:
    """A time in UTC near midnight where the page is does not say the page's own day; every other
    written date does. Where the page is: its locale's region (_safe_utc_hours)."""
    match = _UTC_TIME.search(written or "")
    if match is None:
        return True
    hours = _safe_utc_hours(locale)
    return hours is not None and hours[0] <= int(match.group(1)) < hours[1]


def _safe_utc_hours(locale: str) -> tuple[int, int] | None:
    """The hours of UTC that fall on the same day wherever a page of `locale` may be; None when the
    locale names no region (plain "en": anywhere from UTC-10 to UTC+13)."""
    if locale in _ANYWHERE:
        return None
    if locale.startswith(_AMERICAS) or locale in ("es", "pt"):
        return AMERICAS_SAFE_UTC_HOURS
    if locale.startswith(_ASIA_PACIFIC):
        return ASIA_PACIFIC_SAFE_UTC_HOURS
    return SAFE_UTC_HOURS


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
    if not ISO.match(text):
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
    stated += _microdata(tree, "datePublished")  # not a teaser's, a comment's or a related story's
    modified += _microdata(tree, "dateModified")
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
    written = tree.xpath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
    visible = days_in_text(" ".join(" ".join(str(text).split()) for text in written), locale)
    return DateEvidence(stated=stated, weak=weak, modified=modified, shown=shown, visible=visible)


def _microdata(tree: Any, name: str) -> list[str]:
    elements = [e for e in tree.xpath(f"//*[@itemprop='{name}']") if not foreign(e)]
    return [e.get("datetime") or e.get("content") for e in elements if e.get("datetime") or e.get("content")]


def _metas(tree: Any, names: tuple[str, ...]) -> list[str]:
    lowered = "translate(@{0},'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
    found: list[str] = []
    for name in names:
        elements = tree.xpath(
            f"//meta[{lowered.format('property')}='{name}' or {lowered.format('name')}='{name}' "
            f"or {lowered.format('itemprop')}='{name}'][@content]"
        )
        found += [e.get("content") for e in elements if not foreign(e)]  # not a teaser's microdata
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
        # outside any <article>: after the headline (a site's header shows today's date before it)
        where = headline.xpath("following::time") if headline is not None else []
        candidates = [t for t in where if not t.xpath("ancestor::article")]
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
    other <article>s than the headline's left out; of a text longer than a date line, its opening."""
    scope = headline.xpath("ancestor::article[1]")
    found, size = [], 0
    for node in headline.xpath("following::text()"):
        parent = node.getparent()
        if parent is None or parent.tag in ("script", "style", "noscript"):
            continue
        nearest = parent.xpath("ancestor-or-self::article[1]")
        if (nearest[0] if nearest else None) is not (scope[0] if scope else None) or foreign(parent, itself=True):
            continue
        words = str(node).split()
        text = " ".join(words if len(words) <= DATE_LINE_WORDS else words[:DATE_OPENING_WORDS])
        if text:
            found.append(text)
            size += len(" ".join(words)) + 1
            if size >= limit:
                break
    return found
