"""Text files: the news-page format (`• Title` bullets under `Tag:` lines), else one article per .txt/.md file.

A news page holds many articles, each opened by a bullet line; the paragraphs follow, separated by
blank lines. A plain text or Markdown file is one article: its first line is the title. An article
whose body holds no sentence of running prose (prose.not_prose_reason) is a listed problem, like
a page or feed item that is not an article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jobs.errors import InputProblem
from jobs.inputs.article import Article, Parsed, no_body, not_an_article
from jobs.inputs.limits import ReadLimits, article_too_long
from jobs.inputs.prose import MIN_TEXT_PROSE_WORDS, not_prose_reason
from jobs.inputs.text import blocks, clean, split_lines

BULLET = "•"
# Only an unindented "Tag:" line counts, so an indented body paragraph that happens to
# start with "Tag:" is not swallowed.
_TAG_LINE = re.compile(r"^tag:[ \t]*(.*)$", re.IGNORECASE)
_SETEXT_UNDERLINE = re.compile(r"^(=+|-+)$")


_MAX_CHARS = ReadLimits().max_article_chars


def parse_text_file(text: str, file: str, markdown: bool, max_chars: int = _MAX_CHARS) -> Parsed:
    """A news page when any line starts with a bullet, else a single plain or Markdown article.

    An article over `max_chars` is a problem before its text is split into paragraphs."""
    if is_news_page(text):
        return parse_news_page(text, file, max_chars)
    return parse_plain(text, file, markdown, max_chars)


def is_news_page(text: str) -> bool:
    """A news page has at least one line starting with a • bullet (the only bullet accepted)."""
    return any(line.strip().startswith(BULLET) for line in split_lines(text))


def _tag_line(line: str) -> str | None:
    """The tag named by an unindented `Tag:` line, or None for any other line."""
    match = _TAG_LINE.match(line.rstrip())
    return None if match is None else clean(match.group(1))


@dataclass
class _Draft:
    """A news-page article being collected: its bullet line and the raw body lines after it."""

    title: str
    line: int
    tag: str
    body: list[str] = field(default_factory=list)


def parse_news_page(text: str, file: str, max_chars: int = _MAX_CHARS) -> Parsed:
    """Articles opened by `• Title` lines; `Tag:` lines set the tag for the articles after them."""
    tag = ""
    draft: _Draft | None = None
    stray_line: int | None = None
    for number, line in enumerate(split_lines(text), start=1):
        new_tag = _tag_line(line)
        if new_tag is not None:
            tag = new_tag
            if draft is not None:
                draft.body.append("")  # the Tag line is not body text but it does end a paragraph
            continue
        stripped = line.strip()
        if stripped.startswith(BULLET):
            if draft is not None:
                yield _finish(draft, file, max_chars)
            elif stray_line is not None:
                yield InputProblem(file, stray_line, None, f"text before the first {BULLET} title, ignored")
            draft = _Draft(clean(stripped[len(BULLET) :]), number, tag)
        elif draft is not None:
            draft.body.append(line)
        elif stripped and stray_line is None:
            stray_line = number
    if draft is not None:
        yield _finish(draft, file, max_chars)


def _finish(draft: _Draft, file: str, max_chars: int = _MAX_CHARS) -> Article | InputProblem:
    """Turn a collected news-page article into an article, or a problem if it lacks title or body
    or is over `max_chars` (checked before its lines are joined into paragraphs)."""
    if not draft.title:
        return InputProblem(file, draft.line, None, f"{BULLET} line without a title; its text is skipped")
    chars = len(draft.title) + sum(len(line) for line in draft.body)
    if chars > max_chars:
        return InputProblem(file, draft.line, None, article_too_long(draft.title, chars, max_chars))
    paragraphs = blocks(draft.body)
    if not paragraphs:
        return no_body(file, draft.line, draft.title)
    reason = not_prose_reason(paragraphs, MIN_TEXT_PROSE_WORDS)
    if reason:
        return not_an_article(file, draft.line, draft.title, reason)
    return Article(draft.title, tuple(paragraphs), draft.tag, file, draft.line)


def parse_plain(text: str, file: str, markdown: bool, max_chars: int = _MAX_CHARS) -> Parsed:
    """One article per file: first non-empty line is the title, the rest are paragraphs.

    A leading `Tag:` line is honoured as in news pages. A file over `max_chars` is not split.
    """
    if len(text) > max_chars:
        title = clean(text[:200].strip().split("\n", 1)[0])
        yield InputProblem(file, None, None, article_too_long(title, len(text), max_chars))
        return
    lines = split_lines(text)
    tag = ""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        new_tag = _tag_line(line)
        if new_tag is not None:
            tag = new_tag
            continue
        title = clean(line.strip().lstrip("#") if markdown else line)
        body = lines[index + 1 :]
        if markdown and body and _SETEXT_UNDERLINE.match(body[0].strip()):
            body = body[1:]  # "Title\n=====" is a Markdown heading, not a paragraph
        paragraphs = blocks(body)
        if not title:
            yield InputProblem(file, index + 1, None, "empty title line")
        elif not paragraphs:
            yield no_body(file, index + 1, title)
        elif reason := not_prose_reason(paragraphs, MIN_TEXT_PROSE_WORDS):
            yield not_an_article(file, index + 1, title, reason)
        else:
            yield Article(title, tuple(paragraphs), tag, file, index + 1)
        return
    yield InputProblem(file, None, None, "no title found")
