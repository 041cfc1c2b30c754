"""Tables of articles: JSON Lines, CSV, Parquet and folders written by `Dataset.save_to_disk`.

Every row is validated the same way: a title, a body (`paragraphs`, `body` or `text`), optionally an
id and a tag; column names are compared case- and space-insensitively. pyarrow and datasets are
imported inside the functions that use them, so importing this module stays fast.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobs.errors import InputProblem
from jobs.inputs.article import Article, Parsed
from jobs.inputs.ids import make_article_id
from jobs.inputs.limits import ReadLimits
from jobs.inputs.text import blocks, clean, split_lines

if TYPE_CHECKING:
    import pyarrow.parquet as pq

log = logging.getLogger("jobs")
_BODY_KEYS = ("paragraphs", "body", "text")
# Optional columns carried into records, Markdown and feeds; the first of each group given wins.
_META_KEYS = {
    "published": ("published", "date", "pubdate", "published_at"),
    "url": ("url", "link", "canonical_url"),
    "byline": ("author", "byline", "authors"),
}
_RECORD_KEYS = ("id", "title", "tag", *_BODY_KEYS, *(key for keys in _META_KEYS.values() for key in keys))


def parse_jsonl(text: str, file: str, max_chars: int = ReadLimits().max_article_chars) -> Parsed:
    """One JSON object per line; blank lines are skipped, bad lines reported and skipped.

    A line longer than an article may be (`max_chars`, six times over for JSON's \\uXXXX escapes)
    is a problem before it is parsed."""
    line_limit = 6 * max_chars
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        if len(line) > line_limit:
            message = (
                f"line is {len(line):,} characters long, over the limit of {line_limit:,} for one article's "
                "record (from max_article_words in the config); skipped unparsed"
            )
            yield InputProblem(file, number, None, message)
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


def parse_csv(text: str, file: str) -> Parsed:
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
            message = f"row has {len(row)} fields but the header has {len(header)}; quote fields that contain commas"
            yield InputProblem(file, start, None, message)
            continue
        row = row + [""] * (len(header) - len(row))
        yield _record_to_article(dict(zip(header, row)), file, start)
    if header is None:
        yield InputProblem(file, None, None, "no header row")


def parse_parquet(data: bytes, file: str) -> Parsed:
    """Rows of a Parquet file; the line number is the row number (1-based)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

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


def parse_saved_dataset(folder: Path, file: str) -> Parsed:
    """Rows of a folder written by `Dataset.save_to_disk`; line numbers are row numbers."""
    import datasets

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


def _parse_table(columns: Sequence[str], rows: Iterator[Mapping[str, Any]], file: str) -> Parsed:
    """Shared by Parquet and saved datasets: check columns, then validate each row."""
    import pyarrow as pa

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


def _is_missing(value: Any) -> bool:
    """None, NaN (pandas' missing value) and blank strings all mean "not given"."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _record_to_article(record: Mapping[str, Any], file: str, line: int, prefix: str = "") -> Article | InputProblem:
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
        given_id = clean(given_id) or None
    else:
        return problem(f"id must be a string or an integer, got {type(given_id).__name__}")
    title = record.get("title")
    if _is_missing(title):
        return problem("missing title", make_article_id("", given_id) if given_id else None)
    if not isinstance(title, str):
        return problem(f"title must be a string, got {type(title).__name__}")
    title = clean(title)
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
    meta = _record_meta(record)
    if isinstance(meta, str):
        return problem(meta, article_id)
    return Article(title, tuple(paragraphs), clean(tag), file, line, given_id, **meta)


def _record_meta(record: Mapping[str, Any]) -> dict[str, str] | str:
    """published, url and byline from their columns (_META_KEYS), or an error message string.
    A date is kept as ISO 8601 (a datetime value from Parquet, or text); an author list is joined."""
    found: dict[str, str] = {}
    for field_name, keys in _META_KEYS.items():
        key = next((k for k in keys if not _is_missing(record.get(k))), None)
        if key is None:
            continue
        value = record[key]
        if hasattr(value, "isoformat"):  # datetime / date / pandas Timestamp from Parquet
            value = value.isoformat()
        elif isinstance(value, (list, tuple)) and field_name == "byline":
            if not all(isinstance(item, str) for item in value):
                return f"{key} must be a string or a list of strings"
            value = ", ".join(clean(item) for item in value if clean(item))
        elif not isinstance(value, str):
            return f"{key} must be a string, got {type(value).__name__}"
        value = clean(value)
        if field_name == "url" and not value.lower().startswith(("http://", "https://")):
            log.warning("%s: %r is not an http(s) URL; the article is published without one", key, value[:80])
            continue
        if value:
            found[field_name] = value
    return found


def _record_paragraphs(record: Mapping[str, Any]) -> list[str] | str:
    """Paragraphs from the first given of paragraphs/body/text, or an error message string."""
    for key in _BODY_KEYS:
        value = record.get(key)
        if _is_missing(value):
            continue
        if isinstance(value, str):
            return blocks(split_lines(value))
        if key == "paragraphs" and isinstance(value, (list, tuple)):
            if not all(isinstance(item, str) or item is None for item in value):
                return "paragraphs must be a list of strings"
            return [p for p in (clean(item) for item in value if item is not None) if p]
        return f"{key} must be a string, got {type(value).__name__}"
    return []


def _normalize_keys(record: Mapping[Any, Any]) -> dict[str, Any]:
    """Column and key names compared case- and space-insensitively ("Title " == "title")."""
    return {str(key).strip().lower(): value for key, value in record.items()}
