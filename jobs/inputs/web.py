"""Web inputs: fetch URLs politely, pull the article out of an HTML page, read RSS and Atom feeds.

httpx, trafilatura, feedparser and lxml are imported inside the functions that use them, so that
importing this module (and so `jobs --help`) stays fast.
"""

from __future__ import annotations

import codecs
import io
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from jobs import __version__

USER_AGENT = f"jobs/{__version__} (+news translation batch job)"
HTML_SUFFIXES = (".html", ".htm")
FEED_SUFFIXES = (".xml", ".rss", ".atom")
URL_SCHEMES = ("http", "https")
ACCEPT = "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
# Worth another try: the server is busy or broken for now, not refusing this URL for good.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# How far into a document to look for its charset declaration and its first element.
SNIFF_BYTES = 4096

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_.:-]+)""", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<(rss|feed|rdf:rdf|html|!doctype\s+html|head|body)[\s>/]", re.IGNORECASE)
# The WHATWG encoding standard: pages that say Latin-1 or ASCII are decoded as windows-1252, which
# maps 0x80-0x9f to curly quotes and dashes instead of invisible control characters.
_WINDOWS_1252_ALIASES = frozenset({"iso8859-1", "ascii"})
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Elements of feed HTML that hold no article text.
_NON_TEXT_TAGS = (
    "script", "style", "noscript", "iframe", "object", "embed", "form", "button", "svg", "nav", "aside", "figure",
)
_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li dt dd blockquote pre section article header footer aside "
    "table tr td th ul ol dl br hr".split()
)


# --------------------------------------------------------------------------- settings and errors


@dataclass(frozen=True)
class FetchSettings:
    """Limits for fetching URLs in one read; the defaults suit a nightly job, tests shrink them."""

    allow_network: bool = True
    timeout: float = 10.0  # seconds to connect, and between bytes received, per attempt
    total_timeout: float = 60.0  # for a whole download, so a server that drips bytes cannot stall the run
    max_bytes: int = 10 * 1024 * 1024
    max_urls: int = 100  # pages and feeds fetched per read, feed items' pages included
    retries: int = 2  # further attempts after a timeout, a dropped connection or a 5xx/429
    backoff: float = 0.5  # seconds before the first retry; doubled for each later one
    max_backoff: float = 8.0
    max_redirects: int = 5
    user_agent: str = USER_AGENT


class ContentError(ValueError):
    """A page or feed that was read but cannot be used; the message says why."""


class FetchError(Exception):
    """A URL that could not be fetched; the message names the URL and the reason."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot fetch {display_url(url)}: {reason}")
        self.url = url
        self.reason = reason


class _Retryable(Exception):
    """A failure that another attempt may not meet (timeout, dropped connection, 5xx)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- URLs


def is_url(text: str) -> bool:
    """Whether the text is an http(s) URL with a host: the only kind of URL the job fetches."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in URL_SCHEMES and bool(parts.hostname)


def url_from_input(given: str | Path) -> str | None:
    """The URL an input names, or None for a path.

    A URL that went through `pathlib.Path` (as a Typer `Path` option does) has lost a slash of
    "https://"; it is restored when no such path exists, so `--input URL` works either way.
    """
    if isinstance(given, str):
        return given.strip() if is_url(given.strip()) else None
    text = given.as_posix()
    for scheme in URL_SCHEMES:
        head = f"{scheme}:/"
        if text.lower().startswith(head) and not given.exists():
            candidate = f"{scheme}://{text[len(head):]}"
            return candidate if is_url(candidate) else None
    return None


