"""The outbound-request policy and the fetch budget, against loopback servers (issue 23).

Feed items that link to loopback, private or metadata addresses, a public-looking name that
resolves to one (the resolver patched), and a redirect from an allowed address to a refused one:
none is fetched (the server counts every request), each is a listed problem naming the URL, the
reason and the fix; an allow-listed internal host is fetched. Then the time budget: parallel
downloads, a per-host limit, a budget that runs out, a server trickling its headers.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from jobs.errors import ConfigError, InputError, InputProblem
from jobs.inputs import FetchSettings, ReadResult, check_inputs, read_articles
from jobs.inputs.fetch import Fetcher
from jobs.inputs.netpolicy import NetPolicy, Refused, address_problem, parse_allow_entry
from tests.netfakes import Replies, fake_resolver, serving

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "web"
PAGE = (FIXTURES / "blog-post.html").read_bytes()
FAKE_DNS = {  # names the tests resolve, and the addresses they pretend to have
    "news.example": ["127.0.0.1"],  # public-looking, resolves to loopback
    "cms.internal": ["127.0.0.1"],  # the newsroom's CMS: allowed by name in the tests that say so
    "mixed.example": ["93.184.216.34", "127.0.0.1"],  # one public, one internal address
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Only loopback and the fake names resolve: nothing here may reach past 127.0.0.1."""
    yield fake_resolver(monkeypatch, FAKE_DNS)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self.active = 0
        self.most_active = 0
        self.lock = threading.Lock()
        self.feed = b""

    @property
    def port(self) -> int:
        return self.server_address[1]


class _Handler(Replies):
    server: _Server

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.hits[self.path] += 1
            self.server.active += 1
            self.server.most_active = max(self.server.most_active, self.server.active)
        try:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._route()
        finally:
            with self.server.lock:
                self.server.active -= 1

    def _route(self) -> None:
        path = self.path
        if path == "/feed.xml":
            self._send(200, self.server.feed, "application/rss+xml")
        elif path.startswith("/page/"):
            self._send(200, PAGE.replace(b"solar ovens", path.encode("ascii")), "text/html; charset=utf-8")
        elif path.startswith("/slow/"):
            time.sleep(0.5)
            self._send(200, PAGE.replace(b"solar ovens", path.encode("ascii")), "text/html; charset=utf-8")
        elif path.startswith("/to-localhost/"):
            self._redirect(f"http://localhost:{self.server.port}/page/{path.rsplit('/', 1)[1]}")
        elif path == "/to-file":
            self._redirect("file:///etc/passwd")
        elif path == "/trickle-headers":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(60):  # a header byte every 0.1 s: no read ever waits long
                self.wfile.write(b"X")
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self._send(404, b"not found", "text/plain")


@pytest.fixture
def server() -> Iterator[_Server]:
    with serving(_Server()) as httpd:
        yield httpd


