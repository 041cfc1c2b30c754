"""Keep freed memory in the process while a model decodes on CPU (Linux, glibc).

PyTorch has no caching allocator on CPU: every tensor comes from malloc and goes back to it.
glibc serves large blocks (the per-step logits of a batch are 8 to 32 MB) with a fresh `mmap`
and unmaps them on free, so each decoding step touches new pages and the kernel faults in and
zeroes them again: about 100,000 page faults per batch and a fifth to a third of the decoding
time on 2 cores (measured: docs/benchmarks.md). CTranslate2 avoids this with its own caching
allocator; for torch the job asks glibc, for the duration of generation only, to serve every
block from its heap and to keep freed memory for reuse (`mallopt`), then gives the memory back
(`malloc_trim`) and restores the usual limits.

Elsewhere (macOS, Windows, musl) this does nothing. `JOBS_MALLOC_TUNING=0` turns it off.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import platform
import threading
from collections.abc import Iterator
from functools import cache

from jobs.config import environment

log = logging.getLogger("jobs")

# mallopt parameters (glibc malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
DEFAULT_MMAP_MAX = 65536
DEFAULT_TRIM_THRESHOLD = 128 * 1024
KEEP_FREE = 1 << 30  # free memory kept at the top of the heap while decoding (reused, not returned)

_lock = threading.Lock()
_depth = 0


@cache
def _glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):  # pragma: no cover - glibc always has both
        return None


def enabled() -> bool:
    return environment().malloc_tuning and _glibc() is not None


@contextlib.contextmanager
def reuse_freed_memory() -> Iterator[bool]:
    """While inside: large blocks come from the heap and freed memory is kept for reuse.

    Yields whether the tuning is active. Nested and concurrent uses share one setting; the last
    one out restores glibc's limits and returns the kept memory to the system.
    """
    global _depth
    libc = _glibc() if enabled() else None
    if libc is None:
        yield False
        return
    with _lock:
        if _depth == 0:
            libc.mallopt(M_MMAP_MAX, 0)
            libc.mallopt(M_TRIM_THRESHOLD, KEEP_FREE)
        _depth += 1
    try:
        yield True
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
                libc.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
                libc.malloc_trim(0)
