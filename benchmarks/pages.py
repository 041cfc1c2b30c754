"""How faithfully real pages are read: body sentences, titles, bylines and dates against ground truth.

The corpus (tests/fixtures/pages, see its README.md) joins two public data sets, each page's
ground truth in `ground-truth.json.gz` under the page's name (<name>.html.gz beside it):

- Scrapinghub's article-extraction-benchmark (MIT): the article body a person marked
  (`articleBody`), scored by sentences; for some pages the headline read off the page (`titles`).
- trafilatura's evaluation set (Apache-2.0): the title, author and date a person read off the
  page, and text snippets that must (`with`) and must not (`without`) be in the extracted text.

Every page belongs to a part: `tune` (looked at while building the reader) or `held-out` (never
looked at page by page: only its totals are printed). The figures are printed per part.

A sentence of the ground truth is recalled when its normalized form (case, punctuation and
spacing folded) occurs in the normalized extracted text; an extracted sentence is precise when it
occurs in the normalized ground truth. Counts are pooled over the pages (micro-averaged); a page
the reader refuses counts as nothing recalled. Titles are compared exactly (spacing collapsed;
a truth title in capitals, copied from a page whose style sheet shows it so, case folded).
A byline is right when its set of names equals the truth's (accents and case folded; both
empty included), wrong when it names anyone the truth does not, missing otherwise. A second
figure, "persons only", applies a rule fixed before the held-out part's figures were read (and
reported beside the plain one for both parts): a truth name that is not a person's name is
optional, neither required nor wrong. Not a person's name: a single word in a script that
separates words by spaces (a handle, a first name, initials, a desk: "delta201", "Robert",
"LD", "Redaktion", "dpa/lno"), or a name holding the site's own name (the page's host without
"www." and its last label, 4 or more characters: "Wikimedia Foundation" on
wikimediafoundation.org, "Greentech.LIVE Redaktion" on greentech.live). The reader publishes
persons' names only, on purpose (jobs/inputs/bylines.py). A date is
right when its day equals the truth's (both empty included), wrong when it differs from it or
the truth has none, missing when the truth has one and the reader gives none.

    python -m benchmarks.pages [--part tune|held-out] [--compare] [--show] [--classes] [--uncorrected] [FOLDER]

--compare adds plain `trafilatura.extract` (its defaults) on the same pages; --show lists the
tune part's misses page by page (never the held-out part's); --classes adds, for every part,
how many wrong titles and dates fall in each failure class (title_class, date_class): counts
only, never a page. The ground truth is scored with the
documented corrections of `corrections.json` (tune pages only, each with the page's evidence);
--uncorrected scores the annotations as published. --classes counts the bylines that are not
right ("persons only") by failure class (benchmarks/bylineclasses.py): counts only, for either part.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.bylineclasses import CLASSES, byline_class

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pages"
PARTS = ("tune", "held-out")
MIN_SENTENCE_WORDS = 4  # shorter "sentences" ("Advertisement", "Photo: AP") say little either way
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\n+")
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # CJK: no spaces
_NAME_SEPARATORS = re.compile(r"\s*(?:;|,|\||\band\b|\bund\b|\bet\b|&)\s*", re.IGNORECASE)


@dataclass
class Score:
    """Pooled sentence counts of one extractor over some pages."""

    truth_found: int = 0
    truth_total: int = 0
    extracted_right: int = 0
    extracted_total: int = 0
    refused: list[str] = field(default_factory=list)

    def add(self, extracted: str, truth: str) -> None:
        truth_sentences, extracted_sentences = sentences(truth), sentences(extracted)
        extracted_text, truth_text = normal(extracted), normal(truth)
        self.truth_total += len(truth_sentences)
        self.truth_found += sum(s in extracted_text for s in truth_sentences)
        self.extracted_total += len(extracted_sentences)
        self.extracted_right += sum(s in truth_text for s in extracted_sentences)

    @property
    def recall(self) -> float:
        return self.truth_found / self.truth_total if self.truth_total else 0.0

    @property
    def precision(self) -> float:
        return self.extracted_right / self.extracted_total if self.extracted_total else 0.0


@dataclass
class Tally:
    """Right, missing and wrong answers of one kind (bylines, dates), with the misses named."""

    right: int = 0
    missing: int = 0
    wrong: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.right + self.missing + self.wrong

    def line(self) -> str:
        share = self.right / self.total if self.total else 0.0
        return f"{self.right}/{self.total} right ({share:.1%}), {self.missing} missing, {self.wrong} wrong"


@dataclass
class PageChecks:
    """The job's reading of one part of the corpus."""

    part: str = ""
    score: Score = field(default_factory=Score)
    pages: int = 0
    snippets_total: int = 0  # trafilatura's "with" snippets found, "without" snippets absent
    snippets_right: int = 0
    titles_total: int = 0
    titles_exact: int = 0
    bylines: Tally = field(default_factory=Tally)
    bylines_persons: Tally = field(default_factory=Tally)  # a truth name that is no person's optional
    byline_classes: dict[str, int] | None = None  # failure classes of bylines_persons (--classes)
    dates: Tally = field(default_factory=Tally)
    wrong_titles: list[str] = field(default_factory=list)
    # Failure classes (title_class, date_class) and how many pages fall in each: counts only
    title_classes: Counter = field(default_factory=Counter)
    date_classes: Counter = field(default_factory=Counter)
    snippet_misses: list[str] = field(default_factory=list)
    repeated_headlines: list[str] = field(default_factory=list)
    implausible_bylines: list[str] = field(default_factory=list)


