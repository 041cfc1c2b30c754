"""Titles without site decorations, and the headline kept out of the body.

A page's <title> and og:title carry the site's name and section ("Opinion | ...", "... |
Editorial", "... - The Daily Chronicle"); its on-page headline (h1) usually does not. And the
headline, or a close variant of it, often lands among the first paragraphs of the extracted text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

# Separators between a title and its decorations; " - " only at the ends, where sites put names.
_BAR = re.compile(r"\s+[|｜•·»«›‹]\s+|\s+::\s+")
_DASH = re.compile(r"\s+[-–—:]\s+")
# How close (difflib ratio of normalized text) a paragraph must be to a headline to repeat it.
SAME_HEADLINE = 0.9
HEADLINE_ZONE = 3
HEADLINE_SHARE = 0.5  # an h1 this much of the title's length, at its start or end, is the headline  # only the first paragraphs can be the headline again
# A date as a title's decoration: "23.01.2022 - Headline".
_DATE = re.compile(r"^\s*\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\s*$")
# A call to action where a headline should be: newsletter, subscription and sign-up prompts.
_CALL_TO_ACTION = re.compile(
    r"\b(?:newsletter|subscribe|subscription|sign up|sign in|log in|register|join us|abonnier\w*|anmelde\w*|"
    r"beitreten|registrier\w*|inscri\w*|iscriviti|suscr[ií]b\w*|cookies?)\b",
    re.IGNORECASE,
)
_CALL_MAX_WORDS = 15
OPENING_HEADING_MAX_WORDS = 20  # a longer heading is a standfirst, not a headline
_MARKED_MAX_WORDS = 25  # a longer "headline" is a standfirst
_RUNS_ON = re.compile(r"\s+[-–—:]\s+\S|[:?]\s+\S")  # "Title – subtitle", "Title: subtitle"
HEADLINE_MIN_WORDS = 3  # an h1 shorter than this is a label ("News", "Lexikon - M"), not a headline
_SUBTITLE_DASH = re.compile(r"\s[-–—]\s")
GLUED_SHARE = 0.25  # a stated title this much of the h1's length, at its start or end, is the headline
SHARED_WORDS = 2  # an h1 sharing this many words with the stated title is its shown form
_DECORATION_MAX_WORDS = 4  # "Opinion", "Editorial", "World news": short; a headline is longer
# An <h1> that is not the story's headline: the site's logo or name, or text only screen readers get.
_NOT_HEADLINE = re.compile(
    r"site-?title|site-?name|logo|brand|masthead|aural|sr-only|screen-?reader|visually-?hidden", re.I
)
# Parts of an <h1> shown above or beside the headline, not in it: a kicker, a topline, a date.
_KICKER = re.compile(
    r"kicker|topline|overline|over-title|dachzeile|spitzmarke|roofline|eyebrow|supertitle|titleheader|"
    r"(?:^|[\s_-])(?:date|time|label|category)(?:$|[\s_-])",
    re.I,
)


def clean_title(title: str, site_names: Sequence[str] = (), headline: str = "", sections: Sequence[str] = ()) -> str:
    """The title without the site's name and section labels.

    `site_names`: og:site_name, the host and the like; `headline`: the page's h1, which wins
    when it matches one of the title's parts.
    """
    if _decorates(title, headline):
        return headline.strip()
    parts = [part for part in _BAR.split(title) if part.strip()]
    if not parts:
        return ""
    if headline and len(parts) > 1:
        for part in parts:
            if same_headline(part, headline):
                return part.strip()
    names = _decoration_names(site_names)
    parts = [part for part in parts if not _is_site(part, names)] or parts
    if len(parts) > 1:  # "Opinion | Title", "Title | Editorial": the short parts are labels
        long_parts = [part for part in parts if len(part.split()) > _DECORATION_MAX_WORDS]
        parts = long_parts[:1] or [max(parts, key=len)]
    cleaned = parts[0].strip()
    return _strip_dashed_site_name(cleaned, _decoration_names(site_names, sections)) or cleaned


def names_the_site_only(title: str, site_names: Sequence[str] = ()) -> bool:
    """Whether a stated title is the site's name alone: one of `site_names`, or a single part
    beside a separator with nothing on its other side ("National Rail Enquiries -", "| Chronicle":
    a template whose title slot was left empty)."""
    stripped = title.strip()
    if not stripped:
        return False
    core = stripped.strip(" -–—|:»«")
    dangling = core != stripped and not _BAR.search(core) and len(_DASH.split(core)) == 1
    return dangling or _is_site(stripped, _decoration_names(site_names))


def opening_heading(body: Any) -> str:
    """The heading an extracted text (trafilatura's body) opens with, before any paragraph; ""
    when it opens otherwise or the heading is a label or a standfirst by its length."""
    for element in body:
        text = " ".join(" ".join(element.itertext()).split())
        if text:
            words = len(text.split())
            return text if element.tag == "head" and HEADLINE_MIN_WORDS <= words <= OPENING_HEADING_MAX_WORDS else ""
    return ""


def _decorates(title: str, headline: str) -> bool:
    """Whether the title is the headline plus decorations before or after it ("Site: headline - Section")."""
    full, core = _normal(title), _normal(headline)
    if not core or core == full or len(core) < HEADLINE_SHARE * len(full):
        return False
    return full.startswith(core + " ") or full.endswith(" " + core)


def _strip_dashed_site_name(title: str, names: set[str]) -> str:
    """ "Title - Site", "Site: Section - Title" or "23.01.2022 - Title" without the site's name,
    its sections (`names` holds both) and dates, at either end, as long as a title remains."""
    title = title.rstrip(" -–—|:")  # "Site -": a separator left with nothing after it
    while True:
        pieces = _DASH.split(title)
        if len(pieces) > 1 and (_is_site(pieces[-1], names) or _DATE.match(pieces[-1])):
            title = title[: title.rfind(pieces[-1])].rstrip(" -–—:")
        elif len(pieces) > 1 and (_is_site(pieces[0], names) or _DATE.match(pieces[0])):
            title = title[len(pieces[0]) :].lstrip(" -–—:")
        else:
            return title


def _is_site(part: str, names: set[str]) -> bool:
    normal = _normal(part)
    return normal in names or normal.replace(" ", "") in names


def _decoration_names(site_names: Sequence[str], sections: Sequence[str] = ()) -> set[str]:
    """Normalized site names and section names, each also without spaces ("La Stampa" is lastampa.it)."""
    names = {_normal(name) for name in [*site_names, *sections] if name}
    return names | {name.replace(" ", "") for name in names}


def site_names_of(sitename: str, hostname: str, address: str = "", hosts: Sequence[str] = ()) -> tuple[str, ...]:
    """The site's names: og:site_name (`sitename`), the host (`hostname` as fetched, else the
    canonical `address`'s), and the host's name without www. and the domain; and the names of
    the `hosts` the page gives for itself (og:image: "cdn.chronicle.co.uk" gives "chronicle")."""
    from urllib.parse import urlsplit

    try:
        stated_host = urlsplit(address).hostname or ""
    except ValueError:  # a canonical link that is no address ("http://[not-a-host]/")
        stated_host = ""
    host = (hostname or stated_host).removeprefix("www.")
    names = [sitename, host, host.split(".")[0], *(_domain_name(h) for h in hosts)]
    return tuple(dict.fromkeys(name for name in names if name))


def _domain_name(host: str) -> str:
    """The name a host registers: "cdn.chronicle.co.uk" gives "chronicle", "news.example.com" "example"."""
    labels = host.lower().split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3:  # co.uk, com.au, or.kr
        name = labels[-3]
    else:
        name = labels[-2] if len(labels) >= 2 else ""
    return name if len(name) >= 3 and not name.isdigit() else ""  # not an address's number, not "t.co"


def address_sections(address: str) -> tuple[str, ...]:
    """The section names an address's path gives ("/outdoornews/detail/718" gives "outdoornews"):
    its word-only segments, hyphens read as spaces; a title's piece equal to one is a label."""
    from urllib.parse import urlsplit

    try:
        path = urlsplit(address or "").path
    except ValueError:  # a canonical link that is no address ("http://[not-a-host]/")
        return ()
    segments = [part for part in path.split("/")[:-1] if part]
    return tuple(part.replace("-", " ") for part in segments if part.replace("-", "").isalpha())


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
    h1 and og:title say "Leasing or financing"): the shorter one is its label."""
    title = _stated_or_shown_title(extracted, meta, headline, page_title, site_names, sections)
    names = _decoration_names(site_names, sections)
    for marked in (" ".join(text.split()) for text in getattr(meta, "marked_headlines", ())):
        rest = marked[len(title) :]
        runs_on = marked.casefold().startswith(title.casefold()) and _RUNS_ON.match(rest)
        if title and runs_on and len(marked.split()) <= _MARKED_MAX_WORDS and not _is_site(rest, names):
            return marked
    return title


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
    headline, og:title); `headline`: the visible h1. The stated titles lose their decorations
    (clean_title). Then the visible h1 is checked against them: an h1 that is a stated title
    plus glued text (a kicker, "Published by ... on ...") gives that stated title; an h1 of
    HEADLINE_MIN_WORDS words or more sharing words with a stated title (_shares_words) is the
    headline as shown, and wins (subtitle included). A call to action ("Subscribe to our newsletter") is never the title.
    """
    stated = [
        cleaned
        for cleaned in (
            clean_title(t, site_names, headline, sections)
            for t in (extracted, meta.headline, meta.og_title, page_title)
            if t
        )
        if cleaned and not is_call_to_action(cleaned)
    ]
    h1 = " ".join(headline.split())
    h1 = _strip_dashed_site_name(h1, _decoration_names(site_names)) or h1  # "23.01.2022 - Headline"
    if h1 and stated and not is_call_to_action(h1):
        shown = _normal(h1)
        subtitled = bool(_SUBTITLE_DASH.search(h1))  # "Headline – subtitle" is one headline, shown whole
        for candidate in [meta.headline, *stated]:
            core = _normal(candidate or "")
            glued = not subtitled and (shown.startswith(core + " ") or shown.endswith(" " + core))
            if core and glued and len(core) >= GLUED_SHARE * len(shown):
                return " ".join(candidate.split())
        shared = any(_shares_words(h1, title) for title in stated)
        if shared and len(h1.split()) >= HEADLINE_MIN_WORDS and not _BAR.search(h1):
            return h1
    if not stated:
        return clean_title(extracted, site_names, headline, sections)
    return _as_typed(stated[0], stated)


