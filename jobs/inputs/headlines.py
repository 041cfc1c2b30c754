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

from jobs.inputs.unseen import unseen_class

# Separators between a title and its decorations; " - " only at the ends, where sites put names.
BAR = re.compile(r"\s+[|｜│•·»«›‹]\s+|\s+::\s+")
_CJK = "\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef"
_CJK_BAR = re.compile(f"(?<=[{_CJK}])[-_|｜](?=[{_CJK}])")  # "标题-网站": no spaces in the script
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
HEADLINE_MIN_WORDS = 3  # an h1 shorter than this is a label ("News", "Lexikon - M"), not a headline
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
# Separators between a kicker and its headline (one the page does not show splits them: unseen.unseen_class).
_SEPARATORS = " :|-–—·•,"
_HOME_PATHS = frozenset({"", "index.html", "index.htm", "index.php", "home"})


def clean_title(title: str, site_names: Sequence[str] = (), headline: str = "", sections: Sequence[str] = ()) -> str:
    """The title without the site's name and section labels.

    `site_names`: og:site_name, the host and the like; `headline`: the page's h1, which wins
    when it matches one of the title's parts.
    """
    if _decorates(title, headline):
        return headline.strip()
    parts = [piece for part in BAR.split(title) for piece in _unspaced_pieces(part) if piece.strip()]
    if not parts:
        return ""
    if headline and len(parts) > 1:
        for part in parts:
            if same_headline(part, headline):
                return part.strip()
    parts = _unglued(parts)
    names = decoration_names(site_names)
    parts = [part for part in parts if not (is_site(part, names) or _site_labelled(part, names))] or parts
    if len(parts) > 1:  # "Opinion | Title", "Title | Editorial": the short parts are labels
        long_parts = [part for part in parts if len(part.split()) > _DECORATION_MAX_WORDS]
        parts = long_parts[:1] or [max(parts, key=len)]
    cleaned = parts[0].strip()
    return strip_dashed_site_name(cleaned, decoration_names(site_names, sections)) or cleaned


def _site_labelled(part: str, names: set[str]) -> bool:
    """Whether a title's part is the site's name and a label after it ("Chronicle ♥ Magazine",
    "Chronicle Blog"): at most _DECORATION_MAX_WORDS words, opening with a name of four letters or more."""
    folded = normal(part)
    short = len(folded.split()) <= _DECORATION_MAX_WORDS
    return short and any(len(name) >= 4 and folded.startswith(name + " ") for name in names)


def _unspaced_pieces(part: str) -> list[str]:
    """A title's part in a script written without spaces (Chinese, Japanese) split at separators
    set without spaces ("Headline！-Site", "Headline_Section_Site"): the pieces, where those after
    the first are at most half its length (a section's or site's name); else the part whole."""
    first, *after = [piece.strip() for piece in _CJK_BAR.split(part)]
    if after and all(len(piece) <= len(first) / 2 for piece in after):
        return [first, *after]
    return [part]


def _unglued(parts: Sequence[str]) -> list[str]:
    """A title's parts without one that another part repeats glued to its end with no separator
    ("HeadlineSite's tagline | Site's tagline": a template appended the site's tagline twice):
    that part is the site's, and the other part loses it."""
    for repeated in parts:
        tail = " ".join(repeated.split())
        for part in parts:
            text = " ".join(part.split())
            head = text[: -len(tail)] if len(tail.split()) >= 2 and text.endswith(tail) else ""
            if head and head[-1].isalnum() and tail[0].isupper():  # "A31Das": glued, no space
                return [head if p is part else p for p in parts if p is not repeated]
    return list(parts)


def names_the_site_only(title: str, site_names: Sequence[str] = ()) -> bool:
    """Whether a stated title is the site's name alone: one of `site_names`, or a single part
    beside a separator with nothing on its other side ("National Rail Enquiries -", "| Chronicle":
    a template whose title slot was left empty)."""
    stripped = title.strip()
    if not stripped:
        return False
    core = stripped.strip(" -–—|:»«")
    dangling = core != stripped and not BAR.search(core) and len(_DASH.split(core)) == 1
    return dangling or is_site(stripped, decoration_names(site_names))


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
    full, core = normal(title), normal(headline)
    if not core or core == full or len(core) < HEADLINE_SHARE * len(full):
        return False
    return full.startswith(core + " ") or full.endswith(" " + core)