def display_url(url: str) -> str:
    """The URL without any user:password part, for messages, records and manifests."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal needs its brackets back
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


# --------------------------------------------------------------------------- fetching


@dataclass(frozen=True)
class Fetched:
    """A downloaded document: the URL it finally came from, its bytes and its declared type."""

    url: str
    content: bytes
    content_type: str  # the Content-Type header as sent, "" if none
    media_type: str  # e.g. "text/html", lower case
    charset: str | None  # from the Content-Type header


class Fetcher:
    """Fetches URLs for one read: one connection pool, retries with backoff, and the per-run limit.

    Use it as a context manager so the connections are closed.
    """

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.fetched = 0
        self._client: Any = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool, if one was opened."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def fetch(self, url: str) -> Fetched:
        """Download one URL within the settings' limits; raises FetchError naming the URL."""
        settings = self.settings
        if not settings.allow_network:
            raise FetchError(url, "network access is off (--offline)")
        if not is_url(url):
            raise FetchError(url, "not an http(s) URL")
        if self.fetched >= settings.max_urls:
            raise FetchError(url, f"the limit of {settings.max_urls} URLs per run is reached (--max-urls)")
        self.fetched += 1
        for attempt in range(settings.retries + 1):
            try:
                return self._download(url)
            except _Retryable as exc:
                if attempt == settings.retries:
                    tries = f" (after {attempt + 1} attempts)" if attempt else ""
                    raise FetchError(url, exc.reason + tries) from None
                time.sleep(min(settings.backoff * 2**attempt, settings.max_backoff))
        raise AssertionError("unreachable")  # the loop always returns or raises

    def _http(self) -> Any:
        """The httpx client, made on first use so that runs without URLs never import httpx."""
        if self._client is None:
            import httpx

            settings = self.settings
            self._client = httpx.Client(
                headers={"User-Agent": settings.user_agent, "Accept": ACCEPT},
                timeout=httpx.Timeout(settings.timeout),
                follow_redirects=True,
                max_redirects=settings.max_redirects,
            )
        return self._client

    def _download(self, url: str) -> Fetched:
        """One attempt: stream the body within the size and time limits."""
        import httpx

        settings = self.settings
        deadline = time.monotonic() + settings.total_timeout
        try:
            with self._http().stream("GET", url) as response:
                status = response.status_code
                if status in RETRY_STATUSES:
                    raise _Retryable(f"HTTP {status} {response.reason_phrase}".rstrip())
                if status >= 400:
                    raise FetchError(url, f"HTTP {status} {response.reason_phrase}".rstrip())
                content = self._read_body(response, url, deadline)
                content_type = response.headers.get("content-type", "")
                media_type = content_type.split(";")[0].strip().lower()
                return Fetched(str(response.url), content, content_type, media_type, response.charset_encoding)
        except httpx.TooManyRedirects:
            raise FetchError(url, f"more than {settings.max_redirects} redirects (a redirect loop?)") from None
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timed out ({_timeout_kind(exc)} timeout of {settings.timeout:g} s)") from None
        except httpx.UnsupportedProtocol as exc:  # e.g. a redirect to ftp:// or file://
            raise FetchError(url, f"unsupported URL: {exc}") from None
        except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError) as exc:
            raise _Retryable(f"connection failed: {exc or type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from None

    def _read_body(self, response: Any, url: str, deadline: float) -> bytes:
        """The body, aborted as soon as it passes max_bytes or the total time limit."""
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        # A compressed body's length says little about its size once decoded; that is checked below.
        if declared.isdigit() and int(declared) > limit and not response.headers.get("content-encoding"):
            raise FetchError(url, f"body of {_size(int(declared))} is over the {_size(limit)} limit; not downloaded")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(url, f"body is over the {_size(limit)} limit; download aborted")
            if time.monotonic() > deadline:
                total = self.settings.total_timeout
                raise FetchError(url, f"download took longer than {total:g} s; aborted")
            chunks.append(chunk)
        return b"".join(chunks)


def _timeout_kind(exc: Exception) -> str:
    """'connect', 'read', 'write' or 'pool', from the httpx exception's class name."""
    name = type(exc).__name__.lower()
    return name.removesuffix("timeout") if name.endswith("timeout") and name != "timeout" else "request"


def _size(count: int) -> str:
    """A byte count for messages, e.g. '50.0 MB'."""
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count} bytes"


# --------------------------------------------------------------------------- charsets


def codec_name(label: str | None) -> str | None:
    """Python's codec for a charset label, or None for an unknown one; Latin-1/ASCII become windows-1252."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in _WINDOWS_1252_ALIASES else name


def bom_charset(data: bytes) -> str | None:
    """The codec a byte-order mark declares, or None."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset a document declares in an XML declaration or a <meta> tag near its start."""
    head = data[:SNIFF_BYTES]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        match = pattern.search(head)
        if match and codec_name(match.group(1).decode("ascii")):
            return match.group(1).decode("ascii")
    return None


def decode_html(data: bytes, header_charset: str | None = None, fallback: str | None = None) -> str:
    """Page text in its declared charset (BOM, HTTP header, then <meta>/XML declaration).

    Undeclared pages must be UTF-8, else `fallback` (--encoding); otherwise ContentError says so.
    """
    bom = bom_charset(data)
    if bom:
        return data.decode(bom, errors="replace")
    for label in (header_charset, declared_charset(data)):
        codec = codec_name(label)
        if codec:  # a declared page with a stray bad byte is still worth reading
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}) and declares no charset"
        if fallback is None:
            raise ContentError(f"{bad}; pass --encoding, e.g. --encoding windows-1251") from None
        try:
            return data.decode(fallback)
        except UnicodeDecodeError as again:
            raise ContentError(f"{bad}, and not valid {fallback} either (offset {again.start})") from None


# --------------------------------------------------------------------------- sniffing


