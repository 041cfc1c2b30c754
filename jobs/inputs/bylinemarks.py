"""Bylines the page shows in its markup without structured data: byline elements and author links.

Two general ways pages mark who wrote an article, read when no structured field names a person:

- an element whose class, id, `data-testid` or `itemprop` says byline, author, contributor,
  writer or their kin in other languages (`<div class="byline">`, `<span class="article_author-name">`,
  `field--name-field-tag-author`, `data-testid="prism-byline"`), the HTML `<address>` element and an
  element so named (`<byline>`, a newsroom system's);
- a link to the author's profile page whose address agrees with its text: a folder naming
  authors or staff (`/author/`, `/by/`, `/autor/`, `/auteur/`, `/profile/`, `/staff/`,
  `/user/`, `/about/newsteam/`...) and a last part holding every word of the name
  (`<a href="/auteur/emmanuelle-ducros-187">Emmanuelle Ducros</a>`). A topic page
  (`/tag/angela-merkel`) names no author and does not count.

Marks inside asides, navigation, footers, figures, quotes and testimonials (a pull quote's
"author" is the person quoted), readers' comments and lists of other stories (related, teasers, recommended, popular,
sidebars; not an element holding the headline) are ignored: they credit other stories, pictures or quotations. Of the rest, the byline is the first mark after the headline (else the last before
it), with the marks beside it in the same element (several authors each in a link).
The texts go through the name model (bylines.plausible_byline) like every other byline.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import unquote, urlsplit

from jobs.inputs.bylines import byline_line, is_byline_label, plausible_byline, words
from jobs.inputs.headlines import is_site_heading
from jobs.inputs.text import one_line
from jobs.inputs.unseen import unseen_class

_MARK = re.compile(
    r"byline|author|autor|auteur|contributor|writer|verfasser|signature|firma|creator|\bbyl\b", re.IGNORECASE
)
# Marks of a picture's or a licence's author, or of a list of other stories' authors: not the byline.
_NOT_BYLINE = re.compile(r"licen[cs]e|credit|copyright|photo|image|caption|avatar|list", re.IGNORECASE)
_PROFILE_FOLDERS = words(
    "by author authors autor autoren autorin auteur auteurs autore autori autores profile "
    "profiles profil staff writer writers journalist journalists journalisten reporter reporters user users "
    "team newsteam redaktion redakteur experten expert experts contributor contributors "
    "columnist columnists mitarbeiter kolumnisten"
)
# The parts of a page no byline is looked for in (byline_scope): asides that are no author box,
# navigation, footers, figures, captions and quotations, each with all inside it; and what is inside
# an element of other stories, comments or the site's furniture by its class or id, unless the
# headline is inside it too (an article wrapper classed "teaser").
_SHUT = frozenset(["nav", "footer", "figure", "figcaption", "blockquote"])
_AUTHOR_ASIDE = re.compile("author|byline|autor|auteur", re.IGNORECASE)
_OTHER_STORIES = re.compile(
    r"comment(?!ary)|related|teaser|recommend|popular|trending|quote|testimonial|"
    r"(^|\s)(sidebar|newsletter|footer|menu|carousel|widget)",
    re.IGNORECASE,
)
MAX_BYLINE_WORDS = 25  # an author box's biography is no byline


def marked_byline(tree: Any, under_headline: bool = False) -> tuple[str, ...]:
    """The names of the byline the page's markup shows (see the module), () when it shows none.

    `under_headline`: only a byline that follows the headline closely (within HEADLINE_REACH words
    of text): where the page's meta author names the outlet, a mark far from the headline is more
    often a teaser's author or a press contact than the article's byline.
    """
    marks = _marks(tree)
    if not marks:
        return ()
    found = dict(marks)
    group = nearest_group(tree, [e for e, _ in marks])
    if under_headline and not _close_to(headline_h1(tree), group[0]):
        return ()
    return tuple(dict.fromkeys(name for element in group for name in found[element]))


HEADLINE_REACH = 80  # words of text between the headline and a byline under it: a standfirst, a date, tags


def _close_to(headline: Any, element: Any) -> bool:
    """Whether an element follows the headline with at most HEADLINE_REACH words of text between
    them, or stands in the element just above it (above_headline: a line of the day, the topic and
    the author over the headline)."""
    if headline is None:
        return False
    above = above_headline(headline)
    return any(node is element for node in under_headline(headline)) or (
        above is not None and any(node is element for node in above.iter())
    )


def above_headline(headline: Any) -> Any:
    """The element just above the headline: its nearest preceding sibling that shows text, or None."""
    return next((e for e in headline.itersiblings(preceding=True) if one_line(e.text_content())), None)


def under_headline(headline: Any) -> Any:
    """The elements after the headline (not inside it), in the page's order, up to the one after
    which HEADLINE_REACH words of text have gone by."""
    inside, between, after = set(headline.iter()), len((headline.tail or "").split()), False
    for node in headline.getroottree().iter():
        if after and node not in inside and isinstance(node.tag, str):
            yield node
            if node.tag not in ("script", "style"):
                between += len((node.text or "").split()) + len((node.tail or "").split())
                if between > HEADLINE_REACH:
                    return
        after = after or node is headline


def headline_byline(tree: Any) -> tuple[str, ...]:
    """The names of an element close under the headline (HEADLINE_REACH) whose first block is a byline
    and nothing else (bylines.byline_line: "Von Jane Doe", "Ein Artikel von Jane Doe | 27.01.2022"),
    outside the parts a byline mark is not looked for in: a byline the page shows without marking it."""
    headline = headline_h1(tree)
    if headline is None:
        return ()
    allowed = set(byline_scope(tree))
    for element in under_headline(headline):
        if element in allowed and element.tag not in ("script", "style"):
            text = block_text(element)
            if len(text.split()) <= MAX_BYLINE_WORDS and (line := byline_line(text.split(" | ")[0])):
                return tuple(line.split("; "))
    return ()


def nearest_group(tree: Any, elements: list[Any]) -> list[Any]:
    """Of some byline elements in the page's order, the first after the article's headline (else
    the last before it) with those beside it in the same small element (several authors each in a
    link); the others are other stories' (cards in a sidebar, teasers)."""
    if not elements:
        return []
    order = {element: index for index, element in enumerate(tree.iter())}
    start = order.get(headline_h1(tree), -1)
    after = [element for element in elements if order.get(element, 0) > start]
    first = after[0] if after else elements[-1]
    group = first.getparent()
    if group is None or len(group.text_content().split()) > 2 * MAX_BYLINE_WORDS:
        return [first]
    inside = set(group.iter())
    return [first, *(element for element in elements if element is not first and element in inside)]


