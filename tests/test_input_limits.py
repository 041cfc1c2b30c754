"""Memory bounded by input size (issue 23): compressed bombs refused while decompressing, size
limits before parsing, the same text under many ids read once, feeds capped at their newest entries."""

from __future__ import annotations

import gzip
import json
import lzma
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jobs.errors import InputError
from jobs.inputs import FetchSettings, ReadLimits, read_articles

OFFLINE = FetchSettings(allow_network=False)
GOOD = json.dumps({"title": "Harbour reopens", "body": "The harbour reopened on Monday after repairs."}) + "\n"
WORDS = [
    "the",
    "council",
    "voted",
    "on",
    "a",
    "plan",
    "to",
    "build",
    "new",
    "homes",
    "near",
    "the",
    "river",
    "port",
    "workers",
    "strike",
    "ended",
]

# Run in a child process so that its peak memory is its own: read the file, print the problems,
# the seconds taken and the peak resident memory. VmHWM, not ru_maxrss: Linux carries a process's
# ru_maxrss across execve, so a child would report the test process's own peak.
CHILD = """
import json, sys, time
from jobs.errors import InputError
from jobs.inputs import FetchSettings, read_articles
started = time.monotonic()
try:
    result = read_articles([sys.argv[1]], fetch=FetchSettings(allow_network=False))
    problems, articles = [str(p) for p in result.errors], len(result.articles)
except InputError as exc:
    problems, articles = [str(p) for p in exc.problems], 0
seconds = time.monotonic() - started
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
peak_kib = int(status["VmHWM"].split()[0])
print(json.dumps({"problems": problems, "articles": articles, "seconds": seconds, "peak_mb": peak_kib / 1024}))
"""


