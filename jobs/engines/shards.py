"""An archive's plan: its input files cut into shards, and the record of which shards are done.

A JSONL file is cut into shards of `--shard-size` articles (non-blank lines), each a byte range
read on its own; any other file (text pages, CSV, Parquet, HTML, feeds, compressed files, saved
datasets) is one shard, read whole by the job's reader. The plan is made by streaming each file
once (its sha256 and the shards' byte offsets): the driver holds offsets and counts, no text.

A shard's outputs go to OUT/.archive/shards/<key>/, written under a temporary name and renamed
into place when complete, so a shard folder that exists is finished (datatrove's executors keep
a completion file per task the same way). The key is a digest of the shard's bytes, where they
are, and what decides its outputs (every model's identity, the record settings, the job's
version): a rerun of the same archive with the same settings skips every finished shard, and a
changed file or model redoes only what it changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jobs.errors import ConfigError
from jobs.inputs.compression import split_compression

ARCHIVE_DIR = ".archive"  # under OUT: hidden, so no tool takes it for a language
CHUNK = 1 << 20


@dataclass(frozen=True)
class Shard:
    """One unit of archive work: a byte range of a JSONL file, or a whole file (start None)."""

    number: int
    path: str
    display: str
    start: int | None
    end: int | None
    first_line: int
    lines: int  # non-blank lines (JSONL), 0 when the whole file is one shard
    digest: str  # sha256 of the shard's bytes
    key: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Shard:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class InputFile:
    """An input file as the manifest lists it (reader.SourceFile's fields)."""

    path: str
    sha256: str
    articles: int = 0


def shards_dir(out: Path) -> Path:
    return out / ARCHIVE_DIR / "shards"


def plan_shards(sources: list[Any], shard_size: int, fingerprint: str) -> tuple[list[Shard], list[InputFile]]:
    """Every source cut into shards (JSONL by `shard_size` lines, anything else whole), in input
    order, each keyed (see the module's docstring); and each file with its sha256."""
    shards: list[Shard] = []
    files: list[InputFile] = []
    for source in sources:
        if source.url is not None:
            raise ConfigError(f"jobs archive reads local files only, not {source.display}: save the pages first")
        if source.problem is not None:
            raise ConfigError(f"{source.display}: {source.problem}")
        suffix, compression = split_compression(source.path)
        if suffix == ".jsonl" and compression is None and source.path.is_file():
            digest, parts = _jsonl_ranges(source.path, shard_size)
        else:
            digest, parts = _whole(source.path), [(None, None, 1, 0, "")]
        files.append(InputFile(source.display, digest))
        for start, end, first_line, lines, part_digest in parts:
            shard = Shard(
                len(shards), str(source.path), source.display, start, end, first_line, lines, part_digest or digest
            )
            key = hashlib.sha256(f"{fingerprint}\0{shard.to_json()}".encode()).hexdigest()[:24]
            shards.append(Shard(**{**asdict(shard), "key": key}))
    return shards, files


def _jsonl_ranges(path: Path, size: int) -> tuple[str, list[tuple[int, int, int, int, str]]]:
    """The file's sha256, and (start, end, first line, lines, sha256) of each run of `size`
    non-blank lines; streamed, a line at a time."""
    whole = hashlib.sha256()
    parts = []
    start = offset = lines = 0
    first_line = line_number = 1
    part = hashlib.sha256()
    with path.open("rb") as handle:
        for line in handle:
            whole.update(line)
            part.update(line)
            offset += len(line)
            line_number += 1
            lines += bool(line.strip())
            if lines == size:
                parts.append((start, offset, first_line, lines, part.hexdigest()))
                start, first_line, lines, part = offset, line_number, 0, hashlib.sha256()
    if lines or not parts:
        parts.append((start, offset, first_line, lines, part.hexdigest()))
    return whole.hexdigest(), parts


def _whole(path: Path) -> str:
    """sha256 of a file (streamed), or of a saved dataset folder's files by name."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(file.name.encode("utf-8") + b"\0")
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
    return digest.hexdigest()


def is_done(out: Path, shard: Shard) -> bool:
    return (shards_dir(out) / shard.key / "done.json").is_file()


def done_counts(out: Path, shard: Shard) -> dict[str, Any]:
    return json.loads((shards_dir(out) / shard.key / "done.json").read_text(encoding="utf-8"))


def write_shard(out: Path, shard: Shard, files: dict[str, bytes], counts: dict[str, Any]) -> None:
    """A finished shard's files, then done.json, in a temporary folder renamed into place."""
    final = shards_dir(out) / shard.key
    temporary = final.with_name(f".{shard.key}-{uuid.uuid4().hex[:8]}")
    temporary.mkdir(parents=True)
    try:
        for name, data in {**files, "done.json": json.dumps(counts).encode("utf-8")}.items():
            (temporary / name).parent.mkdir(parents=True, exist_ok=True)
            (temporary / name).write_bytes(data)
        os.sync()  # one flush for the shard's files (an fsync each costs milliseconds per article)
        os.rename(temporary, final)
    except OSError:
        shutil.rmtree(temporary, ignore_errors=True)
        if not is_done(out, shard):  # not another attempt of the same shard that finished first
            raise


def remove_unfinished(out: Path) -> int:
    """Temporary shard folders a killed run left (call it while holding OUT's lock)."""
    leftovers = [p for p in shards_dir(out).glob(".*")] if shards_dir(out).is_dir() else []
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True)
    return len(leftovers)
