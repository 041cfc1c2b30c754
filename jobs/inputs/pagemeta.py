"""What a page states about its article in machine-readable form: authors, publication date, headline.

Read before extraction, from the page's structured data, most trusted first:

- authors: JSON-LD `author` of the article object (persons only, never an organization),
  `<meta name=author>` and its kin, `rel=author` links, hCard / microdata author names;
- date: JSON-LD `datePublished`, `article:published_time` and its kin, microdata
  `datePublished`, `<time datetime>` of the article, a /YYYY/MM/DD/ date in the page's URL.
  Written dates are read only in an order that is certain: ISO (year first), day.month.year
  with dots, or a slashed date whose order the page's locale (`<html lang>`) decides; an
  ambiguous one ("05/03/2022" on a page in plain "en") is left out, never guessed;
- headline: JSON-LD `headline` and `og:title`, which the title chooser checks against the h1.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from email.utils import parsedate
from typing import Any

from jobs.inputs.pageauthors import stated_authors, visible_text
from jobs.inputs.text import one_line

_ARTICLE_TYPES = (
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "report",
    "scholarlyarticle",
    "socialmediaposting",
)
_META_DATE = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "cxenseparse:recs:publishtime",
)
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:$|T)")
_DOTTED = re.compile(r"^\s*(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
_SLASHED = re.compile(r"^\s*(\d{1,2})[/-](\d{1,2})[/-](\d{4})\b")
_UTC_TIME = re.compile(r"[T\s](\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]00:?00|GMT|UTC)\b", re.IGNORECASE)
# A time in UTC names the page's own day only when no time zone within 4 hours of UTC (Europe,
# Africa, the Atlantic side of the Americas) would put it on another day; otherwise it is left out.
_SAFE_UTC_HOURS = (4, 20)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/")
# Locales that write a slashed numeric date month first; every other locale with a region or a
# language of its own writes the day first. Plain "en" (no region) is ambiguous.
_MONTH_FIRST = ("en-us", "en-ph", "en-ca", "es-us")
_AMBIGUOUS = ("en", "")
_EARLIEST, _LATEST_YEAR = 1995, 2100


@dataclass(frozen=True)
class PageMeta:
    """The article's metadata as the page's structured data states it."""

    authors: tuple[str, ...] = ()  # raw author strings, most trusted source first
    author_source: str = ""  # which source they came from: "json-ld", "meta", "rel-author", "hcard"
    published: str = ""  # YYYY-MM-DD, "" when the page states none that can be read for certain
    headline: str = ""  # JSON-LD headline
    og_title: str = ""
    locale: str = ""  # <html lang>, lower case
    address: str = ""  # the page's canonical link or og:url, as written ("" if none)
    visible: str = field(default="", repr=False)  # the visible text, folded: pageauthors.shown_on_page


def page_meta(tree: Any, url: str | None = None) -> PageMeta:
    """The structured metadata of a parsed page (an lxml tree); `url`: the page's address if known."""
    objects = list(json_ld_objects(tree))
    articles = [o for o in objects if _types(o) & set(_ARTICLE_TYPES)] or [o for o in objects if "headline" in o]
    locale = (tree.xpath("string(/html/@lang)") or tree.xpath("string(//html/@lang)") or "").strip().lower()
    visible = visible_text(tree)
    authors, source = stated_authors(tree, articles, objects, visible)
    canonical = (
        tree.xpath("string(//link[@rel='canonical']/@href)")
        or tree.xpath("string(//meta[@property='og:url']/@content)")
    ).strip()
    return PageMeta(
        authors=authors,
        author_source=source,
        published=_published(tree, articles, locale, [canonical, url or ""]),
        headline=next((one_line(str(o["headline"])) for o in articles if isinstance(o.get("headline"), str)), ""),
        og_title=one_line(tree.xpath("string(//meta[@property='og:title']/@content)")),
        locale=locale,
        address=canonical,
        visible=visible,
    )


# ------------------------------------------------------------------------------------------ date


def _published(tree: Any, articles: list[dict], locale: str, urls: list[str]) -> str:
    candidates: list[str] = []
    for article in articles:
        for key in ("datePublished", "dateCreated"):
            if isinstance(article.get(key), str):
                candidates.append(article[key])
    for name in _META_DATE:
        lowered = "translate(@{0},'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
        candidates += tree.xpath(
            f"//meta[{lowered.format('property')}='{name}' or {lowered.format('name')}='{name}' "
            f"or {lowered.format('itemprop')}='{name}']/@content"
        )
    candidates += tree.xpath("//*[@itemprop='datePublished']/@datetime | //*[@itemprop='datePublished']/@content")
    candidates += _time_elements(tree)
    for candidate in candidates:  # the first whose day is certain: a UTC time near midnight is not
        day, hour = read_date(candidate, locale), _utc_hour(candidate)
        if day and (hour is None or _SAFE_UTC_HOURS[0] <= hour < _SAFE_UTC_HOURS[1]):
            return day
    for url in urls:
        match = _URL_DATE.search(url or "")
        if match:
            found = _checked(*(int(part) for part in match.groups()))
            if found:
                return found
    return ""


def _utc_hour(text: str) -> int | None:
    """The hour of a time given in UTC ("...T21:53Z", "+00:00", "GMT"), None for a local one or a day."""
    match = _UTC_TIME.search(text or "")
    return int(match.group(1)) if match else None


def _time_elements(tree: Any) -> list[str]:
    """<time datetime> of the article: marked pubdate, inside <article>, or the page's only one."""
    marked = tree.xpath("//time[@pubdate]/@datetime")
    if marked:
        return marked
    in_article = tree.xpath("//article//time/@datetime")
    if in_article:
        return in_article[:1]
    every = tree.xpath("//time/@datetime")
    return every if len(every) == 1 else []


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


# --------------------------------------------------------------------------------------- JSON-LD


def json_ld_objects(tree: Any) -> list[dict]:
    """Every JSON-LD object of the page, @graph members and nested lists flattened."""
    found: list[dict] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content() or "null")
        except ValueError:
            continue
        _flatten(data, found)
    return found


def _flatten(data: Any, found: list[dict]) -> None:
    if isinstance(data, list):
        for item in data:
            _flatten(item, found)
    elif isinstance(data, dict):
        found.append(data)
        _flatten(data.get("@graph"), found)


def _types(data: dict) -> set[str]:
    kind = data.get("@type")
    return {
        name.rsplit("/", 1)[-1].lower()
        for name in (kind if isinstance(kind, list) else [kind])
        if isinstance(name, str)
    }
