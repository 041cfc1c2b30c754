"""Read English news articles from files, folders and URLs into one `datasets.Dataset`.

Each source is parsed by the module for its kind (newspage, tables, html, feeds, urls); every
article gets a unique id (ids). Bad records become `InputProblem`s and the rest go on;
`InputError` is raised only when nothing at all can be read. Sizes are checked before parsing
(limits: a file, a page or feed, an article) and the same text under different ids is read once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobs.errors import ConfigError, InputError, InputProblem
from jobs.inputs.article import Article, Parsed, ReadContext
from jobs.inputs.compression import DecompressError, decompress, split_compression
from jobs.inputs.decoding import codec_name, decode_text
from jobs.inputs.feeds import parse_feed
from jobs.inputs.fetch import Fetcher, FetchSettings, display_url
from jobs.inputs.html import parse_page
from jobs.inputs.ids import assign_ids
from jobs.inputs.limits import ReadLimits, article_too_long, size_text
from jobs.inputs.netpolicy import parse_allow_entry
from jobs.inputs.newspage import parse_text_file
from jobs.inputs.sources import (
    FEED_SUFFIXES,
    HTML_SUFFIXES,
    SUPPORTED_SUFFIXES,
    Source,
    collect_sources,
    read_regular_file,
)
from jobs.inputs.tables import (
    parse_csv,
    parse_jsonl,
    parse_parquet,
    parse_saved_dataset,
)
from jobs.inputs.urls import read_url

if TYPE_CHECKING:
    import datasets

    from jobs.config import JobConfig

COLUMNS = (
    "id",
    "title",
    "paragraphs",
    "tag",
    "source_file",
    "source_line",
    "sha256",
    "url",
    "feed",
    "published",
    "byline",
)


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
    import datasets

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


def read_articles(
    inputs: Sequence[str | Path],
    *,
    encoding: str | None = None,
    fetch: FetchSettings | None = None,
    sources: Sequence[Source] | None = None,
    limits: ReadLimits | None = None,
) -> ReadResult:
    """Read every article from the given files, folders and URLs into one dataset.

    `encoding` decodes text and HTML files that are not UTF-8 and declare no charset (--encoding);
    `fetch` sets network access, its policy and its limits (--offline, --max-urls, --allow-host,
    --fetch-budget); `limits` the sizes of files, articles and feeds; `sources` are those
    `check_inputs` found already. Raises InputError when a path is missing, a folder holds
    nothing readable, or no article survives.
    """
    if isinstance(inputs, (str, Path)):  # a lone path would otherwise be iterated char by char
        inputs = [inputs]
    if sources is None:
        sources = check_inputs(inputs, encoding)
    with Fetcher(fetch) as fetcher:
        return _read_all(inputs, list(sources), ReadContext(encoding, fetcher, limits or ReadLimits()))


def fetch_settings(config: JobConfig, http_cache: Path | None = None) -> FetchSettings:
    """The run's network access, policy and limits, from its config (options and `defaults:`)."""
    return FetchSettings(
        allow_network=not config.offline,
        max_urls=config.max_urls,
        http_cache=http_cache,
        allow_hosts=tuple(config.allow_hosts),
        proxy_resolves=config.proxy_resolves,
        budget=config.fetch_budget,
    )


def read_limits(config: JobConfig) -> ReadLimits:
    """The run's size limits, from its config: the article size follows max_article_words."""
    return ReadLimits.for_words(
        config.max_article_words,
        max_input_bytes=int(config.max_input_mb * 1000**2),
        max_feed_items=config.max_feed_items,
    )


