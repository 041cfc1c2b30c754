"""HTML article pages (files and fetched URLs): the article text and metadata, without site chrome.

Also reduces HTML fragments (a feed item's content) to paragraphs. trafilatura and lxml are
imported inside the functions that use them, so importing this module stays fast.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jobs.errors import InputProblem
from jobs.inputs.article import Article, ContentError, Parsed, ReadContext, no_body
from jobs.inputs.bodyblocks import body_paragraphs, merge_missed_prose
from jobs.inputs.boilerplate import strip_boilerplate
from jobs.inputs.bylines import byline_in_text, plausible_byline, without_byline_lines
from jobs.inputs.decoding import decode_html
from jobs.inputs.dumps import header_dump, precision_body
from jobs.inputs.fetch import Fetched, display_url, is_url
from jobs.inputs.headlines import drop_repeated_headlines, site_names_of
from jobs.inputs.overlays import drop_panels
from jobs.inputs.pagekind import (
    PageFacts,
    normal_text,
    not_article_reason,
    page_facts,
    teaser_prose_share,
)
from jobs.inputs.pagemeta import PageMeta, meta_values, page_meta
from jobs.inputs.prose import not_prose_reason, word_count
from jobs.inputs.sections import Item, section_groups, with_sibling_sections
from jobs.inputs.statedbody import Stated, is_markup, stated_body
from jobs.inputs.text import clean, one_line
from jobs.inputs.titles import page_title
from jobs.inputs.visibletext import credited_otherwise, shown_on_page
from jobs.quality.language import looks_mojibake

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


log = logging.getLogger(__name__)

DECORATIONS_MAX_SHARE = 0.5  # blocks marked as decorations may hold up to half the extracted words


@dataclass(frozen=True)
class Page:
    """The article found in an HTML page: its text and what the page says about it."""

    title: str
    paragraphs: tuple[str, ...]
    byline: str = ""
    published: str = ""  # ISO 8601 date, "" if the page gives none
    tag: str = ""  # the page's first section or category
    url: str = ""  # the page's canonical URL (<link rel=canonical>, og:url), "" if none


def parse_page(data: bytes, file: str, context: ReadContext, fetched: Fetched | None = None) -> Parsed:
    """The one article of an HTML page (a file, or a fetched URL whose final URL gives its id)."""
    try:
        page = extract_article(data, context, fetched, name=file)
    except ContentError as exc:
        yield InputProblem(file, None, None, str(exc))
        return
    url = display_url(fetched.url) if fetched else ""
    yield _page_article(page, file, url or None, url=url or display_url(page.url))


def extract_article(data: bytes, context: ReadContext, fetched: Fetched | None, name: str = "") -> Page:
    """Decode a page (`name`: its file or URL, for the log) and extract its article; ContentError if it has none."""
    header_charset = fetched.charset if fetched else None
    name = name or (display_url(fetched.url) if fetched else "")
    html = decode_html(data, header_charset, context.encoding, name=name)
    page = extract_page(html, fetched.url if fetched else None)
    if looks_mojibake("\n".join([page.title, *page.paragraphs])):
        log.warning("%s: the text still looks double-decoded (mojibake, e.g. 'â€™' or 'Ã©'); check its charset", name)
    return page


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

    Uses trafilatura; raises ContentError when the page holds no article text or is not an
    article at all (a front page, a product page: see pagekind). The title loses the site's
    name and section labels, the headline is not repeated in the body, and an implausible
    byline is dropped.
    """
    import trafilatura
    from trafilatura.utils import load_html

    html = html.lstrip()  # trafilatura reads a page as HTML only if "html" is in its first 50 characters
    tree = load_html(html)
    if tree is None:
        raise ContentError("not an HTML page")
    _prepare(tree)
    second = copy.deepcopy(tree)  # for the recall-favoring reading below: extraction prunes `tree`
    facts = page_facts(tree)  # before extraction, which prunes the tree
    meta = page_meta(tree, url)
    sections = section_groups(tree)  # before extraction, which prunes the tree
    stated = stated_body(tree, (facts.headline, meta.og_title, meta.shown_headline))  # not JSON-LD's first
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,  # readers' comments are not the article
        include_tables=False,  # table cells make poor paragraphs to summarize and translate
        include_links=True,  # only to measure link density; the text keeps no links
        # trafilatura's balanced default: on the real pages of docs/inputs.md favor_precision lost
        # 2 points of recall for 1 of precision; its recall view is consulted per paragraph below.
        # The date published is pagemeta's; trafilatura's is not used.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None or document.body is None:
        raise ContentError("no article text found in the page")
    if header_dump(document.body, (facts.headline, meta.shown_headline, meta.og_title, meta.headline)):
        precise = precision_body(html, url, _prepare)
        document.body = document.body if precise is None else precise
    recall_view = trafilatura.bare_extraction(
        second, url=url, include_comments=False, include_tables=False, favor_recall=True, with_metadata=False
    )
    missed = body_paragraphs(recall_view.body)[0] if recall_view is not None and recall_view.body is not None else []
    return _page(
        document,
        facts,
        meta,
        url or meta.address,
        missed,
        own_address=url or facts.canonical,
        sections=sections,
        stated=stated,
    )


