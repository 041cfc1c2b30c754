"""QA-driven repair: a unit whose flags fire is generated once more with a second decoding setting,
and the candidate with the fewer and lighter flags is kept.

The second setting (configs/models.yaml `defaults.repair`: by default beam 4 and no repeated
3-grams) attacks what greedy decoding gets wrong most: loops, dropped words and numbers, a lost
placeholder. Its outputs are cached under their own model identity, so an hourly run repairs a
unit once. The cost is bounded: at most `max_share` of a language's distinct model-translated
units per run, the most severely flagged first; the rest are counted as over the budget.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

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


def weight(findings: Iterable[Sequence[Any]]) -> tuple[int, int]:
    """(summed severity, number of flags) of a unit's findings: lower is better, compared in that order."""
    names = [f[0] for f in findings]
    return sum(SEVERITY.get(n, 1) for n in names), len(names)


def needs_repair(findings: Iterable[Sequence[Any]]) -> bool:
    return any(f[0] in REPAIR_FLAGS for f in findings)


def budget(units: int, max_share: float) -> int:
    """How many distinct units one run may generate again for a language."""
    return math.floor(units * max_share)


def choose(findings: dict[str, list[Any]], limit: int) -> tuple[list[str], int]:
    """The keys to generate again (heaviest flags first, then in first-seen order) and how many
    flagged keys the budget left out."""
    flagged = [key for key, found in findings.items() if needs_repair(found)]
    order = sorted(range(len(flagged)), key=lambda i: (-weight(findings[flagged[i]])[0], i))
    chosen = [flagged[i] for i in order[:limit]]
    return chosen, len(flagged) - len(chosen)


@dataclass
class RepairStats:
    """What repair did in one language's run, for the manifest."""

    enabled: bool = False
    setting: dict[str, Any] = field(default_factory=dict)
    max_share: float = 0.0
    budget: int = 0  # distinct units it could take
    flagged: int = 0  # distinct model units with a flag repair acts on
    attempted: int = 0  # generated again (or found in the cache)
    cached: int = 0  # of those, found in the cache
    repaired: int = 0  # the second candidate kept
    over_budget: int = 0  # flagged but left out by the budget
    seconds: float = 0.0  # wall time of the second generation

    def report(self) -> dict[str, Any]:
        return dict(vars(self))


def verdict(first: list[Any], second: list[Any]) -> str:
    """`repair` when the second candidate's flags are strictly fewer or lighter, else `first`."""
    return "repair" if weight(second) < weight(first) else "first"
