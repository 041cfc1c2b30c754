"""Read English news articles from files into one `datasets.Dataset`.

Accepted inputs: "news page" text files (`• Title` bullets), plain .txt/.md files (one article
each), .jsonl, .csv, .parquet, HTML article pages, RSS/Atom feeds, http(s) URLs of pages or
feeds, folders of those files (read recursively) and folders written by `Dataset.save_to_disk`.
Bad records become `InputProblem`s and the rest go on; `InputError` is raised only when nothing
at all can be read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import math
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.parquet as pq

from jobs.errors import ConfigError, InputError, InputProblem
from jobs.inputs import web
from jobs.inputs.web import FetchSettings

__all__ = [
    "COLUMNS", "FetchSettings", "InputError", "InputProblem", "ReadResult", "SourceFile",
    "article_features", "content_sha256", "make_article_id", "read_articles",
]

TEXT_SUFFIXES = (".txt", ".md", ".jsonl", ".csv", ".parquet")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *web.HTML_SUFFIXES, *web.FEED_SUFFIXES)
COLUMNS = (
    "id", "title", "paragraphs", "tag", "source_file", "source_line", "sha256",
    "url", "feed", "published", "byline",
)

MAX_ID_LENGTH = 64
SLUG_LENGTH = 48
KEY_HASH_LENGTH = 10
# Suffix lengths tried, in order, when two different articles want the same id.
CONTENT_HASH_LENGTHS = (6, 12, 24)

BULLET = "•"
# Only an unindented "Tag:" line counts, so an indented body paragraph that happens to
# start with "Tag:" is not swallowed.
_TAG_LINE = re.compile(r"^tag:[ \t]*(.*)$", re.IGNORECASE)
# C0/C1 controls that are not whitespace (whitespace ones are collapsed later), plus a stray
# BOM left by concatenated files.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufeff]")
# JSON may carry lone surrogates ("\ud800"); they cannot be encoded to UTF-8 or stored.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SETEXT_UNDERLINE = re.compile(r"^(=+|-+)$")
_BODY_KEYS = ("paragraphs", "body", "text")
_RECORD_KEYS = ("id", "title", "tag", *_BODY_KEYS)


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class SourceFile:
    """An input file that was read: path as given, hash of its bytes, articles kept from it."""

    path: str
    sha256: str
    articles: int


@dataclass
class ReadResult:
    """The articles read, the problems met on the way, and the files they came from."""

    articles: datasets.Dataset
    errors: list[InputProblem] = field(default_factory=list)
    sources: list[SourceFile] = field(default_factory=list)


def article_features() -> datasets.Features:
    """The schema of the articles dataset; built fresh so callers cannot mutate a shared one."""
    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "title": datasets.Value("string"),
            "paragraphs": datasets.List(datasets.Value("string")),
            "tag": datasets.Value("string"),
            "source_file": datasets.Value("string"),
            "source_line": datasets.Value("int64"),
            "sha256": datasets.Value("string"),
            "url": datasets.Value("string"),
            "feed": datasets.Value("string"),
            "published": datasets.Value("string"),
            "byline": datasets.Value("string"),
        }
    )


def make_article_id(title: str, given_id: str | None = None) -> str:
    """Stable, file-name-safe id: slug of the title (or given id) plus a hash of it.

    Depends only on the title or the given id, never on position, so reruns agree.
    """
    if given_id:
        return _compose_id(_slug(given_id), _sha1(given_id)[:KEY_HASH_LENGTH])
    return _compose_id(_slug(title), _sha1(_normalize_title(title))[:KEY_HASH_LENGTH])


def content_sha256(title: str, paragraphs: Sequence[str]) -> str:
    """Hash of the article text, so a changed paragraph is noticed even when the id stays."""
    text = title + "\n\n" + "\n\n".join(paragraphs)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_articles(
    inputs: Sequence[str | Path],
    *,
    encoding: str | None = None,
    fetch: FetchSettings | None = None,
) -> ReadResult:
    """Read every article from the given files, folders and URLs into one dataset.

    `encoding` decodes text and HTML files that are not UTF-8 and declare no charset (--encoding);
    `fetch` sets network access and its limits (--offline, --max-urls). Raises InputError when a
    path is missing, a folder holds nothing readable, or no article survives.
    """
    if isinstance(inputs, (str, Path)):  # a lone path would otherwise be iterated char by char
        inputs = [inputs]
    if encoding is not None and web.codec_name(encoding) is None:
        raise ConfigError(f"unknown encoding {encoding!r} (--encoding); try e.g. windows-1251 or latin-1")
    sources = _collect_sources(inputs)
    with web.Fetcher(fetch) as fetcher:
        return _read_all(inputs, sources, _Context(encoding, fetcher))


@dataclass(frozen=True)
class _Context:
    """What reading a source needs besides the source: the fallback encoding and the fetcher."""

    encoding: str | None
    fetcher: web.Fetcher


def _read_all(inputs: Sequence[str | Path], sources: list[_Source], context: _Context) -> ReadResult:
    """Read the collected sources in order, giving each article a unique id."""
    ids = _IdRegistry()
    rows: list[dict[str, Any]] = []
    problems: list[InputProblem] = []
    read: list[SourceFile] = []
    for source in sources:
        digest, items = _read_source(source, context)
        kept = file_problems = 0
        for item in items:
            outcome = item if isinstance(item, InputProblem) else ids.admit(item)
            if isinstance(outcome, InputProblem):
                problems.append(outcome)
                file_problems += 1
            else:
                rows.append(_row(item, outcome))
                kept += 1
        if kept == 0 and file_problems == 0:
            problems.append(InputProblem(source.display, None, None, "no articles found"))
        read.append(SourceFile(source.display, digest, kept))
    if not rows:
        raise InputError(_nothing_read_message(inputs, problems), problems)
    return ReadResult(articles=_to_dataset(rows), errors=problems, sources=read)


# --------------------------------------------------------------------------- articles and ids


@dataclass(frozen=True)
class _Article:
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
        return content_sha256(self.title, self.paragraphs)

    def id_candidates(self) -> Iterator[str]:
        """The base id, then content-qualified ids for when a different article already has it."""
        yield make_article_id(self.title, self.given_id)
        if self.given_id:
            slug, key_hash = _slug(self.given_id), _sha1(self.given_id)
        else:
            slug, key_hash = _slug(self.title), _sha1(_normalize_title(self.title))
        for length in CONTENT_HASH_LENGTHS:
            yield _compose_id(slug, key_hash[:KEY_HASH_LENGTH], self.sha256[:length])


@dataclass(frozen=True)
class _Holder:
    """Which article owns an id, to tell duplicates from mere id clashes."""

    sha256: str
    file: str
    line: int


class _IdRegistry:
    """Hands out unique ids for one read; identical articles are dropped as duplicates."""

    def __init__(self) -> None:
        self._holders: dict[str, _Holder] = {}

    def admit(self, article: _Article) -> str | InputProblem:
        """Return the article's id, or a problem when it repeats an article already read."""
        digest = article.sha256
        candidate = ""
        for candidate in article.id_candidates():
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


