"""http(s) URL inputs: fetched, then read as an article page or a feed, by what the server sent."""

from __future__ import annotations

import hashlib
import re

from jobs.errors import InputProblem
from jobs.inputs.article import Parsed, ReadContext
from jobs.inputs.decoding import SNIFF_BYTES, bom_charset
from jobs.inputs.feeds import parse_feed
from jobs.inputs.fetch import Fetched, FetchError
from jobs.inputs.html import parse_page

_FIRST_ELEMENT = re.compile(rb"<(rss|feed|rdf:rdf|html|!doctype\s+html|head|body)[\s>/]", re.IGNORECASE)


def read_url(
    url: str, display: str, context: ReadContext, fetched: Fetched | FetchError | None = None
) -> tuple[str, Parsed]:
    """Fetch a URL input (unless `fetched` is its download already) and parse it as an article
    page or a feed, by what the server sent."""
    if not context.fetcher.settings.allow_network:
        problem = InputProblem(display, None, None, "URL input skipped: --offline forbids network access")
        return "", iter([problem])
    try:
        if fetched is None:
            fetched = context.fetcher.fetch(url)
        elif isinstance(fetched, FetchError):
            raise fetched
    except FetchError as exc:
        return "", iter([InputProblem(display, None, None, exc.reason)])
    digest = hashlib.sha256(fetched.content).hexdigest()
    kind = sniff_kind(fetched.content, fetched.media_type)
    if not fetched.content.strip():
        items: Parsed = iter([InputProblem(display, None, None, "empty response")])
    elif kind == "feed":
        items = parse_feed(fetched.content, display, context, feed=display, content_type=fetched.content_type)
    elif kind == "html":
        items = parse_page(fetched.content, display, context, fetched=fetched)
    else:
        media_type = fetched.media_type or "(none)"
        message = f"unsupported content type {media_type!r}; expected an HTML page or an RSS/Atom feed"
        items = iter([InputProblem(display, None, None, message)])
    return digest, items


def sniff_kind(data: bytes, media_type: str = "") -> str | None:
    """'feed', 'html' or None: from the document's first element, else from its media type."""
    head = data[:SNIFF_BYTES]
    bom = bom_charset(head)
    if bom and bom != "utf-8-sig":  # UTF-16: decode so the pattern can see the tags
        head = head.decode(bom, errors="ignore").encode("utf-8")
    match = _FIRST_ELEMENT.search(head)
    if match:
        return "feed" if match.group(1).lower() in (b"rss", b"feed", b"rdf:rdf") else "html"
    if "html" in media_type:
        return "html"
    if media_type.endswith(("xml", "rss", "atom")):
        return "feed"
    return None
