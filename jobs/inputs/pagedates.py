"""The day a page's article was published, only when the page's own evidence agrees on it.

A wrong date is worse than none, so a day is given only when the page is consistent about it:

- stated: the article's JSON-LD `datePublished`, `article:published_time` and its kin, microdata
  `datePublished`, and the article's own `<time datetime>` (never a comment's, a teaser's or a
  list item's; never one the page marks as an update). These must agree on one day; when they
  disagree, or the page says the article was modified a day before it was published, only a day
  the page also shows (below) is kept (modified minutes before, on the same day: the day);
- weak: a date that does not say it is the publication's (`<meta name=date>`, Dublin Core, a
  WebPage's JSON-LD, a time in UTC near midnight, whose local day is uncertain; every date of a
  page about a thing that is not an article, a recipe, a product, an app, and of its microdata)
  counts only when the page also shows that day; one naming another day does not hide the one
  day the page shows;
- shown (jobs/inputs/showndates.py): the days written in the article's `<time>` elements, next to
  its headline (the h1 showing the page's title, else an h2 or h3 that does:
  pagemeta.dating_heading): the dateline after it (not running prose, in a <p> or not), the kicker
  line right before it, the first element marked as a date after it
  and in the headline element itself, and anywhere a date labelled as the publication's ("Posted
  by Ann on ..."), read only in a certain order (jobs/inputs/writtendates.py);
- first of all, the one day the page labels as its publication ("Erschienen am: 13.10.2021", a
  byline's "Von Georg Kasch 31. Oktober 2023") when the fields name only other days: a reader sees
  it (a site's header's <time> holds today's date; a meta date, a later edition's);
- last, a /YYYY/MM/DD/ date in the page's address, when nothing stated contradicts it; a day the
  address contradicts (more than a day apart) and the page does not show is left out;
- a midnight east of UTC stored in UTC ("2022-11-06T23:00:00Z", 7 November in Berlin) names two
  days: none.

The day is the one written, never converted to UTC: "2022-05-03T23:10-03:00" is 3 May.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from jobs.inputs.showndates import (
    PUBLISHED_MARK,
    UPDATE,
    article_times,
    foreign,
    labelled_as_update,
    labelled_days,
    labelled_publication_days,
    shown_days,
)
from jobs.inputs.writtendates import (
    days_in_text,
    in_utc,
    midnight_east_of_utc,
    read_date,
    url_day,
    utc_day_is_certain,
)

__all__ = ["DateEvidence", "days_in_text", "evidence", "foreign", "published_day", "read_date"]

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
    "modified",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
)
# schema.org types of things that are not articles: their page's dates are a product's, a
# recipe's or an event's, not a story's publication, unless the page shows the day too.
_THINGS_WORDS = (
    "recipe product productgroup softwareapplication mobileapplication webapplication videogame "
    "faqpage qapage event jobposting course howto book movie musicalbum musicrecording tvseries "
    "localbusiness hotel restaurant touristattraction realestatelisting vehicle car offer"
)
THINGS = frozenset(_THINGS_WORDS.split())
_ARTICLE_ITEM = re.compile(r"article|posting|report", re.I)  # microdata article types (NewsArticle, BlogPosting)
_ISO = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}(?:$|[T\s])")


@dataclass
class DateEvidence:
    """What a page says about its article's dates, gathered before deciding."""

    stated: list[str]  # the article's publication time, as written, from fields that say so
    weak: list[str]  # dates from fields that do not say what they date
    modified: list[str]  # the article's modification time, as written
    shown: set[str]  # YYYY-MM-DD days the page shows (its article's <time>s, the dateline)
    labelled: set[str] = field(default_factory=set)  # days the page labels as its publication (also shown)


def published_day(evidence: DateEvidence, locale: str, urls: list[str]) -> str:
    """The article's day as YYYY-MM-DD when the evidence is consistent about it, else "": a day the
    page's address contradicts (another /YYYY/MM/DD/, more than a day apart) and the page does not
    show is left out too."""
    addressed = {day for day in (url_day(url) for url in urls) if day}  # the site's own (local) day
    day = _decided_day(evidence, locale, addressed)
    if day and day not in evidence.shown and addressed and all(abs(_days_apart(day, other)) > 1 for other in addressed):
        return ""  # the address names another day and the page shows neither: which one? none
    return day


def _decided_day(evidence: DateEvidence, locale: str, addressed: set[str]) -> str:
    if any(midnight_east_of_utc(written) for written in evidence.stated + evidence.weak):
        return ""  # "2022-11-06T23:00:00Z": 7 November in Berlin, 6 November as shown in UTC
    fields = {read_date(written, locale) for written in evidence.stated + evidence.weak} - {""}
    if len(evidence.labelled) == 1 and fields and not fields & evidence.labelled:
        return next(iter(evidence.labelled))  # "Erschienen am: 13.10.2021" over a field's 15 October
    certain, uncertain = [], []
    for written in evidence.stated:
        day = read_date(written, locale)
        if day:
            (certain if utc_day_is_certain(written, locale) else uncertain).append(day)
    days = set(certain)
    if len(days) == 1:
        [day] = days
        if evidence.shown and day not in evidence.shown:  # the page shows another day
            return _local_day(day, evidence)
        if not _modified_before(evidence.stated, evidence.modified) or day in evidence.shown:
            return day
        if {read_date(written, locale) for written in evidence.modified} - {""} == {day}:
            return day  # "modified" a few minutes before "published", on the same day: the day is certain
        return ""  # "modified" a day before "published": one of them is wrong; the page does not show which
    if len(days) > 1:  # the page's fields disagree: only the day it also shows
        confirmed = days & evidence.shown
        return next(iter(confirmed)) if len(confirmed) == 1 else ""
    weak = {day for day in uncertain + [read_date(w, locale) for w in evidence.weak] if day}
    confirmed = weak & (evidence.shown | addressed)
    if len(confirmed) == 1:
        return next(iter(confirmed))
    if len(set(uncertain)) == 1 and not confirmed and (local := _local_day(uncertain[0], evidence)):
        return local  # 01:32 UTC, shown as the day before (New York's)
    if uncertain or confirmed:
        return ""
    # shown by the article alone, stated nowhere: a weak field that names another day (a draft's
    # creation, a crawl's or an edit's time: "2020-04-29T11:52" over "Stand: 28.04.2020") does not hide it
    if len(evidence.shown) == 1:
        return next(iter(evidence.shown))
    return next(iter(addressed)) if len(addressed) == 1 and not (weak - addressed) else ""


