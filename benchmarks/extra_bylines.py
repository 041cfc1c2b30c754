"""Bylines on trafilatura's other annotated pages: a development set beside the corpus's two parts.

    python -m benchmarks.extra_bylines TRAFILATURA_CHECKOUT [--show]

trafilatura's evaluation set (Apache-2.0; tests/evaldata.json, tests/eval/, tests/cache/) annotates
851 pages with their author; 160 of them are the corpus's (tests/fixtures/pages, both parts). The
other 691 are never part of the corpus: they are read here straight from the checkout (reduced as
the corpus's pages are, nothing saved), each page's byline scored as benchmarks/pages.py scores
it (plain and "persons only"), with the failure classes of benchmarks/bylineclasses.py. Pages of
the held-out part are left out by their file name before anything is read. --show lists the
bylines that are not right ("persons only"), page by page: these pages may be looked at.
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
from pathlib import Path

from benchmarks.build_corpus import reduce_page
from benchmarks.bylineclasses import CLASSES, byline_class
from benchmarks.pages import Tally, load_truth, names, person_names


def extra_pages(checkout: Path) -> list[tuple[str, dict, bytes]]:
    """(file, annotation, reduced page) of every annotated page that is not in the corpus."""
    corpus = {entry.get("file") for entry in load_truth(corrected=False).values()}
    evaldata = json.loads((checkout / "tests" / "evaldata.json").read_text(encoding="utf-8"))
    found = []
    for url, entry in sorted(evaldata.items()):
        if "author" not in entry or entry["file"] in corpus:
            continue
        entry = {**entry, "url": url}
        path = checkout / "tests" / "eval" / entry["file"]
        path = path if path.is_file() else checkout / "tests" / "cache" / entry["file"]
        if path.is_file():
            found.append((entry["file"], entry, reduce_page(path.read_bytes())))
    return found


def score(checkout: Path, show: bool = False) -> str:
    from jobs.errors import InputError
    from jobs.inputs import FetchSettings, read_articles

    plain, persons, classes, lines = Tally(), Tally(), dict.fromkeys(CLASSES, 0), []
    with tempfile.TemporaryDirectory() as folder:
        for file, entry, raw in extra_pages(checkout):
            saved = Path(folder) / "page.html.gz"
            saved.write_bytes(gzip.compress(raw))
            try:
                [row] = read_articles([saved], fetch=FetchSettings(allow_network=False)).articles
                ours = names(row["byline"])
            except InputError:
                ours = frozenset()
            expected = names(entry["author"])
            required = person_names(entry["author"], entry.get("url", ""))
            for tally, needed in ((plain, expected), (persons, required)):
                if needed <= ours <= expected:
                    tally.right += 1
                elif ours - expected:
                    tally.wrong += 1
                else:
                    tally.missing += 1
            if not required <= ours <= expected:
                kind = byline_class(saved, ours, required, expected)
                classes[kind] += 1
                lines.append(f"- {file}: {kind}: ours {sorted(ours)}, expected {entry['author']!r}")
    report = [f"bylines: {plain.line()}", f"bylines, persons only: {persons.line()}"]
    report += [f"not right (persons only), {kind}: {count}" for kind, count in classes.items()]
    return "\n".join(report + (lines if show else []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a checkout of github.com/adbar/trafilatura")
    parser.add_argument("--show", action="store_true", help="list the bylines that are not right")
    args = parser.parse_args()
    print(score(args.checkout, args.show))


if __name__ == "__main__":
    main()