def _row(article: _Article, article_id: str) -> dict[str, Any]:
    """One dataset row, in column order."""
    return {
        "id": article_id,
        "title": article.title,
        "paragraphs": list(article.paragraphs),
        "tag": article.tag,
        "source_file": article.source_file,
        "source_line": article.source_line,
        "sha256": article.sha256,
        "url": article.url,
        "feed": article.feed,
        "published": article.published,
        "byline": article.byline,
    }


def _to_dataset(rows: list[dict[str, Any]]) -> datasets.Dataset:
    """Build the dataset with explicit features so types do not depend on the data."""
    features = article_features()
    if not rows:  # from_list cannot build a zero-row table with features in datasets 5
        return datasets.Dataset.from_dict({name: [] for name in features}, features=features)
    return datasets.Dataset.from_list(rows, features=features)


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


def _clean(text: str) -> str:
    """One tidy line: control characters removed, all whitespace collapsed to single spaces."""
    text = _SURROGATES.sub("\ufffd", _CONTROL_CHARS.sub("", text))
    return " ".join(text.split())


def _blocks(lines: Sequence[str]) -> list[str]:
    """Paragraphs from lines: blank lines separate them, consecutive lines join with a space."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(_clean(" ".join(current)))
            current = []
    return [p for p in paragraphs if p]


def _no_body(file: str, line: int, title: str, given_id: str | None = None) -> InputProblem:
    """The problem for an article that has a title and nothing else."""
    article_id = make_article_id(title, given_id)
    return InputProblem(file, line, article_id, f"article {title!r} has no body")


# --------------------------------------------------------------------------- finding inputs


@dataclass(frozen=True)
class _Source:
    """A file, saved-dataset folder or URL to read, with the name shown to users."""

    path: Path | None
    display: str
    is_dataset: bool = False
    url: str | None = None


def _collect_sources(inputs: Sequence[str | Path]) -> list[_Source]:
    """Expand inputs into files and URLs to read, each once; missing paths and empty folders are fatal."""
    if not inputs:
        raise InputError("no input paths given")
    seen: set[Path | str] = set()
    sources: list[_Source] = []
    for given in inputs:
        url = web.url_from_input(given)
        if url is not None:
            if url not in seen:
                seen.add(url)
                sources.append(_Source(None, web.display_url(url), url=url))
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


def _expand(path: Path) -> Iterator[_Source]:
    """A file as is; a folder as its supported, non-hidden files and saved datasets, sorted."""
    if path.is_file():
        yield _Source(path, _display(path))
        return
    if not path.is_dir():  # a FIFO or device would block or stream forever
        raise InputError(f"input path is neither a file nor a folder: {path}")
    if _is_saved_dataset(path):
        yield _Source(path, _display(path), is_dataset=True)
        return
    found: list[tuple[tuple[str, ...], _Source]] = []
    for dirpath, dirnames, filenames in os.walk(path):
        folder = Path(dirpath)
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        for name in list(dirnames):
            if _is_saved_dataset(folder / name):
                dirnames.remove(name)  # its .arrow files are read through load_from_disk
                found.append(_entry(path, folder / name, is_dataset=True))
        for name in filenames:
            if not name.startswith(".") and name.lower().endswith(SUPPORTED_SUFFIXES):
                found.append(_entry(path, folder / name, is_dataset=False))
    for _, source in sorted(found, key=lambda item: item[0]):
        yield source


def _entry(root: Path, path: Path, is_dataset: bool) -> tuple[tuple[str, ...], _Source]:
    """A sort key (path parts below the root) and the source for a path found in a folder."""
    rel = path.relative_to(root)
    return rel.parts, _Source(root / rel, _display(root / rel), is_dataset)


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


# --------------------------------------------------------------------------- reading one source


def _read_source(source: _Source, context: _Context) -> tuple[str, Iterator[_Article | InputProblem]]:
    """Hash a source and parse it into articles and problems, by kind and suffix."""
    if source.url is not None:
        return _read_url(source.url, source.display, context)
    assert source.path is not None
    try:
        if source.is_dataset:
            return _hash_folder(source.path), _parse_saved_dataset(source.path, source.display)
        data = source.path.read_bytes()
    except OSError as exc:
        problem = InputProblem(source.display, None, None, f"cannot read: {exc.strerror or exc}")
        return "", iter([problem])
    return hashlib.sha256(data).hexdigest(), _parse_bytes(data, source.path, source.display, context)


def _parse_bytes(data: bytes, path: Path, file: str, context: _Context) -> Iterator[_Article | InputProblem]:
    """Dispatch a file's bytes to the parser for its suffix."""
    suffix = path.suffix.lower()
    if not data:
        yield InputProblem(file, None, None, "empty file")
        return
    if suffix not in SUPPORTED_SUFFIXES:
        message = f"unsupported file type {suffix or '(none)'!r}; expected {', '.join(SUPPORTED_SUFFIXES)}"
        yield InputProblem(file, None, None, message)
        return
    if suffix == ".parquet":
        yield from _parse_parquet(data, file)
        return
    if suffix in web.HTML_SUFFIXES:
        yield from _parse_page(data, file, context)
        return
    if suffix in web.FEED_SUFFIXES:
        yield from _parse_feed(data, file, context, feed=file)
        return
    text = _decode(data, file, context.encoding)
    if isinstance(text, InputProblem):
        yield text
    elif suffix == ".jsonl":
        yield from _parse_jsonl(text, file)
    elif suffix == ".csv":
        yield from _parse_csv(text, file)
    elif _is_news_page(text):
        yield from _parse_news_page(text, file)
    else:
        yield from _parse_plain(text, file, markdown=suffix == ".md")