def read_in_child(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_5_mb_file_of_1_gb_text_is_refused_in_seconds_in_bounded_memory(tmp_path: Path) -> None:
    """The issue's probe: 5.3 MB of .txt.gz holding 1 GB of words took 18.2 GB for 2.5 minutes."""
    rng = random.Random(23)
    block = (" ".join(rng.choice(WORDS) for _ in range(100)) + "\n").encode("ascii")
    chunk = (block * ((16 << 20) // len(block) + 1))[: 16 << 20]
    member = gzip.compress(chunk, compresslevel=9)  # one 16 MiB gzip member, repeated: 64 of them hold 1 GiB
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(member * 64)
    assert path.stat().st_size < 6_000_000 and len(chunk) * 64 >= 1 << 30
    outcome = read_in_child(path)
    [problem] = outcome["problems"]
    assert "bomb.txt.gz: decompresses to more than 100 MB, the limit per input (max_input_mb" in problem
    assert outcome["seconds"] < 20 and outcome["peak_mb"] < 300, outcome


def test_a_jsonl_of_zeros_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "zeros.jsonl.xz"
    path.write_bytes(lzma.compress(b"0" * (150 * 1000**2), preset=1))
    outcome = read_in_child(path)
    assert len(outcome["problems"]) == 1 and "decompresses to more than 100 MB" in outcome["problems"][0]
    assert outcome["peak_mb"] < 300, outcome


def test_an_uncompressed_file_over_the_limit_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text(GOOD * 2000, encoding="utf-8")
    (tmp_path / "good.jsonl").write_text(GOOD.replace("Harbour", "Bridge"), encoding="utf-8")
    result = read_articles([tmp_path], fetch=OFFLINE, limits=ReadLimits(max_input_bytes=100_000))
    assert result.articles["title"] == ["Bridge reopens"]
    [problem] = result.errors
    assert (
        problem.file.endswith("big.jsonl")
        and "172,000 bytes, over the limit of 100,000 bytes per input" in problem.message
    )
    assert "max_input_mb" in problem.message


def test_a_page_file_over_the_page_limit_is_not_parsed(tmp_path: Path) -> None:
    page = tmp_path / "huge.html"
    page.write_text("<html><body>" + "<p>word word word</p>" * 10_000 + "</body></html>", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_articles([page], fetch=FetchSettings(allow_network=False, max_bytes=100_000))
    [problem] = caught.value.problems
    assert "over the limit of 100,000 bytes for a page or feed; not parsed" in problem.message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("long.txt", "A long story\n\n" + "word " * 3000),
        ("long.md", "# A long story\n\n" + "word " * 3000),
        ("page.txt", "• A long story\n\n" + "word " * 3000 + "\n\n• Short\n\nA short story of one sentence."),
    ],
)
def test_an_article_over_the_size_limit_is_set_aside_before_it_is_split(
    tmp_path: Path, name: str, content: str
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    (tmp_path / "good.jsonl").write_text(GOOD, encoding="utf-8")
    result = read_articles([tmp_path], fetch=OFFLINE, limits=ReadLimits(max_article_chars=10_000))
    assert "Harbour reopens" in result.articles["title"]
    [problem] = [p for p in result.errors if p.file.endswith(name)]
    assert "A long story" in problem.message and "over the limit of 10,000" in problem.message


def test_a_jsonl_line_over_the_size_limit_is_not_parsed(tmp_path: Path) -> None:
    long_line = json.dumps({"title": "Long", "body": "word " * 20_000})
    (tmp_path / "a.jsonl").write_text(GOOD + long_line + "\n", encoding="utf-8")
    result = read_articles([tmp_path], fetch=OFFLINE, limits=ReadLimits(max_article_chars=10_000))
    assert result.articles["title"] == ["Harbour reopens"]
    [problem] = result.errors
    assert problem.line == 2 and "over the limit of 60,000 for one article's record" in problem.message


def test_a_parsed_article_over_the_size_limit_is_set_aside(tmp_path: Path) -> None:
    record = {"title": "Long", "paragraphs": ["word " * 200] * 5}
    (tmp_path / "a.jsonl").write_text(GOOD + json.dumps(record) + "\n", encoding="utf-8")
    result = read_articles([tmp_path], fetch=OFFLINE, limits=ReadLimits(max_article_chars=4_000))
    assert result.articles["title"] == ["Harbour reopens"]
    [problem] = result.errors
    assert problem.line == 2 and "'Long' is 4,999 characters long, over the limit of 4,000" in problem.message


def test_the_same_text_under_many_ids_is_read_once(tmp_path: Path) -> None:
    """The issue's probe: 25,000 distinct ids with one text made an 860 MB bundle."""
    same = {"title": "Harbour reopens", "body": "The harbour reopened on Monday after repairs."}
    lines = [json.dumps({"id": f"story-{n}", **same}) for n in range(2000)]
    lines.append(json.dumps({"id": "other", "title": "Bridge reopens", "body": same["body"]}))
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    result = read_articles([tmp_path / "a.jsonl"], fetch=OFFLINE)
    assert time.monotonic() - started < 30
    assert result.articles["title"] == ["Harbour reopens", "Bridge reopens"]  # another title: another text
    [kept_id] = [row["id"] for row in result.articles.to_list() if row["title"] == "Harbour reopens"]
    assert len(result.errors) == 1999
    first = result.errors[0]
    assert first.line == 2 and first.article_id and first.article_id != kept_id
    assert (
        first.message
        == f"same text as article {kept_id} ({first.file}:1) under a different id ({first.article_id}); skipped"
    )


def test_a_feed_is_read_as_its_newest_entries(tmp_path: Path) -> None:
    items = "".join(
        f"<item><title>Story {n}</title><guid>s{n}</guid><pubDate>{day:02d} Mar 2024 09:00:00 GMT</pubDate>"
        f'<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">Story {n} in full: the council '
        "met on Monday and voted to keep the old bridge open for another year of repairs.</content:encoded>"
        "</item>"
        for n, day in [(1, 3), (2, 9), (3, 1), (4, 7), (5, 5), (6, 2)]
    )
    feed = tmp_path / "feed.rss"
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>')
    result = read_articles([feed], fetch=OFFLINE, limits=ReadLimits(max_feed_items=3))
    assert result.articles["title"] == ["Story 2", "Story 4", "Story 5"]  # the three newest, in feed order
    assert result.articles["source_line"] == [2, 4, 5]
    [problem] = result.errors
    assert problem.message == (
        "the feed has 6 entries; read the newest 3 (--max-feed-items, max_feed_items in the config), 3 older ones skipped"
    )