def sniff_kind(data: bytes, media_type: str = "") -> str | None:
    """'feed', 'html' or None: from the document's first element, else from its media type."""
    head = data[:SNIFF_BYTES]
    bom = bom_charset(head)
    if bom and bom != "utf-8-sig":  # UTF-16: decode so the pattern can see the tags
        head = head.decode(bom, errors="ignore").encode("utf-8")
    match = _FIRST_ELEMENT.search(head)
    if match:
        return "feed" if match.group(1).lower() in (b"rss", b"feed", b"rdf:rdf") else "html"
    if "html" in media_type:
        return "html"
    if media_type.endswith(("xml", "rss", "atom")):
        return "feed"
    return None


# --------------------------------------------------------------------------- HTML pages


@dataclass(frozen=True)
class Page:
    """The article found in an HTML page: its text and what the page says about it."""

    title: str
    paragraphs: tuple[str, ...]
    byline: str = ""
    published: str = ""  # ISO 8601 date, "" if the page gives none
    tag: str = ""  # the page's first section or category


def extract_page(html: str, url: str | None = None) -> Page:
    """The main text and metadata of an article page, without navigation or boilerplate.

    Uses trafilatura; raises ContentError when the page holds no article text.
    """
    import trafilatura

    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,  # readers' comments are not the article
        include_tables=False,  # table cells make poor paragraphs to summarize and translate
        favor_precision=True,  # rather lose a doubtful line than publish a share bar
        # Dates from the page's markup only: the text is full of dates that are not the publication's.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None or document.body is None:
        raise ContentError("no article text found in the page")
    title = _one_line(document.title or "")
    paragraphs = _body_paragraphs(document.body, title)
    if not paragraphs:
        raise ContentError("no article text found in the page")
    if not title:
        raise ContentError("the page has no title")
    categories = [c for c in (document.categories or []) if c and c.strip()]
    return Page(
        title=title,
        paragraphs=tuple(paragraphs),
        byline=_one_line(document.author or ""),
        published=document.date or "",
        tag=_one_line(categories[0]) if categories else "",
    )


def _body_paragraphs(body: Any, title: str) -> list[str]:
    """One paragraph per block of trafilatura's output tree; a heading repeating the title is dropped."""
    paragraphs: list[str] = []
    for element in body:
        items = element.findall(".//item") if element.tag == "list" else [element]
        for item in items:
            text = _one_line("".join(item.itertext()))
            if text:
                paragraphs.append(text)
    if paragraphs and title and _same_text(paragraphs[0], title):
        paragraphs.pop(0)
    return paragraphs


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _one_line(text: str) -> str:
    """All whitespace runs collapsed to single spaces."""
    return " ".join(text.split())


# --------------------------------------------------------------------------- HTML fragments


def html_paragraphs(fragment: str) -> list[str]:
    """The paragraphs of an HTML fragment (a feed's content or description), as plain text.

    Each block element (p, h2, li...) or <br> ends a paragraph; scripts, forms and figures are dropped.
    """
    root = _parse_fragment(fragment)
    if root is None:
        return []
    paragraphs: list[str] = []
    current: list[str] = [root.text or ""]  # text before the first tag
    _walk_blocks(root, current, paragraphs)
    _flush(current, paragraphs)
    return paragraphs


def html_to_text(fragment: str) -> str:
    """An HTML fragment (e.g. a title with markup) as one line of plain text."""
    return " ".join(html_paragraphs(fragment))


def _parse_fragment(fragment: str) -> Any:
    """The fragment parsed under one <div>, with non-text elements removed; None if it is empty."""
    if not fragment.strip():
        return None
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return None
    etree.strip_elements(root, *_NON_TEXT_TAGS, with_tail=False)
    return root


def _walk_blocks(element: Any, current: list[str], paragraphs: list[str]) -> None:
    """Collect text in document order, ending a paragraph at every block element's edges."""
    for child in element:
        if not isinstance(child.tag, str):  # comments and processing instructions
            if child.tail:
                current.append(child.tail)
            continue
        block = child.tag.lower() in _BLOCK_TAGS
        if block:
            _flush(current, paragraphs)
        if child.text:
            current.append(child.text)
        _walk_blocks(child, current, paragraphs)
        if block:
            _flush(current, paragraphs)
        if child.tail:
            current.append(child.tail)


def _flush(current: list[str], paragraphs: list[str]) -> None:
    text = _one_line("".join(current))
    if text:
        paragraphs.append(text)
    current.clear()


def text_paragraphs(text: str) -> list[str]:
    """Plain text split into paragraphs at blank lines."""
    return [p for p in (_one_line(block) for block in re.split(r"\n\s*\n", text)) if p]


# --------------------------------------------------------------------------- feeds


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


def parse_feed(data: bytes, content_type: str = "") -> Feed:
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
        byline=_one_line((entry.get("author_detail") or {}).get("name") or entry.get("author") or ""),
        published=_iso_time(entry.get("published_parsed") or entry.get("updated_parsed")),
        tag=_one_line(tags[0]) if tags else "",
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
    return text_paragraphs(value) if kind == "text/plain" else html_paragraphs(value)


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