def normal(text: str) -> str:
    """Case, punctuation and spacing folded away, so extractors' typography does not count; so are
    invisible format characters (soft hyphens, zero-width spaces: Unicode category Cf), which some
    pages and annotations put inside words and the job removes."""
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def sentences(text: str) -> list[str]:
    """The normalized sentences of a text with at least MIN_SENTENCE_WORDS words."""
    found = (normal(part) for part in _SENTENCE_END.split(text))
    return [s for s in found if len(s.split()) >= MIN_SENTENCE_WORDS]


def names(byline: str | list[str]) -> frozenset[str]:
    """The names of a byline (or a list of them), accents, case and punctuation folded."""
    if isinstance(byline, list):
        byline = "; ".join(byline)
    folded = unicodedata.normalize("NFKD", byline)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return frozenset(n for n in (normal(part) for part in _NAME_SEPARATORS.split(folded)) if n)


def person_names(byline: str | list[str], url: str = "") -> frozenset[str]:
    """The names of a truth byline (names()) that are persons' names: not a single word in a script
    with spaces between words (a handle, a first name, a desk), not holding the site's own name."""
    if isinstance(byline, list):
        byline = "; ".join(byline)
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    site = normal(host.rsplit(".", 1)[0]).replace(" ", "") if "." in host else ""
    kept = [
        part
        for part in _NAME_SEPARATORS.split(byline)
        if part.strip()
        and (len(part.split()) > 1 or _UNSPACED_SCRIPT.search(part))
        and not (len(site) >= 4 and site in normal(part).replace(" ", ""))
    ]
    return names("; ".join(kept))


def load_truth(folder: Path = CORPUS, corrected: bool = True) -> dict[str, dict]:
    """Ground truth by page name, with the documented corrections of `corrections.json` applied.

    Each correction names a page, a field, the annotation it replaces and the page's own evidence
    (listed in the corpus README); one whose old value no longer matches is an error, not skipped.
    """
    with gzip.open(folder / "ground-truth.json.gz", "rt", encoding="utf-8") as handle:
        truth = json.load(handle)
    path = folder / "corrections.json"
    if corrected and path.exists():
        for fix in json.loads(path.read_text(encoding="utf-8")):
            entry = truth[fix["name"]]
            if entry.get(fix["field"]) != fix["old"]:
                raise ValueError(
                    f"{path}: {fix['name'][:12]} {fix['field']} is {entry.get(fix['field'])!r}, not {fix['old']!r}"
                )
            entry[fix["field"]] = fix["new"]
    return truth


def check_pages(
    folder: Path = CORPUS, part: str | None = None, corrected: bool = True, classes: bool = False
) -> PageChecks:
    """Read every page of one part of the corpus (all when None) with the job's reader and score it
    (`corrected`: against the ground truth with its documented corrections; `classes`: count the
    failure classes of bylines, benchmarks.bylineclasses)."""
    from jobs.errors import InputError
    from jobs.inputs import FetchSettings, read_articles
    from jobs.inputs.bylines import plausible_byline
    from jobs.inputs.headlines import HEADLINE_ZONE, same_headline

    checks = PageChecks(part=part or "all", byline_classes={} if classes else None)
    for name, truth in sorted(load_truth(folder, corrected).items()):
        if part and truth.get("part", "tune") != part:
            continue
        checks.pages += 1
        label = f"{name[:12]} ({truth.get('file') or truth.get('url', '')[:60]})"
        try:
            [row] = read_articles([folder / f"{name}.html.gz"], fetch=FetchSettings(allow_network=False)).articles
        except InputError as exc:
            reason = exc.problems[0].message if exc.problems else str(exc)
            row = {"title": "", "paragraphs": [], "byline": "", "published": ""}
            checks.score.refused.append(f"{label}: {reason}")
        text = "\n".join(row["paragraphs"])
        if "articleBody" in truth:
            checks.score.add(text, truth["articleBody"])
        check_snippets(checks, label, text, truth)
        check_metadata(checks, label, row, truth, folder / f"{name}.html.gz")
        if row["byline"] and plausible_byline(row["byline"]) != row["byline"]:
            checks.implausible_bylines.append(f"{label}: {row['byline']!r}")
        if row["title"] and any(same_headline(p, row["title"]) for p in row["paragraphs"][:HEADLINE_ZONE]):
            checks.repeated_headlines.append(f"{label}: {row['title']!r}")
    return checks


