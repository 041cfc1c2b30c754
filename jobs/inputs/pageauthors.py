"""Who wrote a page's article, as the page states it: structured data first, checked against what it shows.

Sources, most trusted first: JSON-LD `author` of the article (persons only; an `@id` reference is
looked up in the page's @graph), microdata `itemprop=author`, `<meta name=author>` and its kin,
`rel=author` links, hCard in an author's element (`.author .fn`). A commenter's card or link
(inside an element whose class or id says "comment") is not the article's author, and a name
missing from the page's visible text (visibletext.py: outside asides, navigation and comments)
is not published: CMS fields name accounts the page never credits, and a teaser of another
story in an aside carries that story's author.
The names found here are raw: bylines.py decides which of them are persons' names.
"""

from __future__ import annotations

import re
from typing import Any

from jobs.inputs.bylinemarks import headline_byline, marked_byline, nearest_group, profile_slug_names
from jobs.inputs.bylines import plausible_byline
from jobs.inputs.bylinesigns import dated_byline, labelled_byline, signature
from jobs.inputs.bylinewords import PARTICLES
from jobs.inputs.text import one_line
from jobs.inputs.visibletext import COMMENTS, folded, shown_on_page

_META_AUTHOR = (
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
    "byline",
)
_OUTSIDE_COMMENTS = f"[not(ancestor-or-self::{COMMENTS})]"


def stated_authors(tree: Any, articles: list[dict], objects: list[dict], visible: str) -> tuple[tuple[str, ...], str]:
    """The article's authors as the page states them, most trusted source first, and the source's name.

    `articles`: the page's JSON-LD article objects, `objects`: all its JSON-LD objects (for @id
    references), `visible`: its visible text (visibletext.visible_text).

    JSON-LD first: its persons that the page shows (an author given as an `@id` reference is
    looked up among the page's objects, as Yoast's @graph gives it; `creator` where no `author`).
    Where the JSON-LD author is an organization, or a name the page shows that is no person's
    (a desk, the outlet: "L'Opinion", "Greentech.LIVE Redaktion"), only persons the markup marks
    as authors (microdata, hCard, bylinemarks.marked_byline) are taken; without them the source is
    "json-ld-organization" and html.py takes no visible guess. A JSON-LD name the page does not
    show (an account: "jane.doe") is passed over, and so is a meta author that is no person's
    name (the outlet: "Die Tagespost") or one the page does not show, for `rel=author` links and
    hCards only, then for a byline close to the headline or a signature.
    """
    by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str) and o.get("name")}
    stated = [article.get("author") or article.get("creator") for article in articles]
    stated = [author for author in stated if author]
    desk = False  # a JSON-LD author the page shows that is no person's name: a desk, the outlet
    for author in stated:
        names = [_capitalized(name, visible) for name in dict.fromkeys(_person_names(author, by_id))]
        names = [name for name in names if shown_on_page(name, visible)]
        if any(plausible_byline(name) for name in names):
            return _fuller_list(tree, tuple(names), visible), "json-ld"
        desk = desk or bool(names)
    if desk or (stated and any(_organizations(author, by_id) for author in stated)):
        marked = _marked_up_authors(tree) or marked_byline(tree)
        return (marked, "microdata") if marked else ((), "json-ld-organization")
    marked = _marked_up_authors(tree)
    if marked and tree.xpath(f"//*[@itemprop='author']{_OUTSIDE_COMMENTS}"):
        return marked, "microdata"
    metas = _meta_authors(tree)
    if person := _meta_person(metas, visible):
        return (person,), "meta"
    linked = [
        one_line(a.text_content()) for a in nearest_group(tree, tree.xpath(f"//a[@rel='author']{_OUTSIDE_COMMENTS}"))
    ]
    linked = list(dict.fromkeys(text for text in linked if text))
    if linked:
        return tuple(linked), "rel-author"
    if marked:
        return marked, "hcard"
    if any(metas):  # a meta author that names the outlet: only a byline marked close under the headline
        shown = (
            marked_byline(tree, under_headline=True) or headline_byline(tree) or dated_byline(tree) or signature(tree)
        )
        return (shown, "markup") if shown else ((), "")
    shown = (
        marked_byline(tree) or headline_byline(tree) or dated_byline(tree) or signature(tree) or labelled_byline(tree)
    )
    return (shown, "markup") if shown else ((), "")


