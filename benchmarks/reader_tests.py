"""Titles, bylines and dates on two other readers' test pages: where the job's reading differs.

    python -m benchmarks.reader_tests READABILITY_CHECKOUT NEWSPAPER4K_CHECKOUT [--all]

mozilla/readability (Apache-2.0) keeps 130 pages under test/test-pages/*/ (source.html and
expected-metadata.json: title, byline, publishedTime); newspaper4k (MIT) keeps pages under
tests/data/html/ and, for 20 of them, tests/data/metadata/*.json (title, authors, publish_date).
Their expectations are those readers' own output, not a person's reading (readability keeps a
site's name in titles and "By" in bylines; newspaper4k lists every author link on the page), so
this prints disagreements to look at, page by page, not a score: what the job publishes for each
page, beside what the other reader expects, where they differ. Both sets are development pages:
they may be looked at and tuned on (no part is held out). Many of readability's pages are
synthetic tests of its own cleaning ("Lorem" pages), read here all the same.
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
from pathlib import Path


def readability_pages(checkout: Path) -> list[tuple[str, dict, bytes]]:
    """(name, expected title/byline/date, page) of mozilla/readability's test pages."""
    found = []
    for folder in sorted((checkout / "test" / "test-pages").iterdir()):
        meta, source = folder / "expected-metadata.json", folder / "source.html"
        if meta.is_file() and source.is_file():
            data = json.loads(meta.read_text(encoding="utf-8"))
            expected = {"title": data.get("title"), "byline": data.get("byline"), "date": data.get("publishedTime")}
            found.append((f"readability/{folder.name}", expected, source.read_bytes()))
    return found


def newspaper_pages(checkout: Path) -> list[tuple[str, dict, bytes]]:
    """(name, expected title/byline/date, page) of newspaper4k's test pages with metadata."""
    found = []
    data_folder = checkout / "tests" / "data"
    for meta in sorted((data_folder / "metadata").glob("*.json")):
        source = data_folder / "html" / f"{meta.stem}.html"
        if source.is_file():
            data = json.loads(meta.read_text(encoding="utf-8"))
            authors = ", ".join(data.get("authors") or []) or None
            expected = {"title": data.get("title"), "byline": authors, "date": data.get("publish_date")}
            found.append((f"newspaper4k/{meta.stem}", expected, source.read_bytes()))
    return found


def differences(pages: list[tuple[str, dict, bytes]], show_all: bool = False) -> list[str]:
    from jobs.errors import InputError
    from jobs.inputs import FetchSettings, read_articles

    lines, counts = [], {"pages": 0, "refused": 0, "title": 0, "byline": 0, "date": 0}
    with tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / "page.html.gz"
        for name, expected, raw in pages:
            counts["pages"] += 1
            saved.write_bytes(gzip.compress(raw))
            try:
                [row] = read_articles([saved], fetch=FetchSettings(allow_network=False)).articles
            except InputError as exc:
                counts["refused"] += 1
                reason = exc.problems[0].message if exc.problems else str(exc)
                lines.append(f"- {name}: refused ({reason}); expected title {expected['title']!r}")
                continue
            got = {"title": row["title"], "byline": row["byline"] or None, "date": row["published"] or None}
            for field in ("title", "byline", "date"):
                want = expected[field]
                same = got[field] == want or (field == "date" and want and got[field] and want.startswith(got[field]))
                if not same:
                    counts[field] += 1
                if show_all or not same:
                    lines.append(f"- {name}: {field} {got[field]!r}, expected {want!r}")
    head = (
        f"{counts['pages']} pages, {counts['refused']} refused; differing from the other reader: titles "
        f"{counts['title']}, bylines {counts['byline']}, dates {counts['date']}"
    )
    return [head, *lines]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("readability", type=Path, help="a checkout of github.com/mozilla/readability")
    parser.add_argument("newspaper4k", type=Path, help="a checkout of github.com/AndyTheFactory/newspaper4k")
    parser.add_argument("--all", action="store_true", help="every field of every page, not only differences")
    args = parser.parse_args()
    print("\n".join(differences(readability_pages(args.readability) + newspaper_pages(args.newspaper4k), args.all)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