def byline_scope(tree: Any) -> list[Any]:
    """The elements of the page's body (body_path) a byline is looked for in, in the page's order:
    not in the parts named above _SHUT, nor inside the <head>. One walk that tests each element
    once and skips the parts left out whole: an XPath testing every element's ancestors against
    the class pattern (the form tests/test_bylinescope.py checks this against) took 14x longer, about
    a tenth of reading a page."""
    starts = tree.xpath(body_path(tree))
    found: list[Any] = []
    for start in starts:
        above = [start, *start.iterancestors()]
        if any(ancestor in starts for ancestor in above[1:]):
            continue  # a body inside another body: walked with it
        if not any(_shut(ancestor) or ancestor.tag == "head" for ancestor in above):
            _scope(start, any(_hides(ancestor) for ancestor in above), found)
    return found


def _shut(element: Any) -> bool:
    """Whether an element is left out with all inside it: an aside that is no author box,
    navigation, a footer, a figure, a caption, a quotation."""
    tag = element.tag
    return tag in _SHUT or (tag == "aside" and not _AUTHOR_ASIDE.search(_names(element)))


def _hides(element: Any) -> bool:
    """Whether what is inside an element (not the element itself) is left out: other stories,
    comments, menus and kin by class or id, unless the headline is inside."""
    return (
        element.tag not in ("body", "html")
        and _OTHER_STORIES.search(_names(element)) is not None
        and element.find(".//h1") is None
    )


def _names(element: Any) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"