def _decode(data: bytes, file: str, encoding: str | None = None) -> str | InputProblem:
    """Text from a byte-order mark's charset, else UTF-8, else `encoding` (--encoding).

    Anything else is a problem saying how the file is unusable and what to do.
    """
    bom = web.bom_charset(data)
    if bom is not None and bom != "utf-8-sig":  # UTF-16 declared by its BOM
        text = data.decode(bom, errors="replace")
        return text if text.strip() else InputProblem(file, None, None, "empty file (only whitespace)")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return InputProblem(file, line, None, f"binary file (NUL byte at offset {nul}); expected UTF-8 text")
    skip = len(codecs.BOM_UTF8) if bom else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        text_or_problem = _decode_fallback(data, skip + exc.start, file, encoding)
        if isinstance(text_or_problem, InputProblem):
            return text_or_problem
        text = text_or_problem
    if not text.strip():
        return InputProblem(file, None, None, "empty file (only whitespace)")
    return text


def _decode_fallback(data: bytes, offset: int, file: str, encoding: str | None) -> str | InputProblem:
    """Text that is not UTF-8 (bad byte at `offset`): decoded with --encoding, or a problem."""
    line = data.count(b"\n", 0, offset) + 1
    bad = f"not valid UTF-8 (byte 0x{data[offset]:02x} at offset {offset})"
    if encoding is None:
        message = f"{bad}; pass --encoding (e.g. --encoding windows-1252) or convert the file to UTF-8"
        return InputProblem(file, line, None, message)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return InputProblem(file, line, None, f"{bad}, and not valid {encoding} either (offset {exc.start})")


