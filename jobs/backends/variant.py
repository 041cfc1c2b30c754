"""A backend's twin with other generation settings: the second decoding of QA repair.

The twin has its own identity (the settings are part of the cache key) and shares the first
backend's tokenizer and weights: it loads nothing the first has loaded, and what it loads (when
the first had nothing to generate) the first then holds, so closing the first frees both.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import TYPE_CHECKING

from jobs.config import GenerationSettings

if TYPE_CHECKING:
    from jobs.backends.base import BaseBackend


def with_settings(backend: BaseBackend, settings: GenerationSettings) -> BaseBackend:
    """A shallow copy of `backend` generating with `settings` (cached properties that depend on
    the settings dropped), loading its weights through `backend`."""
    twin = copy.copy(backend)
    twin.settings = settings
    twin.options = dataclasses.replace(backend.options, settings=settings)
    for cached in ("identity", "fast_greedy"):  # functools.cached_property values of the copy
        twin.__dict__.pop(cached, None)
    twin._twin_of = backend
    twin._loaded = backend._loaded
    return twin
