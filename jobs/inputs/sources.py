"""Finding what to read: files, folders (recursively), saved datasets and URLs, each once, with display names."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from jobs.errors import InputError
from jobs.inputs.compression import is_compressed_name
from jobs.inputs.fetch import display_url, url_from_input

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


def collect_sources(inputs: Sequence[str | Path]) -> list[Source]:
    """Expand inputs into files and URLs to read, each once; missing paths and empty folders are fatal."""
    if not inputs:
        raise InputError("no input paths given")
    seen: set[Path | str] = set()
    sources: list[Source] = []
    for given in inputs:
        url = url_from_input(given)
        if url is not None:
            if url not in seen:
                seen.add(url)
                sources.append(Source(None, display_url(url), url=url))
            continue
        path = Path(given)
        if not path.exists():
            raise InputError(f"input path does not exist: {given}")
        found = list(_expand(path))
        if not found:
            raise InputError(
                f"no readable files in folder {given}: expected {', '.join(SUPPORTED_SUFFIXES)} "
                "files or a folder written by Dataset.save_to_disk"
            )
        for source in found:
            assert source.path is not None  # only URL sources have no path
            key = source.path.resolve()
            if key not in seen:  # overlapping inputs (a folder and a file in it) read once
                seen.add(key)
                sources.append(source)
    return sources


def _expand(path: Path) -> Iterator[Source]:
    """A file as is; a folder as its supported, non-hidden files and saved datasets, sorted."""
    if path.is_file():
        yield Source(path, _display(path))
        return
    if not path.is_dir():  # a FIFO or device would block or stream forever
        raise InputError(f"input path is neither a file nor a folder: {path}")
    if _is_saved_dataset(path):
        yield Source(path, _display(path), is_dataset=True)
        return
    found: list[tuple[tuple[str, ...], Source]] = []
    for dirpath, dirnames, filenames in os.walk(path):
        folder = Path(dirpath)
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        for name in list(dirnames):
            if _is_saved_dataset(folder / name):
                dirnames.remove(name)  # its .arrow files are read through load_from_disk
                found.append(_entry(path, folder / name, is_dataset=True))
        for name in filenames:
            readable = name.lower().endswith(SUPPORTED_SUFFIXES) or is_compressed_name(name, SUPPORTED_SUFFIXES)
            if not name.startswith(".") and readable:
                found.append(_entry(path, folder / name, is_dataset=False))
    for _, source in sorted(found, key=lambda item: item[0]):
        yield source


def _entry(root: Path, path: Path, is_dataset: bool) -> tuple[tuple[str, ...], Source]:
    """A sort key (path parts below the root) and the source for a path found in a folder."""
    rel = path.relative_to(root)
    return rel.parts, Source(root / rel, _display(root / rel), is_dataset)


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
