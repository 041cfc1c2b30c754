"""The article id scheme: stable, file-name-safe ids, and unique ids within one read.

An id depends only on the title (or the id the input gives), never on position, so reruns agree.
Two different articles that want the same id get a suffix from their content hash; an article
identical to one already read is dropped as a duplicate.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jobs.errors import InputProblem

if TYPE_CHECKING:
    from jobs.inputs.article import Article

MAX_ID_LENGTH = 64
SLUG_LENGTH = 48
KEY_HASH_LENGTH = 10
# Suffix lengths tried, in order, when two different articles want the same id.
CONTENT_HASH_LENGTHS = (6, 12, 24)

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def make_article_id(title: str, given_id: str | None = None) -> str:
    """Stable, file-name-safe id: slug of the title (or given id) plus a hash of it.

    Depends only on the title or the given id, never on position, so reruns agree.
    """
    slug, key_hash = _id_key(title, given_id)
    return _compose_id(slug, key_hash[:KEY_HASH_LENGTH])


def article_sha256(title: str, paragraphs: Sequence[str]) -> str:
    """Hash of the article text, so a changed paragraph is noticed even when the id stays."""
    text = title + "\n\n" + "\n\n".join(paragraphs)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Holder:
    """Which article owns an id, to tell duplicates from mere id clashes."""

    sha256: str
    file: str
    line: int


class IdRegistry:
    """Hands out unique ids for one read; identical articles are dropped as duplicates."""

    def __init__(self) -> None:
        self._holders: dict[str, _Holder] = {}

    def admit(self, article: Article) -> str | InputProblem:
        """Return the article's id, or a problem when it repeats an article already read."""
        digest = article.sha256
        candidate = ""
        for candidate in _id_candidates(article.title, article.given_id, digest):
            holder = self._holders.get(candidate)
            if holder is None:
                self._holders[candidate] = _Holder(digest, article.source_file, article.source_line)
                return candidate
            if holder.sha256 == digest:
                message = f"duplicate of article {candidate} at {holder.file}:{holder.line}, skipped"
                return InputProblem(article.source_file, article.source_line, candidate, message)
        # Only reachable if 24 hex digits of two different sha256 values agree.
        message = f"id {candidate} is already taken by a different article, skipped"
        return InputProblem(article.source_file, article.source_line, candidate, message)


def _id_candidates(title: str, given_id: str | None, sha256: str) -> Iterator[str]:
    """The base id, then content-qualified ids for when a different article already has it."""
    yield make_article_id(title, given_id)
    slug, key_hash = _id_key(title, given_id)
    for length in CONTENT_HASH_LENGTHS:
        yield _compose_id(slug, key_hash[:KEY_HASH_LENGTH], sha256[:length])


def _id_key(title: str, given_id: str | None) -> tuple[str, str]:
    """The slug and the full sha1 an id is made of: from the given id if any, else the title."""
    if given_id:
        return _slug(given_id), _sha1(given_id)
    return _slug(title), _sha1(_normalize_title(title))


def _slug(text: str) -> str:
    """Lowercase ASCII letters, digits and single dashes; accents are transliterated, the rest dropped."""
    ascii_text = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text).strip("-")


def _compose_id(slug: str, *suffixes: str) -> str:
    """Join slug and hash suffixes, trimming the slug so the id fits MAX_ID_LENGTH.

    A slug that is empty (non-Latin title) becomes "a" so the id never starts with "-".
    """
    room = MAX_ID_LENGTH - sum(len(suffix) + 1 for suffix in suffixes)
    head = slug[: min(SLUG_LENGTH, room)].strip("-") or "a"
    return "-".join((head, *suffixes))


def _normalize_title(title: str) -> str:
    """The title as compared for identity: NFKC, casefolded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", title).casefold().split())


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
