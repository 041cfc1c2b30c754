"""Test doubles for the fetching tests: a resolver that knows only loopback and a table of fake
names, a request handler base with the replies every loopback test server sends, and a server
run in a thread for as long as a test needs it."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def fake_resolver(
    monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]], unresolvable: Iterable[str] = ()
) -> list[str]:
    """Patch socket.getaddrinfo: `names` resolve to their listed addresses, loopback to itself,
    `unresolvable` names fail as unknown, and any other name fails the test (nothing here may reach
    past 127.0.0.1). Returns the list of names asked, in order."""
    real = socket.getaddrinfo
    asked: list[str] = []
    unknown = set(unresolvable)

    def getaddrinfo(host, port, *args, **kwargs):
        host = host.decode() if isinstance(host, bytes) else host
        asked.append(host)
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in names[host]]
        if host in ("127.0.0.1", "localhost", "::1"):
            return real(host, port, *args, **kwargs)
        if host in unknown:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        raise AssertionError(f"test tried to resolve {host!r}")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


class Replies(BaseHTTPRequestHandler):
    """A loopback server's handler: a whole response, or a redirect; quiet logs."""

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


@contextlib.contextmanager
def serving(httpd: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    """`httpd` answering in a daemon thread until the block ends; then shut down and closed."""
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