def _as_typed(title: str, stated: Sequence[str]) -> str:
    """The title as its editor typed it: where another stated title differs from it only in case
    and `title` Capitalizes Every Word (a plugin's doing), the other one."""
    words = [word for word in title.split() if word[:1].isalpha()]
    if not words or not all(word[0].isupper() for word in words):
        return title
    return next((other for other in stated if other != title and other.casefold() == title.casefold()), title)


def headline_elements(tree: Any) -> list[Any]:
    """The page's <h1>s that can be its headline: with text, not in a link, not the site's logo or
    name, not hidden from sight (screen-reader text, aria-hidden, hidden)."""
    found = []
    for h1 in tree.iter("h1"):
        near = [h1, *[e for e in h1.iterancestors() if e.tag not in ("body", "html")][:2]]  # a logo's wrapper
        marks = " ".join(f"{e.get('class', '')} {e.get('id', '')}" for e in near)
        hidden = h1.xpath("boolean(ancestor-or-self::*[@hidden or @aria-hidden='true'])")
        in_link = h1.xpath("boolean(ancestor::a)")
        if h1.text_content().strip() and not in_link and not hidden and not _NOT_HEADLINE.search(marks):
            found.append(h1)
    return found


def headline_text(h1: Any) -> str:
    """An <h1>'s headline: its text without the kicker, topline or date shown in it, and without
    parts hidden from sight ("Kicker<span aria-hidden> – </span>Headline" gives "Headline")."""
    parts: list[str] = [h1.text or ""]
    for child in h1:
        marks = f"{child.get('class', '')} {child.get('id', '')}"
        dropped = child.get("aria-hidden") == "true" or child.get("role") == "presentation" or _KICKER.search(marks)
        if not dropped and isinstance(child.tag, str):
            parts.append(child.text_content())
        parts.append(child.tail or "")
    text = " ".join("".join(parts).split())
    return text or " ".join(h1.text_content().split())


