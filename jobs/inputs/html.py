"""HTML article pages (files and fetched URLs): the article text and metadata, without site chrome.

Also reduces HTML fragments (a feed item's content) to paragraphs. trafilatura and lxml are
imported inside the functions that use them, so importing this module stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobs.errors import InputProblem
from jobs.inputs.article import Article, ContentError, Parsed, ReadContext, no_body
from jobs.inputs.decoding import decode_html
from jobs.inputs.fetch import Fetched, display_url
from jobs.inputs.text import clean, one_line

# Elements of feed HTML that hold no article text.
_NON_TEXT_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "object",
    "embed",
    "form",
    "button",
    "svg",
    "nav",
    "aside",
    "figure",
)
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "table",
        "tr",
        "td",
        "th",
        "ul",
        "ol",
        "dl",
        "br",
        "hr",
    ]
)


@dataclass(frozen=True)
class Page:
    """The article found in an HTML page: its text and what the page says about it."""

    title: str
    paragraphs: tuple[str, ...]
    byline: str = ""
    published: str = ""  # ISO 8601 date, "" if the page gives none
    tag: str = ""  # the page's first section or category


def parse_page(data: bytes, file: str, context: ReadContext, fetched: Fetched | None = None) -> Parsed:
    """The one article of an HTML page (a file, or a fetched URL whose final URL gives its id)."""
    try:
        page = extract_article(data, context, fetched, name=file)
    except ContentError as exc:
        yield InputProblem(file, None, None, str(exc))
        return
    url = display_url(fetched.url) if fetched else ""
    yield _page_article(page, file, url or None, url=url)


def extract_article(data: bytes, context: ReadContext, fetched: Fetched | None, name: str = "") -> Page:
    """Decode a page (`name`: its file or URL, for the log) and extract its article; ContentError if it has none."""
    header_charset = fetched.charset if fetched else None
    name = name or (display_url(fetched.url) if fetched else "")
    html = decode_html(data, header_charset, context.encoding, name=name)
    return extract_page(html, fetched.url if fetched else None)


def _page_article(page: Page, file: str, given_id: str | None, **provenance: str) -> Article | InputProblem:
    """An article from an extracted page, its text cleaned like every other input's."""
    title = clean(page.title)
    paragraphs = tuple(p for p in (clean(p) for p in page.paragraphs) if p)
    if not paragraphs:
        return no_body(file, 1, title, given_id)
    fields = {"published": page.published, "byline": clean(page.byline), **provenance}
    return Article(title, paragraphs, clean(page.tag), file, 1, given_id, **fields)


def extract_page(html: str, url: str | None = None) -> Page:
    """The main text and metadata of an article page, without navigation or boilerplate.

    Uses trafilatura; raises ContentError when the page holds no article text.
    """
    import trafilatura

    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,  # readers' comments are not the article
        include_tables=False,  # table cells make poor paragraphs to summarize and translate
        favor_precision=True,  # rather lose a doubtful line than publish a share bar
        # Dates from the page's markup only: the text is full of dates that are not the publication's.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None or document.body is None:
        raise ContentError("no article text found in the page")
    title = one_line(document.title or "")
    paragraphs = _body_paragraphs(document.body, title)
    if not paragraphs:
        raise ContentError("no article text found in the page")
    if not title:
        raise ContentError("the page has no title")
    categories = [c for c in (document.categories or []) if c and c.strip()]
    return Page(
        title=title,
        paragraphs=tuple(paragraphs),
        byline=one_line(document.author or ""),
        published=document.date or "",
        tag=one_line(categories[0]) if categories else "",
    )


def _body_paragraphs(body: Any, title: str) -> list[str]:
    """One paragraph per block of trafilatura's output tree; a heading repeating the title is dropped."""
    paragraphs: list[str] = []
    for element in body:
        items = element.findall(".//item") if element.tag == "list" else [element]
        for item in items:
            text = one_line("".join(item.itertext()))
            if text:
                paragraphs.append(text)
    if paragraphs and title and _same_text(paragraphs[0], title):
        paragraphs.pop(0)
    return paragraphs


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def html_paragraphs(fragment: str) -> list[str]:
    """The paragraphs of an HTML fragment (a feed's content or description), as plain text.

    Each block element (p, h2, li...) or <br> ends a paragraph; scripts, forms and figures are dropped.
    """
    root = _parse_fragment(fragment)
    if root is None:
        return []
    paragraphs: list[str] = []
    current: list[str] = [root.text or ""]  # text before the first tag
    _walk_blocks(root, current, paragraphs)
    _flush(current, paragraphs)
    return paragraphs


def _parse_fragment(fragment: str) -> Any:
    """The fragment parsed under one <div>, with non-text elements removed; None if it is empty."""
    if not fragment.strip():
        return None
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return None
    etree.strip_elements(root, *_NON_TEXT_TAGS, with_tail=False)
    return root


def _walk_blocks(element: Any, current: list[str], paragraphs: list[str]) -> None:
    """Collect text in document order, ending a paragraph at every block element's edges."""
    for child in element:
        if not isinstance(child.tag, str):  # comments and processing instructions
            if child.tail:
                current.append(child.tail)
            continue
        block = child.tag.lower() in _BLOCK_TAGS
        if block:
            _flush(current, paragraphs)
        if child.text:
            current.append(child.text)
        _walk_blocks(child, current, paragraphs)
        if block:
            _flush(current, paragraphs)
        if child.tail:
            current.append(child.tail)


def _flush(current: list[str], paragraphs: list[str]) -> None:
    text = one_line("".join(current))
    if text:
        paragraphs.append(text)
    current.clear()
