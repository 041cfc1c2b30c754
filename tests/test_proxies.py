"""Fetching through the proxy the environment names, the policy kept (jobs.inputs.proxies).

A tiny forward HTTP proxy on 127.0.0.1 counts every request it is asked (absolute-URI GETs):
it forwards those for loopback hosts to the origin server of the test and answers the rest
itself, standing in for the internet. The resolver is patched as in tests/test_netpolicy.py:
nothing here can reach past 127.0.0.1.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from jobs.inputs import FetchSettings
from jobs.inputs.fetch import Fetcher, FetchError
from tests.netfakes import Replies, fake_resolver, serving

PAGE = (Path(__file__).resolve().parent / "fixtures" / "web" / "blog-post.html").read_bytes()
FAKE_DNS = {
    "public.example": ["93.184.216.34"],  # passes the policy; only the proxy "reaches" it
    "news.example": ["127.0.0.1"],  # public-looking, resolves to loopback
    "cms.internal": ["127.0.0.1"],  # allowed by name in the tests that say so
}
UNRESOLVABLE = "nowhere.example"  # resolves only beyond the proxy
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Only loopback and the fake names resolve: nothing here may reach past 127.0.0.1."""
    yield fake_resolver(monkeypatch, FAKE_DNS, unresolvable=[UNRESOLVABLE])


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Clears every proxy variable, and sets the ones a test names (HTTP_PROXY=...)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)

    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_env


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.hits: Counter[str] = Counter()
        self.auth: list[str | None] = []  # the Proxy-Authorization header of each request
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def count(self, path: str) -> None:
        with self.lock:
            self.hits[path] += 1


class _Origin(Replies):
    server: _Server

    def do_GET(self) -> None:
        self.server.count(self.path)
        body = PAGE.replace(b"solar ovens", self.path.encode("ascii"))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


class _Proxy(Replies):
    """A forward proxy: GET with an absolute URI; loopback targets forwarded, the rest answered here."""

    server: _Server

    def do_GET(self) -> None:
        self.server.count(self.path)
        self.server.auth.append(self.headers.get("Proxy-Authorization"))
        target = urlsplit(self.path)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if target.hostname in ("127.0.0.1", "cms.internal"):
                self._forward(target.hostname, target.port or 80, target.path)
            elif target.path.startswith("/to-internal/"):  # the "internet" redirects inward
                self._reply(302, b"", {"Location": f"http://news.example:{target.port or 80}/page/r"})
            elif target.path == "/cut":  # the body ends early: the connection drops mid-download
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(b"<html>" * 10)
            elif target.path == "/auth":
                self._reply(407, b"", {"Proxy-Authenticate": 'Basic realm="proxy"'})
            elif target.path == "/trickle":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(60):  # a header byte every 0.1 s
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.1)
            else:
                self._reply(200, PAGE.replace(b"solar ovens", self.path.encode("ascii")), {})

    def do_CONNECT(self) -> None:  # counted and declined: the tunnel's TLS is not what is tested
        self.server.count(f"CONNECT {self.path}")
        self._reply(403, b"", {})

    def _forward(self, host: str, port: int, path: str) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=5)
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            self._reply(answer.status, answer.read(), {"Content-Type": answer.getheader("Content-Type", "")})
        finally:
            connection.close()

    def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def origin() -> Iterator[_Server]:
    with serving(_Server(_Origin)) as server:
        yield server


@pytest.fixture
def proxy() -> Iterator[_Server]:
    with serving(_Server(_Proxy)) as server:
        yield server


def settings(**changes: object) -> FetchSettings:
    fields = dict(timeout=2.0, total_timeout=3.0, retries=0, max_urls=50)
    return FetchSettings(**{**fields, **changes})


def fetch(url: str, **changes: object):
    with Fetcher(settings(**changes)) as fetcher:
        return fetcher.fetch(url)


def refusal(url: str, **changes: object) -> str:
    with pytest.raises(FetchError) as caught:
        fetch(url, **changes)
    return str(caught.value)


def test_a_public_target_is_fetched_through_the_proxy(proxy: _Server, proxy_env) -> None:
    proxy_env(HTTP_PROXY=f"http://newsroom:s3cret@127.0.0.1:{proxy.port}")
    fetched = fetch("http://public.example/page/a")
    assert fetched.url == "http://public.example/page/a" and b"http://public.example/page/a" in fetched.content
    assert proxy.hits == {"http://public.example/page/a": 1}
    assert proxy.auth == ["Basic " + base64.b64encode(b"newsroom:s3cret").decode()]


def test_an_allow_listed_internal_host_is_fetched_through_the_proxy(proxy: _Server, origin: _Server, proxy_env):
    proxy_env(http_proxy=f"http://127.0.0.1:{proxy.port}")
    url = f"http://cms.internal:{origin.port}/page/cms"
    assert b"/page/cms" in fetch(url, allow_hosts=("cms.internal",)).content
    assert proxy.hits == {url: 1} and origin.hits == {"/page/cms": 1}


def test_an_internal_target_is_refused_before_the_proxy_is_asked(proxy: _Server, origin: _Server, proxy_env):
    proxy_env(HTTP_PROXY=f"http://127.0.0.1:{proxy.port}")
    message = refusal(f"http://news.example:{origin.port}/page/x")
    assert "refused: news.example resolves to 127.0.0.1, a loopback address" in message
    assert "--allow-host news.example" in message
    # and a redirect hop that leads inward, from a target that passed, through the proxy as well
    message = refusal(f"http://public.example:{origin.port}/to-internal/y")
    assert f"redirected to http://news.example:{origin.port}/page/r, refused: news.example resolves" in message
    assert proxy.hits == {f"http://public.example:{origin.port}/to-internal/y": 1} and origin.hits == {}


