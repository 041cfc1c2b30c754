"""Bylines worth publishing: person names only, each once, without roles, outlets or sentences.

Pages put many things where a byline goes: "Username", "<name> is a reporter", "<name> News
reporter", "<Name>; <NAME>", "<Name>; <Outlet> Business". A part that is not shaped like a
person's name is dropped, and a byline with no such part is no byline at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_SEPARATORS = re.compile(
    r"\s*(?:;|,|\||\s(?:and|und|et|y|e|og|och|и)\s| & |\s/\s|\s+·\s+|\s+[-–—]\s+)\s*", re.IGNORECASE
)
# "By", "Von", "Por", "作者："...: what a visible byline starts with, in the languages of the corpus.
_PREFIX = re.compile(
    r"^(?:by|from|words by|written by|reported by|posted by|published by|authors?|autor|autoren|autorin|"
    r"von|text|por|par|di|door|av|af|przez|автор|作者|记者|記者|责任编辑|責任編輯|编辑|編輯|撰文|文)"
    r"(?:\s*[:：]\s*|\s+)",
    re.IGNORECASE,
)
# Whatever follows a name on the same line and is not a name: "Jane Doe, updated 3 May", "Jane Doe Share".
_TRAILER = re.compile(
    r"\s+(?:updated|published|posted|veröffentlicht|aktualisiert|am|on|um|share|teilen|follow|folgen)\b.*$",
    re.IGNORECASE,
)
# Words that make a byline part a role, a desk or an outlet rather than a name; the name before
# them is kept ("Jane Doe News reporter" gives "Jane Doe").
_ROLE_WORDS = frozenset(
    [
        "reporter",
        "reporters",
        "correspondent",
        "correspondents",
        "editor",
        "editors",
        "writer",
        "writers",
        "staff",
        "contributor",
        "contributors",
        "columnist",
        "columnists",
        "journalist",
        "journalists",
        "author",
        "authors",
        "producer",
        "analyst",
        "team",
        "desk",
        "newsroom",
        "news",
        "business",
        "politics",
        "political",
        "technology",
        "tech",
        "health",
        "science",
        "sport",
        "sports",
        "economics",
        "economy",
        "world",
        "opinion",
        "senior",
        "chief",
        "deputy",
        "associate",
        "special",
        "foreign",
        "international",
        "national",
        "local",
        "agency",
        "agencies",
        "press",
        "wire",
        "wires",
        "bureau",
        "service",
        "media",
        "online",
        "digital",
        "guest",
        "admin",
        "administrator",
        "username",
        "user",
        "anonymous",
        "unknown",
        "webmaster",
        "editorial",
        # desks and newsrooms in other languages, company forms: an outlet, not a person
        "redaktion",
        "redacción",
        "redaccion",
        "rédaction",
        "redazione",
        "redactie",
        "redakcja",
        "gmbh",
        "ag",
        "inc",
        "inc.",
        "ltd",
        "llc",
        "corp",
        "co.",
        "austria",
        "germany",
        "deutschland",
        "foundation",
        "stiftung",
        "verlag",
        "zeitung",
        "magazin",
        "magazine",
        "verband",
        "e.v.",
        "photo",
        "foto",
        "fotos",
        "photos",
        "bild",
        "bilder",
        "quelle",
        "source",
        "dpa",
        "afp",
        "ap",
        "reuters",
        "epd",
        "kna",
        "apa",
        "sda",
        # user-interface words glued to a name
        "share",
        "teilen",
        "follow",
        "folgen",
        "email",
        "e-mail",
        "mail",
        "twitter",
        "facebook",
        "instagram",
        "linkedin",
        "profile",
        "profil",
        "more",
        "mehr",
        # months: a date glued to a name
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "januar",
        "februar",
        "märz",
        "juni",
        "juli",
        "oktober",
        "dezember",
    ]
)
# German-style compounds of a desk word: "Webteam", "Sportredaktion", "Onlineredaktion".
_ROLE_SUFFIXES = ("team", "redaktion")
_SENTENCE_WORDS = frozenset(["is", "was", "are", "has", "have", "covers", "writes", "wrote", "lives", "based"])
# Name particles written in lower case ("Ludwig van Beethoven", "Abu al-Hassan").
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "du",
        "dos",
        "das",
        "la",
        "le",
        "bin",
        "ibn",
        "al",
        "el",
        "ten",
        "ter",
        "zu",
        "y",
    ]
)
# A name in Chinese, Japanese or Korean script is written without spaces: one token of 2-4
# characters (family name first), unless it ends in a word for a body (社 agency, 报 paper, 网 site,
# 台 station, 部 department...) or holds a newsroom word (编辑 editor, 记者 reporter, 新闻 news).
_CJK_NAME = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}|[\uac00-\ud7af]{2,4})$")
_CJK_BODIES = re.compile(
    r"[社报報网網台部局会會院所组組室处處厅廳站]$|编辑|編輯|记者|記者|新闻|新聞|作者|来源|來源|日报|日報|中心"
)
_NAME_TOKEN = re.compile(r"^[^\W\d_][^\W\d_'’.\-]*(?:['’.\-][^\W\d_]*)*\.?$")
MAX_NAME_WORDS = 5


def plausible_byline(byline: str, outlets: tuple[str, ...] = ()) -> str:
    """The person names of a byline, joined by "; ", or "" when none is plausible.

    `outlets`: the site's names (og:site_name, the host), never published as an author.
    """
    names: list[str] = []
    seen: dict[str, int] = {}
    blocked = {_folded(outlet) for outlet in outlets if outlet}
    for part in _SEPARATORS.split(byline.strip()):
        name = _person_name(_PREFIX.sub("", part.strip()), blocked)
        if not name:
            continue
        key = name.casefold()
        if key in seen:  # "Jane Doe; JANE DOE": keep the form that is not all capitals
            if names[seen[key]].isupper() and not name.isupper():
                names[seen[key]] = name
            continue
        seen[key] = len(names)
        names.append(name)
    return "; ".join(names)


def byline_in_text(paragraphs: Sequence[str], outlets: tuple[str, ...] = ()) -> str:
    """The names of the text's byline paragraphs (byline_line), when they all name the same
    people; "" when there are none, or several naming different people (a page of several
    articles: which byline is this article's is not known)."""
    found = {line for line in (byline_line(paragraph, outlets) for paragraph in paragraphs) if line}
    return found.pop() if len(found) == 1 else ""


def byline_line(paragraph: str, outlets: tuple[str, ...] = ()) -> str:
    """The names of a paragraph that is a byline and nothing else ("Von Jane Doe", "By Jane Doe
    and John Roe"), or "".

    Strict, as it is looked for in the article's text: the paragraph starts with a byline word
    and every part after it is a person's name as it stands (no role, outlet or date to strip).
    """
    text = " ".join(paragraph.split())
    rest = _PREFIX.sub("", text, count=1)
    if rest == text or len(rest.split()) > 3 * MAX_NAME_WORDS:
        return ""
    blocked = {_folded(outlet) for outlet in outlets if outlet}
    parts = [part.strip() for part in _SEPARATORS.split(rest)]
    if not all(part and _person_name(part, blocked) == part for part in parts):
        return ""
    return plausible_byline(rest, outlets)


def _person_name(part: str, blocked: set[str]) -> str:
    """The name a byline part holds, or "" when it is a role, an outlet, a sentence or a handle."""
    part = _TRAILER.sub("", part).strip(" .:-–—")
    folded = _folded(part)
    if not folded:
        return ""
    if any(folded == name or folded in name or (len(name) >= 6 and name in folded) for name in blocked if name):
        return ""  # "Hessenschau De" is the site hessenschau.de, not a person
    if not part or any(ch.isdigit() for ch in part) or "@" in part:
        return ""
    tokens = part.split()
    if len(tokens) == 1 and _CJK_NAME.match(part):
        return "" if _CJK_BODIES.search(part) or _folded(part) in blocked else part
    if any(token.casefold() in _SENTENCE_WORDS for token in tokens):
        return ""
    for index, token in enumerate(tokens):
        word = token.casefold().strip(".")
        if word in _ROLE_WORDS or word.endswith(_ROLE_SUFFIXES):
            tokens = tokens[:index]
            break
    if not 2 <= len(tokens) <= MAX_NAME_WORDS or _folded(" ".join(tokens)) in blocked:
        return ""
    for token in tokens:
        if token.casefold() in _PARTICLES:
            continue
        if not _NAME_TOKEN.match(token) or not token[0].isupper():
            return ""
    return " ".join(tokens)


def _folded(text: str) -> str:
    """Case, spaces and punctuation folded away: "Hessenschau De" and "hessenschau.de" agree."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))
