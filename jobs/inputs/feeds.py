"""RSS and Atom feeds: one article per item, from its full content, its fetched page or its description.

feedparser is imported inside the function that uses it, so importing this module stays fast.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from jobs.errors import InputProblem
from jobs.inputs.article import Article, ContentError, Parsed, ReadContext
from jobs.inputs.boilerplate import is_teaser, strip_boilerplate
from jobs.inputs.bylines import plausible_byline
from jobs.inputs.fetch import Fetched, FetchError, display_url, is_url
from jobs.inputs.html import Page, extract_article, html_paragraphs
from jobs.inputs.ids import make_article_id
from jobs.inputs.prose import MIN_ITEM_PROSE_WORDS, not_prose_reason
from jobs.inputs.text import clean, one_line


@dataclass(frozen=True)
class FeedItem:
    """One RSS item or Atom entry, reduced to text."""

    number: int  # 1-based position in the feed
    title: str
    key: str | None  # guid/id, else link: what the article id is made from
    link: str  # the item's http(s) page, "" if none
    paragraphs: tuple[str, ...]  # from the full content (content:encoded, Atom content); may be empty
    summary: tuple[str, ...]  # from the description/summary; may be empty
    byline: str = ""
    published: str = ""  # ISO 8601 in UTC, "" if the item is undated
    tag: str = ""  # the item's first category


@dataclass(frozen=True)
class Feed:
    """A parsed RSS or Atom feed."""

    title: str
    items: tuple[FeedItem, ...]


def parse_feed(data: bytes, file: str, context: ReadContext, feed: str, content_type: str = "") -> Parsed:
    """One article per feed item; the line number is the item's position in the feed."""
    try:
        parsed = _read_feed(data, content_type)
    except ContentError as exc:
        yield InputProblem(file, None, None, str(exc))
        return
    items = _newest(parsed.items, context.limits.max_feed_items)
    if len(items) < len(parsed.items):
        skipped = len(parsed.items) - len(items)
        message = (
            f"the feed has {len(parsed.items):,} entries; read the newest {len(items):,} "
            f"(--max-feed-items, max_feed_items in the config), {skipped:,} older ones skipped"
        )
        yield InputProblem(file, None, None, message)
    needing = {item.number for item in items if _needs_page(item, context)}
    # The pages are fetched in parallel, a bounded window ahead of the items read here.
    pages = context.fetcher.fetch_all(item.link for item in items if item.number in needing)
    for item in items:
        fetched = next(pages) if item.number in needing else None
        yield from _feed_item_articles(item, file, feed, context, fetched)


def _newest(items: tuple[FeedItem, ...], count: int) -> tuple[FeedItem, ...]:
    """The `count` newest items in feed order: by date, undated ones counting as oldest, then
    by position (feeds list their newest first)."""
    if len(items) <= count:
        return items
    newest = sorted(items, key=lambda item: (item.published, -item.number), reverse=True)[:count]
    return tuple(sorted(newest, key=lambda item: item.number))


def _needs_page(item: FeedItem, context: ReadContext) -> bool:
    """Whether the item's page must be fetched: it has a title, a link and no full content."""
    if not (item.link and context.fetcher.settings.allow_network and clean(item.title)):
        return False
    return not strip_boilerplate(_cleaned(item.paragraphs)).paragraphs


def _feed_item_articles(
    item: FeedItem, file: str, feed: str, context: ReadContext, fetched: Fetched | FetchError | None = None
) -> Parsed:
    """The item's article: its full content, else its fetched page, else its description if whole.

    A description that is only a teaser ("Continue reading...", or too short to be a story) is
    never published as the article: without the page the item is a listed problem. A page that
    cannot be fetched is reported even when a whole description stands in for it.
    """
    prefix = f"item {item.number}: "
    title = clean(item.title)
    if not title:
        yield InputProblem(file, item.number, None, prefix + "missing title")
        return
    article_id = make_article_id(title, item.key)
    text = _item_text(item, context, fetched)
    if not text.paragraphs:
        reason = text.failure or ("its page is not fetched with --offline" if item.link else "it has no link")
        if text.teaser_words:
            message = (
                f"{prefix}{title!r} is only a teaser in the feed ({text.teaser_words} words) and {reason}; skipped"
            )
        else:
            message = f"{prefix}{title!r} has no text: the feed carries no content and {reason}"
        yield InputProblem(file, item.number, article_id, message)
        return
    if text.failure:
        yield InputProblem(
            file, item.number, article_id, f"{prefix}{text.failure}; used the feed's description instead"
        )
    page = text.page
    yield Article(
        title,
        text.paragraphs,
        clean(item.tag or (page.tag if page else "")),
        file,
        item.number,
        item.key,
        url=display_url(text.url),
        feed=feed,
        published=item.published or (page.published if page else ""),
        byline=plausible_byline(clean(item.byline)) or (page.byline if page else ""),
    )


