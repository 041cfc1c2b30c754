"""The article's title of an extracted page: what the page states and shows, without the site's decorations.

trafilatura reads a title (og:title, <title>, a heading) and guesses the site's name; this module
weighs them against what the page itself states (pagemeta: JSON-LD headline, og:title, the visible
h1) and gives the title an editor would publish (headlines.choose_title), in one Unicode form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from jobs.inputs.headlines import (
    BAR,
    FIRST_PIECE_MIN_WORDS,
    HEADLINE_MIN_WORDS,
    address_sections,
    clean_title,
    decoration_names,
    first_piece,
    is_call_to_action,
    is_site,
    names_the_site_only,
    normal,
    opening_heading,
    same_headline,
    shares_words,
    site_names_of,
    strip_dashed_site_name,
    typewritten,
)
from jobs.inputs.text import one_line, without_break_hints

_MARKED_MAX_WORDS = 25  # a longer "headline" is a standfirst
_RUNS_ON = re.compile(r"\s+[-–—:]\s+\S|[:?]\s+\S")  # "Title – subtitle", "Title: subtitle"
_CONTINUES = re.compile(r"\s+[^\W\d_A-ZÀ-ÞА-Я]\w*\s+\w")  # a lowercase word and more: the sentence goes on
_BY = re.compile(r"\s+(?:by|von|par|di|de|door|av|af|por|przez)\s", re.IGNORECASE)
_SUBTITLE_DASH = re.compile(r"\s[-–—]\s")
GLUED_SHARE = 0.25  # a stated title this much of the h1's length, at its start or end, is the headline
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)$")  # a title cut short: "... for Hong Kong leader..."


def page_title(document: Any, facts: Any, meta: Any, address: str = "") -> tuple[str, str]:
    """(the article's title, trafilatura's title as read) for trafilatura's `document` of a page with
    PageFacts `facts` and PageMeta `meta`; `address`: the page's address ("" if unknown)."""
    raw_title = one_line(document.title or "")
    if facts.page_title and any(same_headline(raw_title, h) for h in facts.site_headings):
        raw_title = facts.page_title  # trafilatura took the site's logo heading for the title
    named = (*site_names_of(site_name(document, meta), document.hostname, address, meta.hosts), *facts.site_headings)
    sections = address_sections(address)
    title = choose_title(raw_title, meta, meta.shown_headline, facts.page_title, named, sections)
    if not meta.shown_headline and names_the_site_only(facts.page_title or raw_title, named):
        title = opening_heading(document.body) or title  # "Site -": the template's title was left empty
    title = _opening_part(title, facts.page_title or raw_title, document.body)
    title = _untruncated(title, (meta.shown_headline, meta.og_title, meta.headline, facts.page_title, raw_title))
    return typed_form(_as_shown(title, getattr(meta, "typeset_headings", ()))), raw_title


def _stated_over_shown(title: str, meta: Any, h1: str, stated: Sequence[str]) -> str:
    """Where the title is an h1 that no title the page states (`stated`: JSON-LD headline, og:title,
    <title>) agrees with (_agree), and an <h2> shows one of those whole (a section's name as the
    h1: "Allergies Health Center" over an h2 and a <title> "Babies who eat peanuts early may avoid
    allergy"), that h2. Else the title."""
    h2 = getattr(meta, "stated_h2", "")
    if not h1 or normal(title) != normal(h1) or len(h2.split()) < HEADLINE_MIN_WORDS:
        return title
    return title if any(_agree(h1, text) for text in stated if text) else h2


def _opening_part(title: str, stated: str, body: Any) -> str:
    """Where the title is one part of the <title> ("Site » Archive » Headline") and the extracted
    text opens with a heading that is another part of it, that heading: the chosen part is the
    site's heading, the article's is the one its text opens with. Else the title."""
    parts = {normal(part) for part in BAR.split(stated)}
    if len(parts) < 2 or normal(title) not in parts:
        return title
    opening = opening_heading(body)
    return opening if opening and normal(opening) != normal(title) and normal(opening) in parts else title


