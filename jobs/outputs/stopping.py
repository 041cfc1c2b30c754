"""Stop signals (SIGINT, SIGTERM, SIGHUP) while a run publishes, and after it has published.

From the first `latest` swap on, a stop signal is noted, not acted on: the languages move
together and OUT/index.json is written first. If the run then published everything, the signal
stays noted until the run lets go of the outputs folder (RunLock's exit calls `release`):
retention and the cache's trimming finish, the log says the run was asked to stop after
publishing, and the run ends with the exit code of what it did (0 when all went out), so a
cron wrapper does not retry a run that succeeded. If publishing failed, the failure's own
error ends the run. Only when `release` is called before anything was published does the held
signal reach its handler (an interrupted run, 130).

Python handlers, not a blocked signal mask: with other threads running (torch, tokenizers) the
kernel hands a process-directed signal to any thread that does not block it, and Python runs
the handler in the main thread at once.
"""

from __future__ import annotations

import logging
import signal
import threading

log = logging.getLogger("jobs")
HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _Held:
    def __init__(self) -> None:
        self.previous: dict[int, object] | None = None
        self.caught: list[int] = []
        self.published = False


_held = _Held()


def hold() -> None:
    """Note stop signals from now on instead of acting on them (a no-op outside the main thread,
    where handlers cannot be set, and when already holding)."""
    if _held.previous is not None or threading.current_thread() is not threading.main_thread():
        return
    _held.caught = []
    _held.published = False
    _held.previous = {sig: signal.signal(sig, _note) for sig in HELD_SIGNALS}


def _note(signum, frame) -> None:
    _held.caught.append(signum)


def mark_published() -> None:
    """Every language and the run record are out: a signal noted now only ends the run early."""
    _held.published = True


def stop_requested() -> int | None:
    """The first stop signal noted while holding, if any."""
    return _held.caught[0] if _held.caught else None


def release(failing: bool = False) -> None:
    """Give the signals back to their handlers, and act on one that arrived while holding:
    after a complete publish, or while the run is failing anyway, it is logged; otherwise it is
    raised now (the handler of the CLI turns it into an interrupted run)."""
    if _held.previous is None:
        return
    previous, caught, published = _held.previous, _held.caught, _held.published
    _held.previous, _held.caught, _held.published = None, [], False
    for sig, handler in previous.items():
        signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
    if not caught:
        return
    if published:
        log.warning(
            "asked to stop (signal %d) after every language was published; finished the run's last steps "
            "and stopping now",
            caught[0],
        )
    elif failing:
        log.warning("signal %d arrived while publishing; the run ends with the error above", caught[0])
    else:
        log.warning("signal %d arrived while publishing; the run's languages moved together first", caught[0])
        signal.raise_signal(caught[0])
