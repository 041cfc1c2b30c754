"""Titles, bylines and dates on trafilatura's other annotated pages: a development set beside the corpus.

    python -m benchmarks.extra_pages TRAFILATURA_CHECKOUT [--show] [--compare]

trafilatura's evaluation set (Apache-2.0; tests/evaldata.json, tests/eval/, tests/cache/) annotates
851 pages with their title, author and date; 160 of them are the corpus's (tests/fixtures/pages,
both parts). The other 691 are never part of the corpus: they are read here straight from the
checkout as they were saved (not reduced as the corpus's pages are: the reduction's script
removal leaves some pages without a body, nothing saved) and scored exactly as
benchmarks/pages.py scores the corpus (titles exact, bylines plain and "persons only" with the
failure classes of benchmarks/bylineclasses.py, dates by the day; title and date failure classes;
trafilatura's `with` and `without` text snippets, and with --compare plain trafilatura.extract's).
No annotation of these pages is corrected: trafilatura's annotators sometimes give no date, an
update's date or a malformed one ("2022-29-11"), so "wrong" here includes such disagreements.
Pages of the held-out part are left out by their file name before anything is read. --show lists
what is not right, page by page: these pages may be looked at.
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
from pathlib import Path

from benchmarks.bylineclasses import CLASSES
from benchmarks.pages import PageChecks, check_metadata, check_snippets, classes, load_truth


def extra_pages(checkout: Path) -> list[tuple[str, dict, bytes]]:
    """(file, annotation, page) of every annotated page that is not in the corpus."""
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
            found.append((entry["file"], entry, path.read_bytes()))
    return found


def score(checkout: Path, show: bool = False, compare: bool = False) -> str:
    from jobs.errors import InputError
    from jobs.inputs import FetchSettings, read_articles

    checks = PageChecks(part="trafilatura's other pages", byline_classes=dict.fromkeys(CLASSES, 0))
    plain_checks, refused = PageChecks(), []
    if compare:
        import trafilatura
    with tempfile.TemporaryDirectory() as folder:
        for file, entry, raw in extra_pages(checkout):
            saved = Path(folder) / "page.html.gz"
            saved.write_bytes(gzip.compress(raw))
            try:
                [row] = read_articles([saved], fetch=FetchSettings(allow_network=False)).articles
            except InputError as exc:
                row = {"title": "", "byline": "", "published": "", "paragraphs": []}
                refused.append(f"{file}: {exc.problems[0].message if exc.problems else exc}")
            truth = {"titles": [entry.get("title") or ""], "author": entry["author"], "url": entry["url"]}
            truth.update(date=entry.get("date") or "", **{k: entry.get(k, []) for k in ("with", "without")})
            checks.pages += 1
            check_metadata(checks, file, row, truth, saved)
            check_snippets(checks, file, "\n".join(row["paragraphs"]), truth)
            if compare:
                plain = trafilatura.extract(raw) or ""
                check_snippets(plain_checks, file, plain, truth)
    titles = checks.titles_exact / checks.titles_total if checks.titles_total else 0.0
    snippets = f"{checks.snippets_right}/{checks.snippets_total}"
    if compare:
        snippets += f" (plain trafilatura.extract: {plain_checks.snippets_right}/{plain_checks.snippets_total})"
    report = [
        f"{checks.pages} pages, {len(refused)} refused; snippets right: {snippets}",
        f"titles exact: {checks.titles_exact}/{checks.titles_total} ({titles:.1%})",
        f"bylines: {checks.bylines.line()}",
        f"bylines, persons only: {checks.bylines_persons.line()}",
        *[f"bylines not right (persons only), {kind}: {count}" for kind, count in checks.byline_classes.items()],
        f"dates: {checks.dates.line()}",
        classes(checks),
    ]
    if show:
        report += [f"- refused {line}" for line in refused]
        report += [f"- title {line}" for line in checks.wrong_titles]
        report += [f"- byline {line}" for line in checks.bylines.misses]
        report += [f"- date {line}" for line in checks.dates.misses]
        report += [f"- snippet {line}" for line in checks.snippet_misses]
    return "\n".join(report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a checkout of github.com/adbar/trafilatura")
    parser.add_argument("--show", action="store_true", help="list what is not right, page by page")
    parser.add_argument("--compare", action="store_true", help="score plain trafilatura.extract's snippets too")
    args = parser.parse_args()
    print(score(args.checkout, args.show, args.compare))


if __name__ == "__main__":
    main()
