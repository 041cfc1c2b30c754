"""Finding what to read: files, folders (recursively), saved datasets and URLs, each once, with display names.

Only regular files and folders are ever opened: a FIFO, socket or device in a folder, a
symbolic link loop or a dangling link becomes a source that carries its problem, listed like any
bad input while the rest is read (a FIFO would block the run forever).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from jobs.errors import InputError
from jobs.inputs.compression import is_compressed_name
from jobs.inputs.fetch import display_url, url_from_input
from jobs.inputs.limits import size_text

HTML_SUFFIXES = (".html", ".htm")
FEED_SUFFIXES = (".xml", ".rss", ".atom")
TEXT_SUFFIXES = (".txt", ".md", ".jsonl", ".csv", ".parquet")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, *FEED_SUFFIXES)


@dataclass(frozen=True)
class Source:
    """A file, saved-dataset folder or URL to read, with the name shown to users."""

    path: Path | None
    display: str
    is_dataset: bool = False
    url: str | None = None
    problem: str | None = None  # why it is not read (a FIFO, a link loop, ...); it is listed instead


def collect_sources(inputs: Sequence[str | Path]) -> list[Source]:
    """Expand inputs into files and URLs to read, each once; missing paths and empty folders are fatal."""
    if not inputs:
        raise InputError("no input paths given")
    seen: set[Path | str] = set()
    sources: list[Source] = []
    for given in inputs:
        if not str(given).strip():
            raise InputError('an input path is empty (--input ""); name a file, folder or URL')
        url = url_from_input(given)
        if url is not None:
            if url not in seen:
                seen.add(url)
                sources.append(Source(None, display_url(url), url=url))
            continue
        path = Path(given)
        if not path.exists():
            if os.path.lexists(path):  # a symbolic link whose target cannot be reached
                raise InputError(f"input path {given} is a symbolic link that {_link_trouble(path)}")
            raise InputError(f"input path does not exist: {given}")
        found = list(_expand(path))
        if not found:
            raise InputError(
                f"no readable files in folder {given}: expected {', '.join(SUPPORTED_SUFFIXES)} "
                "files or a folder written by Dataset.save_to_disk"
            )
        for source in found:
            assert source.path is not None  # only URL sources have no path
            key = source.path if source.problem else source.path.resolve()
            if key not in seen:  # overlapping inputs (a folder and a file in it) read once
                seen.add(key)
                sources.append(source)
    return sources


def _expand(path: Path) -> Iterator[Source]:
    """A file as is; a folder as its supported, non-hidden files and saved datasets, sorted
    (links to folders followed), with every entry that is not a regular file or folder (FIFOs,
    sockets, devices, link loops, dangling links, folders that cannot be listed) as a source
    that carries its problem and is never opened."""
    if path.is_file():
        yield Source(path, _display(path))
        return
    if not path.is_dir():  # a FIFO or device would block or stream forever
        yield Source(path, _display(path), problem=_special_problem(path))
        return
    if _is_saved_dataset(path):
        yield Source(path, _display(path), is_dataset=True)
        return
    found: list[tuple[tuple[str, ...], Source]] = []

    def unlistable(exc: OSError) -> None:  # a folder below that cannot be listed is a listed problem
        folder = Path(exc.filename) if exc.filename else path
        found.append(_entry(path, folder, problem=f"a folder that cannot be listed: {exc.strerror or exc}; skipped"))

    for dirpath, dirnames, filenames in os.walk(path, onerror=unlistable, followlinks=True):
        folder = Path(dirpath)
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        for name in list(dirnames):
            if (folder / name).is_symlink() and _is_loop(folder / name, path):
                dirnames.remove(name)
                message = f"a symbolic link loop: it leads back to {(folder / name).resolve()}, which holds it; skipped"
                found.append(_entry(path, folder / name, problem=message))
            elif _is_saved_dataset(folder / name):
                dirnames.remove(name)  # its .arrow files are read through load_from_disk
                found.append(_entry(path, folder / name, is_dataset=True))
        for name in filenames:
            if name.startswith("."):
                continue
            problem = _file_problem(folder / name)
            readable = name.lower().endswith(SUPPORTED_SUFFIXES) or is_compressed_name(name, SUPPORTED_SUFFIXES)
            if problem is not None or readable:
                found.append(_entry(path, folder / name, problem=problem))
    for _, source in sorted(found, key=lambda item: item[0]):
        yield source


def _file_problem(path: Path) -> str | None:
    """Why a folder entry cannot be read as a file (None for a regular file), from its stat alone."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if path.is_symlink():
            return f"a symbolic link that {_link_trouble(path, exc)}; skipped"
        return f"cannot read: {exc.strerror or exc}"
    return None if stat.S_ISREG(mode) else _special_problem(path, mode)


def _special_problem(path: Path, mode: int | None = None) -> str:
    """The problem of a path that is neither a regular file nor a folder."""
    if mode is None:
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            return f"cannot read: {exc.strerror or exc}"
    kinds = {
        stat.S_ISFIFO: "a FIFO (named pipe)",
        stat.S_ISSOCK: "a socket",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
    }
    kind = next((name for test, name in kinds.items() if test(mode)), "not a regular file")
    return f"{kind}, not a regular file; skipped without reading it"


def _is_loop(link: Path, root: Path) -> bool:
    """Whether following a symbolic link to a folder would never end: it leads to a folder on
    the way down to it from the input folder (or above that). A link to a folder read by
    another way is followed; its files are read once all the same."""
    target = link.resolve()
    folder = link.parent
    while folder != root and root in folder.parents:
        if folder.resolve() == target:
            return True
        folder = folder.parent
    return target == root.resolve() or target in root.resolve().parents


def _link_trouble(path: Path, exc: OSError | None = None) -> str:
    """What is wrong with a symbolic link that cannot be followed: a loop or a missing target."""
    if exc is None:
        try:
            path.stat()
        except OSError as raised:
            exc = raised
    if exc is not None and exc.errno == errno.ELOOP:
        return "loops (it points back at itself)"
    return f"points at {os.readlink(path)}, which does not exist"


def read_regular_file(path: Path, limit: int | None = None) -> bytes:
    """A file's bytes, refusing anything but a regular file without blocking on it, and a file
    over `limit` bytes (OSError EFBIG) without reading it.

    The source was checked when it was collected; this check holds even when the file was
    replaced by a FIFO since (O_NONBLOCK: opening a FIFO for reading does not wait for a writer).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, _special_problem(path, info.st_mode))
        if limit is None:
            return handle.read()
        data = handle.read(limit + 1)  # a file that grew since fstat is caught here
        if max(info.st_size, len(data)) > limit:
            size = max(info.st_size, len(data))
            message = (
                f"it is {size_text(size)}, over the limit of {size_text(limit)} per input (max_input_mb in the config)"
            )
            raise OSError(errno.EFBIG, message + "; split it into smaller files")
        return data


def _entry(
    root: Path, path: Path, is_dataset: bool = False, problem: str | None = None
) -> tuple[tuple[str, ...], Source]:
    """A sort key (path parts below the root) and the source for a path found in a folder."""
    rel = path.relative_to(root)
    return rel.parts, Source(root / rel, _display(root / rel), is_dataset, problem=problem)


def _is_saved_dataset(folder: Path) -> bool:
    """Whether the folder looks like `Dataset.save_to_disk` output."""
    return (folder / "state.json").is_file() or (folder / "dataset_info.json").is_file()


def _display(path: Path) -> str:
    """The path as given, or relative to the working directory when it lies inside it."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except (ValueError, OSError):
            pass
    return path.as_posix()