def check_snippets(checks: PageChecks, label: str, text: str, truth: dict) -> None:
    found = normal(text)
    for snippet in truth.get("with", []):
        checks.snippets_total += 1
        if normal(snippet) in found:
            checks.snippets_right += 1
        else:
            checks.snippet_misses.append(f"{label}: missing {snippet!r}")
    for snippet in truth.get("without", []):
        checks.snippets_total += 1
        if not normal(snippet) or f" {normal(snippet)} " not in f" {found} ":
            checks.snippets_right += 1
        else:
            checks.snippet_misses.append(f"{label}: kept {snippet!r}")


def check_metadata(checks: PageChecks, label: str, row: dict, truth: dict, page: Path) -> None:
    titles = [" ".join(t.split()) for t in truth.get("titles", []) if t and t.strip()]
    if titles:
        checks.titles_total += 1
        ours = " ".join(row["title"].split())
        # A title a person copied in capitals (the page's CSS shows it so) matches case folded.
        if ours in titles or any(t.isupper() and t.casefold() == ours.casefold() for t in titles):
            checks.titles_exact += 1
        else:
            checks.wrong_titles.append(f"{label}: {row['title']!r}, expected {titles}")
            checks.title_classes[title_class(ours, titles)] += 1
    if "author" in truth:
        ours, expected = names(row["byline"]), names(truth["author"])
        _tally_byline(checks.bylines, label, row["byline"], truth["author"], ours, expected, expected)
        persons = person_names(truth["author"], truth.get("url", ""))
        _tally_byline(checks.bylines_persons, label, row["byline"], truth["author"], ours, persons, expected)
        if checks.byline_classes is not None and not persons <= ours <= expected:
            kind = byline_class(page, ours, persons, expected)
            checks.byline_classes[kind] = checks.byline_classes.get(kind, 0) + 1
    if "date" in truth:
        ours, expected = (row["published"] or "")[:10], truth["date"][:10]
        if ours == expected:
            checks.dates.right += 1
        elif ours:
            checks.dates.wrong += 1
            checks.dates.misses.append(f"{label}: wrong {ours!r}, expected {expected!r}")
            checks.date_classes[date_class(ours, expected)] += 1
        else:
            checks.dates.missing += 1
            checks.dates.misses.append(f"{label}: missing {expected!r}")
            checks.date_classes["missing: none given"] += 1


def title_class(ours: str, truths: list[str]) -> str:
    """How a wrong title differs from the truth: a class, never the text."""
    mine = normal(ours)
    if not mine:
        return "none given"
    wanted = [normal(t) for t in truths]
    if mine in wanted:
        return "same words, other case or punctuation"
    if any(w and (mine.startswith(w + " ") or mine.endswith(" " + w)) for w in wanted):
        return "ours longer: the truth is a prefix or suffix of ours"
    if any(w.startswith(mine + " ") or w.endswith(" " + mine) for w in wanted):
        return "ours shorter: ours is a prefix or suffix of the truth"
    if any(w and (w in mine or mine in w) for w in wanted):
        return "one contains the other (not at an end)"
    return "different text"


def date_class(ours: str, expected: str) -> str:
    """How a wrong date differs from the truth: a class, never the date."""
    if not expected:
        return "wrong: the truth has none"
    try:
        mine, truth = date.fromisoformat(ours), date.fromisoformat(expected)
    except ValueError:
        return "wrong: other"
    if abs((mine - truth).days) == 1:
        return "wrong: off by one day"
    if (mine.month, mine.day) == (truth.day, truth.month) and mine.year == truth.year:
        return "wrong: day and month swapped"
    if (mine.month, mine.day) == (truth.month, truth.day):
        return "wrong: year differs"
    if (mine.year, mine.day) == (truth.year, truth.day):
        return "wrong: month differs"
    return "wrong: other"


