"""What every source parser yields (articles and problems) and what it is given to read with."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jobs.errors import InputProblem
from jobs.inputs.ids import article_sha256, make_article_id
from jobs.inputs.limits import ReadLimits

if TYPE_CHECKING:
    from jobs.inputs.fetch import Fetcher


@dataclass(frozen=True)
class Article:
    """An article parsed from an input, before it is given its final id."""

    title: str
    paragraphs: tuple[str, ...]
    tag: str
    source_file: str
    source_line: int
    given_id: str | None = None
    url: str = ""
    feed: str = ""
    published: str = ""
    byline: str = ""

    @property
    def sha256(self) -> str:
        return article_sha256(self.title, self.paragraphs)


# What a parser yields for one source, in input order.
Parsed = Iterator[Article | InputProblem]


class ContentError(ValueError):
    """A page or feed that was read but cannot be used; the message says why."""


@dataclass(frozen=True)
class ReadContext:
    """What reading a source needs besides the source: the fallback encoding, the fetcher, the limits."""

    encoding: str | None
    fetcher: Fetcher
    limits: ReadLimits = ReadLimits()


def no_body(file: str, line: int, title: str, given_id: str | None = None) -> InputProblem:
    """The problem for an article that has a title and nothing else."""
    article_id = make_article_id(title, given_id)
    return InputProblem(file, line, article_id, f"article {title!r} has no body")


def not_an_article(file: str, line: int, title: str, reason: str, given_id: str | None = None) -> InputProblem:
    """The problem for a text that is not a news article (prose.not_prose_reason says why)."""
    article_id = make_article_id(title, given_id)
    return InputProblem(file, line, article_id, f"article {title!r} is not a news article: {reason}; skipped")
