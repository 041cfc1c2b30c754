"""Rebuild tests/fixtures/pages from checkouts of the two public data sets it is made of.

    python -m benchmarks.build_corpus SCRAPINGHUB_CHECKOUT TRAFILATURA_CHECKOUT [OUT]

SCRAPINGHUB_CHECKOUT: github.com/scrapinghub/article-extraction-benchmark (html/, ground-truth.json);
TRAFILATURA_CHECKOUT: github.com/adbar/trafilatura (tests/eval/, tests/cache/, tests/evaldata.json).
The titles a person read for the first 39 Scrapinghub pages are taken from the OUT folder's
current ground truth. See tests/fixtures/pages/README.md for what is kept and the parts.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
import sys
from pathlib import Path

TRAFILATURA_PAGES = 160
SEED = 26
HELD_OUT_MODULUS, HELD_OUT_BELOW = 5, 2  # sha256("i26:" + name) % 5 < 2: about 2 pages in 5
_REDUCTIONS = [
    (rb"(?is)<script\b(?![^>]*application/ld\+json)[^>]*>.*?</script\s*>", b""),
    (rb"(?is)<style\b[^>]*>.*?</style\s*>", b""),
    (rb"(?is)<svg\b[^>]*>.*?</svg\s*>", b"<svg></svg>"),
    (rb'(?i)\sstyle="[^"]{80,}"', b""),
    (rb'(?i)\s(?:srcset|data-srcset|sizes)="[^"]*"', b""),
    (rb'(?i)src="data:[^"]{100,}"', b'src=""'),
]


def reduce_page(raw: bytes) -> bytes:
    """The page without scripts (but JSON-LD), styles, inline SVG and image source sets."""
    for pattern, replacement in _REDUCTIONS:
        raw = re.sub(pattern, replacement, raw)
    return raw


def part_of(name: str) -> str:
    digest = int(hashlib.sha256(f"i26:{name}".encode()).hexdigest(), 16)
    return "held-out" if digest % HELD_OUT_MODULUS < HELD_OUT_BELOW else "tune"


def build(scrapinghub: Path, trafilatura: Path, out: Path) -> dict[str, dict]:
    old = {}
    if (out / "ground-truth.json.gz").is_file():
        with gzip.open(out / "ground-truth.json.gz", "rt", encoding="utf-8") as handle:
            old = json.load(handle)
    titled = {
        name: entry["titles"]
        for name, entry in old.items()
        if entry.get("source") == "scrapinghub" and "titles" in entry
    }
    truth: dict[str, dict] = {}
    benchmark = json.loads((scrapinghub / "ground-truth.json").read_text(encoding="utf-8"))
    for name, entry in sorted(benchmark.items()):
        raw = gzip.decompress((scrapinghub / "html" / f"{name}.html.gz").read_bytes())
        (out / f"{name}.html.gz").write_bytes(gzip.compress(reduce_page(raw), 9, mtime=0))
        row = {"source": "scrapinghub", "part": "tune" if name in titled else part_of(name)}
        row |= {"url": entry.get("url", ""), "articleBody": entry["articleBody"]}
        if name in titled:
            row["titles"] = titled[name]
        truth[name] = row
    evaldata = json.loads((trafilatura / "tests" / "evaldata.json").read_text(encoding="utf-8"))
    annotated = sorted((url, entry) for url, entry in evaldata.items() if "author" in entry)
    for url, entry in sorted(random.Random(SEED).sample(annotated, TRAFILATURA_PAGES)):
        path = trafilatura / "tests" / "eval" / entry["file"]
        raw = (path if path.is_file() else trafilatura / "tests" / "cache" / entry["file"]).read_bytes()
        name = hashlib.sha256(raw).hexdigest()
        (out / f"{name}.html.gz").write_bytes(gzip.compress(reduce_page(raw), 9, mtime=0))
        truth[name] = {
            "source": "trafilatura",
            "part": part_of(name),
            "url": url,
            "file": entry["file"],
            "titles": [entry.get("title") or ""],
            "author": entry.get("author") or "",
            "date": entry.get("date") or "",
            "with": entry.get("with", []),
            "without": entry.get("without", []),
        }
    with gzip.open(out / "ground-truth.json.gz", "wt", encoding="utf-8", compresslevel=9) as handle:
        json.dump(truth, handle, ensure_ascii=False, indent=0, sort_keys=True)
    return truth


def main() -> None:
    scrapinghub, trafilatura = Path(sys.argv[1]), Path(sys.argv[2])
    out = Path(sys.argv[3]) if len(sys.argv) > 3 else Path(__file__).resolve().parents[1] / "tests/fixtures/pages"
    truth = build(scrapinghub, trafilatura, out)
    print(f"{len(truth)} pages written to {out}")


if __name__ == "__main__":
    main()