def _untruncated(title: str, stated: Sequence[str]) -> str:
    """A title cut short with an ellipsis completed from a stated or shown title (or one part of
    it) that goes on from where it stops: a structured-data field's length limit, not the
    headline's end. Else the title."""
    stem = _ELLIPSIS.sub("", title)
    if stem == title or len(stem.split()) < HEADLINE_MIN_WORDS:
        return title
    for part in (one_line(part) for text in stated for part in BAR.split(text)):  # a <title>'s parts
        rest = part[len(stem) :].lstrip()  # where the cut title has its ellipsis, the longer one goes on
        if part.startswith(stem) and len(rest) > 1 and not rest.startswith(("…", "...")) and not _ELLIPSIS.search(part):
            return part
    return title


def _as_shown(title: str, headings: Sequence[str]) -> str:
    """A title written with typewriter dashes and quotes in the typographic form a heading of the
    page shows it in ("Corsets - shops" shown as "Corsets – shops"); else the title as it is."""
    if typewritten(title) != title:
        return title
    return next((heading for heading in headings if typewritten(heading) == title), title)


def site_name(document: Any, meta: Any) -> str:
    """trafilatura's site name where the page states it (meta.site_names) or it reads like a host
    ("chronicle.example"); not one it guessed from the <title>'s last part ("... - Sehnsucht von R. K. Lilley")."""
    name = one_line(document.sitename or "")
    stated = {one_line(n).casefold() for n in meta.site_names}
    return name if len(name.split()) <= 1 or name.casefold() in stated else ""


def typed_form(title: str) -> str:
    """The title in Unicode's composed form (NFC), without soft hyphens and zero-width characters."""
    return unicodedata.normalize("NFC", without_break_hints(title))


def choose_title(
    extracted: str,
    meta: Any,
    headline: str = "",
    page_title: str = "",
    site_names: Sequence[str] = (),
    sections: Sequence[str] = (),
) -> str:
    """The article's title (_stated_or_shown_title), or the headline the page marks as such where
    it runs on from that title after a separator ("Leasing or financing – which pays?" where the
    h1 and og:title say "Leasing or financing") or with lowercase words that carry its sentence on
    ("10 tips for a slim feast" after "10 tips"; not "by Jane Doe"): the shorter one is its label;
    or that a title stated as a label and a colon before it gives alone ("Border closures: ..."),
    unless the h1 shows the label; an h2 showing a stated title whole over an h1 no stated title
    agrees with (_stated_over_shown); on a page without a headline h1, the first headline the page
    marks where the title is a label of one or two words ("Gas prices"), else the first <h2> it
    shows where that reads as the label's headline (_headed)."""
    title = _stated_or_shown_title(extracted, meta, headline, page_title, site_names, sections)
    title = _stated_over_shown(title, meta, headline, (meta.headline, meta.og_title, page_title))
    names = decoration_names(site_names, sections)
    marked_headlines = [" ".join(text.split()) for text in getattr(meta, "marked_headlines", ())]
    if not headline and len(title.split()) < HEADLINE_MIN_WORDS:  # "Gas prices": a label, no h1 shown
        headlines = (text for text in marked_headlines if normal(title) not in normal(text))  # not "Home / Label"
        title = next((text for text in headlines if _headline_sized(text, names)), title)
    label_h1 = len(headline.split()) < HEADLINE_MIN_WORDS and normal(headline) != normal(title)  # "Page": a panel's
    if label_h1 and len(title.split()) < HEADLINE_MIN_WORDS:
        title = _headed(
            title, getattr(meta, "first_heading", ""), (meta.headline, meta.og_title, page_title, extracted), names
        )
    for marked in marked_headlines:
        if _labelled(title, marked) and normal(title) != normal(headline):  # not a kicker the h1 shows
            return marked
        rest = marked[len(title) :]
        continues = _CONTINUES.match(rest) and not _BY.match(rest)  # "10 tips for a slim feast", not "by Jane"
        runs_on = marked.casefold().startswith(title.casefold()) and (_RUNS_ON.match(rest) or continues)
        if title and runs_on and len(marked.split()) <= _MARKED_MAX_WORDS and not is_site(rest, names):
            return marked
    return _run_on(title, headline, getattr(meta, "heading_after", ""), names)


def _run_on(title: str, h1: str, after: str, names: set[str]) -> str:
    """Where the title is the h1 and the <h2> after it repeats it and runs on after a separator
    ("Post-war trucks - Part 49" and "Post-war trucks - Part 49 – The Büssing years"), that h2,
    the headline in full (up to _MARKED_MAX_WORDS words, what follows not the site's name); else the title."""
    rest = after[len(title) :]
    same = bool(title) and normal(title) == normal(h1) and after.casefold().startswith(title.casefold())
    sized = len(after.split()) <= _MARKED_MAX_WORDS and not is_site(rest, names)
    return after if same and sized and _RUNS_ON.match(rest) else title


