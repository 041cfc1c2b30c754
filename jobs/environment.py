"""The JOBS_* environment knobs and how the user calls the program, read in this one place.

Kept apart from jobs.config (the registry and the run's options); jobs.config re-exports these
names, so `from jobs.config import environment` keeps working.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from jobs.errors import ConfigError


@dataclass(frozen=True)
class Environment:
    """The JOBS_* environment knobs (and the folders they point at), read in this one place, afresh
    on every call of `environment()`, so that tests and long-lived processes see changes."""

    cpu_bf16: bool | None  # JOBS_CPU_BF16=0/1: override the CPU's detected bf16 instructions
    cpu_streams: int | None  # JOBS_CPU_STREAMS=N: batches decoded at once on CPU
    malloc_tuning: bool  # JOBS_MALLOC_TUNING=0 turns off glibc tuning while decoding
    pack_weights: bool  # JOBS_PACK_WEIGHTS=0 turns off packed bf16 Linear weights
    ct2_cache: Path  # JOBS_CT2_CACHE: converted CTranslate2 models
    eval_data: Path | None  # JOBS_EVAL_DATA: reference data of `jobs eval`
    user_cache: Path  # $XDG_CACHE_HOME/jobs (~/.cache/jobs): the job's own caches
    fast_auto: bool = True  # JOBS_FAST_AUTO=0: --backend/--dtype auto mean torch in the weights' own dtype
    language_check: bool = True  # JOBS_LANGUAGE_CHECK=0: screening detects no language (no lingua; benchmarks)
    program: str | None = None  # JOBS_PROGRAM: how the user calls the program (set by `shell-init`)


def _switch(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip()
    return default if not value else value != "0"


def environment() -> Environment:
    """The knobs as the environment sets them now; a malformed value is a ConfigError."""
    streams = os.environ.get("JOBS_CPU_STREAMS", "").strip()
    try:
        cpu_streams = max(1, int(streams)) if streams else None
    except ValueError:
        raise ConfigError(f"JOBS_CPU_STREAMS must be a whole number, not {streams!r}") from None
    bf16 = os.environ.get("JOBS_CPU_BF16", "").strip()
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "jobs"
    ct2 = os.environ.get("JOBS_CT2_CACHE", "").strip()
    eval_data = os.environ.get("JOBS_EVAL_DATA", "").strip()
    return Environment(
        cpu_bf16=(bf16 == "1") if bf16 in ("0", "1") else None,
        cpu_streams=cpu_streams,
        malloc_tuning=_switch("JOBS_MALLOC_TUNING", True),
        pack_weights=_switch("JOBS_PACK_WEIGHTS", True),
        ct2_cache=Path(ct2).expanduser() if ct2 else user_cache / "ctranslate2",
        eval_data=Path(eval_data) if eval_data else None,
        user_cache=user_cache,
        fast_auto=_switch("JOBS_FAST_AUTO", True),
        language_check=_switch("JOBS_LANGUAGE_CHECK", True),
        program=program_name(),
    )


PROGRAM_ENV = "JOBS_PROGRAM"  # set by the `shell-init` function: the user types plain `jobs`


def program_name() -> str | None:
    """JOBS_PROGRAM: the name the `shell-init` function calls the program by (plain `jobs`)."""
    return os.environ.get(PROGRAM_ENV, "").strip() or None


def program_command(arguments: str = "", full_path: bool = False) -> str:
    """A command line that runs this program with `arguments`, as the user can paste it.

    Built from how the program was started: the shell function of `jobs shell-init` (plain
    `jobs`), `python -m jobs` (this interpreter), or the installed script (its full path, which
    no shell builtin shadows; a bare `jobs` would reach the shell's job control).
    """
    import shlex
    import shutil
    import sys

    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    name = os.path.basename(argv0)
    program = program_name()
    if program and not full_path:
        prefix = shlex.quote(program)
    elif name in ("jobs", "jobs.exe") and os.path.isfile(argv0):
        prefix = shlex.quote(os.path.abspath(argv0))
    else:  # `python -m jobs`, or embedded (tests, Ray workers): this interpreter runs the package
        python = sys.executable or "python"
        short = next((n for n in ("python", "python3") if not full_path and _same_file(shutil.which(n), python)), None)
        prefix = f"{short or shlex.quote(python)} -m jobs"
    return f"{prefix} {arguments}".rstrip()


def _same_file(a: str | None, b: str) -> bool:
    try:
        return a is not None and os.path.samefile(a, b)
    except OSError:
        return False


def run_time() -> datetime:
    """When the run happens: now, or SOURCE_DATE_EPOCH (the reproducible-builds convention: a
    fixed time, in seconds since 1970, for outputs that must be byte-identical across machines,
    engines or reruns; every date a run writes is this time)."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not fixed:
        return datetime.now(timezone.utc)
    try:
        return datetime.fromtimestamp(int(fixed), timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise ConfigError(f"SOURCE_DATE_EPOCH={fixed!r} is not a time in whole seconds since 1970; unset it") from None