def _capitalized(name: str, visible: str) -> str:
    """A name of two or three words, the first capitalized, with its words in lower case capitalized
    ("Jane doe": "Jane Doe") where the page's text uses them only in the name: a family name written
    so, not a word of the language ("Catch more fish" is an account's name); else as given."""
    tokens = name.split()
    lower = [token for token in tokens[1:] if token.isalpha() and token.islower() and token not in PARTICLES]
    if not 2 <= len(tokens) <= 3 or not tokens[0][:1].isupper() or not lower:
        return name
    times = visible.count(f" {folded(name)} ")
    if not times or any(visible.count(f" {folded(token)} ") != times for token in lower):
        return name
    return " ".join(token.capitalize() if token in lower else token for token in tokens)


def _meta_authors(tree: Any) -> list[str]:
    """The page's meta authors (_META_AUTHOR), a profile page's address as its name; a meta name
    given several times (`<meta name="dc.creator">` for each author of a paper) as one list of them
    ("Jane Doe; John Roe")."""
    metas = []
    for name in _META_AUTHOR:
        values = [
            _profile_name(tree, value.strip()) if value.strip().startswith(("http://", "https://")) else one_line(value)
            for value in tree.xpath(f"//meta[{_lower('@name')}='{name}' or {_lower('@property')}='{name}']/@content")
        ]
        values = list(dict.fromkeys(value for value in values if value))
        if values:
            metas.append("; ".join(values))
    return metas


def _meta_person(metas: list[str], visible: str) -> str:
    """Of the meta authors, the first naming persons the page shows, or another listing its names
    and more ("byl": "By Jane Doe and John Roe"); "" where none does (the outlet: "Die Tagespost";
    an account or an outlet the page never shows: "Auto Illustrierte")."""
    persons = [
        (value, names.split("; "))
        for value in metas
        if value
        and (names := plausible_byline(value))
        and any(shown_on_page(name, visible) for name in names.split("; "))
    ]
    if not persons:
        return ""
    first = set(persons[0][1])
    fuller = [(value, names) for value, names in persons if first <= set(names)]
    return max(fuller, key=lambda person: len(person[1]))[0]


def _fuller_list(tree: Any, names: tuple[str, ...], visible: str) -> tuple[str, ...]:
    """The JSON-LD authors, or the page's marked byline or meta author where it lists them all and
    more persons ("von Jane Doe, John Roe" under the headline, `<meta name="author" content="Jane
    Doe, John Roe">`, where JSON-LD names Jane Doe alone): a CMS field often holds the first author
    only. The byline's other names must be shown as well."""
    stated = {folded(name) for name in plausible_byline("; ".join(names)).split("; ") if name}
    for marked in (_marked_up_authors(tree), marked_byline(tree), *((meta,) for meta in _meta_authors(tree))):
        persons = [name for name in plausible_byline("; ".join(marked)).split("; ") if name]
        others = [name for name in persons if folded(name) not in stated]
        if (
            stated < {folded(name) for name in persons}
            and all(shown_on_page(name, visible) for name in persons)
            and not any(re.search(rf"{_OTHER_CREDIT} {re.escape(folded(name))} ", visible) for name in others)
        ):
            return tuple(persons)
    return names


# Credits for other work than writing, as visible_text folds them ("Übersetzt von: Jane Doe"):
# a name a byline's markup lists beside the author's that such a credit precedes is no author's.
_OTHER_CREDIT = (
    r" (?:edited|translated|translation|reviewed|fact checked|photos?|photographs|illustrations?|ubersetzt|"
    r"ubersetzung|bearbeitet|redigiert|traduit|traduction|traducido|traduccion|traduzione|tradotto) (?:by|von|par|por|da|de)"
)


def _profile_name(tree: Any, address: str) -> str:
    """The name of the author whose profile page an address is (`article:author` given as
    https://example.org/author/jane-doe): the text of the page's link to it, else the address's
    last part in capitals ("Jane Doe"); "" when the address is no profile page's."""
    slug = profile_slug_names(address)
    if not slug:
        return ""
    for link in tree.xpath("//a[@href]"):
        if link.get("href", "").strip() == address:
            text = one_line(link.text_content())
            if text and set(folded(text).split()) <= set(slug.split()):
                return text
    return slug.title()


