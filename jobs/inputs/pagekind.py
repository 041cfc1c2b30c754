"""Whether an HTML page is a news article at all, from what it says of itself and how it is built.

A front page (a list of links), a product page or a shop listing extracts to some text too; it
must be a listed problem, not an article. The signals, cheapest first: the page's declared type
(og:type, schema.org JSON-LD), its address (a site's root, a one-word section), its structure
(teasers: linked headlines of other pages followed by a standfirst, and how much of the published
prose they make), the share of the extracted text that is link text, readability's
`isProbablyReaderable` score (Mozilla readability: paragraphs of 140+ characters, each adding the
square root of its extra length; a page scoring 20 or less is not a reading page), and the words
of running prose (jobs/inputs/prose.py), the one test that pages, feed items and text files share.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from jobs.inputs.headlines import is_site_heading
from jobs.inputs.pagemeta import ARTICLE_TYPES, json_ld_objects
from jobs.inputs.prose import prose_words

# schema.org types of pages that list or sell things instead of an article (pagemeta.ARTICLE_TYPES: articles).
_NOT_ARTICLE_TYPES = frozenset(
    [
        "product",
        "productgroup",
        "offer",
        "aggregateoffer",
        "itemlist",
        "collectionpage",
        "searchresultspage",
        "store",
        "profilepage",
        "realestatelisting",
        "event",
        "jobposting",
        "recipe",
    ]
)
_NOT_ARTICLE_OG_TYPES = frozenset({"product", "product.item", "product.group", "og:product", "profile", "video.movie"})
# readability's isProbablyReaderable defaults and its "unlikely candidate" class/id patterns.
MIN_CONTENT_LENGTH = 140
MIN_READERABLE_SCORE = 20.0
_UNLIKELY = re.compile(
    r"-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|"
    r"legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|"
    r"ad-break|agegate|pagination|pager|popup|yom-remote",
    re.IGNORECASE,
)
_MAYBE = re.compile(r"and|article|body|column|content|main|shadow", re.IGNORECASE)
_DECORATION = re.compile(
    r"caption|credit|newsletter|subscri|signup|sign-up|share|sharing|social|related|recommend|"
    r"most-?read|most-?popular|popular-|trending|promo|teaser-list|outbrain|taboola|author-?bio|"
    r"breadcrumb|\btags?\b|tag-?list|paywall|read-?more|more-?stories|listen",
    re.IGNORECASE,
)
DECORATION_MAX_WORDS = 200
# A body whose blocks are mostly links is a list of links (a front page, an index).
MAX_LINK_DENSITY = 0.5
# Fewer paragraphs and words than this, on a page that is not readerable, is not an article.
MIN_ARTICLE_PARAGRAPHS = 3
MIN_ARTICLE_WORDS = 150
# A page whose extracted text holds this many linked headlines (h2-h4 that link elsewhere), and
# that does not declare itself an article, lists stories: a front page, a section page, a blog's
# index. An article's related-story headlines sit in a sidebar that extraction leaves out.
MIN_LISTED_HEADLINES = 3
_INDEX_FILE = re.compile(r"^(?:index|home|default|start)(?:\.\w{2,5})?$", re.IGNORECASE)
_SECTION_WORD = re.compile(r"^[^\W\d_]{2,20}$")  # one word: no hyphen, digit, id or file extension
# A teaser: a linked headline of this many words (a block this much link text), maybe labels of
# up to this many words, then a standfirst (see teaser_blocks).
TEASER_LINK_MIN_WORDS = 3
MOSTLY_LINKED = 0.8
TEASER_LABEL_WORDS = 5
TEASER_KEY_WORDS = 10
# A page that does not declare itself an article, whose published prose is at least this share
# teasers' standfirsts, and that announces this many other pages with teasers, lists stories:
# a front or section page (an article's related-story teasers are left out by extraction).
MIN_REPEATED_TEASERS = 5
MIN_TEASER_PROSE_SHARE = 0.5


@dataclass(frozen=True)
class PageFacts:
    """What a page says about itself, read before extraction (which changes the tree)."""

    headline: str  # the first <h1>'s text that is not the site's logo
    page_title: str  # the <title>
    site_headings: tuple[str, ...]  # <h1>s that name the site (in a link, a link home, or a logo's), not the story
    og_type: str
    schema_types: frozenset[str]  # schema.org @type values of its JSON-LD, lower case
    readerable_score: float
    # Normalized texts of the page's decorations (captions, asides, share, newsletter and related blocks)
    decorations: frozenset[str] = frozenset()
    # Normalized texts of h2-h4 headings that link to another page: on a front or section page,
    # the headlines of the stories it lists
    linked_headlines: frozenset[str] = frozenset()
    # Keys of the page's teaser standfirsts (teaser_blocks), and how many other pages they announce
    teaser_texts: frozenset[str] = frozenset()
    repeated_teasers: int = 0
    canonical: str = ""  # the href of <link rel=canonical>, "" if none


_AWAY = "@href and not(starts-with(normalize-space(@href), '#'))"  # a link to another page


def page_facts(tree: Any) -> PageFacts:
    """The facts of a parsed page (an lxml tree) that tell an article from other pages."""
    headlines, site_headings = [], []
    for h1 in tree.iter("h1"):
        text = " ".join(h1.text_content().split())
        (site_headings if is_site_heading(h1) else headlines).append(text)
    og_type = tree.xpath("string(//meta[@property='og:type']/@content)").strip().lower()
    teaser_texts, repeated_teasers = teaser_blocks(tree)
    return PageFacts(
        headline=next((text for text in headlines if text), ""),
        page_title=" ".join(tree.xpath("string(//title)").split()),
        site_headings=tuple(text for text in site_headings if text),
        og_type=og_type,
        canonical=tree.xpath("string(//link[@rel='canonical']/@href)").strip(),
        schema_types=frozenset(_schema_types(tree)),
        readerable_score=readerable_score(tree),
        decorations=decoration_texts(tree),
        linked_headlines=frozenset(  # a heading's link to itself ("#section", a bookmark) leads nowhere else
            normal_text(h.text_content())
            for h in tree.xpath(f"//*[self::h2 or self::h3 or self::h4][.//a[{_AWAY}] or ancestor::a[{_AWAY}]]")
            if len(h.text_content().split()) >= 2
        ),
        teaser_texts=teaser_texts,
        repeated_teasers=repeated_teasers,
    )


def teaser_blocks(tree: Any, own_address: str = "") -> tuple[frozenset[str], int]:
    """The keys (teaser_key) of the page's teaser standfirsts, and how many other pages they announce.

    A teaser is a linked headline followed by a standfirst: in document order, a block of running
    prose (prose_words) whose nearest block before it, short labels of up to TEASER_LABEL_WORDS
    words (a date, a section) skipped, is a link of TEASER_LINK_MIN_WORDS words or more to another
    page (not a fragment, not the page's own address). A front or section page is made of them;
    an article's paragraphs follow each other, and its title links, if at all, to itself.
    """
    stated = tree.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content")
    base = own_address or next((href.strip() for href in stated if href.strip()), "")
    own = {_resolved(base, href) for href in [own_address, *stated] if href.strip()}
    keys: set[str] = set()
    addresses: set[str] = set()
    heading: str | None = None  # the address of the linked headline just before, if any
    for block in _leaf_blocks(tree):
        text = " ".join(block.text_content().split())
        words = len(text.split())
        around = block.xpath("ancestor::a[@href]")  # the whole block inside a link
        inside = block.xpath(".//a[@href]")
        linked = words if around else sum(len(a.text_content().split()) for a in inside)
        if (around or inside) and words >= TEASER_LINK_MIN_WORDS and linked >= MOSTLY_LINKED * words:
            href = (around or inside)[0].get("href", "").strip()
            usable = href and not href.startswith(("#", "javascript:")) and _resolved(base, href) not in own
            heading = href if usable else None
            continue
        if words <= TEASER_LABEL_WORDS:
            continue  # a label, a date or a byline between a headline and its standfirst
        if heading and prose_words([text]):
            keys.add(teaser_key(text))
            addresses.add(heading)
        heading = None
    keys.discard("")
    return frozenset(keys), len(addresses)


def _resolved(base: str, href: str) -> str:
    """`href` made absolute against `base`, without a trailing slash; as written when it is not a
    valid address (a page may hold "http://[not-a-host]/")."""
    try:
        return urljoin(base, href.strip()).rstrip("/")
    except ValueError:
        return href.strip().rstrip("/")


def teaser_key(text: str) -> str:
    """What a paragraph and a teaser standfirst are matched by: the first TEASER_KEY_WORDS
    normalized words (extraction may drop a "Full story" link at the end)."""
    return " ".join(normal_text(text).split()[:TEASER_KEY_WORDS])


_LEAF_TAGS = (
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt", "blockquote", "section",
    "article", "header", "footer", "pre", "figcaption",
)  # fmt: skip


def _leaf_blocks(tree: Any) -> list[Any]:
    """The page's innermost text blocks (block elements holding no other block), in document order."""
    leaves = []
    for element in tree.iter(*_LEAF_TAGS):
        if any(child.tag in _LEAF_TAGS for child in element.iterdescendants() if isinstance(child.tag, str)):
            continue
        if element.xpath("boolean(ancestor::*[self::script or self::style or self::noscript or self::template])"):
            continue
        leaves.append(element)
    return leaves


def decoration_texts(tree: Any) -> frozenset[str]:
    """The normalized texts of blocks the page's markup marks as not the story.

    Figure captions, <aside>s and complementary regions, and blocks whose class or id says share,
    newsletter, subscription, related, recommended, most read, tags or author bio. A marked block
    holding more than DECORATION_MAX_WORDS words is a container (a whole column), not a decoration.
    """
    found: set[str] = set()
    marked = tree.xpath("//figcaption | //caption | //aside | //*[@role='complementary']")
    marked += [
        element
        for element in tree.iter()
        if isinstance(element.tag, str)
        and _DECORATION.search(f"{element.get('class', '')} {element.get('id', '')}")
        and element.tag not in ("html", "body", "article", "main")
    ]
    for element in marked:
        text = " ".join(element.text_content().split())
        if not text or len(text.split()) > DECORATION_MAX_WORDS:
            continue
        found.add(normal_text(text))
        for block in element.iter("p", "li", "h2", "h3", "h4", "h5", "h6", "a", "span", "div", "figcaption"):
            found.add(normal_text(block.text_content()))
    found.discard("")
    return frozenset(found)


def normal_text(text: str) -> str:
    """Case, punctuation and spacing folded away, to compare a paragraph with a marked block."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split())


def not_article_reason(
    facts: PageFacts,
    paragraphs: int,
    words: int,
    link_density: float,
    listed_headlines: int = 0,
    address: str = "",
    teaser_share: float = 0.0,
) -> str | None:
    """Why the page is not a news article, or None when it may well be one.

    `link_density`: the share of the extracted text's blocks that are links; `listed_headlines`:
    how many of the extracted blocks are linked headlines of other pages (a front page's teasers);
    `address`: the page's URL (fetched, canonical or og:url), "" if unknown.
    """
    declared = facts.schema_types & _NOT_ARTICLE_TYPES
    is_article = bool(facts.schema_types & ARTICLE_TYPES) or facts.og_type == "article"
    if not is_article and (declared or facts.og_type in _NOT_ARTICLE_OG_TYPES):
        kind = sorted(declared)[0] if declared else f"og:type {facts.og_type}"
        return f"the page declares itself a {kind}, not an article"
    front = front_address(address)
    if front == "section page" and len(facts.linked_headlines) < MIN_LISTED_HEADLINES:
        front = ""  # a one-word slug of a page that lists no other stories: maybe an article
    if front and not is_article:
        return f"a {front} ({address}) that does not declare itself an article"
    if listed_headlines >= MIN_LISTED_HEADLINES and not is_article:
        return (
            f"a front or section page: its text lists {listed_headlines} linked headlines of other pages, "
            "and it does not declare itself an article"
        )
    declared = bool(facts.schema_types & ARTICLE_TYPES) or facts.og_type == "article"
    if not declared and teaser_share >= MIN_TEASER_PROSE_SHARE and facts.repeated_teasers >= MIN_REPEATED_TEASERS:
        return (
            f"a front or section page: {teaser_share:.0%} of its running prose is standfirsts of linked "
            f"headlines, and the page announces {facts.repeated_teasers} other pages that way"
        )
    if link_density > MAX_LINK_DENSITY:
        return f"a list of links ({link_density:.0%} of its text blocks are links), like a front page or an index"
    short = paragraphs < MIN_ARTICLE_PARAGRAPHS and words < MIN_ARTICLE_WORDS
    if short and facts.readerable_score <= MIN_READERABLE_SCORE and not is_article:
        return (
            f"too little running text ({paragraphs} paragraph(s), {words} words, readability score "
            f"{facts.readerable_score:.0f} <= {MIN_READERABLE_SCORE:.0f})"
        )
    return None


def front_address(address: str) -> str:
    """ "front page" for a site's root, "section page" for a one-word first-level path ("/blog/",
    "/politik"), "" for any other address: an article's has a slug, a date or an id."""
    try:
        parts = urlsplit(address)
    except ValueError:  # no address at all ("http://[not-a-host]/")
        return ""
    if not address or parts.query or not (parts.netloc or address.startswith("/")):
        return ""  # unknown, an id in the query ("?p=5031"), or relative to who knows what
    path = parts.path
    segments = [segment for segment in path.split("/") if segment]
    if not segments or (len(segments) == 1 and _INDEX_FILE.match(segments[0])):
        return "front page"
    if len(segments) == 1 and _SECTION_WORD.match(segments[0]):
        return "section page"
    return ""


def teaser_prose_share(paragraphs: Sequence[str], teaser_texts: frozenset[str]) -> float:
    """The share of the paragraphs' running prose (prose_words) that is text of teaser blocks."""
    total = teasers = 0
    for paragraph in paragraphs:
        prose = prose_words([paragraph])
        total += prose
        if prose and teaser_key(paragraph) in teaser_texts:
            teasers += prose
    return teasers / total if total else 0.0


def readerable_score(tree: Any) -> float:
    """readability's isProbablyReaderable score: sqrt(length - 140) summed over long paragraphs."""
    score = 0.0
    for node in tree.iter("p", "pre", "article"):
        match = f"{node.get('class', '')} {node.get('id', '')}"
        if _UNLIKELY.search(match) and not _MAYBE.search(match):
            continue
        length = len(node.text_content().strip())
        if length >= MIN_CONTENT_LENGTH:
            score += math.sqrt(length - MIN_CONTENT_LENGTH)
    return score


def _schema_types(tree: Any) -> list[str]:
    """The @type values of every JSON-LD object in the page, nested @graph included (lower case,
    without a schema.org prefix)."""
    found: list[str] = []
    for data in json_ld_objects(tree):
        kind = data.get("@type")
        for name in kind if isinstance(kind, list) else [kind]:
            if isinstance(name, str):
                found.append(name.rsplit("/", 1)[-1].lower())
    return found
