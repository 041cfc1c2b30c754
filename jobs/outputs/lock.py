"""One run at a time per outputs folder.

An OS file lock (filelock: flock on POSIX) that the kernel drops when the holder dies, so a run
killed with kill -9 never leaves a lock that blocks the next one. Beside it, a small JSON file
says who holds it, for the message the second run prints.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from jobs.errors import LockHeld
from jobs.fsutil import atomic_write, remove_temporaries
from jobs.outputs import stopping

LOCK_NAME = ".jobs.outputs.lock"
HOLDER_NAME = ".jobs.lock.json"


class RunLock:
    """Context manager holding the outputs folder's lock for one run."""

    def __init__(self, out: Path, run_id: str):
        self.out = out
        self.run_id = run_id
        self._lock = FileLock(str(out / LOCK_NAME), timeout=0)

    def __enter__(self) -> RunLock:
        self.out.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except Timeout:
            raise LockHeld(describe_holder(self.out, read_holder(self.out))) from None
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "run_id": self.run_id,
            "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        try:
            remove_temporaries(self.out, HOLDER_NAME)  # left by a killed run
            atomic_write(self.out / HOLDER_NAME, json.dumps(holder))
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            with contextlib.suppress(OSError):
                (self.out / HOLDER_NAME).unlink(missing_ok=True)
            self._lock.release()
        finally:
            # A stop signal held since publishing acts now, or is only logged when all went out.
            stopping.release(failing=exc_type is not None)


def read_holder(out: Path) -> dict[str, Any] | None:
    try:
        return json.loads((out / HOLDER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def describe_holder(out: Path, holder: dict[str, Any] | None) -> str:
    if not holder:
        return f"another run holds the lock on {out} (holder unknown); try again when it has finished"
    return (
        f"another run holds the lock on {out}: pid {holder.get('pid')} on {holder.get('host')}, "
        f"run {holder.get('run_id')}, started {holder.get('started_at')}; try again when it has finished"
    )


def running_holder(out: Path) -> dict[str, Any] | None:
    """Who is running on this outputs folder right now, or None (checks the lock itself).

    Reads only: the lock file is opened read-only (flock needs no write access), so this works
    on a read-only disk or a folder of another user, and creates nothing. A lock file that
    cannot be opened at all is the OSError (the caller names it)."""
    try:
        fd = os.open(out / LOCK_NAME, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise
        return read_holder(out) or {}
    finally:
        os.close(fd)  # closing drops the probe's own lock
    return None
