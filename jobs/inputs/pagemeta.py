"""What a page states about its article in machine-readable form: authors, publication date, headline.

Read before extraction, from the page's structured data, most trusted first:

- authors: JSON-LD `author` of the article object (persons only, never an organization),
  `<meta name=author>` and its kin, `rel=author` links, hCard / microdata author names;
- date: the day the page's evidence agrees on (jobs/inputs/pagedates.py): its structured
  publication dates, checked against each other, against its modified dates and against the
  dates it shows; none when they disagree, never a guessed day or month order;
- headline: JSON-LD `headline` and `og:title`, which the title chooser checks against the h1.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from jobs.inputs.headlines import (
    headline_elements,
    headline_text,
    hidden_or_linked,
    site_names_of,
    stated_heading,
    typewritten,
)
from jobs.inputs.pageauthors import stated_authors
from jobs.inputs.pagedates import evidence, foreign, published_day, read_date
from jobs.inputs.text import one_line
from jobs.inputs.unseen import unseen_class
from jobs.inputs.visibletext import visible_text

__all__ = ["ARTICLE_TYPES", "PageMeta", "json_ld_objects", "page_meta", "read_date"]

# schema.org types of articles (JSON-LD @type, lower case); pagekind reads them too.
ARTICLE_TYPES = frozenset(
    [
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "blogposting",
        "liveblogposting",
        "report",
        "scholarlyarticle",
        "socialmediaposting",
    ]
)


@dataclass(frozen=True)
class PageMeta:
    """The article's metadata as the page's structured data states it."""

    authors: tuple[str, ...] = ()  # raw author strings, most trusted source first
    author_source: str = ""  # which source they came from: "json-ld", "meta", "rel-author", "hcard"
    published: str = ""  # YYYY-MM-DD, "" when the page states none that can be read for certain
    headline: str = ""  # JSON-LD headline
    shown_headline: str = ""  # the headline <h1>'s text, without a kicker or date shown in it
    og_title: str = ""
    marked_headlines: tuple[str, ...] = ()  # texts of elements marked as headlines (itemprop or class "headline")
    typeset_headings: tuple[str, ...] = ()  # texts of headings (h1-h3) with typographic dashes or quotes
    stated_h2: str = ""  # an <h2> after the h1 that shows a stated title whole (headlines.stated_heading)
    heading_after: str = ""  # the first <h2> after the headline h1, shown and not in a teaser or aside
    first_heading: str = ""  # the first <h2> the page shows outside links, teasers, navigation and asides
    locale: str = ""  # <html lang>, lower case
    address: str = ""  # the page's canonical link or og:url, as written ("" if none)
    hosts: tuple[str, ...] = ()  # hosts the page names as its own: its canonical link, og:url, og:image
    site_names: tuple[str, ...] = ()  # the names its markup gives the site: og:site_name, publisher and kin
    visible: str = field(default="", repr=False)  # the visible text, folded: visibletext.shown_on_page


def meta_values(tree: Any) -> None:
    """Give the page's <meta> elements that write their value as `value=` (Vox Media's and Arena's
    pages: `<meta name="author" value="April Glaser">`) a `content=` too, and Open Graph fields
    written as `name=` a `property=`, in place, so that every reading (this module's,
    trafilatura's) finds them."""
    for meta in tree.iter("meta"):
        if meta.get("content") is None and meta.get("value") is not None:
            meta.set("content", meta.get("value"))
        name = meta.get("name") or ""
        if meta.get("property") is None and name.startswith(("og:", "article:")):  # Open Graph's attribute
            meta.set("property", name)


def page_meta(tree: Any, url: str | None = None) -> PageMeta:
    """The structured metadata of a parsed page (an lxml tree); `url`: the page's address if known."""
    meta_values(tree)  # html.extract_page does it first, for every reading; here for a tree read alone
    objects = list(json_ld_objects(tree))
    articles = [o for o in objects if _types(o) & ARTICLE_TYPES] or [o for o in objects if "headline" in o]
    locale = (tree.xpath("string(/html/@lang)") or tree.xpath("string(//html/@lang)") or "").strip().lower()
    visible = visible_text(tree)
    authors, source = stated_authors(tree, articles, objects, visible)
    canonical = (
        tree.xpath("string(//link[@rel='canonical']/@href)")
        or tree.xpath("string(//meta[@property='og:url']/@content)")
    ).strip()
    headline = next((_unescaped(o["headline"]) for o in articles if isinstance(o.get("headline"), str)), "")
    og_title = one_line(tree.xpath("string(//meta[@property='og:title']/@content)"))
    titles = [headline, og_title, tree.xpath("string(//title)")]
    element, shown = _headline(tree, titles)
    site_names = _stated_site_names(tree, articles)
    names = site_names + site_names_of("", "", canonical or url or "")
    if not shown:  # no h1: an h2 showing a stated title whole
        shown = stated_heading(tree, titles, names)
    h1 = dated_headline(tree, titles)
    return PageMeta(
        authors=authors,
        author_source=source,
        published=published_day(evidence(tree, articles, objects, h1, locale), locale, [canonical, url or ""]),
        headline=headline,
        og_title=og_title,
        marked_headlines=marked_headlines(tree),
        typeset_headings=typeset_headings(tree),
        first_heading=first_heading(tree),
        stated_h2=_stated_h2(tree, titles, names, element),
        heading_after=_heading_after(element, shown),
        shown_headline=shown,
        locale=locale,
        address=canonical,
        hosts=_own_hosts(tree),
        site_names=site_names,
        visible=visible,
    )


_MARKED = (
    "//*[@itemprop='headline' or contains(concat(' ', translate(@class, '_', '-'), ' '), '-headline ')"
    " or contains(concat(' ', @class, ' '), ' headline ')][not(ancestor::a)]"
)


_HEADINGS = ("h1", "h2", "h3")


def marked_headlines(tree: Any) -> tuple[str, ...]:
    """The texts of the elements a page marks as headlines (microdata itemprop=headline, a class
    "headline" or "...-headline"), not in a link, a teaser, a related block or an aside; a heading's
    as headlines.headline_text reads it (without its topline and the labels for screen readers)."""
    texts = (
        headline_text(element) if element.tag in _HEADINGS else one_line(element.text_content())
        for element in tree.xpath(_MARKED)
        if element.tag not in ("meta", "script") and not foreign(element, itself=True)
    )
    return tuple(dict.fromkeys(text for text in texts if text))


def typeset_headings(tree: Any) -> tuple[str, ...]:
    """The texts of the page's headings (h1 to h3) that show typographic dashes or quotes ("–", "„"):
    the form a title stated with typewriter marks is shown in."""
    texts = (one_line(heading.text_content()) for heading in tree.iter(*_HEADINGS))
    return tuple(dict.fromkeys(text for text in texts if text and text != typewritten(text)))


def first_heading(tree: Any) -> str:
    """The text of the first <h2> the page shows: not hidden or for screen readers only, not in a
    link, a teaser, a list of other stories, the navigation or an aside; "" when there is none."""
    for h2 in tree.iter("h2"):
        marks = " ".join(f"{e.get('class', '')} {e.get('id', '')}" for e in (h2, h2.getparent()) if e is not None)
        text = one_line(h2.text_content())
        if text and not hidden_or_linked(h2) and not unseen_class(marks) and not foreign(h2, itself=True):
            return text
    return ""


def _stated_h2(tree: Any, titles: list[str], names: tuple[str, ...], h1: Any) -> str:
    """The text of an <h2> after the page's headline h1 (`h1`, else its first h1) that shows a stated
    title whole (headlines.stated_heading); "" where there is none or the page shows no h1."""
    h1 = h1 if h1 is not None else next(iter(headline_elements(tree)), None)
    return stated_heading(tree, titles, names, whole=True, after=h1) if h1 is not None else ""


def _heading_after(h1: Any, shown: str) -> str:
    """The text of the first <h2> after the headline `h1` (None: none; `shown`: its headline text)
    where it is shown, outside links, teasers and asides, and the only <h2> after it that repeats
    the headline and goes on (not one of a guide's sections "Loans - fast", "Loans - how to..."); "" otherwise."""
    following = h1.xpath("following::h2") if h1 is not None and shown else []
    texts = [one_line(h2.text_content()) for h2 in following]
    longer = [text for text in texts if text.casefold().startswith(shown.casefold()) and text != shown]
    if len(longer) != 1 or texts[0] != longer[0]:
        return ""
    return "" if hidden_or_linked(following[0]) or foreign(following[0], itself=True) else texts[0]


_OWN_ADDRESSES = (
    "//link[@rel='canonical' or @rel='shortlink']/@href | //meta[@property='og:url']/@content"
    " | //meta[starts-with(@property, 'og:image') or starts-with(@name, 'og:image')"
    " or starts-with(@name, 'twitter:image')]/@content"
)


def _own_hosts(tree: Any) -> tuple[str, ...]:
    """The hosts of the addresses a page gives for itself and its picture (a site that names itself
    nowhere else still serves its og:image: "Headline - Entermedia" on entermedia.co.kr)."""
    from urllib.parse import urlsplit

    hosts: list[str] = []
    for address in tree.xpath(_OWN_ADDRESSES):
        try:
            host = urlsplit(str(address).strip()).hostname or ""
        except ValueError:  # not an address ("http://[not-a-host]/")
            continue
        if host and host not in hosts:
            hosts.append(host)
    return tuple(hosts)


_SITE_NAME_FIELDS = (
    "//meta[@property='og:site_name' or @name='og:site_name' or @name='application-name'"
    " or @name='apple-mobile-web-app-title' or @name='publisher' or @name='copyright' or @name='dc.publisher'"
    " or @name='dcterms.publisher' or @name='twitter:site' or starts-with(@name, 'twitter:app:name')]/@content"
)


def _stated_site_names(tree: Any, articles: list[dict]) -> tuple[str, ...]:
    """The names a page's markup gives its site (meta fields, the article's JSON-LD publisher)."""
    names = [one_line(str(name)).lstrip("@") for name in tree.xpath(_SITE_NAME_FIELDS)]
    for article in articles:
        publisher = article.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.append(one_line(publisher["name"]))
    return tuple(dict.fromkeys(name for name in names if name))


def _headline(tree: Any, titles: list[str], dating: bool = False) -> tuple[Any, str]:
    """The page's headline <h1> and its text (headlines.headline_text): the first that is part of
    one of the page's stated `titles` (<title>, og:title, JSON-LD headline) or the reverse, else
    (None, the first one's text); ("" when the page shows none). `dating`: the h1 that dates are
    read after (pagedates), chosen as before headings linking home were told from headlines."""
    shown = headline_elements(tree, home_links=dating)
    kickers = () if dating else titles  # the stated titles that tell a kicker in the h1
    stated = [_folded(title) for title in titles if title and title.strip()]
    for h1 in shown:
        for text in (_folded(h1.text_content()), _folded(headline_text(h1, kickers))):
            if text and any(text in title or title in text for title in stated):
                return h1, headline_text(h1, kickers)
    return None, headline_text(shown[0], kickers) if shown else ""


def _unescaped(text: str) -> str:
    """A JSON-LD string on one line, with the HTML character references a publishing tool left in
    it ("&#8222;Quote&#8220;", "&amp;") read as the characters they stand for."""
    from html import unescape

    return one_line(unescape(text))


def dated_headline(tree: Any, titles: list[str]) -> Any:
    """The heading a page's dates are read around: its h1 showing the title, else dating_heading's;
    an h1 that shows only the site's part of a title "Site: Post" (a blog's name in its header)
    gives way to the heading that shows the post's part whole."""
    h1, _ = _headline(tree, titles, dating=True)
    if h1 is None:
        return dating_heading(tree, titles)
    post = dating_heading(tree, titles, whole=True)
    if post is None or post is h1:
        return h1
    site, story = _folded(h1.text_content()), _folded(post.text_content())
    stated = {_folded(title) for title in titles if title and title.strip()}
    return post if stated & {f"{site} {story}", f"{story} {site}"} else h1


DATING_HEADING_WORDS = 3  # a shorter heading that a title starts or ends with is a section's name
# Headings, and elements classed as a title ("post-title", "h-title"), in document order.
_DATING_CANDIDATES = "//h1 | //h2 | //h3 | //h4 | //body//*[contains(@class, 'title')]"


def _heading_like(element: Any) -> bool:
    """Whether an element is a heading or classed as a title (a word "title" in its class)."""
    words = re.split(r"[\s_-]+", (element.get("class") or "").lower())
    return element.tag in ("h1", "h2", "h3", "h4") or "title" in words


def dating_heading(tree: Any, titles: list[str], whole: bool = False) -> Any:
    """Where no h1 shows the page's title: the first heading (h1 to h4, or an element classed as a
    title) whose text a stated title is, starts or ends with ("Mercurial's Journey to Python 3" of
    "Mercurial's Journey to Python 3 | Gregory Szorc"), of DATING_HEADING_WORDS words or more (two
    when a stated title is the heading whole: "Tach auch!"), not in a link, a teaser or an aside: the
    headline its dates are read around; None when there is none. `whole`: only a heading a stated
    title is."""
    stated = [_folded(title) for title in titles if title and title.strip()]
    for heading in tree.xpath(_DATING_CANDIDATES):
        text = _folded(heading.text_content())
        short = len(text.split()) < DATING_HEADING_WORDS and not (text in stated and len(text.split()) > 1)
        if short or heading.xpath("boolean(ancestor::a)") or not _heading_like(heading):
            continue
        if foreign(heading, True) and text not in stated:  # a teaser's; a blog's post in its "widget Blog" states it
            continue
        if whole and text in stated:
            return heading
        if not whole and any(t == text or t.startswith(text + " ") or t.endswith(" " + text) for t in stated):
            return heading
    return None


def _folded(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split())


# --------------------------------------------------------------------------------------- JSON-LD


# A script's CDATA wrapper, bare or behind a JavaScript comment ("//<![CDATA[", "/*<![CDATA[*/").
_CDATA = re.compile(r"^\s*(?://|/\*)?\s*<!\[CDATA\[\s*(?:\*/)?|(?://|/\*)?\s*\]\]>\s*(?:\*/)?\s*$")


def json_ld_objects(tree: Any) -> list[dict]:
    """Every JSON-LD object of the page, @graph members and nested lists flattened; a script
    wrapped in CDATA (an XHTML template's) is read inside it, and line breaks and tabs typed
    inside its strings (a publishing tool's) are read as such (`strict=False`)."""
    found: list[dict] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(_CDATA.sub("", script.text_content()) or "null", strict=False)
        except ValueError:
            continue
        _flatten(data, found)
    return found


def _flatten(data: Any, found: list[dict]) -> None:
    if isinstance(data, list):
        for item in data:
            _flatten(item, found)
    elif isinstance(data, dict):
        found.append(data)
        _flatten(data.get("@graph"), found)


def _types(data: dict) -> set[str]:
    kind = data.get("@type")
    return {
        name.rsplit("/", 1)[-1].lower()
        for name in (kind if isinstance(kind, list) else [kind])
        if isinstance(name, str)
    }
