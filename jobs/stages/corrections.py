"""Corrections that stick: a translation memory of editors' versions, applied before any model.

One append-only JSON Lines file per language, OUT/.editorial/<lang>.jsonl, beside the bundles
and outside every one of them: `--force`, a new model, `jobs prune` and a new run id leave it
alone. Each line is one correction (source text, corrected target, who, when, where it was
made); a later line for the same source replaces an earlier one, and a line with `target: null`
withdraws it. Nothing is ever rewritten in place.

A run applies the memory before generation, by normalized exact match of the source text (NFC,
whitespace collapsed, case kept): a whole paragraph (or title, or summary) first, else each
sentence. Matched units never reach a model, are not cached as model outputs, carry `origin:
human`, and no QA rule judges them. Corrections whose source no run unit has are reported as
unused in the manifest; they stay in the file.
"""

from __future__ import annotations

import json
import logging
import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jobs.errors import ConfigError, environment_error

log = logging.getLogger("jobs")
EDITORIAL_DIR = ".editorial"
PARTS = ("title", "summary", "body")
UNUSED_LISTED = 50  # unused corrections named in a manifest, at most (all are counted)


def corrections_path(out: Path, lang: str) -> Path:
    """A language's translation memory: OUT/.editorial/<lang>.jsonl."""
    return out / EDITORIAL_DIR / f"{lang}.jsonl"


def normalize(text: str) -> str:
    """What two source texts must share to match: NFC, runs of whitespace as one space, no outer space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class Correction:
    """One line of the memory."""

    source: str
    target: str | None  # None: the correction of this source is withdrawn
    who: str
    when: str
    article: str | None = None
    part: str | None = None
    paragraph: int | None = None
    sentence: int | None = None
    note: str | None = None

    def record(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None or k == "target"}


def new_correction(source: str, target: str | None, *, who: str, **where: Any) -> Correction:
    """A correction made now; empty source or target is a ConfigError (nothing to match, nothing to publish)."""
    if not normalize(source):
        raise ConfigError("a correction needs the source text it replaces; it is empty")
    if target is not None and not target.strip():
        raise ConfigError(f"the corrected text for {source[:60]!r} is empty; pass the text, or --withdraw")
    if where.get("part") not in (None, *PARTS):
        raise ConfigError(f"part must be one of {', '.join(PARTS)}, not {where['part']!r}")
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return Correction(source.strip(), None if target is None else target.strip(), who, when, **where)


def append_corrections(path: Path, corrections: Sequence[Correction]) -> None:
    """Add lines to the memory: one write in append mode, flushed to disk (a crash loses none of the
    lines before it and leaves at most one partial last line, which reading skips and reports)."""
    if not corrections:
        return
    data = "".join(json.dumps(c.record(), ensure_ascii=False) + "\n" for c in corrections).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size and not _ends_with_newline(fd):
                data = b"\n" + data  # a half-written last line stays alone on its line
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise environment_error(exc, path, "adding corrections") or exc from None


def _ends_with_newline(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return os.pread(fd, 1, size - 1) == b"\n"


def read_corrections(path: Path) -> tuple[list[Correction], list[str]]:
    """Every line of the memory in order, and one problem per line that is not a correction
    (skipped, left in the file). No file: nothing."""
    if not path.exists():
        return [], []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise environment_error(exc, path, "reading corrections") or exc from None
    found, problems = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            found.append(
                Correction(
                    source=str(raw["source"]),
                    target=None if raw.get("target") is None else str(raw["target"]),
                    who=str(raw.get("who", "")),
                    when=str(raw.get("when", "")),
                    **{k: raw.get(k) for k in ("article", "part", "paragraph", "sentence", "note")},
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{path}, line {number}: not a correction ({exc}); skipped, left in the file")
    return found, problems


@dataclass
class Memory:
    """The corrections in force for one language, by normalized source, and which ones a run used."""

    lang: str
    by_source: dict[str, Correction] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, lines: Iterable[Correction], lang: str, problems: Sequence[str] = ()) -> Memory:
        memory = cls(lang, problems=list(problems))
        for correction in lines:  # in file order: the last line for a source is the one in force
            key = normalize(correction.source)
            if correction.target is None:
                memory.by_source.pop(key, None)
            else:
                memory.by_source[key] = correction
        return memory

    def __bool__(self) -> bool:
        return bool(self.by_source)

    def lookup(self, text: str) -> str | None:
        """The corrected target for a source text (and it counts as used), or None."""
        key = normalize(text)
        correction = self.by_source.get(key)
        if correction is None:
            return None
        self.used.add(key)
        return correction.target

    def unused(self) -> list[Correction]:
        return [c for key, c in self.by_source.items() if key not in self.used]

    def report(self) -> dict[str, Any]:
        """The manifest's account: corrections in force, used by this run, unused (listed, not lost)."""
        unused = self.unused()
        return {
            "in_force": len(self.by_source),
            "used": len(self.used),
            "unused": len(unused),
            "unused_sources": [c.source[:200] for c in unused[:UNUSED_LISTED]],
            "unreadable_lines": len(self.problems),
        }


def load_memory(out: Path, lang: str) -> Memory:
    """A language's memory from OUT/.editorial/<lang>.jsonl; unreadable lines logged, not fatal."""
    path = corrections_path(out, lang)
    lines, problems = read_corrections(path)
    for problem in problems:
        log.warning("%s", problem)
    return Memory.of(lines, lang, problems)


@dataclass
class HumanUnits:
    """Per unit row: the human text, or None for units that go to a model; rows covered by a
    correction of their whole paragraph (the first row carries the paragraph's text, the others
    are `covered` and publish nothing of their own)."""

    texts: list[str | None]
    covered: list[bool]
    whole: list[bool]  # the row's correction is of its whole paragraph (title, summary)


def human_units(
    article_ids: Sequence[str],
    parts: Sequence[str],
    paragraphs: Sequence[int],
    texts: Sequence[str],
    memory: Memory,
) -> HumanUnits:
    """Apply the memory to a units table's columns: whole paragraphs first, then sentences."""
    n = len(texts)
    result = HumanUnits([None] * n, [False] * n, [False] * n)
    if not memory:
        return result
    start = 0
    while start < n:
        end = start + 1
        where = (article_ids[start], parts[start], paragraphs[start])
        while end < n and (article_ids[end], parts[end], paragraphs[end]) == where:
            end += 1
        whole = memory.lookup(" ".join(texts[start:end])) if end - start > 1 else None
        if whole is not None:
            result.texts[start] = whole
            for row in range(start, end):
                result.whole[row] = True
                result.covered[row] = row > start
                if row > start:
                    result.texts[row] = ""
        else:
            for row in range(start, end):
                result.texts[row] = memory.lookup(texts[row])
        start = end
    return result