def check_inputs(
    inputs: Sequence[str | Path], encoding: str | None = None, allow_hosts: Sequence[str] = ()
) -> list[Source]:
    """The cheap part of reading, done before a run takes its lock: a known --encoding, valid
    --allow-host entries, every local path there, every folder holding something to read.
    Opens and fetches nothing."""
    if encoding is not None and codec_name(encoding) is None:
        raise ConfigError(f"unknown encoding {encoding!r} (--encoding); try e.g. windows-1251 or latin-1")
    for entry in allow_hosts:
        try:
            parse_allow_entry(entry)
        except ValueError as exc:
            raise ConfigError(f"--allow-host / allow_hosts: {exc}") from None
    return collect_sources(inputs)


def _read_all(inputs: Sequence[str | Path], sources: list[Source], context: ReadContext) -> ReadResult:
    """Read the collected sources in order, then give every article its id (ids.assign_ids)."""
    parsed: list[tuple[Source, str, list[Article | InputProblem]]] = []
    network = context.fetcher.settings.allow_network
    # URL inputs are fetched in parallel, a bounded window ahead of the parsing done here.
    fetched = context.fetcher.fetch_all(s.url for s in sources if s.url is not None) if network else iter(())
    for source in sources:
        if source.url is not None:
            digest, items = read_url(source.url, source.display, context, next(fetched, None))
        else:
            digest, items = _read_source(source, context)
        limit = context.limits.max_article_chars
        parsed.append((source, digest, [_too_long(item, limit) or item for item in items]))
    articles = [item for _, _, items in parsed for item in items if isinstance(item, Article)]
    ids = iter(assign_ids(articles))
    rows: list[dict[str, Any]] = []
    problems: list[InputProblem] = []
    read: list[SourceFile] = []
    texts: dict[str, tuple[str, Article]] = {}  # article sha256 -> the first id and article with that text
    for source, digest, items in parsed:
        kept = file_problems = 0
        for item in items:
            outcome = item if isinstance(item, InputProblem) else next(ids)
            if isinstance(item, Article) and isinstance(outcome, str):
                outcome = _same_text(item, outcome, texts) or outcome
            if isinstance(outcome, InputProblem):
                problems.append(outcome)
                file_problems += 1
            else:
                rows.append(_row(item, outcome))
                kept += 1
        if kept == 0 and file_problems == 0:
            problems.append(InputProblem(source.display, None, None, "no articles found"))
        if source.problem is None:  # a FIFO or a link loop was never read: it is a problem, not a source
            read.append(SourceFile(source.display, digest, kept))
    if not rows:
        raise InputError(_nothing_read_message(inputs, problems), problems)
    return ReadResult(articles=_to_dataset(rows), errors=problems, sources=read)


def _too_long(item: Article | InputProblem, limit: int) -> InputProblem | None:
    """A problem for an article over the size limit, before it is ever tokenized (any source kind)."""
    if not isinstance(item, Article):
        return None
    chars = len(item.title) + sum(len(p) for p in item.paragraphs)
    if chars <= limit:
        return None
    return InputProblem(item.source_file, item.source_line, None, article_too_long(item.title, chars, limit))


def _same_text(article: Article, article_id: str, texts: dict[str, tuple[str, Article]]) -> InputProblem | None:
    """A problem when an article carries the same text (title and body) as one kept before it
    under another id: 25,000 ids with one text would otherwise be 25,000 published articles."""
    first = texts.setdefault(article.sha256, (article_id, article))
    if first[1] is article:
        return None
    kept_id, kept = first
    message = (
        f"same text as article {kept_id} ({kept.source_file}:{kept.source_line}) under a different id "
        f"({article_id}); skipped"
    )
    return InputProblem(article.source_file, article.source_line, article_id, message)


def read_jsonl_part(path: Path, display: str, start: int, end: int, first_line: int) -> ReadResult:
    """The articles of the JSONL lines in bytes [start, end) of a file (one shard of an archive),
    numbered as in the whole file. Ids are given among these articles only (ids.assign_ids: in
    practice each article's id depends on the article alone)."""
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    text = decode_text(data, display)
    items = [text] if isinstance(text, InputProblem) else list(parse_jsonl("\n" * (first_line - 1) + text, display))
    ids = iter(assign_ids([item for item in items if isinstance(item, Article)]))
    rows: list[dict[str, Any]] = []
    problems: list[InputProblem] = []
    for item in items:
        outcome = item if isinstance(item, InputProblem) else next(ids)
        if isinstance(outcome, InputProblem):
            problems.append(outcome)
        else:
            rows.append(_row(item, outcome))
    return ReadResult(articles=_to_dataset(rows), errors=problems)


