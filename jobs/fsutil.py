"""Files written whole or not at all: the one way the job writes a file it publishes or records.

`atomic_write` writes a temporary file beside the target (`.<name>.<pid>-<random>.tmp`),
flushes it to disk, renames it over the target and flushes the folder, so a reader sees the old
file or the new one, never half of one, and a power cut after it returns keeps the new one. A
write that fails removes its temporary file and raises the OSError (the caller turns it into
DiskFull / NotWritable with jobs.errors.environment_error); a process killed half-way leaves
only the temporary file, which `remove_temporaries` (called by the next run) clears.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def temporary_name(target: Path) -> Path:
    """A fresh temporary path beside `target`, named after it and this process."""
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(3)}{TEMP_SUFFIX}")


def atomic_write(target: Path, data: bytes | str, *, encoding: str = "utf-8", sync: bool = True) -> Path:
    """Replace `target` with `data` in one step (see the module's docstring); return `target`.

    The file gets the usual permissions (0666 less the umask), not mkstemp's 0600: published
    files are read by other users (a web server). `sync=False` skips the two fsyncs, for files
    that are only a saving (a cache entry) where the rename alone is enough."""
    raw = data.encode(encoding) if isinstance(data, str) else data
    temporary = temporary_name(target)
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(exc, OSError) and exc.filename in (str(temporary), temporary):
            raise OSError(exc.errno, exc.strerror, str(target)) from exc  # name the file meant, not the temporary
        raise
    if sync:
        fsync_dir(target.parent)
    return target


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk; a no-op where folders cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # some platforms cannot open folders; the rename is still atomic there
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temporaries(folder: Path, name: str) -> list[Path]:
    """Temporary files `atomic_write` left beside `folder/name` (a process killed while writing),
    and the `.name.<pid>` ones earlier versions of the job left."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    prefix = f".{name}."
    return [
        p
        for p in entries
        if p.name.startswith(prefix) and (p.name.endswith(TEMP_SUFFIX) or p.name[len(prefix) :].isdigit())
    ]


def remove_temporaries(folder: Path, name: str) -> list[Path]:
    """Remove what `temporaries` finds (only while no other process writes there); return them."""
    removed = []
    for path in temporaries(folder, name):
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed
