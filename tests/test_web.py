"""Tests for web inputs: HTML article pages, RSS and Atom feeds, and URLs from a loopback server."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from jobs.errors import InputError
from jobs.inputs import FetchSettings, ReadResult, read_articles
from jobs.inputs.decoding import decode_html
from jobs.inputs.fetch import display_url, is_url, url_from_input
from jobs.inputs.html import html_paragraphs
from jobs.inputs.ids import make_article_id
from jobs.inputs.urls import sniff_kind
from tests.netfakes import Replies, serving

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "web"
# Small limits so that every failure mode is met within a second.
# The loopback server is not a public address: these tests allow it, as a newsroom allows its CMS.
# Short limits, but not so short that a loaded CI machine misses them on loopback (0.5 s did once).
FAST = FetchSettings(
    timeout=2.0,
    total_timeout=3.0,
    max_bytes=1_000_000,
    retries=0,
    backoff=0.01,
    max_urls=20,
    allow_hosts=("127.0.0.1",),
)
OFFLINE = FetchSettings(allow_network=False)
SLOW_SECONDS = 10.0  # the slow route's delay: far beyond FAST.timeout
HUGE_BYTES = 50 * 1024 * 1024

WIRE_TITLE = "Port workers end strike after pay deal"
PAPER_TITLE = "City council votes to turn old tram depot into public library"


def rows(result: ReadResult) -> list[dict]:
    return result.articles.to_list()


def text_of(row: dict) -> str:
    return "\n".join([row["title"], *row["paragraphs"]])


# --------------------------------------------------------------------------- the loopback server

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that would reach past 127.0.0.1: these tests must never touch the internet."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        host = host.decode() if isinstance(host, bytes) else host
        if host not in LOOPBACK:
            raise AssertionError(f"test tried to resolve {host!r}; only the loopback server may be used")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


class _Server(ThreadingHTTPServer):
    """A loopback server that counts the requests it gets and the User-Agents it is sent."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.agents: set[str] = set()
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(Replies):
    """Fixture pages and feeds, plus routes that misbehave in the ways real servers do."""

    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        with self.server.lock:
            self.server.hits[path] += 1
            self.server.agents.add(self.headers.get("User-Agent", ""))
            hits = self.server.hits[path]
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
            self._route(path, hits)

    def _route(self, path: str, hits: int) -> None:
        if path.startswith("/pages/") or path.startswith("/feeds/"):
            self._fixture(path.split("/", 2)[2])
        elif path == "/header-only-1251":  # the charset only in the HTTP header
            page = (FIXTURES / "ru-1251.html").read_bytes()
            page = page.replace(b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">', b"")
            self._send(200, page, "text/html; charset=windows-1251")
        elif path == "/redirect":
            self._redirect("/pages/wire-article.html")
        elif path in ("/loop-a", "/loop-b"):
            self._redirect("/loop-b" if path == "/loop-a" else "/loop-a")
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._send(200, b"<html><body><p>too late</p></body></html>", "text/html")
        elif path == "/drip":
            self._drip()
        elif path in ("/huge", "/huge-unsized"):
            self._huge(sized=path == "/huge")
        elif path == "/flaky":  # busy on the first try, fine on the second
            if hits == 1:
                self._send(503, b"busy", "text/plain")
            else:
                self._fixture("blog-post.html")
        elif path == "/notes.txt":
            self._send(200, b"Just some text.\n", "text/plain; charset=utf-8")
        else:
            self._send(404, b"<html><body><h1>Not Found</h1></body></html>", "text/html")

    def _fixture(self, name: str) -> None:
        file = FIXTURES / name
        if "/" in name or not file.is_file():
            self._send(404, b"not found", "text/plain")
            return
        data = file.read_bytes().replace(b"__BASE__", self.server.base.encode("ascii"))
        etag = f'"{hashlib.sha256(data).hexdigest()[:16]}"'  # fixtures answer conditional GETs
        if self.headers.get("If-None-Match") == etag:
            with self.server.lock:
                self.server.not_modified[self.path] += 1
            self._send(304, b"", "", {"ETag": etag})
        elif name.endswith(".html"):
            charset = "windows-1251" if "1251" in name else "utf-8"
            self._send(200, data, f"text/html; charset={charset}", {"ETag": etag})
        else:
            feed_type = "application/atom+xml" if "atom" in name else "application/rss+xml"
            self._send(200, data, feed_type, {"ETag": etag, "Last-Modified": "Thu, 14 Mar 2024 09:30:00 GMT"})

    def _drip(self) -> None:
        """A byte every 0.1 s: never idle long enough for a read timeout, never done."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        for _ in range(100):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.1)

    def _huge(self, sized: bool) -> None:
        """50 MB made on the fly; without a Content-Length the body ends when the connection does."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if sized:
            self.send_header("Content-Length", str(HUGE_BYTES))
        self.end_headers()
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        for _ in range(HUGE_BYTES // len(chunk)):
            self.wfile.write(chunk)


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    with serving(_Server()) as httpd:
        yield httpd


def read_fast(*inputs: str | Path, **settings: object) -> ReadResult:
    """read_articles with the fast test limits, some of them overridden."""
    fields = {**vars(FAST), **settings}
    return read_articles(list(inputs), fetch=FetchSettings(**fields))


def only_problem(result: ReadResult, fragment: str):
    matching = [p for p in result.errors if fragment in p.message]
    assert len(matching) == 1, result.errors
    return matching[0]


# --------------------------------------------------------------------------- HTML pages


@pytest.fixture(scope="module")
def pages() -> dict[str, dict]:
    """The three English fixture pages read as files, by file name."""
    names = ("wire-article.html", "newspaper-article.html", "blog-post.html")
    result = read_articles([FIXTURES / name for name in names], fetch=OFFLINE)
    assert result.errors == []
    return {Path(row["source_file"]).name: row for row in rows(result)}


def test_wire_page_keeps_the_story_but_not_its_credits_or_site_chrome(pages: dict[str, dict]) -> None:
    row = pages["wire-article.html"]
    assert row["title"] == WIRE_TITLE
    assert row["paragraphs"][0].startswith("ROTTERDAM, March 14 (Global Wire) - Dock workers")
    assert row["paragraphs"][-1].endswith("the union's chief negotiator told reporters outside the employers' offices.")
    assert len(row["paragraphs"]) == 4  # "Reporting by ...; Editing by ..." credits the story, is not it
    assert (row["byline"], row["published"]) == ("Maria Lopez", "2024-03-14")
    text = text_of(row)
    for chrome in ("Subscribe", "Sustainability", "Read Next", "Airline shares", "quotes delayed", "Transport"):
        assert chrome not in text


def test_newspaper_page_drops_cookie_banner_share_bars_and_related_links(pages: dict[str, dict]) -> None:
    row = pages["newspaper-article.html"]
    assert row["title"] == PAPER_TITLE
    assert row["paragraphs"][0].startswith("Councillors voted by 41 to 9")
    assert "Residents divided over cost" in row["paragraphs"]  # a subheading is text too
    assert row["paragraphs"][-1].startswith("The council leader said")
    assert (row["byline"], row["published"]) == ("Aisha Khan", "2024-05-02")
    text = text_of(row).lower()
    for chrome in (
        "cookie",
        "share on",
        "most viewed",
        "heatwave",
        "support the chronicle",
        "newsletter",
        "photograph:",
        "opinion",
        "privacy policy",
    ):
        assert chrome not in text


def test_blog_page_drops_comments_sidebar_and_post_navigation(pages: dict[str, dict]) -> None:
    row = pages["blog-post.html"]
    assert row["title"] == "Why our village bakery switched to solar ovens"
    assert len(row["paragraphs"]) == 4 and row["paragraphs"][1].startswith("Eighteen months later")
    assert (row["byline"], row["published"], row["tag"]) == ("Ben Carter", "2023-11-20", "Local")
    text = text_of(row)
    chrome_texts = ("Great idea", "Leave a Reply", "Recent Posts", "Archives", "Previous post", "WordPress")
    for chrome in chrome_texts:
        assert chrome not in text


def test_page_files_get_title_ids_and_file_provenance(pages: dict[str, dict]) -> None:
    for name, row in pages.items():
        assert row["id"] == make_article_id(row["title"], None, row["paragraphs"])
        assert (row["source_line"], row["url"], row["feed"]) == (1, "", "")
        assert row["source_file"].endswith(name)


def test_windows_1251_page_file_uses_its_meta_charset() -> None:
    [row] = rows(read_articles([FIXTURES / "ru-1251.html"]))
    assert row["title"] == "Морозы пришли в Сибирь раньше срока"
    assert row["paragraphs"][0].startswith("В Новосибирской области в ночь на вторник")
    assert "Поделиться" not in text_of(row) and "Главная" not in text_of(row)
    assert row["published"] == "2024-10-08"


def test_folder_of_pages_and_feeds(tmp_path: Path) -> None:
    for name in ("wire-article.html", "blog-post.html", "atom.xml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "site.htm").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    result = read_articles([tmp_path], fetch=OFFLINE)
    assert len(result.articles) == 4  # two entries of the Atom feed, two pages
    [problem] = result.errors
    assert (
        problem.file.endswith("site.htm")
        and "not a news article: a list of links (100% of its text blocks are links)" in problem.message
    )


def test_undeclared_legacy_page_is_detected_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A saved page has no HTTP header; one that declares no charset and is not UTF-8 is read the way
    # that reads cleanly (as a browser would), and the log names the page, the codec and the way out.
    page = (FIXTURES / "ru-1251.html").read_bytes().replace(b"charset=windows-1251", b"")
    path = tmp_path / "ru.html"
    path.write_bytes(page)
    logger = logging.getLogger("jobs.inputs.decoding")  # on the logger itself: a CLI test may stop "jobs" propagating
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.WARNING, logger=logger.name):
            [row] = rows(read_articles([path]))
    finally:
        logger.removeHandler(caplog.handler)
    assert row["title"] == "Морозы пришли в Сибирь раньше срока"
    [message] = {r.getMessage() for r in caplog.records if r.name == "jobs.inputs.decoding"}  # once or twice
    assert "ru.html" in message and "declares no charset" in message and "cp1251" in message
    assert "pass --encoding" in message
    # --encoding still decides for such pages, and one it cannot decode is a listed problem
    [row] = rows(read_articles([path], encoding="windows-1251"))
    assert row["title"] == "Морозы пришли в Сибирь раньше срока"
    with pytest.raises(InputError, match="declares no charset, and not valid utf-8 either"):
        read_articles([path], encoding="utf-8")


# --------------------------------------------------------------------------- feeds


def test_rss_items_come_from_content_encoded_without_fetching() -> None:
    # max_urls=0: any attempt to fetch a page would become a problem
    result = read_articles([FIXTURES / "rss-full.xml"], fetch=FetchSettings(max_urls=0))
    assert result.errors == []
    first, second, third = rows(result)
    assert first["title"] == "Lighthouse keeper retires after forty years"
    assert first["paragraphs"] == [
        "The last full-time keeper of the North Point lighthouse retired on Thursday after forty years of "
        "climbing its 212 steps every evening.",
        "The light was automated in 1998, but the harbour board kept a keeper on site to maintain the lens "
        "and to guide visitors.",
        "From next month the building will open as a small museum run by volunteers.",
    ]
    assert first["id"] == make_article_id(first["title"], "gazette-2024-0412")  # the guid
    assert (first["byline"], first["published"]) == ("Peter Olsen", "2024-04-12T05:45:00+00:00")
    assert first["url"] == "https://gazette.example/2024/04/lighthouse-keeper-retires"
    assert second["paragraphs"] == [
        "More crossings",
        "The island ferry will run two extra crossings a day from the first of May, the operator said.",
        "Early boat at 6.15",
        "Late boat at 22.40",
    ]
    assert third["title"] == "Fish market reopens & expands"
    # no guid: the link gives the id
    assert third["id"] == make_article_id(third["title"], "https://gazette.example/2024/04/fish-market")
    assert [row["source_line"] for row in (first, second, third)] == [1, 2, 3]
    assert {row["feed"] for row in (first, second, third)} == {first["source_file"]}
    assert first["source_file"].endswith("rss-full.xml")
    assert [source.articles for source in result.sources] == [3]


def test_atom_entries_from_content_html_and_xhtml() -> None:
    first, second = rows(read_articles([FIXTURES / "atom.xml"], fetch=OFFLINE))
    assert first["paragraphs"] == [
        "Botanists have confirmed that a rare orchid, last recorded in the valley in 1952, is growing on a "
        "meadow above the village.",
        "Its exact location will be kept secret to protect it from collectors.",
    ]
    assert first["id"] == make_article_id(first["title"], "tag:science.example,2024:orchid")
    assert (first["byline"], first["published"], first["url"]) == (
        "Lena Fischer",
        "2024-06-01T06:00:00+00:00",
        "https://science.example/2024/orchid",
    )
    assert second["title"] == "Night sky: three planets in a row"  # HTML title reduced to text
    assert second["paragraphs"] == [
        "Venus, Mars and Jupiter line up low in the east before dawn this week.",
        "No telescope is needed.",
    ]
    assert (second["url"], second["published"]) == ("", "2024-06-03T10:00:00+00:00")  # only updated given


def test_windows_1251_feed_uses_its_xml_declaration(tmp_path: Path) -> None:
    sentence = "В Новосибирской области температура опустилась до минус двадцати градусов. "
    story = "".join(f"<p>{sentence * 5}</p>" for _ in range(3))  # a whole story in the description
    feed = (FIXTURES / "rss-1251.xml").read_bytes().decode("cp1251")
    teaser = feed[feed.index("<description>&lt;p&gt;") : feed.index("</item>")]
    path = tmp_path / "whole.xml"
    path.write_bytes(feed.replace(teaser, f"<description><![CDATA[{story}]]></description>").encode("cp1251"))
    [row] = rows(read_articles([path], fetch=OFFLINE))
    assert row["title"] == "Морозы пришли в Сибирь раньше срока"
    assert row["paragraphs"] == [sentence.strip() + (" " + sentence.strip()) * 4] * 3
    assert row["published"] == "2024-10-07T23:00:00+00:00"


def test_offline_teaser_feed_is_a_listed_problem_per_item() -> None:
    with pytest.raises(InputError) as caught:
        read_articles([FIXTURES / "rss-1251.xml"], fetch=OFFLINE)
    [problem] = caught.value.problems
    assert (problem.line, problem.article_id) == (1, make_article_id("Морозы пришли в Сибирь раньше срока", "sib-1008"))
    assert problem.message == (
        "item 1: 'Морозы пришли в Сибирь раньше срока' is only a teaser in the feed (9 words) "
        "and its page is not fetched with --offline; skipped"
    )


def test_offline_feed_of_teasers_publishes_none_of_them(tmp_path: Path) -> None:
    feed = (FIXTURES / "rss-links.xml").read_text(encoding="utf-8").replace("__BASE__", "https://news.example")
    path = tmp_path / "links.xml"
    path.write_text(feed, encoding="utf-8")
    with pytest.raises(InputError, match="is only a teaser in the feed") as caught:
        read_articles([path], fetch=OFFLINE)
    problems = caught.value.problems
    assert [(p.line, p.message.split(" is only a teaser in the feed ")[1]) for p in problems] == [
        (1, "(6 words) and its page is not fetched with --offline; skipped"),
        (2, "(7 words) and its page is not fetched with --offline; skipped"),
        (3, "(8 words) and its page is not fetched with --offline; skipped"),
    ]
    assert problems[0].article_id == make_article_id(WIRE_TITLE, "https://news.example/pages/wire-article.html")


def test_feed_item_problems_name_the_item(tmp_path: Path) -> None:
    feed = """<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>Kept</title><content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">The council
    approved the new library budget on Monday after a long debate.</content:encoded></item>
    <item><description>No title here.</description></item>
    <item><title>No text</title><link>https://x.example/a</link></item>
    </channel></rss>"""
    path = tmp_path / "f.rss"
    path.write_text(feed, encoding="utf-8")
    result = read_articles([path], fetch=OFFLINE)
    assert list(result.articles["title"]) == ["Kept"]
    assert [(p.line, p.message) for p in result.errors] == [
        (2, "item 2: missing title"),
        (3, "item 3: 'No text' has no text: the feed carries no content and its page is not fetched with --offline"),
    ]
    assert str(result.errors[0]) == f"{path.as_posix()}:2: item 2: missing title"


def test_feed_with_page_links_fetches_pages_from_the_server(server: _Server) -> None:
    feed_url = f"{server.base}/feeds/rss-links.xml"
    result = read_fast(feed_url)
    wire, paper = rows(result)
    assert wire["paragraphs"][0].startswith("ROTTERDAM, March 14")  # the page, not the teaser
    assert (wire["byline"], wire["published"]) == ("Maria Lopez", "2024-03-14T09:30:00+00:00")  # the item's date
    assert wire["id"] == make_article_id(WIRE_TITLE, f"{server.base}/pages/wire-article.html")
    assert paper["paragraphs"][0].startswith("Councillors voted")
    assert "Share on Facebook" not in text_of(paper)
    assert paper["url"] == f"{server.base}/pages/newspaper-article.html"
    assert {row["feed"] for row in (wire, paper)} == {feed_url}
    assert {row["source_file"] for row in (wire, paper)} == {feed_url}
    problem = only_problem(result, "HTTP 404")
    gone_id = make_article_id("A story whose page has gone", f"{server.base}/missing")
    assert (problem.file, problem.line, problem.article_id) == (feed_url, 3, gone_id)
    assert problem.message == (
        "item 3: 'A story whose page has gone' is only a teaser in the feed (8 words) and "
        f"cannot fetch {server.base}/missing: HTTP 404 Not Found; skipped"
    )
    assert result.sources[0].path == feed_url and result.sources[0].articles == 2


def test_hourly_run_downloads_nothing_that_did_not_change(server: _Server, tmp_path: Path) -> None:
    feed_url = f"{server.base}/feeds/rss-links.xml"
    cache = tmp_path / "http"
    first = read_fast(feed_url, http_cache=cache)
    before = dict(server.not_modified)
    second = read_fast(feed_url, http_cache=cache)
    assert rows(second) == rows(first) and len(rows(second)) == 2
    revalidated = Counter(server.not_modified) - Counter(before)
    assert revalidated == Counter(
        {"/feeds/rss-links.xml": 1, "/pages/wire-article.html": 1, "/pages/newspaper-article.html": 1}
    )
    assert len(list(cache.glob("*.json"))) == 3  # the 404 page is not kept


def test_entries_no_run_asked_for_are_pruned_and_the_ones_in_use_kept(server: _Server, tmp_path: Path) -> None:
    feed_url = f"{server.base}/feeds/rss-links.xml"
    cache = tmp_path / "http"
    read_fast(feed_url, http_cache=cache)
    kept = sorted(cache.glob("*.json"))
    old = time.time() - 10 * 86400
    for path in kept:  # as if ten days had passed since the last run
        os.utime(path, (old, old))
    gone = cache / ("0" * 64 + ".json")  # a page that has left the feed: no run asks for it again
    gone.write_text("{}", encoding="utf-8")
    os.utime(gone, (old, old))
    read_fast(feed_url, http_cache=cache)
    assert sorted(cache.glob("*.json")) == kept  # read again this run, so kept; the other removed


def test_windows_1251_feed_url_decodes_to_cyrillic(server: _Server) -> None:
    # max_urls=1: the item's page lies outside the loopback server, so it must not be fetched
    with pytest.raises(InputError) as caught:
        read_fast(f"{server.base}/feeds/rss-1251.xml", max_urls=1)
    [problem] = caught.value.problems
    assert problem.message.startswith("item 1: 'Морозы пришли в Сибирь раньше срока' is only a teaser")
    assert "https://sib.example/frost" in problem.message and "--max-urls" in problem.message


# --------------------------------------------------------------------------- URLs


def test_page_url_gets_final_url_id_and_provenance(server: _Server) -> None:
    url = f"{server.base}/pages/wire-article.html"
    [row] = rows(read_fast(url))
    assert row["id"] == make_article_id(WIRE_TITLE, url)
    assert (row["url"], row["source_file"], row["source_line"], row["feed"]) == (url, url, 1, "")


def test_redirect_is_followed_and_final_url_kept(server: _Server) -> None:
    url = f"{server.base}/redirect"
    result = read_fast(url)
    [row] = rows(result)
    final = f"{server.base}/pages/wire-article.html"
    assert (row["url"], row["source_file"], row["id"]) == (final, url, make_article_id(WIRE_TITLE, final))
    assert result.sources[0].sha256 == hashlib.sha256((FIXTURES / "wire-article.html").read_bytes()).hexdigest()


def test_user_agent_names_the_job(server: _Server) -> None:
    read_fast(f"{server.base}/pages/blog-post.html")
    assert "jobs/0.1.0 (+news translation batch job)" in server.agents


@pytest.mark.parametrize("route", ["/pages/ru-1251.html", "/header-only-1251"])
def test_windows_1251_url_decodes_to_cyrillic(server: _Server, route: str) -> None:
    [row] = rows(read_fast(server.base + route))
    assert row["title"] == "Морозы пришли в Сибирь раньше срока"
    assert "минус двадцати градусов" in row["paragraphs"][0]


@pytest.mark.parametrize(
    ("route", "fragment"),
    [
        ("/nowhere", "HTTP 404 Not Found"),
        ("/loop-a", "more than 5 redirects (a redirect loop?)"),
        ("/slow", "timed out (read timeout of 2 s)"),
        ("/huge", "body of 52.4 MB is over the 1.0 MB limit; not downloaded"),
        ("/huge-unsized", "body is over the 1.0 MB limit; download aborted"),
        ("/drip", "download took longer than 3 s; aborted"),
        ("/notes.txt", "unsupported content type 'text/plain'"),
    ],
)
def test_bad_urls_are_problems_naming_the_url_and_others_survive(server: _Server, route: str, fragment: str) -> None:
    url = server.base + route
    started = time.monotonic()
    result = read_fast(url, FIXTURES / "blog-post.html")
    assert time.monotonic() - started < 8.0  # never waits out the slow route
    assert len(result.articles) == 1
    problem = only_problem(result, fragment)
    assert problem.file == url and problem.line is None
    assert str(problem).startswith(url)


def test_unreachable_host_is_a_problem() -> None:
    url = f"http://127.0.0.1:{free_port()}/a"
    with pytest.raises(InputError, match="connection failed"):
        read_fast(url)


def free_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_busy_server_is_retried_with_backoff(server: _Server) -> None:
    [row] = rows(read_fast(f"{server.base}/flaky", retries=1))
    assert row["title"] == "Why our village bakery switched to solar ovens"
    assert server.hits["/flaky"] == 2


def test_retries_are_bounded_and_only_for_passing_failures(server: _Server) -> None:
    before = server.hits["/slow"]
    result = read_fast(f"{server.base}/slow", FIXTURES / "blog-post.html", retries=1)
    assert result.errors[0].message == "timed out (read timeout of 2 s) (after 2 attempts)"
    assert server.hits["/slow"] == before + 2
    before = server.hits["/loop-a"]
    read_fast(f"{server.base}/loop-a", FIXTURES / "blog-post.html", retries=2)
    assert server.hits["/loop-a"] == before + 1 + 2  # the first request and two of its redirects: no retry


def test_per_run_url_limit(server: _Server) -> None:
    urls = [f"{server.base}/pages/{name}" for name in ("wire-article.html", "blog-post.html", "newspaper-article.html")]
    result = read_fast(*urls, max_urls=2)
    assert len(result.articles) == 2
    problem = only_problem(result, "the limit of 2 URLs per run is reached (--max-urls)")
    assert problem.file == urls[2]


def test_feed_item_pages_count_towards_the_url_limit(server: _Server) -> None:
    result = read_fast(f"{server.base}/feeds/rss-links.xml", max_urls=2)  # the feed and one page
    assert len(result.articles) == 1
    assert rows(result)[0]["paragraphs"][0].startswith("ROTTERDAM")
    assert len([p for p in result.errors if "--max-urls" in p.message and "is only a teaser" in p.message]) == 2


def test_offline_forbids_urls_without_any_request(server: _Server) -> None:
    url = f"{server.base}/pages/ru-1251.html"
    before = sum(server.hits.values())
    with pytest.raises(InputError, match="--offline forbids network access") as caught:
        read_articles([url], fetch=OFFLINE)
    assert caught.value.problems[0].file == url
    result = read_articles([url, FIXTURES / "blog-post.html"], fetch=OFFLINE)
    assert len(result.articles) == 1 and result.errors[0].file == url
    assert sum(server.hits.values()) == before


def test_url_that_went_through_pathlib_still_works(server: _Server) -> None:
    [row] = rows(read_fast(Path(f"{server.base}/pages/blog-post.html")))
    assert row["url"] == f"{server.base}/pages/blog-post.html"


def test_same_url_twice_is_read_once(server: _Server) -> None:
    url = f"{server.base}/pages/newspaper-article.html"
    result = read_fast(url, url)
    assert len(result.articles) == 1 and result.errors == [] and len(result.sources) == 1


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("data", "media_type", "kind"),
    [
        (b'<?xml version="1.0"?>\n<?xml-stylesheet href="s.xsl"?>\n<rss version="2.0">', "text/html", "feed"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'>", "", "feed"),
        (b"<rdf:RDF xmlns:rdf='x'>", "application/xml", "feed"),
        (b"<!DOCTYPE html>\n<html>", "application/octet-stream", "html"),
        ("<html><body>x".encode("utf-16"), "", "html"),
        (b"plain words", "text/html", "html"),
        (b"<x/>", "application/rss+xml", "feed"),
        (b"plain words", "text/plain", None),
    ],
)
def test_sniff_kind(data: bytes, media_type: str, kind: str | None) -> None:
    assert sniff_kind(data, media_type) == kind


def test_decode_html_prefers_bom_then_header_then_meta() -> None:
    page = '<meta charset="windows-1251"><p>Привет</p>'.encode("windows-1251")
    assert "Привет" in decode_html(page)
    assert "Привет" in decode_html(page, header_charset="cp1251")
    koi8 = '<meta charset="windows-1251"><p>Привет, мир</p>'.encode("koi8-r")
    assert "Привет, мир" in decode_html(koi8, header_charset="koi8-r")  # the server's word wins
    assert decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", header_charset="latin-1") == "<p>café</p>"
    # Latin-1 labels mean windows-1252, so 0x93/0x94 are curly quotes, not control characters
    assert decode_html(b'<meta charset="iso-8859-1"><p>\x93hi\x94</p>').endswith("\u201chi\u201d</p>")


def test_html_paragraphs_reduce_markup_to_text() -> None:
    fragment = (
        "Intro line<br>next<p>One <b>bold</b> &amp; <a href='#'>link</a>.</p>"
        "<script>x()</script><ul><li>A</li><li>B</li></ul>"
    )
    assert html_paragraphs(fragment) == ["Intro line", "next", "One bold & link.", "A", "B"]
    assert html_paragraphs("   ") == []


def test_display_url_hides_credentials() -> None:
    assert display_url("https://user:secret@news.example:8443/a?b=1") == "https://news.example:8443/a?b=1"
    assert display_url("https://news.example/a") == "https://news.example/a"


def test_is_url_and_inputs() -> None:
    assert is_url("https://news.example/x") and is_url("HTTP://news.example")
    assert not is_url("ftp://news.example/x") and not is_url("news.example/x") and not is_url("https://")
    assert url_from_input(Path("https://news.example/a/b")) == "https://news.example/a/b"
    assert url_from_input(Path("seeds/x.txt")) is None


def test_importing_jobs_inputs_loads_no_heavy_library() -> None:
    heavy = "('trafilatura', 'feedparser', 'lxml.html', 'httpx', 'pyarrow', 'datasets')"
    code = f"import json, sys, jobs.inputs; print(json.dumps([m for m in {heavy} "
    code += "if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


# --------------------------------------------------------------------------- the whole job


def test_job_publishes_one_article_per_feed_item(
    tmp_path: Path, tiny_config: Path, tiny_models: dict[str, Path]
) -> None:
    from typer.testing import CliRunner

    from jobs.cli import app

    feed = FIXTURES / "rss-full.xml"
    out = tmp_path / "out"
    models = ["--model", f"ru={tiny_models['ru']}", "--summary-model", str(tiny_models["summary"])]
    args = ["run", "--config", str(tiny_config), "--lang", "ru", *models, "--input", str(feed), "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    bundle = (out / "ru" / "latest").resolve()
    records = [json.loads(line) for line in (bundle / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    expected = read_articles([feed], fetch=OFFLINE).articles
    assert [r["id"] for r in records] == expected["id"]
    assert [r["source"]["line"] for r in records] == [1, 2, 3]
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["articles"] == 3 and manifest["failures"] == []
    assert manifest["inputs"][0]["sha256"] == hashlib.sha256(feed.read_bytes()).hexdigest()
