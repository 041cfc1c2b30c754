"""How faithfully real news pages are read: sentence recall and precision against human ground truth.

The corpus is a subset of Scrapinghub's article-extraction-benchmark (MIT; html/*.html.gz and
ground-truth.json, https://github.com/scrapinghub/article-extraction-benchmark), kept compressed
in tests/fixtures/pages/. Each page is read by the job's own reader (`read_articles`, so the
.html.gz is decompressed and decoded as in a run) and, for comparison, by plain
`trafilatura.extract` with its defaults.

A sentence of the ground truth is recalled when its normalized form (case, punctuation and
spacing folded) occurs in the normalized extracted text; an extracted sentence is precise when it
occurs in the normalized ground truth. Counts are pooled over all pages (micro-averaged).
A page the reader refuses counts as nothing recalled. Titles are compared exactly with the
headlines in tests/fixtures/pages/titles.json, read off each page by a person (the on-page
headline without the site's name; two where the h1 and og:title differ and either is right).

    python -m benchmarks.pages [FOLDER]     # prints the table of docs/inputs.md
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pages"
MIN_SENTENCE_WORDS = 4  # shorter "sentences" ("Advertisement", "Photo: AP") say little either way
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\n+")


@dataclass
class Score:
    """Pooled sentence counts of one extractor over the corpus."""

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
class PageChecks:
    """The job's reading of the corpus: sentence score and the metadata checks."""

    score: Score = field(default_factory=Score)
    pages: int = 0
    titles: int = 0
    titles_scored: bool = False
    titles_exact: int = 0  # equal to one of the headlines a person read on the page (titles.json)
    wrong_titles: list[str] = field(default_factory=list)
    bylines: int = 0
    implausible_bylines: list[str] = field(default_factory=list)
    repeated_headlines: list[str] = field(default_factory=list)


def normal(text: str) -> str:
    """Case, punctuation and spacing folded away, so extractors' typography does not count."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def sentences(text: str) -> list[str]:
    """The normalized sentences of a text with at least MIN_SENTENCE_WORDS words."""
    found = (normal(part) for part in _SENTENCE_END.split(text))
    return [s for s in found if len(s.split()) >= MIN_SENTENCE_WORDS]


def load_truth(folder: Path = CORPUS) -> dict[str, dict]:
    """Ground truth by page name (the sha256 the benchmark names each page by)."""
    with gzip.open(folder / "ground-truth.json.gz", "rt", encoding="utf-8") as handle:
        return json.load(handle)


def check_pages(folder: Path = CORPUS) -> PageChecks:
    """Read every page of the corpus with the job's reader and score it."""
    from jobs.errors import InputError
    from jobs.inputs import FetchSettings, read_articles
    from jobs.inputs.bylines import plausible_byline
    from jobs.inputs.headlines import HEADLINE_ZONE, same_headline

    checks = PageChecks()
    checks.titles_scored = (folder / "titles.json").is_file()
    titles = (
        json.loads((folder / "titles.json").read_text(encoding="utf-8")) if (folder / "titles.json").is_file() else {}
    )
    for name, truth in sorted(load_truth(folder).items()):
        checks.pages += 1
        try:
            [row] = read_articles([folder / f"{name}.html.gz"], fetch=FetchSettings(allow_network=False)).articles
        except InputError as exc:
            checks.score.add("", truth["articleBody"])
            checks.score.refused.append(f"{name[:12]}: {exc.problems[0].message if exc.problems else exc}")
            continue
        checks.score.add("\n".join(row["paragraphs"]), truth["articleBody"])
        checks.titles += bool(row["title"])
        if titles and row["title"] in titles.get(name, []):
            checks.titles_exact += 1
        elif titles:  # a corpus without titles.json has its titles unscored
            checks.wrong_titles.append(f"{name[:12]}: {row['title']!r}, expected {titles.get(name)}")
        if row["byline"]:
            checks.bylines += 1
            if plausible_byline(row["byline"]) != row["byline"]:
                checks.implausible_bylines.append(f"{name[:12]}: {row['byline']!r}")
        if any(same_headline(p, row["title"]) for p in row["paragraphs"][:HEADLINE_ZONE]):
            checks.repeated_headlines.append(f"{name[:12]}: {row['title']!r}")
    return checks


def plain_trafilatura(folder: Path = CORPUS) -> Score:
    """The same corpus through `trafilatura.extract` with its default settings."""
    import trafilatura

    score = Score()
    for name, truth in sorted(load_truth(folder).items()):
        html = gzip.decompress((folder / f"{name}.html.gz").read_bytes())
        score.add(trafilatura.extract(html) or "", truth["articleBody"])
    return score


def table(checks: PageChecks, plain: Score | None = None) -> str:
    """The markdown table of docs/inputs.md."""
    ours = checks.score
    lines = [
        f"{checks.pages} pages, {ours.truth_total} ground-truth sentences",
        "",
        "| reader | sentence recall | sentence precision | pages refused |",
        "| --- | --- | --- | --- |",
        f"| jobs (read_articles) | {ours.recall:.3f} | {ours.precision:.3f} | {len(ours.refused)} |",
        *([f"| plain trafilatura.extract | {plain.recall:.3f} | {plain.precision:.3f} | - |"] if plain else []),
        "",
        f"titles: {checks.titles}/{checks.pages}, exact: "
        f"{f'{checks.titles_exact}/{checks.pages}' if checks.titles_scored else 'not scored (no titles.json)'}; bylines published: {checks.bylines} "
        f"({len(checks.implausible_bylines)} implausible); headline repeated in the first three "
        f"paragraphs: {len(checks.repeated_headlines)}",
    ]
    lines += [f"- refused {line}" for line in ours.refused]
    lines += [f"- title {line}" for line in checks.wrong_titles]
    return "\n".join(lines)


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    print(table(check_pages(folder), plain_trafilatura(folder)))


if __name__ == "__main__":
    main()