def _read_source(source: Source, context: ReadContext) -> tuple[str, Parsed]:
    """Hash a file or saved dataset and parse it into articles and problems, by kind and suffix."""
    assert source.path is not None
    if source.problem is not None:
        return "", iter([InputProblem(source.display, None, None, source.problem)])
    try:
        if source.is_dataset:
            return _hash_folder(source.path), parse_saved_dataset(source.path, source.display)
        data = read_regular_file(source.path, context.limits.max_input_bytes)
    except OSError as exc:
        problem = InputProblem(source.display, None, None, f"cannot read: {exc.strerror or exc}")
        return "", iter([problem])
    return hashlib.sha256(data).hexdigest(), _parse_bytes(data, source.path, source.display, context)


def _parse_bytes(data: bytes, path: Path, file: str, context: ReadContext) -> Parsed:
    """Dispatch a file's bytes to the parser for its suffix; a compressed file is read as what it holds."""
    suffix, compression = split_compression(path)
    if data and compression:
        try:
            data = decompress(data, compression, context.limits.max_input_bytes)
        except DecompressError as exc:
            yield InputProblem(file, None, None, str(exc))
            return
    if not data:
        yield InputProblem(file, None, None, "empty file")
        return
    if suffix not in SUPPORTED_SUFFIXES:
        message = f"unsupported file type {suffix or '(none)'!r}; expected {', '.join(SUPPORTED_SUFFIXES)}"
        yield InputProblem(file, None, None, message)
        return
    if suffix == ".parquet":
        yield from parse_parquet(data, file)
        return
    page_limit = context.fetcher.settings.max_bytes
    if suffix in (*HTML_SUFFIXES, *FEED_SUFFIXES) and len(data) > page_limit:
        message = f"{size_text(len(data))}, over the limit of {size_text(page_limit)} for a page or feed; not parsed"
        yield InputProblem(file, None, None, message)
        return
    if suffix in HTML_SUFFIXES:
        yield from parse_page(data, file, context)
        return
    if suffix in FEED_SUFFIXES:
        yield from parse_feed(data, file, context, feed=file)
        return
    text = decode_text(data, file, context.encoding)
    if isinstance(text, InputProblem):
        yield text
    elif suffix == ".jsonl":
        yield from parse_jsonl(text, file, context.limits.max_article_chars)
    elif suffix == ".csv":
        yield from parse_csv(text, file)
    else:
        yield from parse_text_file(text, file, markdown=suffix == ".md", max_chars=context.limits.max_article_chars)


def _hash_folder(folder: Path) -> str:
    """sha256 over the names and bytes of a saved dataset's files, so a changed dataset is noticed."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        digest.update(path.name.encode("utf-8") + b"\x00")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _row(article: Article, article_id: str) -> dict[str, Any]:
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
    import datasets

    features = article_features()
    if not rows:  # from_list cannot build a zero-row table with features in datasets 5
        return datasets.Dataset.from_dict({name: [] for name in features}, features=features)
    return datasets.Dataset.from_list(rows, features=features)


def _nothing_read_message(inputs: Sequence[str | Path], problems: Sequence[InputProblem]) -> str:
    """Why a read produced no article: the inputs and the first few problems."""
    shown = 5
    names = ", ".join(display_url(str(path)) for path in inputs)
    lines = [f"no article could be read from {names} ({len(problems)} problem(s))"]
    lines += [f"  {problem}" for problem in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"  ... and {len(problems) - shown} more")
    return "\n".join(lines)
