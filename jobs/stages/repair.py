"""QA-driven repair: a unit whose flags fire is generated once more with a second decoding setting,
and the candidate with the fewer and lighter flags is kept.

The second setting (`repair:` in configs/editorial.yaml beside the registry file: by default
beam 4 and no repeated 3-grams) attacks what greedy decoding gets wrong most: loops, dropped words and numbers, a lost
placeholder. Its outputs are cached under their own model identity, so an hourly run repairs a
unit once. The cost is bounded: at most one more generation per flagged unit, for the share
`max_share` of the flagged units, each chosen by a fixed hash of its own text (never by a ranking
against the rest of the run, which would let one article's edit change another's text); the
flagged units outside the share are counted as left out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jobs.config import GenerationSettings
from jobs.errors import ConfigError
from jobs.quality.rules import (
    EMPTY_OUTPUT,
    GLOSSARY,
    LENGTH_LIMIT,
    LENGTH_RATIO,
    MOJIBAKE,
    NUMBERS_MISSING,
    REPETITION,
    UNTRANSLATED,
    WRONG_SCRIPT,
)

# How bad each unit-level flag is for a reader; a candidate's weight is the sum over its flags.
SEVERITY = {
    EMPTY_OUTPUT: 8,
    UNTRANSLATED: 5,
    WRONG_SCRIPT: 5,
    REPETITION: 4,
    GLOSSARY: 4,
    NUMBERS_MISSING: 3,
    MOJIBAKE: 3,
    LENGTH_RATIO: 2,
    LENGTH_LIMIT: 1,
}
REPAIR_FLAGS = frozenset(SEVERITY)  # sentence_count is per paragraph: no single unit to generate again
EDITORIAL_FILE = "editorial.yaml"  # beside the registry file: the editorial settings of every language


class RepairSettings(BaseModel):
    """`repair:` in configs/editorial.yaml: the second decoding setting (over the run's translation
    settings) and the share of the flagged units that get it (1: every flagged unit)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    max_share: float = Field(0.1, ge=0, le=1)
    num_beams: int | None = Field(4, ge=1, le=16)
    no_repeat_ngram_size: int | None = Field(3, ge=0)
    length_penalty: float | None = None

    def generation(self, base: GenerationSettings) -> GenerationSettings | None:
        """The second decoding setting, or None when repair is off."""
        if not self.enabled or self.max_share <= 0:
            return None
        update = {k: getattr(self, k) for k in ("num_beams", "no_repeat_ngram_size", "length_penalty")}
        return base.model_copy(update={k: v for k, v in update.items() if v is not None})


def load_repair_settings(config_file: Path) -> RepairSettings:
    """The repair settings of configs/editorial.yaml beside the registry file (the defaults when
    there is none); a bad file is a ConfigError naming it and the key."""
    import yaml

    path = config_file.parent / EDITORIAL_FILE
    if not path.exists():
        return RepairSettings()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict) or set(raw) - {"repair"}:
            raise ValueError("expected a mapping with the key `repair`")
        return RepairSettings.model_validate(raw.get("repair") or {})
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        detail = (
            "; ".join(f"repair.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            if isinstance(exc, ValidationError)
            else exc
        )
        raise ConfigError(f"invalid {path}: {detail}") from None


def weight(findings: Iterable[Sequence[Any]]) -> tuple[int, int]:
    """(summed severity, number of flags) of a unit's findings: lower is better, compared in that order."""
    names = [f[0] for f in findings]
    return sum(SEVERITY.get(n, 1) for n in names), len(names)


def needs_repair(findings: Iterable[Sequence[Any]]) -> bool:
    return any(f[0] in REPAIR_FLAGS for f in findings)


def place(key: str) -> float:
    """A unit's fixed place in [0, 1), from the sha256 of its key: the same in every run, whatever
    else the run holds."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:13], 16) / 16**13


def choose(findings: dict[str, list[Any]], max_share: float) -> tuple[list[str], int]:
    """The flagged keys to generate again, and how many flagged keys the share leaves out.

    A key is chosen by its own place (`place(key) < max_share`), never by a ranking against the
    other units of the run: editing or removing one article never changes whether a unit of
    another is repaired, so it never changes that article's published text."""
    flagged = [key for key, found in findings.items() if needs_repair(found)]
    chosen = [key for key in flagged if place(key) < max_share]
    return chosen, len(flagged) - len(chosen)


@dataclass
class RepairStats:
    """What repair did in one language's run, for the manifest."""

    enabled: bool = False
    setting: dict[str, Any] = field(default_factory=dict)
    max_share: float = 0.0
    flagged: int = 0  # distinct model units with a flag repair acts on
    attempted: int = 0  # generated again (or found in the cache)
    cached: int = 0  # of those, found in the cache
    repaired: int = 0  # the second candidate kept
    left_out: int = 0  # flagged, but outside the share
    seconds: float = 0.0  # wall time of the second generation

    def report(self) -> dict[str, Any]:
        return dict(vars(self))


def verdict(first: list[Any], second: list[Any]) -> str:
    """`repair` when the second candidate's flags are strictly fewer or lighter, else `first`."""
    return "repair" if weight(second) < weight(first) else "first"