def _lower(attribute: str) -> str:
    return f"translate({attribute},'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"


def _marked_up_authors(tree: Any) -> tuple[str, ...]:
    """Names the markup marks as an author's or a person's, outside readers' comments.

    Microdata (`itemprop=author`: its `itemprop=name`, as text or `content`, or the author
    element's own text) and hCard in an author's or byline's element (`.author .fn`, `.byline
    .vcard .fn`; not an organization's `.fn.org`). A schema.org/Person item or an hCard alone is
    not enough: articles mark up the people and places they mention so (Wikipedia's infobox).
    """
    named: list[str] = []
    authors = tree.xpath(f"//*[@itemprop='author']{_OUTSIDE_COMMENTS}[not(ancestor::figure or ancestor::figcaption)]")
    other = _other_items(tree, authors)
    for item in authors:
        if other(item):
            continue
        names = item.xpath(".//*[@itemprop='name']")
        if names:
            named += [one_line(n.get("content") or n.text_content()) for n in names[:1]]
        elif item.get("itemscope") is None:
            named.append(one_line(item.get("content") or item.text_content()))
    cards = tree.xpath(  # a card alone may be a place's, an organization's or a person's the story names
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' author ') or "
        "contains(concat(' ', normalize-space(@class), ' '), ' byline ')]"
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' fn ') and "
        f"not(contains(concat(' ', normalize-space(@class), ' '), ' org '))]{_OUTSIDE_COMMENTS}"
    )
    named += [one_line(card.text_content()) for card in cards if not other(card)]
    return tuple(dict.fromkeys(name for name in named if name))


def _other_items(tree: Any, authors: list[Any]) -> Any:
    """A test of whether an element belongs to another item than the page's article, where the
    authors marked up (`itemprop=author`) belong to several items (`itemscope`): the article's
    is the one holding the page's first <h1>, else the first; the others are cards of other
    stories ("by Jane Doe" under each teaser of a blog's front page)."""
    owners: dict[Any, None] = {}
    for author in authors:
        owner = next(iter(author.xpath("ancestor::*[@itemscope][1]")), None)
        if owner is not None:
            owners[owner] = None
    if len(owners) < 2:
        return lambda element: False
    headline = next(iter(tree.xpath("//h1")), None)
    main = next((o for o in owners if headline is not None and headline in set(o.iter())), next(iter(owners)))

    def other(element: Any) -> bool:
        nearest = next((a for a in element.iterancestors() if a in owners), None)
        return nearest is not None and nearest is not main

    return other


def _person_names(author: Any, by_id: dict[str, dict]) -> list[str]:
    """Names of the persons in a JSON-LD author value (a string, a Person, an @id, or a list of them)."""
    if isinstance(author, list):
        return [name for item in author for name in _person_names(item, by_id)]
    if isinstance(author, str):
        return [one_line(author)] if author.strip() and not author.startswith(("http://", "https://")) else []
    if isinstance(author, dict):
        if not author.get("name") and isinstance(author.get("@id"), str):
            author = by_id.get(author["@id"], author)
        types = _types(author)
        if types and "person" not in types:  # an Organization, a NewsMediaOrganization: not a byline
            return []
        name = author.get("name")
        if isinstance(name, str) and name.strip():
            return [one_line(name)]
    return []


def _organizations(author: Any, by_id: dict[str, dict]) -> bool:
    """Whether a JSON-LD author value names an organization (and no person)."""
    if isinstance(author, list):
        return any(_organizations(item, by_id) for item in author)
    if isinstance(author, dict):
        if not author.get("name") and isinstance(author.get("@id"), str):
            author = by_id.get(author["@id"], author)
        types = _types(author)
        return bool(types) and "person" not in types
    return False


def _types(data: dict) -> set[str]:
    """A JSON-LD object's @type names, lower case, without a schema.org prefix."""
    kind = data.get("@type")
    return {
        name.rsplit("/", 1)[-1].lower()
        for name in (kind if isinstance(kind, list) else [kind])
        if isinstance(name, str)
    }