@dataclass(frozen=True)
class _ItemText:
    """Where an item's text came from: its paragraphs (empty: none usable) and what went wrong."""

    paragraphs: tuple[str, ...]
    url: str
    page: Page | None = None
    failure: str | None = None  # why the item's page could not be had
    teaser_words: int = 0  # the description's length, when it is only a teaser


def _item_text(item: FeedItem, context: ReadContext, fetched: Fetched | FetchError | None) -> _ItemText:
    """The item's full content, else its page (`fetched`), else a description that is a whole story."""
    content = strip_boilerplate(_cleaned(item.paragraphs)).paragraphs
    if content and not not_prose_reason(
        content, MIN_ITEM_PROSE_WORDS
    ):  # "2.0.1", a list of links: a teaser, not a story
        return _ItemText(content, item.link)
    page, url, failure = None, item.link, None
    if fetched is not None:
        page, url, failure = _item_page(item.link, fetched, context)
    if page is not None:
        return _ItemText(strip_boilerplate(_cleaned(page.paragraphs)).paragraphs, url, page)
    summary = strip_boilerplate(_cleaned(item.summary))
    if summary.paragraphs and not is_teaser(summary):
        return _ItemText(summary.paragraphs, url, failure=failure)
    words = sum(len(p.split()) for p in summary.paragraphs) or sum(len(p.split()) for p in content)
    return _ItemText((), url, failure=failure, teaser_words=words)


def _cleaned(paragraphs: tuple[str, ...]) -> list[str]:
    return [p for p in (clean(p) for p in paragraphs) if p]


def _item_page(link: str, fetched: Fetched | FetchError, context: ReadContext) -> tuple[Page | None, str, str | None]:
    """A feed item's page: (page, final URL, None), or (None, link, why it could not be had)."""
    if isinstance(fetched, FetchError):
        return None, link, str(fetched)
    try:
        page = extract_article(fetched.content, context, fetched)
    except ContentError as exc:
        return None, link, f"page {display_url(link)}: {exc}"
    return page, fetched.url, None


def _read_feed(data: bytes, content_type: str = "") -> Feed:
    """Items of an RSS 0.9x/1.0/2.0 or Atom feed, charset from the HTTP header or XML declaration.

    Raises ContentError when the document is not a feed.
    """
    import feedparser

    # A file-like object: given bytes or str, feedparser may take them for a file name or a URL.
    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise ContentError("not an RSS or Atom feed" + (f": {reason}" if reason else ""))
    items = tuple(_feed_item(number, entry) for number, entry in enumerate(parsed.entries, start=1))
    return Feed(title=_detail_text(parsed.feed, "title"), items=items)


def _feed_item(number: int, entry: Any) -> FeedItem:
    """One feedparser entry as a FeedItem."""
    link = entry.get("link") or ""
    tags = [tag.get("term") for tag in entry.get("tags") or [] if (tag.get("term") or "").strip()]
    return FeedItem(
        number=number,
        title=_detail_text(entry, "title"),
        key=(entry.get("id") or link or "").strip() or None,
        link=link if is_url(link) else "",
        paragraphs=tuple(_content_paragraphs(entry)),
        summary=tuple(_detail_paragraphs(entry.get("summary") or "", entry.get("summary_detail"))),
        byline=one_line((entry.get("author_detail") or {}).get("name") or entry.get("author") or ""),
        published=_iso_time(entry.get("published_parsed") or entry.get("updated_parsed")),
        tag=one_line(tags[0]) if tags else "",
    )


def _content_paragraphs(entry: Any) -> list[str]:
    """Paragraphs of the item's full content; the longest when it carries several."""
    best: list[str] = []
    for content in entry.get("content") or []:
        paragraphs = _detail_paragraphs(content.get("value") or "", content)
        if sum(map(len, paragraphs)) > sum(map(len, best)):
            best = paragraphs
    return best


def _detail_paragraphs(value: str, detail: Any) -> list[str]:
    """Paragraphs of a feed text construct: HTML reduced to text, plain text split at blank lines."""
    kind = (detail or {}).get("type") or "text/html"  # RSS descriptions are HTML more often than not
    return _text_paragraphs(value) if kind == "text/plain" else html_paragraphs(value)


def _detail_text(element: Any, key: str) -> str:
    """A title-like field as one line of plain text."""
    return " ".join(_detail_paragraphs(element.get(key) or "", element.get(f"{key}_detail")))


def _iso_time(parsed: time.struct_time | None) -> str:
    """feedparser's UTC time tuple as ISO 8601, or "" when the item has none."""
    if not parsed:
        return ""
    try:
        return datetime(*parsed[:6], tzinfo=timezone.utc).isoformat()
    except (TypeError, ValueError):
        return ""


def _text_paragraphs(text: str) -> list[str]:
    """Plain text split into paragraphs at blank lines."""
    return [p for p in (one_line(block) for block in re.split(r"\n\s*\n", text)) if p]