def _lines(text: str) -> list[str]:
    """Physical lines; split on \\n only so line numbers match editors (U+2028 stays inside a line)."""
    return text.replace("\r\n", "\n").split("\n")


def _hash_folder(folder: Path) -> str:
    """sha256 over the names and bytes of a saved dataset's files, so a changed dataset is noticed."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        digest.update(path.name.encode("utf-8") + b"\x00")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- text formats


def _is_news_page(text: str) -> bool:
    """A news page has at least one line starting with a • bullet (the only bullet accepted)."""
    return any(line.strip().startswith(BULLET) for line in _lines(text))


def _tag_line(line: str) -> str | None:
    """The tag named by an unindented `Tag:` line, or None for any other line."""
    match = _TAG_LINE.match(line.rstrip())
    return None if match is None else _clean(match.group(1))


@dataclass
class _Draft:
    """A news-page article being collected: its bullet line and the raw body lines after it."""

    title: str
    line: int
    tag: str
    body: list[str] = field(default_factory=list)


def _parse_news_page(text: str, file: str) -> Iterator[_Article | InputProblem]:
    """Articles opened by `• Title` lines; `Tag:` lines set the tag for the articles after them."""
    tag = ""
    draft: _Draft | None = None
    stray_line: int | None = None
    for number, line in enumerate(_lines(text), start=1):
        new_tag = _tag_line(line)
        if new_tag is not None:
            tag = new_tag
            if draft is not None:
                draft.body.append("")  # the Tag line is not body text but it does end a paragraph
            continue
        stripped = line.strip()
        if stripped.startswith(BULLET):
            if draft is not None:
                yield _finish(draft, file)
            elif stray_line is not None:
                yield InputProblem(file, stray_line, None, f"text before the first {BULLET} title, ignored")
            draft = _Draft(_clean(stripped[len(BULLET) :]), number, tag)
        elif draft is not None:
            draft.body.append(line)
        elif stripped and stray_line is None:
            stray_line = number
    if draft is not None:
        yield _finish(draft, file)


def _finish(draft: _Draft, file: str) -> _Article | InputProblem:
    """Turn a collected news-page article into an article, or a problem if it lacks title or body."""
    if not draft.title:
        return InputProblem(file, draft.line, None, f"{BULLET} line without a title; its text is skipped")
    paragraphs = _blocks(draft.body)
    if not paragraphs:
        return _no_body(file, draft.line, draft.title)
    return _Article(draft.title, tuple(paragraphs), draft.tag, file, draft.line)


def _parse_plain(text: str, file: str, markdown: bool) -> Iterator[_Article | InputProblem]:
    """One article per file: first non-empty line is the title, the rest are paragraphs.

    A leading `Tag:` line is honoured as in news pages.
    """
    lines = _lines(text)
    tag = ""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        new_tag = _tag_line(line)
        if new_tag is not None:
            tag = new_tag
            continue
        title = _clean(line.strip().lstrip("#") if markdown else line)
        body = lines[index + 1 :]
        if markdown and body and _SETEXT_UNDERLINE.match(body[0].strip()):
            body = body[1:]  # "Title\n=====" is a Markdown heading, not a paragraph
        paragraphs = _blocks(body)
        if not title:
            yield InputProblem(file, index + 1, None, "empty title line")
        elif not paragraphs:
            yield _no_body(file, index + 1, title)
        else:
            yield _Article(title, tuple(paragraphs), tag, file, index + 1)
        return
    yield InputProblem(file, None, None, "no title found")


# --------------------------------------------------------------------------- web pages and feeds


def _read_url(url: str, display: str, context: _Context) -> tuple[str, Iterator[_Article | InputProblem]]:
    """Fetch a URL input and parse it as an article page or a feed, by what the server sent."""
    if not context.fetcher.settings.allow_network:
        problem = InputProblem(display, None, None, "URL input skipped: --offline forbids network access")
        return "", iter([problem])
    try:
        fetched = context.fetcher.fetch(url)
    except web.FetchError as exc:
        return "", iter([InputProblem(display, None, None, exc.reason)])
    digest = hashlib.sha256(fetched.content).hexdigest()
    kind = web.sniff_kind(fetched.content, fetched.media_type)
    if not fetched.content.strip():
        items: Iterator[_Article | InputProblem] = iter([InputProblem(display, None, None, "empty response")])
    elif kind == "feed":
        items = _parse_feed(fetched.content, display, context, feed=display, content_type=fetched.content_type)
    elif kind == "html":
        items = _parse_page(fetched.content, display, context, fetched=fetched)
    else:
        media_type = fetched.media_type or "(none)"
        message = f"unsupported content type {media_type!r}; expected an HTML page or an RSS/Atom feed"
        items = iter([InputProblem(display, None, None, message)])
    return digest, items


def _parse_page(
    data: bytes, file: str, context: _Context, fetched: web.Fetched | None = None
) -> Iterator[_Article | InputProblem]:
    """The one article of an HTML page (a file, or a fetched URL whose final URL gives its id)."""
    try:
        page = _extract(data, context, fetched)
    except web.ContentError as exc:
        yield InputProblem(file, None, None, str(exc))
        return
    url = web.display_url(fetched.url) if fetched else ""
    article = _page_article(page, file, url or None, url=url)
    yield article


def _extract(data: bytes, context: _Context, fetched: web.Fetched | None) -> web.Page:
    """Decode a page by its declared charset and extract its article; ContentError if it has none."""
    header_charset = fetched.charset if fetched else None
    html = web.decode_html(data, header_charset, context.encoding)
    return web.extract_page(html, fetched.url if fetched else None)


def _page_article(page: web.Page, file: str, given_id: str | None, **provenance: str) -> _Article | InputProblem:
    """An article from an extracted page, its text cleaned like every other input's."""
    title = _clean(page.title)
    paragraphs = tuple(p for p in (_clean(p) for p in page.paragraphs) if p)
    if not paragraphs:
        return _no_body(file, 1, title, given_id)
    fields = {"published": page.published, "byline": _clean(page.byline), **provenance}
    return _Article(title, paragraphs, _clean(page.tag), file, 1, given_id, **fields)


