"""Progress: bars on a terminal, plain log lines otherwise (cron, CI, log files).

One style for every stage: description, bar, done/total, elapsed and time left. A stage whose
model has not loaded yet says so in its description until the first output arrives, so the
seconds of importing torch and reading weights are a visible step, not a bar stuck at 0.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger("jobs")


class Reporter:
    """Hands each stage an `advance(n)` callable; draws bars only when stderr is a terminal."""

    def __init__(self, bars: bool | None = None):
        self.bars = sys.stderr.isatty() if bars is None else bars

    @contextmanager
    def task(self, description: str, total: int, waiting: str | None = None) -> Iterator[Callable[[float], None]]:
        """A stage of `total` items; `waiting` (e.g. "loading MODEL") shows until the first item is done."""
        started = time.perf_counter()
        log.info("%s: %d to do", description, total)
        if self.bars and log.isEnabledFor(logging.INFO):
            yield from _bar(description, total, waiting)
        else:
            yield lambda n: None
        log.info("%s: done in %.1f s", description, time.perf_counter() - started)


def _bar(description: str, total: int, waiting: str | None) -> Iterator[Callable[[float], None]]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description:<36}"),
        BarColumn(bar_width=16),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        transient=True,
    ) as progress:
        label = f"{description} ({waiting})" if waiting else description
        handle = progress.add_task(label[:60], total=total)

        def advance(n: float) -> None:  # the first call, even advance(0), means the model is loaded
            if waiting:
                progress.update(handle, description=description)
            progress.advance(handle, n)

        yield advance