def classes(checks: PageChecks) -> str:
    """The part's failure classes for titles and dates, counts only (allowed for the held-out part)."""
    lines = [f"failure classes, part {checks.part} (counts only):"]
    lines += [f"- title, {name}: {count}" for name, count in sorted(checks.title_classes.items())]
    lines += [f"- date, {name}: {count}" for name, count in sorted(checks.date_classes.items())]
    return "\n".join(lines)


def _tally_byline(
    tally: Tally, label: str, byline: str, truth: str, ours: frozenset, required: frozenset, allowed: frozenset
) -> None:
    """Right when the byline names every `required` name and none but the `allowed` ones."""
    if required <= ours <= allowed:
        tally.right += 1
    elif ours - allowed:
        tally.wrong += 1
        tally.misses.append(f"{label}: wrong {byline!r}, expected {truth!r}")
    else:
        tally.missing += 1
        tally.misses.append(f"{label}: missing {truth!r}, got {byline!r}")


def plain_trafilatura(folder: Path = CORPUS, part: str | None = None) -> Score:
    """The same pages through `trafilatura.extract` with its default settings."""
    import trafilatura

    score = Score()
    for name, truth in sorted(load_truth(folder).items()):
        if (part and truth.get("part", "tune") != part) or "articleBody" not in truth:
            continue
        html = gzip.decompress((folder / f"{name}.html.gz").read_bytes())
        score.add(trafilatura.extract(html) or "", truth["articleBody"])
    return score


def table(checks: PageChecks, plain: Score | None = None, show: bool = False) -> str:
    """The figures of one part, as in docs/inputs.md; with `show`, its misses page by page."""
    ours = checks.score
    snippets = checks.snippets_right / checks.snippets_total if checks.snippets_total else 0.0
    titles = checks.titles_exact / checks.titles_total if checks.titles_total else 0.0
    lines = [
        f"part {checks.part}: {checks.pages} pages, {ours.truth_total} ground-truth sentences",
        "",
        "| reader | sentence recall | sentence precision | pages refused |",
        "| --- | --- | --- | --- |",
        f"| jobs (read_articles) | {ours.recall:.3f} | {ours.precision:.3f} | {len(ours.refused)} |",
        *([f"| plain trafilatura.extract | {plain.recall:.3f} | {plain.precision:.3f} | - |"] if plain else []),
        "",
        f"snippets right: {checks.snippets_right}/{checks.snippets_total} ({snippets:.1%}); "
        f"titles exact: {checks.titles_exact}/{checks.titles_total} ({titles:.1%})",
        f"bylines: {checks.bylines.line()}; implausible: {len(checks.implausible_bylines)}",
        f"bylines, persons only: {checks.bylines_persons.line()}",
        *[
            f"bylines not right (persons only), {kind}: {checks.byline_classes.get(kind, 0)}"
            for kind in (CLASSES if checks.byline_classes is not None else ())
        ],
        f"dates: {checks.dates.line()}",
        f"headline repeated in the first three paragraphs: {len(checks.repeated_headlines)}",
    ]
    if show:
        lines += [f"- refused {line}" for line in ours.refused]
        lines += [f"- title {line}" for line in checks.wrong_titles]
        lines += [f"- byline {line}" for line in checks.bylines.misses]
        lines += [f"- date {line}" for line in checks.dates.misses]
        lines += [f"- snippet {line}" for line in checks.snippet_misses]
        lines += [f"- repeated headline {line}" for line in checks.repeated_headlines]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--part", choices=PARTS, help="one part only (default: each part in turn)")
    parser.add_argument("--compare", action="store_true", help="add plain trafilatura.extract")
    parser.add_argument("--show", action="store_true", help="list the tune part's misses page by page")
    parser.add_argument("--uncorrected", action="store_true", help="score against the annotations as published")
    parser.add_argument(
        "--classes",
        action="store_true",
        help="add the failure classes of titles, dates and bylines (counts only, every part)",
    )
    args = parser.parse_args()
    for part in [args.part] if args.part else PARTS:
        checks = check_pages(args.folder, part, corrected=not args.uncorrected, classes=args.classes)
        plain = plain_trafilatura(args.folder, part) if args.compare else None
        print(table(checks, plain, show=args.show and part == "tune") + "\n")
        if args.classes:
            print(classes(checks) + "\n")


if __name__ == "__main__":
    main()
