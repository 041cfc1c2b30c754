"""Conditional GET: what a server said about a URL last time (ETag, Last-Modified) and the body it sent.

An hourly run asks with If-None-Match / If-Modified-Since and gets "304 Not Modified" for a feed
or page that did not change: nothing is downloaded again and the kept body is read instead. One
small JSON file per URL (named by the URL's sha256) sits in a folder beside the outputs cache;
each is written to a temporary file and renamed, so a crash never leaves half an entry. An entry
no run has asked for in UNUSED_DAYS (an article page that left its feed) is removed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from jobs.fsutil import TEMP_SUFFIX, atomic_write

UNUSED_DAYS = 3.0  # hourly runs ask again for everything still in their feeds


@dataclass(frozen=True)
class CachedResponse:
    """A response kept for revalidation: its validators and what it carried."""

    url: str  # the final URL it came from, after redirects
    etag: str
    last_modified: str
    content_type: str
    content: bytes

    def validators(self) -> dict[str, str]:
        """The request headers that ask the server whether this copy is still current."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class HttpCache:
    """Responses with validators, by URL, in a folder; unreadable entries count as absent."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, url: str) -> Path:
        return self.folder / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()}.json"

    def get(self, url: str) -> CachedResponse | None:
        """The kept response for a URL, or None; an entry read counts as used (prune keeps it)."""
        path = self._path(url)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            with contextlib.suppress(OSError):  # a read-only folder: the entry is still good to use
                os.utime(path)
            return CachedResponse(
                url=entry["url"],
                etag=entry["etag"],
                last_modified=entry["last_modified"],
                content_type=entry["content_type"],
                content=base64.b64decode(entry["content"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, url: str, response: CachedResponse) -> None:
        """Keep a response that carries a validator; one that carries none cannot be revalidated."""
        if not (response.etag or response.last_modified):
            return
        entry = {
            "url": response.url,
            "etag": response.etag,
            "last_modified": response.last_modified,
            "content_type": response.content_type,
            "content": base64.b64encode(response.content).decode("ascii"),
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(self._path(url), json.dumps(entry), sync=False)  # only a saving: no fsync

    def prune(self, unused_days: float = UNUSED_DAYS) -> int:
        """Remove the entries (and leftover temporary files) unused for `unused_days`; how many went.

        A folder that cannot be listed or cleaned is left as it is: the entries are only a saving."""
        cutoff = time.time() - unused_days * 86400
        removed = 0
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return 0
        for entry in entries:
            try:
                stale = entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff
                if stale and entry.name.endswith((".json", TEMP_SUFFIX)):
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                continue
        return removed
