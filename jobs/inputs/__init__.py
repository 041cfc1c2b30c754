"""Reading articles: files, folders, pages, feeds and URLs into one datasets table.

One module per source kind: newspage (news-page and plain text files), tables (JSONL, CSV,
Parquet, saved datasets), html (article pages), feeds (RSS/Atom), urls (fetched inputs); shared
pieces: sources (what to read), decoding (bytes to text), fetch (HTTP), ids (article ids), text.
"""

from jobs.inputs.fetch import FetchSettings
from jobs.inputs.limits import ReadLimits
from jobs.inputs.reader import ReadResult, SourceFile, check_inputs, fetch_settings, read_articles, read_limits

__all__ = [
    "FetchSettings",
    "ReadLimits",
    "ReadResult",
    "SourceFile",
    "check_inputs",
    "fetch_settings",
    "read_articles",
    "read_limits",
]