def _headed(label: str, heading: str, stated: Sequence[str], names: set[str]) -> str:
    """A label title ("Feuerwehr Oldenburg" of "Feuerwehr Oldenburg - Training") on a page without a
    headline h1 (none, or a label other than the title: a side panel's "Page"): the first <h2> it shows, where that has two words or more, shares a word of four
    letters or more with a title the page states and is neither the label, the site's name nor a
    call to action ("Boat service training"); else the label."""
    words = {word for text in stated for word in _long_words(text)}
    sized = FIRST_PIECE_MIN_WORDS <= len(heading.split()) <= _MARKED_MAX_WORDS and not is_call_to_action(heading)
    shared = bool(_long_words(heading) & (words | _long_words(label)))
    return heading if sized and shared and normal(heading) != normal(label) and not is_site(heading, names) else label


def _long_words(text: str) -> set[str]:
    return {word for word in normal(text or "").split() if len(word) >= 4}


def _labelled(title: str, marked: str) -> bool:
    """Whether a title is a label and a colon before a headline the page marks alone
    ("Border closures: France and the return of resentment" where the page marks the part after it)."""
    label, colon, rest = title.partition(": ")
    return bool(colon) and len(marked.split()) >= HEADLINE_MIN_WORDS and normal(rest) == normal(marked) and bool(label)


def _headline_sized(text: str, names: set[str]) -> bool:
    """Whether a marked headline reads as one: HEADLINE_MIN_WORDS to _MARKED_MAX_WORDS words, not
    the site's name, not a call to action."""
    sized = HEADLINE_MIN_WORDS <= len(text.split()) <= _MARKED_MAX_WORDS
    return sized and not is_site(text, names) and not is_call_to_action(text)


def _stated_or_shown_title(
    extracted: str,
    meta: Any,
    headline: str = "",
    page_title: str = "",
    site_names: Sequence[str] = (),
    sections: Sequence[str] = (),
) -> str:
    """The article's title, as the page states it and shows it.

    `extracted`: trafilatura's title (og:title, <title> or h1); `meta`: the page's PageMeta (JSON-LD
    headline, og:title); `headline`: the visible h1, unless it is the site's name. The stated titles
    lose their decorations (_stated_titles). Then the visible h1 is checked against them
    (_shown_title). A call to action ("Subscribe to our newsletter") is never the title.
    """
    names = decoration_names(site_names)
    h1 = "" if is_site(headline, names) else " ".join(headline.split())  # the site's name as a heading
    h1 = strip_dashed_site_name(h1, names) or h1  # "23.01.2022 - Headline"
    stated = _stated_titles(extracted, meta, h1, page_title, site_names, sections)
    if h1 and stated and not is_call_to_action(h1):
        raw = [meta.headline, meta.og_title, page_title, extracted]
        shown = _shown_title(h1, meta.headline, stated, raw, decoration_names(site_names, sections))
        if shown:
            return shown
    if not stated and _headline_sized(h1, names):  # every stated title is the site's name alone
        return h1
    if not stated:
        return clean_title(extracted, site_names, h1, sections)
    return _agreed_headline(stated) or _as_typed(stated[0], stated)


def _agreed_headline(stated: Sequence[str]) -> str:
    """What the stated titles agree on where they differ only in a label before a colon
    ("Industrial revolution?: Anno 1800 beta" and "Previews: Anno 1800 beta" give "Anno 1800 beta");
    "" otherwise."""
    split = [title.split(": ", 1) for title in dict.fromkeys(" ".join(t.split()) for t in stated)]
    if len(split) < 2 or any(len(pieces) < 2 for pieces in split):
        return ""
    heads, tails = {normal(pieces[0]) for pieces in split}, {pieces[1] for pieces in split}
    return next(iter(tails)) if len(tails) == 1 and len(heads) == len(split) else ""