def _scope(element: Any, hidden: bool, found: list[Any]) -> None:
    """`element`'s descendants in byline_scope, given whether an element above them hides them."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if _shut(child):
            continue
        if not hidden:
            found.append(child)
        if child.tag != "head":  # the head itself is in scope (a page parsed without a body), not what it holds
            _scope(child, hidden or _hides(child), found)


def body_path(tree: Any) -> str:
    """The XPath of the page's body: "//body", or the whole document ("/*", its <head> for the
    caller to leave out) where the page was parsed without one: markup that opens with text before
    <html> (a server's warning printed above <!DOCTYPE>)."""
    return "//body" if tree.xpath("//body") else "/*"


def _marks(tree: Any) -> list[tuple[Any, tuple[str, ...]]]:
    """Byline elements and profile links, in the page's order, each with the names it holds."""
    marks = []
    for element in byline_scope(tree):
        if _credit(element):
            continue
        names = _link_name(element) if element.tag == "a" else ()
        # a mark inside whose text the reader does not see (an icon linking to the author's ORCID profile)
        # is none; an empty one is (a byline left empty: the text around it is no name)
        inner = (c for c in element.iterdescendants() if _marked(c) and (block_text(c) or not c.text_content().strip()))
        if not names and _marked(element) and next(inner, None) is None:
            text = block_text(element)  # "<span>By</span><span>Jane</span>", "<div>By Jane</div><div>Outlet</div>"
            if text and len(text.split()) <= MAX_BYLINE_WORDS:
                names = tuple(name for name in plausible_byline(_first_block(text)).split("; ") if name)
        if names:
            marks.append((element, names))
    return marks


def headline_h1(tree: Any) -> Any:
    """The article's headline <h1>: the first that is not the site's (in a link, a logo) and shows
    text, else the first."""
    h1s = tree.xpath("//h1")
    return next((h1 for h1 in h1s if not is_site_heading(h1) and h1.text_content().strip()), h1s[0] if h1s else None)


def block_text(element: Any) -> str:
    """An element's text on one line, its blocks apart (" | "): "<div>By <span>Jane Doe</span></div>
    <div>Washington Post</div><time>Dec 13</time>" reads "By Jane Doe | Washington Post | Dec 13".
    Text the page hides (unseen.unseen_class: a link's label for screen readers, "View ORCID Profile") is left out."""
    pieces: list[str] = []

    def walk(node: Any) -> None:
        if node is not element and isinstance(node.tag, str) and unseen_class(node.get("class", "")):
            return
        block = isinstance(node.tag, str) and node.tag in _BLOCKS
        pieces.extend([" | "] if block else [])
        pieces.append(node.text or "" if isinstance(node.tag, str) else "")
        for child in node:
            walk(child)
            pieces.append(child.tail or "")
        pieces.extend([" | "] if block else [])

    walk(element)
    parts = [one_line(part) for part in " ".join(pieces).split(" | ")]  # "<span>By</span><span>Jane"
    return " | ".join(part for part in parts if part)


def _first_block(text: str) -> str:
    """The first block of a byline element's text (block_text) that says more than "By": the
    author, whom blocks of an outlet, a role, a day or an author box's tagline follow ("linksc |
    Creating Search Engine API")."""
    blocks = text.split(" | ")
    return next((block for block in blocks if plausible_byline(block) or not is_byline_label(block)), "")


_BLOCKS = frozenset(["div", "p", "li", "dd", "dt", "br", "time", "section", "header", "h2", "h3", "h4", "h5", "h6"])


def _credit(element: Any) -> bool:
    """Whether an element or one of its three nearest ancestors is marked as a picture's or a
    licence's credit, or a list."""
    for _ in range(4):
        if element is None:
            return False
        if _NOT_BYLINE.search(" ".join(element.get(key, "") for key in ("class", "id"))):
            return True
        element = element.getparent()
    return False


def _marked(element: Any) -> bool:
    if not isinstance(element.tag, str):
        return False
    if element.tag == "address" or _MARK.fullmatch(element.tag):  # <byline>, a newsroom system's own element
        return True
    marks = " ".join(element.get(key, "") for key in ("class", "id", "data-testid", "itemprop"))
    return bool(_MARK.search(marks)) and not _NOT_BYLINE.search(marks)


def _link_name(link: Any) -> tuple[str, ...]:
    """The name a link to an author's profile page shows, when its address's last part holds it."""
    name = plausible_byline(one_line(link.text_content()))
    if not name or "; " in name:
        return ()
    return (name,) if profile_slug_names(link.get("href", ""), name) else ()


def profile_slug_names(address: str, name: str = "") -> str:
    """The words of the last part of a profile page's address (`/author/jane-doe-12`: "jane doe"),
    when the address is one (a folder naming authors or staff) and, given a `name`, holds all of
    its words; "" otherwise."""
    try:
        path = unquote(urlsplit(address.strip()).path)
    except ValueError:
        return ""
    parts = [part for part in path.lower().split("/") if part]
    if len(parts) < 2 or not _PROFILE_FOLDERS.intersection(parts[:-1]):
        return ""
    slug = " ".join(re.sub(r"[\W_\d]+", " ", _folded(parts[-1])).split())
    if name and not set(_folded(name).split()) <= set(slug.split()):
        return ""
    return slug


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch))
    return " ".join("".join(kept).split())