def strip_dashed_site_name(title: str, names: set[str]) -> str:
    """ "Title - Site", "Site: Section - Title" or "23.01.2022 - Title" without the site's name,
    its sections (`names` holds both; a name may span pieces: "Title - Chronicle - News for all")
    and dates, at either end, as long as a title remains."""
    title = title.rstrip(" -–—|:")  # "Site -": a separator left with nothing after it
    while True:
        seps = list(_DASH.finditer(title))
        pieces = _DASH.split(title)
        end = _named_pieces(pieces, names, at_end=True)
        start = 0 if end else _named_pieces(pieces, names)
        if end:
            title = title[: seps[-end].start()]
        elif start:
            title = title[seps[start - 1].end() :]
        else:
            return title


def _named_pieces(pieces: Sequence[str], names: set[str], at_end: bool = False) -> int:
    """How many of the first (or last) `pieces` name the site or a section, or are a date (0: none; never all)."""
    for count in range(1, len(pieces)):
        named = pieces[-count:] if at_end else pieces[:count]
        if is_site(" ".join(named), names) or (count == 1 and _DATE.match(named[0])):
            return count
    return 0


def is_site(part: str, names: set[str]) -> bool:
    folded = normal(part)
    return folded in names or folded.replace(" ", "") in names


def decoration_names(site_names: Sequence[str], sections: Sequence[str] = ()) -> set[str]:
    """Normalized site names and section names, each also without spaces ("La Stampa" is lastampa.it)."""
    names = {normal(name) for name in [*site_names, *sections] if name}
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
    segments = [part for part in path.split("/") if part][:-1]  # the last one is the page's own
    return tuple(part.replace("-", " ") for part in segments if part.replace("-", "").isalpha())


def headline_elements(tree: Any, home_links: bool = False) -> list[Any]:
    """The page's <h1>s that can be its headline: with text, not in a link, not the site's logo or
    name, not a link to the front page (unless `home_links`), not hidden from sight (screen-reader
    text, aria-hidden, hidden)."""
    found = []
    for h1 in tree.iter("h1"):
        near = [h1, *[e for e in h1.iterancestors() if e.tag not in ("body", "html")][:2]]  # a logo's wrapper
        marks = " ".join(f"{e.get('class', '')} {e.get('id', '')}" for e in near)
        hidden = h1.xpath("boolean(ancestor-or-self::*[@hidden or @aria-hidden='true'])")
        in_link = h1.xpath("boolean(ancestor::a)")
        shown = h1.text_content().strip() and not in_link and not hidden and (home_links or not links_home(h1))
        if shown and not _NOT_HEADLINE.search(marks):
            found.append(h1)
    return found


def stated_heading(
    tree: Any, titles: Sequence[str], site_names: Sequence[str] = (), whole: bool = False, after: Any = None
) -> str:
    """Where a page shows no h1: the first <h2> that shows one of its stated `titles` whole, bars
    included ("How to grow a lemon tree | Step-by-step guide"), none of whose parts names the site;
    or, failing one, the first that shows every stated title's first piece ("Headline" of "Headline
    (2021/5)" and "Headline - Section": first_piece), unless `whole`; only <h2>s after the element
    `after` where one is given; "" when there is none."""
    given = [" ".join(title.split()) for title in titles if title and title.strip()]
    stated = {normal(title) for title in given}
    names = decoration_names(site_names)
    shown = []
    for h2 in after.xpath("following::h2") if after is not None else tree.iter("h2"):
        text = " ".join(h2.text_content().split())
        hidden = hidden_or_linked(h2)
        if text and normal(text) in stated and not hidden:
            return "" if any(is_site(part, names) for part in BAR.split(text)) else text
        shown.append("" if hidden or whole else text)
    return next((text for text in shown if first_piece(text, given) and not is_site(text, names)), "")


def hidden_or_linked(element: Any) -> bool:
    """Whether an element is hidden (`hidden`, `aria-hidden`, on it or above it) or inside a link:
    a heading no reader sees as the page's, or another page's."""
    return bool(element.xpath("boolean(ancestor-or-self::*[@hidden or @aria-hidden='true'] or ancestor::a)"))


_PIECE_AFTER = re.compile(r"\s+(?:[-–—|(]|::)")  # what follows a title's first piece: " - Section", " (4022)"
FIRST_PIECE_MIN_WORDS = 2  # a one-word piece is a label ("News - Chronicle")


def first_piece(text: str, titles: Sequence[str]) -> bool:
    """Whether every one of the stated `titles` opens with `text` as a piece of its own, set off by
    a separator ("Headline (4022) - Section", "Headline | Site"), in one of them at least."""
    opens = all(title.startswith(text) for title in titles) and len(text.split()) >= FIRST_PIECE_MIN_WORDS
    return bool(titles) and opens and any(_PIECE_AFTER.match(title[len(text) :]) for title in titles)