def _parse_feed(
    data: bytes, file: str, context: _Context, feed: str, content_type: str = ""
) -> Iterator[_Article | InputProblem]:
    """One article per feed item; the line number is the item's position in the feed."""
    try:
        parsed = web.parse_feed(data, content_type)
    except web.ContentError as exc:
        yield InputProblem(file, None, None, str(exc))
        return
    for item in parsed.items:
        yield from _feed_item_articles(item, file, feed, context)


def _feed_item_articles(
    item: web.FeedItem, file: str, feed: str, context: _Context
) -> Iterator[_Article | InputProblem]:
    """The item's article: its full content, else its fetched page, else its description.

    A page that cannot be fetched is reported even when the description stands in for it.
    """
    prefix = f"item {item.number}: "
    title = _clean(item.title)
    if not title:
        yield InputProblem(file, item.number, None, prefix + "missing title")
        return
    article_id = make_article_id(title, item.key)
    paragraphs, url, page, failure = item.paragraphs, item.link, None, None
    if not paragraphs and item.link and context.fetcher.settings.allow_network:
        page, url, failure = _fetch_item_page(item.link, context)
    if page is not None:
        paragraphs = page.paragraphs
    elif not paragraphs:
        paragraphs = item.summary
    paragraphs = tuple(p for p in (_clean(p) for p in paragraphs) if p)
    if not paragraphs:
        reason = failure or ("its page is not fetched with --offline" if item.link else "it has no link")
        message = f"{prefix}{title!r} has no text: the feed carries no content and {reason}"
        yield InputProblem(file, item.number, article_id, message)
        return
    if failure:
        yield InputProblem(file, item.number, article_id, f"{prefix}{failure}; used the feed's description instead")
    yield _Article(
        title, paragraphs, _clean(item.tag or (page.tag if page else "")), file, item.number, item.key,
        url=web.display_url(url), feed=feed, published=item.published or (page.published if page else ""),
        byline=_clean(item.byline or (page.byline if page else "")),
    )


