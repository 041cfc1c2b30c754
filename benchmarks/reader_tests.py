"""Titles, bylines and dates on three other readers' test pages: where the job's reading differs.

    python -m benchmarks.reader_tests READABILITY NEWSPAPER4K POSTLIGHT [--all]

Checkouts of three public readers' repositories:
- mozilla/readability (Apache-2.0): 130 pages under test/test-pages/*/ (source.html and
  expected-metadata.json: title, byline, publishedTime), readability's own output;
- AndyTheFactory/newspaper4k (MIT): tests/data/html/, 20 of them with tests/data/metadata/*.json
  (title, authors, publish_date), newspaper4k's own output;
- postlight/parser (MIT or Apache-2.0): 141 news and magazine pages under fixtures/, each with a
  hand-written extractor whose test (src/extractors/custom/<site>/index.test.js) states the
  page's title, author and date_published (a UTC time) as its writer read them off the page.
The first two expect what those readers do (readability keeps a site's name in titles and "By"
in bylines; newspaper4k lists every author link on the page), so this prints disagreements to
look at, page by page, not a score: what the job publishes for each page, beside what the other
reader expects, where they differ. Bylines are compared as sets of names (case, "by" and joiners
folded); a day one off a UTC time is counted apart (the page's own time zone). All three are
development pages: they may be looked at and tuned on (no part is held out). Many of
readability's pages are synthetic tests of its own cleaning ("Lorem" pages), read all the same.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import tempfile
from datetime import date
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


_ASSERTED = re.compile(
    r"assert\.equal\(\s*(title|author|date_published)\s*,\s*(?:(['\"`])((?:\\.|(?!\2).)*)\2|(null))", re.DOTALL
)
_FIXTURE = re.compile(r"readFileSync\(\s*['\"]\./fixtures/([^'\"]+)['\"]")


def postlight_pages(checkout: Path) -> list[tuple[str, dict, bytes]]:
    """(name, title/byline/date its extractor's test asserts, page) of postlight/parser's fixtures."""
    found = []
    for test in sorted((checkout / "src" / "extractors" / "custom").glob("*/index.test.js")):
        text = test.read_text(encoding="utf-8")
        fixture = _FIXTURE.search(text)
        if not fixture or not (checkout / "fixtures" / fixture.group(1)).is_file():
            continue
        asserted: dict[str, str | None] = {}
        for match in _ASSERTED.finditer(text):
            asserted.setdefault(match.group(1), None if match.group(4) else _unescaped(match.group(3)))
        expected = {
            "title": asserted.get("title"),
            "byline": asserted.get("author"),
            "date": asserted.get("date_published"),
        }
        found.append(
            (f"postlight/{test.parent.name}", expected, (checkout / "fixtures" / fixture.group(1)).read_bytes())
        )
    return found


def _unescaped(literal: str) -> str:
    """A JavaScript string literal's text: \\uXXXX and backslashed characters."""
    literal = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), literal)
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), literal)


def _names(byline: str | None) -> set[str]:
    """A byline's names, folded: "By JOSH HASKELL, DAVID CAPLAN and PATRICK REEVELL" and
    "Josh Haskell; David Caplan; Patrick Reevell" agree."""
    parts = re.split(r"\s*(?:;|,|\band\b|&)\s*", (byline or "").casefold())
    return {" ".join(re.sub(r"^by\s+", "", part.strip()).split()) for part in parts} - {""}


def _same(field: str, got: str | None, want: str | None) -> str:
    """ "same", "zone" (a day one off a UTC time) or "differs"."""
    if field == "byline":
        return "same" if _names(got) == _names(want) else "differs"
    if field == "date" and got and want:
        if want.startswith(got):
            return "same"
        try:
            apart = abs((date.fromisoformat(want[:10]) - date.fromisoformat(got)).days)
        except ValueError:
            return "differs"
        return "zone" if apart == 1 else "differs"
    return "same" if (got or None) == (want or None) else "differs"


def differences(pages: list[tuple[str, dict, bytes]], show_all: bool = False) -> list[str]:
    from jobs.errors import InputError
    from jobs.inputs import FetchSettings, read_articles

    lines, counts = [], {"pages": 0, "refused": 0, "title": 0, "byline": 0, "date": 0, "zone": 0}
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
                verdict = _same(field, got[field], expected[field])
                if verdict != "same":
                    counts[field if verdict == "differs" else verdict] += 1
                if show_all or verdict != "same":
                    note = " (a day apart: time zone?)" if verdict == "zone" else ""
                    lines.append(f"- {name}: {field} {got[field]!r}, expected {expected[field]!r}{note}")
    head = (
        f"{counts['pages']} pages, {counts['refused']} refused; differing from the other reader: titles "
        f"{counts['title']}, bylines {counts['byline']}, dates {counts['date']} (and {counts['zone']} a day apart)"
    )
    return [head, *lines]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("readability", type=Path, help="a checkout of github.com/mozilla/readability")
    parser.add_argument("newspaper4k", type=Path, help="a checkout of github.com/AndyTheFactory/newspaper4k")
    parser.add_argument("postlight", type=Path, help="a checkout of github.com/postlight/parser")
    parser.add_argument("--all", action="store_true", help="every field of every page, not only differences")
    args = parser.parse_args()
    pages = readability_pages(args.readability) + newspaper_pages(args.newspaper4k) + postlight_pages(args.postlight)
    print("\n".join(differences(pages, args.all)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
