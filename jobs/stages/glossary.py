"""Glossaries: required target terms per language, protected through generation by placeholders.

A glossary is one tab-separated file per target language (configs/glossary/<lang>.tsv, beside
the registry file): source term, required target (or `keep`: the term stays as written), an
optional note. Before generation every term found in a unit (whole words, case ignored, longest
first) is replaced by a placeholder the model copies like a name (`QX1`); after generation the
placeholder becomes the required target. This works the same with every backend (torch,
CTranslate2, Ray), unlike prefixes or constrained decoding (docs/editorial.md says why).

What a unit's output is made from includes the glossary entries it contains: its cache key is
the source text plus those entries (`Protected.key`), so changing a term regenerates exactly the
units that contain it, and a unit without terms keeps the key it always had.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from jobs.errors import ConfigError
from jobs.quality.rules import GLOSSARY, rule_glossary

KEEP = "keep"  # the target column's word for "leave the term as it is written"
PLACEHOLDER = "QX{n}"  # an acronym-like token: models copy these as they copy names and codes
_KEY_SEPARATOR = "\x1e"  # cannot occur in a unit's text (control characters are cleaned on input)


@dataclass(frozen=True)
class Term:
    """One glossary line: the source term, the target the output must contain, a note for editors."""

    source: str
    target: str
    note: str = ""
    line: int = 0

    @property
    def keep(self) -> bool:
        return self.target == self.source


@dataclass(frozen=True)
class Protected:
    """A unit as the model sees it: placeholders for its terms, the terms they stand for, its cache key."""

    text: str  # the unit's source text as read
    model_input: str  # the text with every term replaced by its placeholder
    terms: tuple[Term, ...] = ()  # in placeholder order: terms[0] is QX1

    @property
    def key(self) -> str:
        """What the unit's output is made from: the text alone, or with the entries it contains."""
        if not self.terms:
            return self.text
        entries = [[t.source, t.target] for t in self.terms]
        return f"{self.text}{_KEY_SEPARATOR}glossary:{json.dumps(entries, ensure_ascii=False)}"


@dataclass
class Glossary:
    """One language's terms, matched longest first; empty when the language has no glossary file."""

    lang: str
    terms: list[Term] = field(default_factory=list)
    path: Path | None = None

    def __post_init__(self) -> None:
        self.terms = sorted(self.terms, key=lambda t: (-len(t.source), t.source.casefold()))
        alternatives = "|".join(re.escape(t.source) for t in self.terms)
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if self.terms else None
        self._by_folded = {t.source.casefold(): t for t in self.terms}

    def __bool__(self) -> bool:
        return bool(self.terms)

    def find(self, text: str) -> list[tuple[re.Match[str], Term]]:
        """Every term occurrence in `text`, left to right, never overlapping (the longest term wins)."""
        if self._pattern is None:
            return []
        return [(m, self._by_folded[m.group().casefold()]) for m in self._pattern.finditer(text)]

    def protect(self, text: str) -> Protected:
        """`text` with its terms replaced by numbered placeholders (the same term, the same number)."""
        found = self.find(text)
        if not found:
            return Protected(text, text)
        order: list[Term] = []
        pieces, end = [], 0
        for match, term in found:
            if term not in order:
                order.append(term)
            pieces += [text[end : match.start()], PLACEHOLDER.format(n=order.index(term) + 1)]
            end = match.end()
        pieces.append(text[end:])
        return Protected(text, "".join(pieces), tuple(order))

    def digest(self) -> list[list[str]]:
        """The glossary as the manifest lists it: [source, target] per term."""
        return [[t.source, t.target] for t in self.terms]


def restore(output: str, protected: Protected) -> str:
    """The model's output with each placeholder replaced by its term's required target.

    Models sometimes space or lower-case a placeholder (`Q X1`, `qx1`); those count. A placeholder
    the model dropped leaves its target missing, which `glossary_findings` reports."""
    for number, term in enumerate(protected.terms, start=1):
        pattern = re.compile(rf"(?<![^\W\d_])Q\s?X\s?{number}(?!\d)", re.IGNORECASE)
        output = pattern.sub(lambda _m, target=term.target: target, output)
    return output


def glossary_findings(protected: Protected, output: str) -> list[tuple[str, str]]:
    """(glossary, "source -> target") for each term of the unit whose target the output lacks."""
    found = []
    for term in protected.terms:
        if rule_glossary(output, term.target):
            found.append((GLOSSARY, f"{term.source} -> {term.target}"))
    return found


def glossary_path(config_file: Path, lang: str) -> Path:
    """Where a language's glossary is read from: glossary/<lang>.tsv beside the registry file."""
    return config_file.parent / "glossary" / f"{lang}.tsv"


def load_glossary(path: Path, lang: str) -> Glossary:
    """The glossary in `path` (an empty one when there is no such file); a bad line is a ConfigError
    naming the file and line."""
    if not path.exists():
        return Glossary(lang)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"glossary {path}: cannot read it ({exc}); it must be a UTF-8 text file") from None
    terms: dict[str, Term] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = [unicodedata.normalize("NFC", c.strip()) for c in line.split("\t")]
        if len(columns) < 2 or not columns[0] or not columns[1] or len(columns) > 3:
            raise ConfigError(
                f"glossary {path}, line {number}: expected SOURCE<TAB>TARGET[<TAB>NOTE] (TARGET `keep` leaves "
                f"the term as written), got {line.strip()[:80]!r}"
            )
        source, target = columns[0], columns[1]
        folded = source.casefold()
        if folded in terms:
            raise ConfigError(
                f"glossary {path}, line {number}: {source!r} is already on line {terms[folded].line}; keep one of them"
            )
        terms[folded] = Term(
            source, source if target == KEEP else target, columns[2] if len(columns) > 2 else "", number
        )
    return Glossary(lang, list(terms.values()), path)