def _stated_titles(
    extracted: str, meta: Any, h1: str, page_title: str, site_names: Sequence[str], sections: Sequence[str]
) -> list[str]:
    """The titles the page states (trafilatura's first, then JSON-LD headline, og:title, <title>),
    without decorations (clean_title) or calls to action. trafilatura's title counts only where it
    agrees with one the page states, shows as its h1 or marks as a headline: else it read a section
    label or another heading."""
    own = [clean_title(t, site_names, h1, sections) for t in (meta.headline, meta.og_title, page_title) if t]
    read = clean_title(extracted, site_names, h1, sections) if extracted else ""
    marked = getattr(meta, "marked_headlines", ()) if len(read.split()) >= HEADLINE_MIN_WORDS else ()
    shown = [h1, *marked]  # the h1, and headlines the page marks (itemprop) unless a label ("Contact")
    agrees = not own or any(_agree(read, title) for title in [*own, *shown] if title)
    titles = [read] if read and agrees else []
    named = decoration_names(site_names) if h1 else set()  # with an h1 shown, the site's name is no title
    return [title for title in [*titles, *own] if title and not is_call_to_action(title) and not is_site(title, named)]


def _agree(a: str, b: str) -> bool:
    """Whether two titles are one: either holds the other, or they share words (shares_words)."""
    x, y = normal(a), normal(b)
    return bool(x and y) and (x in y or y in x or shares_words(a, b))


def _shown_title(h1: str, headline: str, stated: Sequence[str], raw: Sequence[str], names: set[str]) -> str:
    """The visible h1 checked against the stated titles: an h1 that reads as one of the page's titles
    as stated (`raw`, decorations included) or as every stated title's first piece ("Headline - Section")
    is the headline; one that is a stated title plus glued text
    (a kicker before it, a "Published by ..." after it, not a continuation such as ": subtitle" or
    " in Tennessee") gives that stated title; an h1 of HEADLINE_MIN_WORDS words or more sharing
    words with a stated title (shares_words), or where every stated title is a label of fewer words,
    is the headline as shown, and wins (subtitle included), and so does an h1 of two words or more
    that reads as a stated title but for a letter or two (_near_variant), unless a part of it
    after a bar names the site. "" when the h1 is none of these."""
    shown = normal(h1)
    if shown and any(normal(title or "") == shown for title in raw):
        return h1
    if first_piece(h1, [title for title in raw if title]):
        return h1  # "Headline (4022) - Section": the h1 is every stated title's first piece
    subtitled = bool(_SUBTITLE_DASH.search(h1))  # "Headline – subtitle" is one headline, shown whole
    for candidate in [headline, *stated]:
        core = normal(candidate or "")
        before = shown.startswith(core + " ") and _glued_after(h1, candidate)
        glued = not subtitled and (before or shown.endswith(" " + core))
        if core and glued and len(core) >= GLUED_SHARE * len(shown):
            return " ".join(candidate.split())
    labels = all(len(title.split()) < HEADLINE_MIN_WORDS for title in stated)  # "About us", "Gas prices"
    shared = labels or any(shares_words(h1, title) for title in stated)
    labelled = any(is_site(part, names) for part in BAR.split(h1)) if BAR.search(h1) else False
    variant = len(h1.split()) > 1 and any(_near_variant(h1, title) for title in stated)
    return h1 if (variant or shared and len(h1.split()) >= HEADLINE_MIN_WORDS) and not labelled else ""


def _near_variant(h1: str, title: str) -> bool:
    """Whether an h1 reads as a stated title but for a letter or two ("Sustainable living" for
    "Sustainably living"): the headline as shown."""
    return normal(h1) != normal(title) and same_headline(h1, title)


def _glued_after(h1: str, title: str) -> bool:
    """Whether what an h1 shows after a stated title is glued to it (a byline, a date: a capital or
    a digit, no separator) rather than the headline running on (": subtitle", "/ or", " in Tennessee")."""
    words = h1.split()
    rest = (
        " ".join(words[len(title.split()) :]) if normal(" ".join(words[: len(title.split())])) == normal(title) else ""
    )
    return bool(rest) and (rest[0].isupper() or rest[0].isdigit())


def _as_typed(title: str, stated: Sequence[str]) -> str:
    """The title as its editor typed it: where another stated title differs from it only in case
    and `title` Capitalizes Every Word (a plugin's doing), or only in typography where `title` has
    typewriter dashes and quotes ("-" for "–"), the other one."""
    plain = typewritten(title)
    if plain == title:
        title = next((other for other in stated if other != title and typewritten(other) == title), title)
    words = [word for word in title.split() if word[:1].isalpha()]
    if not words or not all(word[0].isupper() for word in words):
        return title
    return next((other for other in stated if other != title and other.casefold() == title.casefold()), title)
