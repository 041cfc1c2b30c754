"""Exceptions a user can act on, and the exit codes the CLI turns them into."""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; documented in the README and `jobs --help`."""

    OK = 0
    FAILED = 1  # an unexpected error (a bug): the traceback is logged
    USAGE = 2  # bad options or config; nothing was done
    BAD_INPUT = 3  # no article could be read; nothing was processed
    MISSING_MODEL = 4  # a model is not available (offline and not cached); nothing was written
    PARTIAL = 5  # some articles failed; the rest were published and the failures listed
    LOCKED = 6  # another run holds the outputs folder
    QA_FLAGGED = 7  # --fail-on-qa: a listed QA flag fired; the bundles were still published
    DISK_FULL = 8  # no space left (or too little before the run); nothing half-written was published
    NOT_WRITABLE = 9  # a path cannot be used: permission denied, read-only, a file or folder in the way
    DAMAGED = 10  # a bundle does not match its manifest (jobs verify), or a cache that is not one
    PUBLISH_INCOMPLETE = 11  # some languages moved to the new run and others did not; the log names them
    INTERRUPTED = 130  # stopped by Ctrl-C / SIGTERM; nothing half-written was published


class JobError(Exception):
    """Base class for errors that end a run with a clear message and a known exit code."""

    exit_code: ExitCode = ExitCode.FAILED


class ConfigError(JobError):
    """The options or the config file are wrong."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class InputProblem:
    """One input record, file or article that could not be used, with where to find it."""

    file: str
    line: int | None
    article_id: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"

    def record(self) -> dict:
        """As the manifest's `failures` list it."""
        return {"file": self.file, "line": self.line, "article_id": self.article_id, "message": self.message}


class InputError(JobError):
    """Nothing could be read from the inputs; `problems` lists what went wrong per record."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, problems: Sequence[InputProblem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class ModelNotAvailable(JobError):
    """A model could not be loaded: not cached while offline, a missing folder, or a broken one."""

    exit_code = ExitCode.MISSING_MODEL


class LockHeld(JobError):
    """Another run holds the outputs folder."""

    exit_code = ExitCode.LOCKED


class NotWritable(JobError):
    """A path the run must read or write cannot be used as it is: the message names it and the fix."""

    exit_code = ExitCode.NOT_WRITABLE


class DiskFull(JobError):
    """No space left on the device holding a path (or less than the run needs)."""

    exit_code = ExitCode.DISK_FULL


class Damaged(JobError):
    """Published files do not match their manifest."""

    exit_code = ExitCode.DAMAGED


class PublishIncomplete(JobError):
    """Some languages of a run were published and others not; the message says which."""

    exit_code = ExitCode.PUBLISH_INCOMPLETE


_FIXES = {
    errno.ENOSPC: (DiskFull, "no space left on the device", "free space (e.g. `jobs prune --keep 6`) and run again"),
    errno.EDQUOT: (DiskFull, "disk quota exceeded", "free space or raise the quota, and run again"),
    errno.EACCES: (NotWritable, "permission denied", "give the job's user access to it, or choose another path"),
    errno.EPERM: (NotWritable, "operation not permitted", "give the job's user access to it, or choose another path"),
    errno.EROFS: (NotWritable, "read-only file system", "remount it read-write, or choose a path on a writable disk"),
    errno.ENOTDIR: (NotWritable, "a file is where a folder should be", "move that file away, or choose another path"),
    errno.EISDIR: (NotWritable, "a folder is where a file should be", "move that folder away, or choose another path"),
    errno.EEXIST: (NotWritable, "something is already there", "move it away, or choose another path"),
}


def environment_error(exc: OSError, path: object = None, doing: str = "") -> JobError | None:
    """The environment error an OSError stands for (disk full, permission, read-only, a file in the
    way), as one line naming the path and the fix; None for an error that is not one of those."""
    known = _FIXES.get(exc.errno or 0)
    if known is None:
        return None
    kind, what, fix = known
    where = exc.filename if exc.filename is not None else path
    where = os.fsdecode(where) if where is not None else "a path the run writes to"
    return kind(f"{where}: {what}{f' while {doing}' if doing else ''}; {fix}")


def config_problem(path: os.PathLike | str, exc: Exception) -> str:
    """A config file that cannot be read or parsed, as one line: for a parser error that knows
    where (PyYAML's marks) the file, line and column (1-based) and what is wrong there."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return f"cannot read config {os.fsdecode(path)}: {' '.join(str(exc).split())}"
    what = ": ".join(str(part) for part in (getattr(exc, "context", None), getattr(exc, "problem", None)) if part)
    return f"{os.fsdecode(path)}:{mark.line + 1}:{mark.column + 1}: not valid YAML ({' '.join(what.split())}); fix it there"


def validation_lines(exc) -> str:
    """A pydantic ValidationError as indented `field.path: message` lines."""
    return "\n".join(f"  {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
