"""Progress: bars on a terminal, plain log lines otherwise (cron, CI, log files).

One style for every stage: description, bar, done/total, elapsed and time left. A stage whose
model has not loaded yet says so in its description until the first output arrives, so the
seconds of importing torch and reading weights are a visible step, not a bar stuck at 0.
On a terminal the log and the bars share one rich Console, so a log line prints above the bar,
never glued to its end.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger("jobs")
TERMINAL = "jobs-terminal"  # the name of the log handler that writes to stderr


def terminal_handler(formatter: logging.Formatter, stream=None) -> logging.Handler:
    """The log handler for stderr: rich's (sharing its Console with the progress bars) on a
    terminal, plain timestamped lines otherwise."""
    stream = stream or sys.stderr
    if stream.isatty():
        from rich.console import Console
        from rich.logging import RichHandler

        handler: logging.Handler = RichHandler(
            console=Console(file=stream),
            show_path=False,
            markup=False,
            rich_tracebacks=False,
            log_time_format="%H:%M:%S",
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
    handler.name = TERMINAL
    return handler


def _terminal() -> logging.Handler | None:
    return next((h for h in log.handlers if h.name == TERMINAL), None)


def terminal_quiet() -> bool:
    """Whether the terminal shows warnings and errors only (--quiet); a log file may still take more."""
    handler = _terminal()
    return not log.isEnabledFor(logging.INFO) or (handler is not None and handler.level > logging.INFO)


class Reporter:
    """Hands each stage an `advance(n)` callable; draws bars only when stderr is a terminal."""

    def __init__(self, bars: bool | None = None):
        self.bars = sys.stderr.isatty() if bars is None else bars
        self.bars = self.bars and not terminal_quiet()

    @contextmanager
    def task(self, description: str, total: int, waiting: str | None = None) -> Iterator[Task]:
        """A stage of `total` items; `waiting` (e.g. "loading MODEL") shows until the first item is done.

        The stage calls the task with the items done (`advance(n)`) and says once how much it
        will generate and how much the cache has (`advance.plan(todo, cached)`): that is the
        stage's "to do" line, so a cached stage never claims work it will not do."""
        started = time.perf_counter()
        log.debug("%s: %d items", description, total)
        if self.bars:
            yield from _bar(description, total, waiting)
        else:
            yield Task(description)
        log.info("%s: done in %.1f s", description, time.perf_counter() - started)


class Task:
    """One stage's progress: called with items done; `plan` says what will be generated."""

    def __init__(self, description: str, progress=None, handle=None, waiting: str | None = None):
        self.description = description
        self.progress, self.handle, self.waiting = progress, handle, waiting

    def __call__(self, n: float) -> None:  # the first call, even (0), means the model is loaded
        if self.progress is None:
            return
        if self.waiting:
            self.progress.update(self.handle, description=self.description)
            self.waiting = None
        self.progress.advance(self.handle, n)

    def plan(self, todo: int, cached: int, *, resize: bool = True) -> None:
        """`todo` distinct texts to generate, `cached` from the cache; with `resize` the bar counts the `todo`."""
        log.info("%s: %d to do, %d from the cache", self.description, todo, cached)
        if self.progress is not None and resize:
            self.progress.update(self.handle, total=max(1, todo), completed=0)


def _bar(description: str, total: int, waiting: str | None) -> Iterator[Task]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    handler = _terminal()
    console = getattr(handler, "console", None)  # rich's handler: its lines go above the bar
    with Progress(
        TextColumn("{task.description:<36}"),
        BarColumn(bar_width=16),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        transient=True,
        **({"console": console} if console is not None else {}),
    ) as progress:
        label = f"{description} ({waiting})" if waiting else description
        handle = progress.add_task(label[:60], total=total)
        yield Task(description, progress, handle, waiting)
