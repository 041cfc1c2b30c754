"""Language helpers, QA flags and evaluation against references."""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path


@functools.lru_cache(maxsize=1)
def rules_version() -> str:
    """A digest of this package's code and of lingua's version.

    Screening and QA results kept in the cache are filed under it: a change to a rule, a
    threshold or the language detector makes the next run check everything again."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    try:  # a dependency, absent only where JOBS_LANGUAGE_CHECK=0 lets a benchmark run without it
        lingua = metadata.version("lingua-language-detector")
    except metadata.PackageNotFoundError:
        lingua = "absent"
    digest.update(lingua.encode("utf-8"))
    return digest.hexdigest()[:16]