def _shares_words(a: str, b: str) -> bool:
    """Whether two titles share SHARED_WORDS words of four or more letters, and at least half of
    the shorter one's."""
    words = [{w for w in _normal(t).split() if len(w) >= 4} for t in (a, b)]
    shared = len(words[0] & words[1])
    return shared >= SHARED_WORDS and shared >= 0.5 * min(len(words[0]), len(words[1]))


def is_call_to_action(text: str) -> bool:
    """Whether a would-be title asks the reader to do something (subscribe, sign up, join)."""
    return len(text.split()) <= _CALL_MAX_WORDS and bool(_CALL_TO_ACTION.search(text))


def drop_repeated_headlines(paragraphs: Sequence[str], headlines: Sequence[str]) -> list[str]:
    """The paragraphs without those of the first few that repeat a headline (title, og:title, h1)."""
    wanted = [h for h in headlines if h and h.strip()]
    kept: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if index < HEADLINE_ZONE and any(same_headline(paragraph, h) for h in wanted):
            continue
        kept.append(paragraph)
    return kept


def same_headline(a: str, b: str) -> bool:
    """Whether two texts are the same headline, give or take case, punctuation and a word."""
    x, y = _normal(a), _normal(b)
    if not x or not y:
        return False
    return x == y or SequenceMatcher(None, x, y, autojunk=False).ratio() >= SAME_HEADLINE


def _normal(text: str) -> str:
    """Case, accents' forms, punctuation and spacing folded away."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())
