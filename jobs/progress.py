"""Progress: bars on a terminal, plain log lines otherwise (cron, CI, log files)."""

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
    def task(self, description: str, total: int) -> Iterator[Callable[[int], None]]:
        started = time.perf_counter()
        log.info("%s: %d to do", description, total)
        if self.bars:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
            ) as progress:
                handle = progress.add_task(description, total=total)
                yield lambda n: progress.advance(handle, n)
        else:
            yield lambda n: None
        log.info("%s: done in %.1f s", description, time.perf_counter() - started)
