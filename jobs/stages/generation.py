"""The one cached-generation path of the model stages: what the cache has, what is left, store what was made.

A stage hands over the distinct texts it needs outputs for and a function that makes outputs
for a list of texts; outputs the same model identity made before come from the cache, the rest
are made round by round and stored after each round (a killed run keeps every finished round).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from jobs.stages.cache import Cache, Cached

# What `make` returns per text: an output to keep (and cache), or the error why there is none.
Made = dict[str, "Cached | str"]


@dataclass
class CachedRun:
    """Outputs by text, failures by text, and how many texts came from the cache."""

    outputs: dict[str, Cached] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    cached: int = 0


def generate_cached(
    texts: Sequence[str],
    make: Callable[[list[str]], Made],
    *,
    cache: Cache | None,
    key: str,
    round_size: int | None = None,
    on_plan: Callable[[int, int], None] | None = None,
) -> CachedRun:
    """Outputs for every distinct text in `texts`: cached ones from `cache` under `key`, the rest
    from `make`, `round_size` texts at a time (all at once when None); failures are not cached.
    `on_plan(to generate, from the cache)` is told the counts before anything is generated."""
    unique = list(dict.fromkeys(texts))
    run = CachedRun(outputs=cache.get_many(key, unique) if cache is not None else {})
    run.cached = len(run.outputs)
    todo = [t for t in unique if t not in run.outputs]
    if on_plan is not None:
        on_plan(len(todo), run.cached)
    step = round_size or max(1, len(todo))
    for start in range(0, len(todo), step):
        made = make(todo[start : start + step])
        good = [(t, out) for t, out in made.items() if isinstance(out, Cached)]
        run.failed.update((t, out) for t, out in made.items() if not isinstance(out, Cached))
        if cache is not None:
            cache.put_many(key, good)
        run.outputs.update(good)
    return run
