"""Compressed input files (.gz, .bz2, .xz, .zst): read as the file they hold, named by the inner suffix.

`articles.jsonl.gz` reads like `articles.jsonl` and `page.html.xz` like `page.html`. gzip, bz2
and xz come with Python; .zst needs the `zstandard` package. Decompression streams in chunks
and stops as soon as the output passes the limit (max_input_mb), so a small hostile file (5 MB
holding 1 GB) is refused after reading no more than the limit, never held whole in memory.
"""

from __future__ import annotations

import io
from pathlib import PurePath

from jobs.inputs.limits import ReadLimits, size_text

COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")
MAX_DECOMPRESSED_BYTES = ReadLimits().max_input_bytes
CHUNK_BYTES = 1 << 20


class DecompressError(ValueError):
    """A compressed file that cannot be read; the message says why and what to do."""


def split_compression(name: str | PurePath) -> tuple[str, str | None]:
    """(the suffix that gives the file's kind, the compression suffix or None), both lower case.

    "a.jsonl.gz" gives (".jsonl", ".gz"); "a.html" gives (".html", None).
    """
    path = PurePath(name)
    suffix = path.suffix.lower()
    if suffix in COMPRESSED_SUFFIXES:
        return PurePath(path.stem).suffix.lower(), suffix
    return suffix, None


def is_compressed_name(name: str, inner_suffixes: tuple[str, ...]) -> bool:
    """Whether the file name is one of `inner_suffixes` compressed (e.g. "a.jsonl.gz")."""
    inner, compression = split_compression(name)
    return compression is not None and inner in inner_suffixes


def decompress(data: bytes, compression: str, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """The bytes a compressed file holds; DecompressError if it is corrupt or over `limit` bytes.

    Read a chunk at a time, the size checked after each: memory never exceeds the limit and a chunk."""
    out = io.BytesIO()
    size = 0
    try:
        with _open(data, compression) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise DecompressError(
                        f"decompresses to more than {size_text(limit)}, the limit per input (max_input_mb in "
                        f"the config); split it into smaller files"
                    )
                out.write(chunk)
    except DecompressError:
        raise
    except (OSError, EOFError, ValueError) as exc:
        raise DecompressError(f"not a valid {compression} file ({exc}); re-create or decompress it") from None
    return out.getvalue()


def _open(data: bytes, compression: str):
    """A readable stream of the decompressed bytes."""
    raw = io.BytesIO(data)
    if compression == ".gz":
        import gzip

        return gzip.GzipFile(fileobj=raw)
    if compression == ".bz2":
        import bz2

        return bz2.BZ2File(raw)
    if compression == ".xz":
        import lzma

        return lzma.LZMAFile(raw)
    if compression == ".zst":
        try:
            import zstandard
        except ImportError:
            raise DecompressError("reading .zst files needs `pip install zstandard`, or decompress it first") from None
        return zstandard.ZstdDecompressor().stream_reader(raw)
    raise DecompressError(f"unknown compression {compression!r}")