_SITE_HEADING = re.compile(r"site-?title|site-?name|logo|brand|masthead", re.IGNORECASE)


def is_site_heading(h1: Any) -> bool:
    """Whether an <h1> names the site, not the article: in a link, marked as a logo, or linking home."""
    marks = f"{h1.get('id', '')} {h1.get('class', '')}"
    return bool(h1.xpath("boolean(ancestor::a)") or _SITE_HEADING.search(marks) or links_home(h1))


def links_home(heading: Any) -> bool:
    """Whether all of a heading's text is a link to the site's front page ("/", "../", the bare
    host): the site's name shown as a heading on every page, not the story's headline."""
    from urllib.parse import urlsplit

    links = heading.xpath(".//a[@href]")
    text = " ".join(heading.text_content().split())
    if not links or not text or " ".join(" ".join(a.text_content() for a in links).split()) != text:
        return False
    try:
        addresses = [urlsplit(a.get("href").strip()) for a in links]
    except ValueError:  # not an address ("http://[not-a-host]/")
        return False
    return all(not a.query and not a.fragment and a.path.strip("/.") in _HOME_PATHS for a in addresses)


_NO_TEXT = ("style", "script", "template")  # a style sheet inside the h1 (CSS-in-JS) shows no text
_SHOWN_TEXT = (
    ".//text()[not(ancestor::rt or ancestor::rp or ancestor::style or ancestor::script or ancestor::template)]"
)


def headline_text(h1: Any, titles: Sequence[str] = ()) -> str:
    """An <h1>'s headline: its text without the kicker, topline or date shown in it, without parts
    hidden from sight, ruby readings or style sheets (<style> a CSS-in-JS library puts in it), and without a separator left at either end ("Kicker<span
    aria-hidden> – </span>Headline" gives "Headline"). A separator the page does not show
    (<span class=sr-only>: </span>, <span class=invisible>: </span>) stands between a kicker and its headline: the side of more words
    is the headline, the later one if they are even. An element the h1 opens with is a kicker where one of the page's stated `titles`
    (<title>, og:title) gives its text as a piece of its own ("Kicker - Headline")."""
    parts: list[list[str]] = [[h1.text or ""]]
    for index, child in enumerate(h1):
        marks = f"{child.get('class', '')} {child.get('id', '')}"
        if index == 0 and not parts[0][0].strip() and _stated_piece(child, titles):
            marks += " kicker"
        text = "".join(child.xpath(_SHOWN_TEXT)) if isinstance(child.tag, str) else ""
        unseen = unseen_class(marks)
        hidden = child.get("aria-hidden") == "true" or child.get("role") == "presentation" or child.tag in _NO_TEXT
        if unseen and text.strip() and not text.strip(_SEPARATORS):
            parts.append([])
        elif unseen or hidden or _KICKER.search(marks) or child.tag in ("br", "rt", "rp"):
            parts[-1].append(" ")
        else:
            parts[-1].append(text)
        parts[-1].append(child.tail or "")
    texts = [" ".join("".join(part).split()).strip(_SEPARATORS) for part in parts]
    longest = max(reversed(texts), key=lambda text: sum(any(ch.isalnum() for ch in w) for w in text.split()))
    return longest or " ".join("".join(h1.xpath(_SHOWN_TEXT)).split())


def _stated_piece(element: Any, titles: Sequence[str]) -> bool:
    """Whether a stated title opens with an element's text as a piece of its own ("Text - ...", "Text: ...")."""
    text = " ".join(element.text_content().split()) if isinstance(element.tag, str) else ""
    opening = re.compile(re.escape(text) + r"\s*[-–—|:]\s")
    return bool(text) and any(opening.match(" ".join(title.split())) for title in titles if title)


def shares_words(a: str, b: str) -> bool:
    """Whether two titles share SHARED_WORDS words of four or more letters, and at least half of
    the shorter one's."""
    words = [{w for w in normal(t).split() if len(w) >= 4} for t in (a, b)]
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
    x, y = normal(a), normal(b)
    if not x or not y:
        return False
    return x == y or SequenceMatcher(None, x, y, autojunk=False).ratio() >= SAME_HEADLINE


_TYPEWRITER = str.maketrans("–—“”„‘’‚«»", '--"""\'\'\'""')  # typographic marks as a typewriter writes them


def typewritten(text: str) -> str:
    """The text with typewriter dashes and quotes for typographic ones ("–" as "-", "„" as '"')."""
    return text.translate(_TYPEWRITER)


def normal(text: str) -> str:
    """Case, accents' forms, punctuation and spacing folded away."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())
