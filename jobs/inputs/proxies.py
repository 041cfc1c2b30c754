"""Fetching through the proxy the environment names, within the outbound-request policy.

Which proxy a URL goes through is httpx's own rule (`httpx._utils.get_environment_proxies`,
what `httpx.Client(trust_env=True)` uses): HTTP_PROXY / HTTPS_PROXY by the URL's scheme,
ALL_PROXY for both, NO_PROXY hosts (and `*`) go direct; lower-case names win, as in urllib.
Every hop is routed again, so a redirect may leave or enter the proxy.

A proxied request is checked before anything is sent to the proxy: the target host is resolved
here and every address checked like a direct connection's (an allow-listed host by name is not
resolved). A name that does not resolve here cannot be checked, and the proxy would fetch it
whatever it leads to, so it is refused, naming both fixes: --allow-host HOST, or
--proxy-resolves (`proxy_resolves: true`) for a newsroom whose proxy itself refuses internal
addresses. The proxy resolves the name again on its own: a name that resolves differently a
moment later (DNS rebinding) is for the proxy's own rules to stop, as the job cannot see where
the proxy connects. The proxy's own address is allowed (it is usually internal); connections
are opened to it alone, and every read and write keeps the request's deadline (transport.py).

Only http:// and https:// proxies are used; any other (socks5://) is a listed problem per URL.
Imported with httpx, only when the first URL is fetched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

from jobs.inputs.netpolicy import NetPolicy, Refused
from jobs.inputs.transport import PolicyTransport, _bounded, _DeadlineStream

_DEFAULT_PORTS = {"http": 80, "https": 443}


def proxy_label(url: str) -> str:
    """The proxy as scheme://host:port, without credentials, for messages."""
    try:
        parsed = httpx.URL(url if "://" in url else f"http://{url}")
    except httpx.InvalidURL:
        return "(a malformed proxy URL)"
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    return f"{parsed.scheme}://{host}:{parsed.port or _DEFAULT_PORTS.get(parsed.scheme, '')}".rstrip(":")


class ProxyBackend(httpcore.NetworkBackend):
    """Opens TCP connections to the proxy and nowhere else, each read and write within the deadline."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host.lower(), port
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if (host.lower(), port) != (self.host, self.port):  # httpcore asks for the proxy only: a bug if not
            raise httpcore.ConnectError(f"not the proxy: {host}:{port}")
        return _DeadlineStream(self._backend.connect_tcp(host, port, _bounded(timeout), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise httpcore.ConnectError("Unix sockets are never fetched from")

    def sleep(self, seconds: float) -> None:
        import time

        time.sleep(seconds)


class ProxyTransport(httpx.HTTPTransport):
    """httpx's transport for one http(s) proxy: the target checked first, errors naming the proxy."""

    def __init__(self, policy: NetPolicy, proxy_url: str, max_connections: int, proxy_resolves: bool = False) -> None:
        super().__init__(verify=False, trust_env=False)  # its own pool is replaced below
        self.policy, self.proxy_resolves = policy, proxy_resolves
        self.label = proxy_label(proxy_url)
        self.unsupported: str | None = None
        try:
            proxy = httpx.Proxy(proxy_url)
        except (ValueError, httpx.InvalidURL) as exc:
            self.unsupported = f"the proxy {self.label} cannot be used ({exc}); fix or unset the proxy variable"
            return
        url = proxy.url
        if url.scheme not in _DEFAULT_PORTS:
            self.unsupported = (
                f"the proxy {self.label} is not supported: only http:// and https:// proxies are "
                f"(name an http proxy, or list the host in NO_PROXY)"
            )
            return
        self._pool = httpcore.HTTPProxy(
            proxy_url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            proxy_auth=proxy.raw_auth,
            proxy_headers=proxy.headers.raw,
            ssl_context=httpx.create_ssl_context(trust_env=False),
            proxy_ssl_context=proxy.ssl_context,
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            network_backend=ProxyBackend(url.raw_host.decode("ascii"), url.port or _DEFAULT_PORTS[url.scheme]),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.unsupported is not None:
            raise httpx.ProxyError(self.unsupported, request=request)
        self.check_target(request.url)
        try:
            response = super().handle_request(request)
        except httpx.TransportError as exc:
            raise type(exc)(f"through the proxy {self.label}: {exc or type(exc).__name__}", request=request) from exc
        if response.status_code == 407:  # always the proxy's own answer
            response.close()
            raise httpx.ProxyError(
                f"the proxy {self.label} asks for credentials (407); give them in the proxy variable "
                f"(http://user:password@host:port)",
                request=request,
            )
        # The socket's peer is the proxy, allowed as such: the target was checked above instead.
        response.extensions.pop("network_stream", None)
        response.extensions["proxy"] = self.label
        response.stream = _NamedStream(response.stream, self.label)
        return response

    def check_target(self, url: httpx.URL) -> None:
        """Refused unless the target host may be fetched: allowed by name, or every address it
        resolves to here allowed; a name that does not resolve here only with proxy_resolves."""
        host = url.raw_host.decode("ascii")
        if self.policy.host_allowed(host):
            return
        try:
            self.policy.resolve(host, url.port or _DEFAULT_PORTS.get(url.scheme, 80))
        except OSError as exc:  # the name does not resolve here: its addresses cannot be checked
            if self.proxy_resolves:
                return
            raise Refused(
                f"refused: {host} does not resolve here ({exc.strerror or exc}), so its addresses cannot be "
                f"checked before the proxy {self.label} fetches it; pass --allow-host {host}, or "
                f"--proxy-resolves (proxy_resolves: true) if the proxy itself refuses internal addresses"
            ) from None


class _NamedStream(httpx.SyncByteStream):
    """A proxied response's body, whose network errors name the proxy like those of the request."""

    def __init__(self, stream: Any, label: str) -> None:
        self._stream, self.label = stream, label

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except httpx.TransportError as exc:
            raise type(exc)(f"through the proxy {self.label}: {exc or type(exc).__name__}") from exc

    def close(self) -> None:
        self._stream.close()


def make_client(policy: NetPolicy, headers: dict[str, str], timeout: float, workers: int, proxy_resolves: bool) -> Any:
    """The httpx client of one read: direct connections through the policy's transport, and the
    environment's proxies (httpx's rules: scheme, ALL_PROXY, NO_PROXY) through ProxyTransports."""
    from httpx._utils import get_environment_proxies  # what httpx.Client(trust_env=True) would use

    by_proxy: dict[str, ProxyTransport] = {}
    mounts: dict[str, httpx.BaseTransport | None] = {}
    for pattern, proxy_url in get_environment_proxies().items():
        if proxy_url is None:  # NO_PROXY: direct, through the policy transport
            mounts[pattern] = None
            continue
        if proxy_url not in by_proxy:
            by_proxy[proxy_url] = ProxyTransport(policy, proxy_url, workers, proxy_resolves)
        mounts[pattern] = by_proxy[proxy_url]
    return httpx.Client(
        headers=headers,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        transport=PolicyTransport(policy, max_connections=workers),
        mounts=mounts,
        trust_env=False,
    )