def _prepare(tree: Any) -> None:
    drop_panels(tree)  # login, consent and message dialogs are no reading's text (overlays.py)
    meta_values(tree)  # <meta value=...> read as <meta content=...>


def _page(
    document: Any,
    facts: PageFacts,
    meta: PageMeta,
    address: str = "",
    recall_view: Sequence[str] = (),
    own_address: str = "",
    sections: Sequence[tuple[Item, ...]] = (),
    stated: Stated = Stated(),
) -> Page:
    """The Page of trafilatura's document, checked and cleaned; `recall_view`: the paragraphs of
    trafilatura's recall-favoring reading, whose prose inside the article's span is kept too;
    `own_address`: the page's address as fetched or its canonical link (not og:url, which templates
    often set to the site's root on every page), "" if neither: what tells a front page by address;
    `sections`: the page's groups of sibling sections (sections.section_groups), read before extraction,
    whose prose around the extracted paragraphs is kept too (a story cut into modules); `stated`: the
    story its structured data states (statedbody.stated_body), read when the page shows too little."""
    title, raw_title = page_title(document, facts, meta, address)
    site_names = site_names_of(document.sitename, document.hostname, address)  # never an author
    listed = sum(normal_text(" ".join(e.itertext())) in facts.linked_headlines for e in document.body.iter("head", "p"))
    paragraphs, link_density = body_paragraphs(document.body)
    paragraphs = with_sibling_sections(merge_missed_prose(paragraphs, recall_view), sections)
    paragraphs = stated.unread(paragraphs)  # trafilatura's rescue read the structured data
    headlines = [title, raw_title, facts.headline, meta.shown_headline]
    paragraphs = _cleaned(drop_repeated_headlines(paragraphs, headlines), facts.decorations)
    byline = _byline(meta, one_line(document.author or ""), site_names, paragraphs)
    paragraphs = without_byline_lines(paragraphs, site_names)  # "By Jane Doe" is no paragraph of the story
    teasers = teaser_prose_share(paragraphs, facts.teaser_texts)
    checks = (facts, listed, own_address)
    reason = _refusal(paragraphs, link_density, teasers, *checks)
    if reason and stated.story:  # the page shows too little: the story its structured data states
        told = without_byline_lines(_cleaned(drop_repeated_headlines(_split(stated.story), headlines)), site_names)
        if not _refusal(told, 0.0, 0.0, *checks):
            paragraphs, reason = told, None
    if reason:
        raise ContentError(f"not a news article: {reason}")
    if not paragraphs:
        raise ContentError("no article text found in the page")
    if not title:
        raise ContentError("the page has no title")
    categories = [c for c in (document.categories or []) if c and c.strip()]
    return Page(
        title=title,
        paragraphs=tuple(paragraphs),
        byline=byline,
        published=meta.published,
        tag=one_line(categories[0]) if categories else "",
        url=document.url if document.url and is_url(document.url) else "",
    )


def _cleaned(paragraphs: list[str], decorations: frozenset[str] = frozenset()) -> list[str]:
    """`paragraphs` without the page's decorations (unless the mark was on the story) and boilerplate."""
    undecorated = [p for p in paragraphs if normal_text(p) not in decorations]
    if _words(undecorated) >= DECORATIONS_MAX_SHARE * _words(paragraphs):
        paragraphs = undecorated
    return list(strip_boilerplate(paragraphs).paragraphs)


def _refusal(
    paragraphs: list[str], link_density: float, teasers: float, facts: PageFacts, listed: int, own_address: str
) -> str | None:
    """Why `paragraphs` are not a news article's (pagekind, prose), or None."""
    return not_article_reason(
        facts, len(paragraphs), _words(paragraphs), link_density, listed, own_address, teasers
    ) or not_prose_reason(paragraphs)


def _split(stated: str) -> list[str]:
    """The paragraphs of a stated body: its blocks if it is HTML, else its lines."""
    return (
        html_paragraphs(stated) if is_markup(stated) else [p for line in stated.splitlines() if (p := one_line(line))]
    )


def _words(paragraphs: list[str]) -> int:
    return sum(word_count(p) for p in paragraphs)  # Chinese, Japanese, Thai: no spaces between words


def _byline(meta: PageMeta, extracted: str, site_names: tuple[str, ...], paragraphs: Sequence[str] = ()) -> str:
    """The page's authors: its structured data's persons first, else the visible byline, cleaned,
    else a paragraph of the text that is a byline and nothing else ("Von Jane Doe").

    A page whose JSON-LD names only an organization as the author takes its persons from such a
    paragraph only, and a name the page's visible text does not show is not published
    (visibletext.shown_on_page).
    """
    in_text = byline_in_text(paragraphs, site_names)
    if meta.author_source == "json-ld-organization":
        return _shown(in_text, meta)
    if meta.authors:
        stated = _shown(plausible_byline("; ".join(meta.authors), site_names), meta)
        if stated or meta.author_source == "json-ld":
            return stated
    extracted = "" if re.search(r"(?i)\b(?:https?|www)\b", extracted) else extracted  # a link's address cut in words
    return _shown(plausible_byline(extracted, site_names), meta) or _shown(in_text, meta)


def _shown(byline: str, meta: PageMeta) -> str:
    names = [name for name in byline.split("; ") if name and shown_on_page(name, meta.visible)]
    return "; ".join(name for name in names if not credited_otherwise(name, meta.visible))


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
