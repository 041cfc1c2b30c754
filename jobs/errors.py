"""Exceptions a user can act on, and the exit codes the CLI turns them into."""

from __future__ import annotations

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