def feed_of(links: list[str]) -> bytes:
    """An RSS feed whose items are teasers: each item's text must come from its page."""
    items = "".join(
        f"<item><title>Story {n}</title><link>{link}</link><guid>story-{n}</guid>"
        f"<description>Read more.</description></item>"
        for n, link in enumerate(links, start=1)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


def settings(**changes: object) -> FetchSettings:
    fields = dict(timeout=2.0, total_timeout=3.0, retries=0, max_urls=50, allow_hosts=("127.0.0.1",))
    return FetchSettings(**{**fields, **changes})


def read_feed(server: _Server, links: list[str], **changes: object) -> ReadResult:
    server.feed = feed_of(links)
    return read_articles([f"http://127.0.0.1:{server.port}/feed.xml"], fetch=settings(**changes))


def problem_of(result: ReadResult | list[InputProblem], line: int) -> str:
    problems = result if isinstance(result, list) else result.errors
    [message] = [p.message for p in problems if p.line == line]
    return message


def refused_feed(server: _Server, links: list[str], **changes: object) -> list[InputProblem]:
    """The problems of a feed read from which nothing could be read."""
    with pytest.raises(InputError) as caught:
        read_feed(server, links, **changes)
    return caught.value.problems


# --------------------------------------------------------------------------- the policy


def test_feed_items_linking_to_internal_addresses_are_listed_and_never_fetched(server: _Server) -> None:
    port = server.port
    links = [
        f"http://localhost:{port}/page/a",  # loopback by name
        f"http://news.example:{port}/page/b",  # a public-looking name that resolves to loopback
        "http://10.0.0.7/page/c",  # private
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        f"http://[::ffff:127.0.0.1]:{port}/page/d",  # IPv4-mapped IPv6
        f"http://127.0.0.1:{port}/to-localhost/e",  # allowed, then redirected to a refused host
        f"http://mixed.example:{port}/page/f",  # one internal address among public ones
        f"http://127.0.0.1:{port}/page/kept",  # allowed: fetched
    ]
    result = read_feed(server, links)
    assert [row["url"] for row in result.articles.to_list()] == [links[-1]]
    assert set(server.hits) == {"/feed.xml", "/to-localhost/e", "/page/kept"}  # nothing refused was asked for
    expected = {
        1: ("localhost resolves to 127.0.0.1, a loopback address", "--allow-host localhost"),
        2: ("news.example resolves to 127.0.0.1, a loopback address", "--allow-host news.example"),
        3: ("10.0.0.7 is a private address", "--allow-host 10.0.0.7"),
        4: ("169.254.169.254 is the cloud metadata address", "--allow-host 169.254.169.254"),
        5: ("is an IPv4-mapped IPv6 address", "--allow-host ::ffff:127.0.0.1"),
        6: (f"redirected to http://localhost:{port}/page/e, refused: localhost resolves to 127.0.0.1", "--allow-host"),
        7: ("mixed.example resolves to 127.0.0.1, a loopback address", "--allow-host mixed.example"),
    }
    for line, (reason, fix) in expected.items():
        message = problem_of(result, line)
        assert f"cannot fetch {links[line - 1]}: " in message, message
        assert message.startswith(f"item {line}: 'Story {line}' ") and reason in message and fix in message, message
    assert len(result.errors) == len(expected)


def test_an_allow_listed_internal_host_is_fetched(server: _Server, fake_dns: list[str]) -> None:
    link = f"http://cms.internal:{server.port}/page/cms"
    result = read_feed(server, [link], allow_hosts=("127.0.0.1", "cms.internal"))
    assert result.errors == [] and [row["url"] for row in result.articles.to_list()] == [link]
    assert server.hits["/page/cms"] == 1 and "cms.internal" in fake_dns
    refused = refused_feed(server, [link])  # the same link without the allow-list entry
    assert "cms.internal resolves to 127.0.0.1" in problem_of(refused, 1) and server.hits["/page/cms"] == 1


def test_an_allowed_network_admits_the_names_resolving_into_it(server: _Server) -> None:
    link = f"http://news.example:{server.port}/page/net"
    result = read_feed(server, [link], allow_hosts=("127.0.0.0/8",))
    assert result.errors == [] and server.hits["/page/net"] == 1


def test_a_redirect_to_another_scheme_is_refused(server: _Server) -> None:
    result = refused_feed(server, [f"http://127.0.0.1:{server.port}/to-file"])
    assert "redirected to file:///etc/passwd, refused: only http and https URLs are fetched" in problem_of(result, 1)


def test_url_inputs_meet_the_policy_too(server: _Server) -> None:
    url = f"http://localhost:{server.port}/page/direct"
    result = read_articles([url, FIXTURES / "blog-post.html"], fetch=settings())
    [problem] = result.errors
    assert problem.file == url and "localhost resolves to 127.0.0.1, a loopback address" in problem.message
    assert server.hits["/page/direct"] == 0


def test_connections_go_through_the_policy_backend() -> None:
    """httpx keeps the pool the policy made: connections are opened to checked addresses only."""
    from jobs.inputs.transport import PolicyBackend

    with Fetcher(settings()) as fetcher:
        client = fetcher._http()
        assert isinstance(client._transport.backend, PolicyBackend)
        assert client._transport.backend.policy is fetcher.policy


def test_the_answering_peer_is_checked() -> None:
    policy = NetPolicy(["cms.internal"])
    with pytest.raises(Refused, match="news.example resolves to 10.1.2.3, a private address.*the server that answered"):
        policy.check_peer("news.example", ("10.1.2.3", 80))
    policy.check_peer("news.example", ("93.184.216.34", 80))
    policy.check_peer("cms.internal", ("10.1.2.3", 80))  # allowed by name


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "the cloud metadata address"),
        ("169.254.1.1", "a link-local address"),
        ("100.64.0.1", "a shared (CGNAT) address"),
        ("224.0.0.1", "a multicast address"),
        ("0.0.0.0", "the unspecified address"),
        ("240.0.0.1", "a reserved address"),
        ("::1", "a loopback address"),
        ("::", "the unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fd12:3456::1", "a private address"),
        ("fd00:ec2::254", "the cloud metadata address"),
        ("::ffff:10.0.0.1", "an IPv4-mapped IPv6 address"),
        ("2002:7f00:1::", "an IPv6 form of 127.0.0.1, a loopback address"),
        ("64:ff9b::a9fe:a9fe", "an IPv6 form of 169.254.169.254, the cloud metadata address"),
        ("ff02::1", "a multicast address"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    assert address_problem(address) == kind


@pytest.mark.parametrize("entry", ["http://cms.internal", "cms.internal:8080", "*.internal", "", "bad_host"])
def test_bad_allow_entries_are_usage_errors(entry: str) -> None:
    with pytest.raises(ValueError):
        parse_allow_entry(entry)
    with pytest.raises(ConfigError, match="--allow-host"):
        check_inputs([str(FIXTURES / "blog-post.html")], allow_hosts=[entry])


# --------------------------------------------------------------------------- the budget


def test_item_pages_are_fetched_in_parallel(server: _Server) -> None:
    links = [f"http://127.0.0.1:{server.port}/slow/{n}" for n in range(8)]
    started = time.monotonic()
    result = read_feed(server, links, workers=8, per_host=8)
    elapsed = time.monotonic() - started
    assert len(result.articles) == 8 and result.errors == []
    assert server.most_active >= 4 and elapsed < 3.0  # one after another: 4 s of waiting


def test_one_host_gets_at_most_per_host_requests_at_once(server: _Server) -> None:
    links = [f"http://127.0.0.1:{server.port}/slow/{n}" for n in range(4)]
    result = read_feed(server, links, workers=8, per_host=1)
    assert len(result.articles) == 4 and server.most_active == 1


def test_what_the_budget_leaves_unfetched_is_listed(server: _Server) -> None:
    links = [f"http://127.0.0.1:{server.port}/slow/{n}" for n in range(12)]
    started = time.monotonic()
    result = read_feed(server, links, workers=2, per_host=2, budget=1.2)
    elapsed = time.monotonic() - started
    assert elapsed < 3.0
    spent = [p for p in result.errors if "fetch budget of 1.2 s" in p.message and "--fetch-budget" in p.message]
    assert 0 < len(result.articles) < 12 and len(spent) == 12 - len(result.articles)
    assert all(p.message.startswith(f"item {p.line}: ") for p in spent)


def test_a_server_trickling_its_headers_costs_only_the_request_deadline(server: _Server) -> None:
    url = f"http://127.0.0.1:{server.port}/trickle-headers"
    started = time.monotonic()
    result = read_articles([url, FIXTURES / "blog-post.html"], fetch=settings(timeout=0.5, total_timeout=1.0))
    assert time.monotonic() - started < 3.0  # the server would trickle for 6 s
    [problem] = result.errors
    assert problem.file == url and problem.message == "download took longer than 1 s; aborted"


# --------------------------------------------------------------------------- options and config


def test_a_bad_allow_host_is_a_usage_error_before_anything_is_created(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from jobs.cli import app

    out = tmp_path / "out"
    args = ["run", "--allow-host", "cms.internal:8080", "--input", str(FIXTURES / "blog-post.html")]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--lang", "ru"])
    assert result.exit_code == 2, result.output
    assert "--allow-host / allow_hosts: 'cms.internal:8080' is not a host name" in result.output
    assert not out.exists()


def test_the_config_sets_the_allow_list_budget_and_feed_size_and_options_override_them(tmp_path: Path) -> None:
    import yaml

    from jobs.config import build_config, find_config_file

    registry = yaml.safe_load(find_config_file(None).read_text(encoding="utf-8"))
    registry.setdefault("defaults", {}).update(
        {"allow_hosts": ["cms.internal", "10.20.0.0/16"], "fetch_budget": 30, "max_feed_items": 10, "max_input_mb": 5}
    )
    config_file = tmp_path / "models.yaml"
    config_file.write_text(yaml.safe_dump(registry), encoding="utf-8")
    config = build_config(config_file=config_file, langs=["ru"], inputs=["x"])
    assert (config.allow_hosts, config.fetch_budget, config.max_feed_items, config.max_input_mb) == (
        ["cms.internal", "10.20.0.0/16"],
        30,
        10,
        5,
    )
    config = build_config(
        config_file=config_file, langs=["ru"], inputs=["x"], allow_hosts=["a.example"], fetch_budget=5
    )
    assert (config.allow_hosts, config.fetch_budget) == (["a.example"], 5)