def _fetch_item_page(link: str, context: _Context) -> tuple[web.Page | None, str, str | None]:
    """A feed item's page: (page, final URL, None), or (None, link, why it could not be had)."""
    try:
        fetched = context.fetcher.fetch(link)
        page = _extract(fetched.content, context, fetched)
    except web.FetchError as exc:
        return None, link, str(exc)
    except web.ContentError as exc:
        return None, link, f"page {web.display_url(link)}: {exc}"
    return page, fetched.url, None


# --------------------------------------------------------------------------- record formats


def _is_missing(value: Any) -> bool:
    """None, NaN (pandas' missing value) and blank strings all mean "not given"."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _record_to_article(
    record: Mapping[str, Any], file: str, line: int, prefix: str = ""
) -> _Article | InputProblem:
    """Validate one record (keys already lower-cased) into an article; `prefix` says e.g. "row 3: "."""

    def problem(message: str, article_id: str | None = None) -> InputProblem:
        return InputProblem(file, line, article_id, prefix + message)

    given_id = record.get("id")
    if _is_missing(given_id):
        given_id = None
    elif isinstance(given_id, int) and not isinstance(given_id, bool):
        given_id = str(given_id)
    elif isinstance(given_id, float) and given_id.is_integer():  # pandas stores ints with gaps as floats
        given_id = str(int(given_id))
    elif isinstance(given_id, str):
        given_id = _clean(given_id) or None
    else:
        return problem(f"id must be a string or an integer, got {type(given_id).__name__}")
    title = record.get("title")
    if _is_missing(title):
        return problem("missing title", make_article_id("", given_id) if given_id else None)
    if not isinstance(title, str):
        return problem(f"title must be a string, got {type(title).__name__}")
    title = _clean(title)
    if not title:  # only control characters
        return problem("missing title")
    article_id = make_article_id(title, given_id)
    tag = record.get("tag")
    if _is_missing(tag):
        tag = ""
    elif not isinstance(tag, str):
        return problem(f"tag must be a string, got {type(tag).__name__}", article_id)
    paragraphs = _record_paragraphs(record)
    if isinstance(paragraphs, str):
        return problem(paragraphs, article_id)
    if not paragraphs:
        return problem(f"article {title!r} has no body (needs body, text or paragraphs)", article_id)
    return _Article(title, tuple(paragraphs), _clean(tag), file, line, given_id)


def _record_paragraphs(record: Mapping[str, Any]) -> list[str] | str:
    """Paragraphs from the first given of paragraphs/body/text, or an error message string."""
    for key in _BODY_KEYS:
        value = record.get(key)
        if _is_missing(value):
            continue
        if isinstance(value, str):
            return _blocks(_lines(value))
        if key == "paragraphs" and isinstance(value, (list, tuple)):
            if not all(isinstance(item, str) or item is None for item in value):
                return "paragraphs must be a list of strings"
            return [p for p in (_clean(item) for item in value if item is not None) if p]
        return f"{key} must be a string, got {type(value).__name__}"
    return []


def _normalize_keys(record: Mapping[Any, Any]) -> dict[str, Any]:
    """Column and key names compared case- and space-insensitively ("Title " == "title")."""
    return {str(key).strip().lower(): value for key, value in record.items()}


def _parse_jsonl(text: str, file: str) -> Iterator[_Article | InputProblem]:
    """One JSON object per line; blank lines are skipped, bad lines reported and skipped."""
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputProblem(file, number, None, f"malformed JSON: {exc.msg}")
            continue
        except (ValueError, RecursionError) as exc:  # e.g. absurd nesting
            yield InputProblem(file, number, None, f"malformed JSON: {exc}")
            continue
        if not isinstance(record, dict):
            yield InputProblem(file, number, None, f"expected a JSON object, got {_json_type(record)}")
            continue
        yield _record_to_article(_normalize_keys(record), file, number)


def _json_type(value: Any) -> str:
    """JSON's own name for a parsed value's type, for messages."""
    names = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _columns_problem(columns: Sequence[str], file: str, allow_paragraphs: bool) -> InputProblem | None:
    """A problem when the table lacks a title column or any body column, else None."""
    names = {str(column).strip().lower() for column in columns}
    bodies = _BODY_KEYS if allow_paragraphs else _BODY_KEYS[1:]
    if "title" in names and names.intersection(bodies):
        return None
    wanted = "title and body (or text, or paragraphs)" if allow_paragraphs else "title and body (or text)"
    found = ", ".join(str(column) for column in columns) or "(none)"
    return InputProblem(file, None, None, f"needs columns {wanted}; found: {found}")


def _parse_csv(text: str, file: str) -> Iterator[_Article | InputProblem]:
    """A header row then one article per row; line numbers are the physical line a row starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1  # read before next(): a quoted field may span lines
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # the reader's state is unreliable after this
            yield InputProblem(file, start, None, f"CSV syntax error: {exc}; rest of file skipped")
            return
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            problem = _columns_problem(row, file, allow_paragraphs=False)
            if problem is not None:
                yield problem
                return
            continue
        if len(row) > len(header):
            message = (
                f"row has {len(row)} fields but the header has {len(header)}; "
                "quote fields that contain commas"
            )
            yield InputProblem(file, start, None, message)
            continue
        row = row + [""] * (len(header) - len(row))
        yield _record_to_article(dict(zip(header, row)), file, start)
    if header is None:
        yield InputProblem(file, None, None, "no header row")


