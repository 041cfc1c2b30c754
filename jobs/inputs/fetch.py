"""Fetching URLs politely (one connection pool, retries with backoff, size and time limits), and URL helpers.

httpx is imported when the first URL is fetched, so that runs without URLs never load it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from jobs import __version__
from jobs.inputs.httpcache import CachedResponse, HttpCache

log = logging.getLogger(__name__)

USER_AGENT = f"jobs/{__version__} (+news translation batch job)"
URL_SCHEMES = ("http", "https")
ACCEPT = "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
# Worth another try: the server is busy or broken for now, not refusing this URL for good.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


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
    http_cache: Path | None = None  # folder of responses kept for conditional GET; None: none kept


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
            candidate = f"{scheme}://{text[len(head) :]}"
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
        self.not_modified = 0  # responses answered "304 Not Modified" from the HTTP cache
        self._client: Any = None
        self._cache = HttpCache(self.settings.http_cache) if self.settings.http_cache else None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool, if one was opened, and prune the HTTP cache of a run that
        went to the network (an offline run keeps every entry: nothing was asked for)."""
        if self._client is not None:
            self._client.close()
            self._client = None
            if self._cache is not None:
                self._cache.prune()

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
        cached = self._cache.get(url) if self._cache else None
        try:
            with self._http().stream("GET", url, headers=cached.validators() if cached else None) as response:
                status = response.status_code
                if status == 304 and cached is not None:
                    self.not_modified += 1
                    log.info("not modified since the last run: %s (the kept copy is read)", display_url(url))
                    return _fetched(cached.url, cached.content, cached.content_type)
                if status in RETRY_STATUSES:
                    raise _Retryable(f"HTTP {status} {response.reason_phrase}".rstrip())
                if status >= 400:
                    raise FetchError(url, f"HTTP {status} {response.reason_phrase}".rstrip())
                content = self._read_body(response, url, deadline)
                fetched = _fetched(str(response.url), content, response.headers.get("content-type", ""))
                if self._cache is not None:
                    headers = response.headers
                    etag, modified = headers.get("etag", ""), headers.get("last-modified", "")
                    self._cache.put(url, CachedResponse(fetched.url, etag, modified, fetched.content_type, content))
                return fetched
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


def _fetched(url: str, content: bytes, content_type: str) -> Fetched:
    """A Fetched with its media type and charset parsed from the Content-Type header."""
    from email.message import Message

    header = Message()
    header["content-type"] = content_type or "application/octet-stream"
    media_type = content_type.split(";")[0].strip().lower()
    charset = header.get_param("charset") if content_type else None
    return Fetched(url, content, content_type, media_type, charset if isinstance(charset, str) else None)


def _timeout_kind(exc: Exception) -> str:
    """'connect', 'read', 'write' or 'pool', from the httpx exception's class name."""
    name = type(exc).__name__.lower()
    return name.removesuffix("timeout") if name.endswith("timeout") and name != "timeout" else "request"


def _size(count: int) -> str:
    """A byte count for messages, e.g. '50.0 MB'."""
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count} bytes"