def test_a_name_that_does_not_resolve_here_is_refused_unless_the_proxy_resolves(proxy: _Server, proxy_env) -> None:
    proxy_env(HTTP_PROXY=f"http://127.0.0.1:{proxy.port}")
    url = f"http://{UNRESOLVABLE}/page/far"
    message = refusal(url)
    assert f"refused: {UNRESOLVABLE} does not resolve here" in message and f"127.0.0.1:{proxy.port}" in message
    assert f"--allow-host {UNRESOLVABLE}" in message and "--proxy-resolves" in message
    assert proxy.hits == {}
    assert b"/page/far" in fetch(url, proxy_resolves=True).content
    assert b"/page/far" in fetch(url, allow_hosts=(UNRESOLVABLE,)).content
    assert proxy.hits == {url: 2}


def test_no_proxy_bypasses_the_proxy(proxy: _Server, origin: _Server, proxy_env) -> None:
    proxy_env(HTTP_PROXY=f"http://127.0.0.1:{proxy.port}")
    url = f"http://127.0.0.1:{origin.port}/page/direct"
    fetch(url, allow_hosts=("127.0.0.1",))  # no NO_PROXY: through the proxy, which forwards it
    assert proxy.hits == {url: 1} and origin.hits == {"/page/direct": 1}
    proxy_env(NO_PROXY="localhost,127.0.0.1")
    fetch(url, allow_hosts=("127.0.0.1",))
    assert proxy.hits == {url: 1} and origin.hits == {"/page/direct": 2}
    # a host NO_PROXY names is still under the policy when it goes direct
    assert "127.0.0.1 is a loopback address" in refusal(url)
    assert origin.hits == {"/page/direct": 2}


def test_an_unreachable_proxy_is_one_line_naming_it(proxy_env) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proxy_env(
        HTTPS_PROXY=f"http://newsroom:s3cret@127.0.0.1:{port}", HTTP_PROXY=f"http://newsroom:s3cret@127.0.0.1:{port}"
    )
    started = time.monotonic()
    message = refusal("http://public.example/page/a")
    assert time.monotonic() - started < 5
    assert f"through the proxy http://127.0.0.1:{port}" in message and "connection failed" in message
    assert "\n" not in message and "s3cret" not in message and "newsroom" not in message


def test_errors_of_the_proxy_after_connecting_name_it(proxy: _Server, proxy_env) -> None:
    proxy_env(HTTP_PROXY=f"http://newsroom:s3cret@127.0.0.1:{proxy.port}")
    named = f"through the proxy http://127.0.0.1:{proxy.port}"
    message = refusal("http://public.example/cut")  # a body cut short
    assert named in message and "connection failed" in message and "s3cret" not in message
    message = refusal("http://public.example/auth")  # credentials refused
    assert f"the proxy http://127.0.0.1:{proxy.port} asks for credentials (407)" in message
    assert "\n" not in message and "s3cret" not in message


def test_the_request_deadline_holds_through_the_proxy(proxy: _Server, proxy_env) -> None:
    proxy_env(ALL_PROXY=f"http://127.0.0.1:{proxy.port}")
    started = time.monotonic()
    message = refusal("http://public.example/trickle", total_timeout=1.0)
    assert time.monotonic() - started < 3 and "longer than 1 s" in message


def test_a_socks_proxy_is_a_listed_problem_naming_it(proxy_env) -> None:
    proxy_env(ALL_PROXY="socks5://127.0.0.1:1080")
    message = refusal("http://public.example/page/a")
    assert "socks5://127.0.0.1:1080" in message and "only http:// and https:// proxies" in message


def test_https_targets_are_checked_before_the_tunnel_is_asked_for(proxy: _Server, proxy_env) -> None:
    proxy_env(HTTPS_PROXY=f"http://127.0.0.1:{proxy.port}")
    assert "refused: news.example resolves to 127.0.0.1" in refusal("https://news.example/page/x")
    assert proxy.hits == {}
    message = refusal("https://public.example/page/a")  # this proxy declines every tunnel
    assert f"through the proxy http://127.0.0.1:{proxy.port}" in message and "403" in message
    assert proxy.hits == {"CONNECT public.example:443": 1}


def test_the_option_and_the_config_key_reach_the_fetcher(tmp_path: Path) -> None:
    import yaml

    from jobs.config import build_config
    from jobs.inputs.reader import fetch_settings

    registry = yaml.safe_load((Path(__file__).resolve().parents[1] / "configs" / "models.yaml").read_text())
    assert fetch_settings(build_config(langs=["ru"], inputs=["x"])).proxy_resolves is False
    registry["defaults"]["proxy_resolves"] = True
    config_file = tmp_path / "models.yaml"
    config_file.write_text(yaml.safe_dump(registry), encoding="utf-8")
    assert fetch_settings(build_config(config_file=config_file, langs=["ru"], inputs=["x"])).proxy_resolves is True
    assert fetch_settings(build_config(langs=["ru"], inputs=["x"], proxy_resolves=True)).proxy_resolves is True
