"""Exceptions a user can act on, and the exit codes the CLI turns them into."""

from __future__ import annotations

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


class InputError(JobError):
    """Nothing could be read from the inputs."""

    exit_code = ExitCode.BAD_INPUT


class ModelNotAvailable(JobError):
    """A model could not be loaded: not cached while offline, a missing folder, or a broken one."""

    exit_code = ExitCode.MISSING_MODEL


class LockHeld(JobError):
    """Another run holds the outputs folder."""

    exit_code = ExitCode.LOCKED