def _days_apart(day: str, other: str) -> int:
    return (date.fromisoformat(other) - date.fromisoformat(day)).days


def _local_day(day: str, evidence: DateEvidence) -> str:
    """The day the page shows for a time stated in UTC: a day before or after UTC's, where the page
    is (7 p.m. in California is 3 a.m. UTC); "" when the stated times are not in UTC or the page
    shows another day or several."""
    stated_in_utc = all(in_utc(written) for written in evidence.stated if written.strip())
    if not stated_in_utc or len(evidence.shown) != 1:
        return ""
    [shown] = evidence.shown
    return shown if abs((date.fromisoformat(shown) - date.fromisoformat(day)).days) == 1 else ""


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
    tree: Any, articles: list[dict], objects: list[dict], headline: Any = None, locale: str = ""
) -> DateEvidence:
    """The dates a parsed page (an lxml tree) gives for its article; `articles`: its JSON-LD
    article objects, `objects`: all its JSON-LD objects; `headline`: the h1 element, if any."""
    stated, weak, modified = [], [], []
    for article in articles:
        stated += [article["datePublished"]] if isinstance(article.get("datePublished"), str) else []
        weak += [article["dateCreated"]] if isinstance(article.get("dateCreated"), str) else []
        modified += [article["dateModified"]] if isinstance(article.get("dateModified"), str) else []
    for other in objects:  # a WebPage's dates: the page's, not necessarily the article's
        if _kinds([other]) & {"webpage", "itempage"}:
            weak += [other[key] for key in ("datePublished", "dateCreated") if isinstance(other.get(key), str)]
    stated += _metas(tree, STATED_META)
    weak += _metas(tree, WEAK_META)
    modified += _metas(tree, MODIFIED_META)
    for element in tree.xpath("//*[@itemprop='datePublished']"):  # a product's or a recipe's: weak
        (weak if _in_a_thing(element) else stated).extend(_written(element))
    modified += tree.xpath("//*[@itemprop='dateModified']/@datetime | //*[@itemprop='dateModified']/@content")
    if not articles and _is_a_thing(tree, objects):  # a recipe's, a product's date: shown, or none
        stated, weak = [], weak + stated
    shown: set[str] = set()
    changes = {moment for moment in map(_moment, modified) if moment and moment.tzinfo is not None}
    changes -= set(map(_moment, stated))  # a page first published and not modified since states both alike
    for element in (t for t in article_times(tree, headline) if not _in_a_thing(t)):
        text = " ".join(element.text_content().split())
        marked = UPDATE.search(f"{element.get('class', '')} {text[:20]}") or labelled_as_update(element)
        marked = marked or _moment(element.get("datetime") or "") in changes  # the instant the page was modified
        updated = marked and not PUBLISHED_MARK.search(element.get("class", ""))
        (modified if updated else stated).extend([element.get("datetime")] if element.get("datetime") else [])
        if not updated:
            shown |= labelled_days(text, locale)
    labelled = labelled_publication_days(tree, locale, headline)
    shown |= shown_days(headline, locale) | labelled
    return DateEvidence(stated=stated, weak=weak, modified=modified, shown=shown, labelled=labelled)


def _is_a_thing(tree: Any, objects: list[dict]) -> bool:
    """Whether the page's structured data describes a thing that is not an article (a recipe, a
    product, an app, an event, a FAQ) and no article."""
    items = {str(kind).rstrip("/").rsplit("/", 1)[-1].lower() for kind in tree.xpath("//*[@itemtype]/@itemtype")}
    kinds = _kinds(objects) | items
    return bool(kinds & THINGS) and not any(_ARTICLE_ITEM.search(kind) for kind in kinds)


def _in_a_thing(element: Any) -> bool:
    """Whether an element lies in the microdata of a thing that is not an article (a product)."""
    return any(
        str(kind).rstrip("/").rsplit("/", 1)[-1].lower() in THINGS
        for kind in element.xpath("ancestor-or-self::*[@itemtype]/@itemtype")
    )


def _written(element: Any) -> list[str]:
    written = element.get("datetime") or element.get("content")
    return [written] if written else []


def _kinds(objects: list[dict]) -> set[str]:
    """The schema.org types (lower case) of JSON-LD objects."""
    kinds = set()
    for data in objects:
        kind = data.get("@type")
        kinds |= {
            k.rsplit("/", 1)[-1].lower() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)
        }
    return kinds


def _metas(tree: Any, names: tuple[str, ...]) -> list[str]:
    lowered = "translate(@{0},'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
    found: list[str] = []
    for name in names:
        found += tree.xpath(
            f"//meta[{lowered.format('property')}='{name}' or {lowered.format('name')}='{name}' "
            f"or {lowered.format('itemprop')}='{name}']/@content"
        )
    return found
