"""The article id scheme: stable, file-name-safe ids that depend only on the article itself.

An article's id comes from the source's own id for it (a JSONL/CSV `id`, a feed guid, a
canonical URL) when it has one, else from its title and a hash of its title and body. Nothing
else in the input (its order, the other articles) changes it, so a downstream system keyed by
id never mixes two stories up. When two different articles of one read would share an id,
every one of them takes a longer hash (the same ids whatever the order); an article identical
to one already read is dropped as a duplicate.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from jobs.errors import InputProblem

if TYPE_CHECKING:
    from jobs.inputs.article import Article

MAX_ID_LENGTH = 64
SLUG_LENGTH = 48
HASH_LENGTH = 10
# When different articles want the same id, all of them move on to the next, longer form:
# for a title id, more of the article's sha256; for a given id, a suffix of it.
LONGER_HASH_LENGTHS = (16, 24, 32)
GIVEN_ID_SUFFIX_LENGTHS = (6, 12, 24)

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def make_article_id(title: str, given_id: str | None = None, paragraphs: Sequence[str] = ()) -> str:
    """Stable, file-name-safe id: a readable slug plus a hash.

    With the source's own id (`given_id`): its slug and a hash of it. Without: the title's slug
    and the first digits of the article's sha256 (title and body, `article_sha256`).
    """
    return id_forms(title, given_id, article_sha256(title, paragraphs))[0]


def article_sha256(title: str, paragraphs: Sequence[str]) -> str:
    """Hash of the article text, so a changed paragraph is noticed even when the id stays."""
    text = title + "\n\n" + "\n\n".join(paragraphs)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def id_forms(title: str, given_id: str | None, sha256: str) -> list[str]:
    """The article's id and its longer forms, tried in order while different articles clash."""
    if given_id:
        slug, key = _slug(given_id), _sha1(given_id)[:HASH_LENGTH]
        return [_compose_id(slug, key), *(_compose_id(slug, key, sha256[:n]) for n in GIVEN_ID_SUFFIX_LENGTHS)]
    slug = _slug(title)
    return [_compose_id(slug, sha256[:n]) for n in (HASH_LENGTH, *LONGER_HASH_LENGTHS)]


def assign_ids(articles: Sequence[Article]) -> list[str | InputProblem]:
    """Each article's id, or a problem for an article identical to one before it.

    Order-independent: the id of an article depends only on the set of articles read, and
    in practice on the article alone (a clash needs equal slugs and equal hash digits).
    """
    forms = [id_forms(a.title, a.given_id, a.sha256) for a in articles]
    outcome: list[str | InputProblem | None] = [None] * len(articles)
    taken: set[str] = set()
    pending = list(range(len(articles)))
    for level in range(len(forms[0]) if forms else 0):
        wanting: dict[str, list[int]] = {}
        for index in pending:
            wanting.setdefault(forms[index][level], []).append(index)
        pending = []
        for candidate, indices in wanting.items():
            if candidate in taken or len({articles[i].sha256 for i in indices}) > 1:
                pending += indices  # different articles want it: each takes its longer form
                continue
            taken.add(candidate)
            first, *repeats = indices  # identical articles, in input order
            outcome[first] = candidate
            for index in repeats:
                outcome[index] = _duplicate(articles[index], articles[first], candidate)
        pending.sort()
    for index in pending:  # only if 32 hex digits of two different sha256 values agree
        article = articles[index]
        message = f"id {forms[index][-1]} is already taken by a different article, skipped"
        outcome[index] = InputProblem(article.source_file, article.source_line, forms[index][-1], message)
    assert all(item is not None for item in outcome)
    return outcome  # type: ignore[return-value]


def _duplicate(article: Article, kept: Article, article_id: str) -> InputProblem:
    message = f"duplicate of article {article_id} at {kept.source_file}:{kept.source_line}, skipped"
    return InputProblem(article.source_file, article.source_line, article_id, message)


def _slug(text: str) -> str:
    """Lowercase ASCII letters, digits and single dashes; other scripts are transliterated
    (anyascii: "Новости" -> "novosti", "北京" -> "beijing"), what has no letters is dropped."""
    from anyascii import anyascii

    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).lower()
    return _NOT_SLUG.sub("-", ascii_text).strip("-")


def _compose_id(slug: str, *suffixes: str) -> str:
    """Join slug and hash suffixes, trimming the slug so the id fits MAX_ID_LENGTH.

    A slug that is empty (a title of symbols only) becomes "a" so the id never starts with "-".
    """
    room = MAX_ID_LENGTH - sum(len(suffix) + 1 for suffix in suffixes)
    head = slug[: min(SLUG_LENGTH, room)].strip("-") or "a"
    return "-".join((head, *suffixes))


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