def _parse_parquet(data: bytes, file: str) -> Iterator[_Article | InputProblem]:
    """Rows of a Parquet file; the line number is the row number (1-based)."""
    try:
        table = pq.ParquetFile(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as exc:
        yield InputProblem(file, None, None, f"cannot read Parquet file: {exc}")
        return
    yield from _parse_table(table.schema_arrow.names, _parquet_rows(table), file)


def _parquet_rows(table: pq.ParquetFile) -> Iterator[dict[str, Any]]:
    """Rows in batches, only the columns we use, so wide or large files stay cheap."""
    wanted = [name for name in table.schema_arrow.names if str(name).strip().lower() in _RECORD_KEYS]
    for batch in table.iter_batches(batch_size=1024, columns=wanted):
        yield from batch.to_pylist()


def _parse_saved_dataset(folder: Path, file: str) -> Iterator[_Article | InputProblem]:
    """Rows of a folder written by `Dataset.save_to_disk`; line numbers are row numbers."""
    try:
        dataset = datasets.load_from_disk(str(folder))
    except Exception as exc:  # datasets raises many types for a broken folder; report, don't crash
        yield InputProblem(file, None, None, f"cannot load saved dataset: {exc}")
        return
    if not isinstance(dataset, datasets.Dataset):
        message = "expected a saved Dataset, found a DatasetDict; give its split folders"
        yield InputProblem(file, None, None, message)
        return
    wanted = [name for name in dataset.column_names if name.strip().lower() in _RECORD_KEYS]
    yield from _parse_table(dataset.column_names, iter(dataset.select_columns(wanted)), file)


def _parse_table(
    columns: Sequence[str], rows: Iterator[Mapping[str, Any]], file: str
) -> Iterator[_Article | InputProblem]:
    """Shared by Parquet and saved datasets: check columns, then validate each row."""
    problem = _columns_problem(columns, file, allow_paragraphs=True)
    if problem is not None:
        yield problem
        return
    number = 0
    try:
        for number, row in enumerate(rows, start=1):
            yield _record_to_article(_normalize_keys(row), file, number, prefix=f"row {number}: ")
    except (pa.ArrowException, OSError) as exc:  # a corrupt page midway: keep what was read
        message = f"row {number + 1}: cannot read the rest of the file: {exc}"
        yield InputProblem(file, number + 1, None, message)


def _nothing_read_message(inputs: Sequence[str | Path], problems: Sequence[InputProblem]) -> str:
    """Why a read produced no article: the inputs and the first few problems."""
    shown = 5
    names = ", ".join(web.display_url(str(path)) for path in inputs)
    lines = [f"no article could be read from {names} ({len(problems)} problem(s))"]
    lines += [f"  {problem}" for problem in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"  ... and {len(problems) - shown} more")
    return "\n".join(lines)
