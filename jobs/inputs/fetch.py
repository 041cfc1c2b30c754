"""Fetching URLs politely and safely: the outbound-request policy, a time budget, parallel
downloads, retries with backoff, size and time limits; and URL helpers.

Every request goes through jobs.inputs.netpolicy (http(s) only, public addresses only unless
allowed, checked on every redirect hop and on the connected peer). A read has a time budget
(`budget`, --fetch-budget): pages are fetched in parallel by a bounded pool of threads (at most
`per_host` at once from one host), each request within its own total deadline, and what is not
fetched when the budget is spent is a listed problem like any other failure. Proxies named by
the environment are used, the policy kept (jobs.inputs.proxies).

httpx is imported when the first URL is fetched, so that runs without URLs never load it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from jobs import __version__
from jobs.inputs.httpcache import CachedResponse, HttpCache
from jobs.inputs.netpolicy import NetPolicy, Refused

log = logging.getLogger(__name__)

USER_AGENT = f"jobs/{__version__} (+news translation batch job)"
URL_SCHEMES = ("http", "https")
ACCEPT = "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
# Worth another try: the server is busy or broken for now, not refusing this URL for good.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchSettings:
    """Limits for fetching URLs in one read; the defaults suit a nightly job, tests shrink them."""

    allow_network: bool = True
    timeout: float = 10.0  # seconds to connect, and between bytes received, per attempt
    total_timeout: float = 60.0  # for one request, headers and body, so a server that drips bytes cannot stall
    max_bytes: int = 10 * 1024 * 1024
    max_urls: int = 100  # pages and feeds fetched per read, feed items' pages included
    retries: int = 2  # further attempts after a timeout, a dropped connection or a 5xx/429
    backoff: float = 0.5  # seconds before the first retry; doubled for each later one
    max_backoff: float = 8.0
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    http_cache: Path | None = None  # folder of responses kept for conditional GET; None: none kept
    allow_hosts: tuple[str, ...] = ()  # hosts, addresses or networks fetched although not public
    budget: float = 300.0  # seconds for all the fetching of one read (--fetch-budget)
    workers: int = 8  # downloads at once
    per_host: int = 2  # downloads at once from one host
    proxy_resolves: bool = False  # a name that does not resolve here is left to the proxy (--proxy-resolves)


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
    """Fetches URLs for one read: one connection pool, the policy, the budget, retries, the limits.

    `fetch` downloads one URL; `fetch_all` downloads many in parallel, in a bounded window ahead
    of the caller. Use it as a context manager so the threads and connections are closed.
    """

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.policy = NetPolicy(self.settings.allow_hosts)
        self.fetched = 0
        self.not_modified = 0  # responses answered "304 Not Modified" from the HTTP cache
        self._client: Any = None
        self._cache = HttpCache(self.settings.http_cache) if self.settings.http_cache else None
        self._lock = threading.Lock()
        self._budget_end: float | None = None
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the download threads, close the connection pool, if one was opened, and prune the
        HTTP cache of a run that went to the network (an offline run keeps every entry)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
            if self._cache is not None:
                self._cache.prune()

    def fetch(self, url: str) -> Fetched:
        """Download one URL within the policy and the limits; raises FetchError naming the URL."""
        refusal = self._admit(url)
        if refusal is not None:
            raise refusal
        return self._fetch_admitted(url)

    def fetch_all(self, urls: Iterable[str]) -> Iterator[Fetched | FetchError]:
        """Each URL's download or its FetchError, in the order given, fetched in parallel.

        URLs are admitted (the per-run limit counted) in order; at most twice `workers` are
        downloaded ahead of the caller, so memory stays bounded by that many bodies."""
        window = max(1, 2 * self.settings.workers)
        pending: deque[Future] = deque()
        for url in urls:
            pending.append(self._submit(url))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def _submit(self, url: str) -> Future:
        refusal = self._admit(url)
        if refusal is not None:
            done: Future = Future()
            done.set_result(refusal)
            return done
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=max(1, self.settings.workers), thread_name_prefix="fetch")
        return self._pool.submit(self._fetch_or_error, url)

    def _fetch_or_error(self, url: str) -> Fetched | FetchError:
        try:
            return self._fetch_admitted(url)
        except FetchError as exc:
            return exc

    def _admit(self, url: str) -> FetchError | None:
        """The cheap checks, in the caller's order: network on, a URL the policy takes, the limit."""
        settings = self.settings
        if not settings.allow_network:
            return FetchError(url, "network access is off (--offline)")
        if not is_url(url):
            return FetchError(url, "not an http(s) URL")
        try:
            self.policy.check_url(url)
        except Refused as exc:
            return FetchError(url, exc.reason)
        with self._lock:
            if self.fetched >= settings.max_urls:
                return FetchError(url, f"the limit of {settings.max_urls} URLs per run is reached (--max-urls)")
            self.fetched += 1
            if self._budget_end is None:  # the budget runs from the first fetch of the read
                self._budget_end = time.monotonic() + settings.budget
        return None

    def _budget_spent(self, url: str) -> FetchError:
        return FetchError(
            url, f"not fetched: the run's fetch budget of {self.settings.budget:g} s is spent (--fetch-budget)"
        )

    def _fetch_admitted(self, url: str) -> Fetched:
        """Download an admitted URL: wait for a slot of its host, then try with retries and backoff."""
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, stop_before_delay, wait_exponential

        settings = self.settings
        assert self._budget_end is not None
        left = self._budget_end - time.monotonic()
        slot = self._host_slot(url)
        if left <= 0 or not slot.acquire(timeout=left):
            raise self._budget_spent(url)
        try:
            if time.monotonic() >= self._budget_end:
                raise self._budget_spent(url)
            retrying = Retrying(
                retry=retry_if_exception_type(_Retryable),
                # no retry whose wait would end after the budget
                stop=stop_after_attempt(settings.retries + 1) | stop_before_delay(self._budget_end - time.monotonic()),
                wait=wait_exponential(multiplier=settings.backoff, max=settings.max_backoff),
                reraise=True,
            )
            try:
                return retrying(self._download, url)
            except _Retryable as exc:
                attempts = retrying.statistics.get("attempt_number", 1)
                raise FetchError(url, exc.reason + (f" (after {attempts} attempts)" if attempts > 1 else "")) from None
        finally:
            slot.release()

    def _host_slot(self, url: str) -> threading.BoundedSemaphore:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = threading.BoundedSemaphore(max(1, self.settings.per_host))
            return self._hosts[host]

    def _http(self) -> Any:
        """The httpx client, made on first use so that runs without URLs never import httpx; proxies
        from the environment (jobs.inputs.proxies). Redirects are followed by `_download`, hop by hop."""
        with self._lock:
            if self._client is None:
                from jobs.inputs.proxies import make_client

                s = self.settings
                headers = {"User-Agent": s.user_agent, "Accept": ACCEPT}
                self._client = make_client(self.policy, headers, s.timeout, max(1, s.workers), s.proxy_resolves)
            return self._client

    def _download(self, url: str) -> Fetched:
        """One attempt: every redirect hop checked, the body streamed within the size and time limits."""
        import httpx

        from jobs.inputs.transport import DeadlinePassed, deadline

        settings = self.settings
        assert self._budget_end is not None
        client = self._http()  # made (CA certificates loaded) before the request's deadline starts
        until = min(time.monotonic() + settings.total_timeout, self._budget_end)
        cached = self._cache.get(url) if self._cache else None
        headers = cached.validators() if cached else None
        hop = url
        try:
            with deadline(until):
                for _ in range(settings.max_redirects + 1):
                    self.policy.check_url(hop)
                    request = client.build_request("GET", hop, headers=headers)
                    response = client.send(request, stream=True)
                    try:
                        self._check_peer(hop, response)
                        location = response.headers.get("location")
                        if response.status_code in REDIRECT_STATUSES and location:
                            hop = urljoin(hop, location)
                            continue
                        return self._answer(url, response, cached, until)
                    finally:
                        response.close()
                raise FetchError(url, f"more than {settings.max_redirects} redirects (a redirect loop?)")
        except Refused as exc:
            reason = exc.reason if hop == url else f"redirected to {display_url(hop)}, {exc.reason}"
            raise FetchError(url, reason) from None
        except DeadlinePassed:
            raise FetchError(url, self._too_long(until)) from None
        except httpx.TimeoutException as exc:
            if time.monotonic() >= until:
                raise FetchError(url, self._too_long(until)) from None
            raise _Retryable(f"timed out ({_timeout_kind(exc)} timeout of {settings.timeout:g} s)") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise FetchError(url, f"unsupported URL: {exc}") from None
        except (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
            raise _Retryable(f"connection failed: {exc or type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from None

    def _too_long(self, until: float) -> str:
        assert self._budget_end is not None
        if until >= self._budget_end:
            return f"the run's fetch budget of {self.settings.budget:g} s ran out during the download (--fetch-budget)"
        return f"download took longer than {self.settings.total_timeout:g} s; aborted"

    def _check_peer(self, url: str, response: Any) -> None:
        """The address that answered must be one the policy allows for this host (httpcore gives
        the socket as the `network_stream` extension; its `server_addr` is the peer's address)."""
        stream = response.extensions.get("network_stream")
        if stream is not None:
            self.policy.check_peer(urlsplit(url).hostname or "", stream.get_extra_info("server_addr"))

    def _answer(self, url: str, response: Any, cached: CachedResponse | None, until: float) -> Fetched:
        """The fetched document from the last hop's response (or the kept copy on 304)."""
        status = response.status_code
        if status == 304 and cached is not None:
            with self._lock:
                self.not_modified += 1
            log.info("not modified since the last run: %s (the kept copy is read)", display_url(url))
            return _fetched(cached.url, cached.content, cached.content_type)
        if status in RETRY_STATUSES:
            raise _Retryable(f"HTTP {status} {response.reason_phrase}".rstrip())
        if status >= 400 or status in REDIRECT_STATUSES:
            raise FetchError(url, f"HTTP {status} {response.reason_phrase}".rstrip())
        content = self._read_body(response, url, until)
        fetched = _fetched(str(response.url), content, response.headers.get("content-type", ""))
        if self._cache is not None:
            headers = response.headers
            etag, modified = headers.get("etag", ""), headers.get("last-modified", "")
            self._cache.put(url, CachedResponse(fetched.url, etag, modified, fetched.content_type, content))
        return fetched

    def _read_body(self, response: Any, url: str, until: float) -> bytes:
        """The body, aborted as soon as it passes max_bytes or the request's deadline."""
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
            if time.monotonic() > until:
                raise FetchError(url, self._too_long(until))
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
