"""The httpx transport every fetch goes through: connections only to checked addresses, within a deadline.

httpx resolves a host and connects wherever the name leads at that moment, so a check made
before the request could be passed by a name that resolves differently a moment later (DNS
rebinding). Here the host is resolved once per connection, every address checked against the
NetPolicy, and the socket connected to a checked address (TLS still verifies the host name).
Every read and write of a request is bounded by the request's own deadline (set per thread by
`deadline`), so a server that trickles its headers or body a byte at a time costs no more than
that deadline; read timeouts alone never end such a request.

Imported with httpx, only when the first URL is fetched.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

from jobs.inputs.netpolicy import NetPolicy

_local = threading.local()


class DeadlinePassed(Exception):
    """The request's own deadline passed while it was connecting, sending or receiving."""


@contextlib.contextmanager
def deadline(until: float) -> Iterator[None]:
    """Bound every network wait of this thread's requests to `until` (time.monotonic())."""
    previous = getattr(_local, "until", None)
    _local.until = until
    try:
        yield
    finally:
        _local.until = previous


def _bounded(timeout: float | None) -> float | None:
    """The timeout of one network wait, cut to what is left of the request's deadline."""
    until = getattr(_local, "until", None)
    if until is None:
        return timeout
    left = until - time.monotonic()
    if left <= 0:
        raise DeadlinePassed()
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the deadline of the request using it."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class PolicyBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses the policy allows, the checked address itself."""

    def __init__(self, policy: NetPolicy) -> None:
        self.policy = policy
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self.policy.resolve(host, port)  # Refused if any address is not allowed
        except OSError as exc:  # the name does not resolve: a connection failure like any other
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror or exc}") from None
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = self._backend.connect_tcp(address, port, _bounded(timeout), local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            self.policy.check_peer(host, stream.get_extra_info("server_addr"))
            return _DeadlineStream(stream)
        assert failure is not None  # resolve() returns at least one address or raises
        raise failure

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise httpcore.ConnectError("Unix sockets are never fetched from")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class PolicyTransport(httpx.HTTPTransport):
    """httpx's own transport, its connection pool opening connections through a PolicyBackend."""

    def __init__(self, policy: NetPolicy, max_connections: int) -> None:
        super().__init__(verify=False, trust_env=False)  # its own pool is replaced: no CA bundle loaded for it
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PolicyBackend(policy),
        )

    @property
    def backend(self) -> Any:
        """The pool's network backend (a PolicyBackend; tests check that httpx kept it)."""
        return self._pool._network_backend
