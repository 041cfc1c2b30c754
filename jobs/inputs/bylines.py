"""Bylines worth publishing: person names only, each once, without roles, outlets or sentences.

Pages put many things where a byline goes: "Username", "<name> is a reporter", "<name> News
reporter", "<Name>; <NAME>", "<Name>; <Outlet> Business", "Senior Reporter <Name> in Berlin",
"<Name> (AP) May 3, 2022", "<Name> Share", "Foto: <Name>". The name model splits a byline into
its parts (commas, "and" in several languages, "with reporting by"), drops notes in parentheses,
e-mail addresses and handles, cuts a part at a date, a dateline or an outlet after a lower-case
word ("in", "for", "aus") and at a role or user-interface word, drops roles before the name, and
keeps a part only when what is left is shaped like a person's name: 2 to 5 capitalized words (name
particles such as "van", "de", "al-" allowed), not opening with an article ("The", "La": outlets),
or a name in Chinese or Korean script. A byline with no such part is no byline at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from jobs.inputs.bylinewords import (
    CALENDAR_WORDS,
    CREDIT_WORDS,
    DETERMINERS,
    LEAD_WORDS,
    MONTH_ABBREVIATIONS,
    PARTICLES,
    ROLE_SUFFIXES,
    ROLE_WORDS,
    SENTENCE_WORDS,
    words,
)

_SEPARATORS = re.compile(
    r"\s*(?:;|,(?:\s*(?:and|und|et|y|e|og|och|и)\s)?|\||•|\s(?:and|und|et|y|e|og|och|и)\s| & |\s/\s|(?<=\w)/(?=\w)|"
    r"\s+·\s+|\s+[-–—]\s+|"
    r"\s(?:with|additional) reporting (?:by|from)\s|\s(?:mit )?material von\s)\s*",
    re.IGNORECASE,
)
# "By", "Von", "Por", "作者："...: what a visible byline starts with, in the languages of the corpus.
_PREFIX = re.compile(
    r"^(?:by|from|words by|written by|reported by|(?:with |additional )?reporting by|posted by|published by|"
    r"(?:mit )?material von|authors?|autor|autoren|autorin|autori|autorzy|autorka|auteure?s?|autore|autrice|yazar|escrito por|scritto da|"
    r"geschrieben von|text von|texte|testo|tekst|текст|a cura di|propos recueillis par|redaktion|"
    r"von|text|por|par|di|door|av|af|przez|автор|作者|记者|記者|责任编辑|責任編輯|编辑|編輯|撰文|文)"
    r"(?:\s*[:：]\s*|\s+)",
    re.IGNORECASE,
)
# A label crediting the text and the pictures to one person: "Text & Fotos: Jane Doe", "Words and pictures: ...".
_TEXT_AND_PICTURES = re.compile(
    r"(?i)^(?:text|texte|texto|testo|words)\s*(?:&|\+|und|and|et|y|e)\s*(?:fotos?|bilder|photos?|pictures|images)\s*[:：]\s*"
)
# Byline words that are labels, a byline in the text only with their colon ("Text: Jane Doe").
_LABELS_WITH_COLON = words("text texte testo tekst текст redaktion")
# Whatever follows a name on the same line and is not a name: "Jane Doe, updated 3 May", "Jane Doe Share",
# a dateline or an outlet after a lower-case word ("Jane Doe in Berlin", "Jane Doe for The Times").
_TRAILER = re.compile(
    r"\s+(?:(?i:updated|published|posted|veröffentlicht|aktualisiert|share|teilen|follow|folgen|stand|zuletzt|"
    r"lesezeit|tiempo de lectura|temps de lecture)\b|"
    r"(?:am|on|um|in|aus|at|(?i:for|für|from)|bei|en|à|a|em)\s).*$"
)
# A credit for work on the article other than writing it, and all after it: "Written by Jane Doe
# Edited by John Roe" gives "Written by Jane Doe" (an editor, a reviewer or a photographer is no author).
_OTHER_CREDIT = re.compile(
    r"(?i)(?<!\S)(?:edited|copy[- ]?edited|illustrat(?:ed|ions?)|photo(?:graph)?s?|photographed|pictures|images|"
    r"graphics|video|translated|fact[- ]checked|(?:medically )?reviewed|produced|designed|curated|moderated|styled|"
    r"modell?ed|"
    r"bearbeitet|redigiert|übersetzt|traduit|édité|relu|editado|traducido|revisado)\s+(?:by|von|par|por)(?!\S).*$",
    re.DOTALL,
)
# E-mail addresses, @handles, links and (parenthesized) notes inside a byline: "Jane Doe (AP)".
_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|\S*@\S*|\S*(?:https?://|www\.)\S*")
# A name in Chinese, Japanese or Korean script is written without spaces: one token of 2-4
# characters (family name first), unless it ends in a word for a body (社 agency, 报 paper, 网 site,
# 台 station, 部 department...) or holds a newsroom word (编辑 editor, 记者 reporter, 新闻 news).
_CJK_NAME = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}|[\uac00-\ud7af]{2,4})$")
_CJK_BODIES = re.compile(
    r"[社报報网網台部局会會院所组組室处處厅廳站]$|编辑|編輯|记者|記者|新闻|新聞|作者|来源|來源|日报|日報|中心"
)
# "by" in several languages, before a capitalized name ("von" is a name particle too: see _after_by).
_BY_WORD = re.compile(r"(?<!\S)(?i:by|von|par|por|door|przez|av|af)\s+(?=[^\W\d_])(?=\w*[^\W\d_a-z])", re.UNICODE)
# A "by" word written twice, as a label and again in the text beside it ("<span>By</span> by Jane Doe").
_REPEATED_BY = re.compile(r"(?i)^(by|von|par|por|door|przez)\s+(?=\1\s)")
_NAME_TOKEN = re.compile(r"^[^\W\d_][^\W\d_'’.\-]*(?:['’.\-][^\W\d_]*)*\.?$")
MAX_NAME_WORDS = 5


def plausible_byline(byline: str, outlets: tuple[str, ...] = ()) -> str:
    """The person names of a byline, joined by "; ", or "" when none is plausible.

    `outlets`: the site's names (og:site_name, the host), never published as an author.
    """
    names: list[str] = []
    seen: dict[str, int] = {}
    blocked = _blocked(outlets)
    affiliation = False  # after a name's role: "Jane Doe, Senior Technologist, ACLU Speech, Privacy ..."
    byline = _REPEATED_BY.sub("", _OTHER_CREDIT.sub("", unformatted(byline)).strip())  # "By by Jane Doe"
    byline = _TEXT_AND_PICTURES.sub("", byline)  # "Text & Fotos: Jane Doe": she wrote it too
    for separator, part in _dateline_cut(_parts(_after_by(byline))):
        if affiliation and separator.strip() == ",":
            continue
        part = _PREFIX.sub("", part.strip())
        name = _person_name(part, blocked)
        if not name:
            tokens = part.split()
            affiliation = bool(names) and bool(tokens) and (_is_role(tokens[0]) or tokens[0].islower())
            continue
        affiliation = False
        key = name.casefold()
        if key in seen:  # "Jane Doe; JANE DOE": keep the form that is not all capitals
            if names[seen[key]].isupper() and not name.isupper():
                names[seen[key]] = name
            continue
        seen[key] = len(names)
        names.append(name)
    return "; ".join(names)


def _parts(byline: str) -> list[tuple[str, str]]:
    """The parts of a byline between separators (_SEPARATORS), each with the separator before it
    ("" for the first): a comma goes on within one person's role and affiliation, ";" or "and" do not."""
    parts, start, separator = [], 0, ""
    for match in _SEPARATORS.finditer(byline):
        parts.append((separator, byline[start : match.start()]))
        separator, start = match.group(), match.end()
    return [*parts, (separator, byline[start:])]


def _dateline_cut(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The parts before the first bar or bullet of a byline that ends in a dateline: "Jane Doe |
    Palma de Mallorca | 08/01/2014" names a place after the author, then the day."""
    bars = [index for index, (separator, _) in enumerate(parts) if separator.strip() in ("|", "•", "·")]
    if bars and any(any(ch.isdigit() for ch in part) for _, part in parts[bars[0] :]):
        return parts[: bars[0]]
    return parts


def _after_by(byline: str, strict: bool = False) -> str:
    """The byline after a "by" word that follows words which are not a name ("Posted on May 3,
    2022 by Jane Doe", "Zeige alle Beiträge von Jane Doe", "Blog Beitrag von Jane Doe"), else as given.

    What goes before "by" is not a name when it holds a digit, a lower-case word that is no name
    particle, or a lead word ("Beitrag", "Kommentar"); "Christoph von Eichhorn" stays whole.
    `strict`: only lead words and roles before it (a paragraph of the text: "It was written by
    Jane Doe" is a sentence, not a byline).
    """
    for match in reversed(list(_BY_WORD.finditer(byline))):
        before = byline[: match.start()].split()
        if before and before[-1].casefold() in ("reporting", "material"):  # a separator ("with reporting by")
            continue
        if strict:
            if before and all(_is_role(word) or word.casefold() in LEAD_WORDS for word in before):
                return byline[match.end() :]
            continue
        if any(
            any(ch.isdigit() for ch in word)
            or (word.islower() and word.strip(".,:;") not in PARTICLES)
            or word.casefold().strip(".,:;") in LEAD_WORDS
            for word in before
        ):
            return byline[match.end() :]
    return byline


def byline_in_text(paragraphs: Sequence[str], outlets: tuple[str, ...] = ()) -> str:
    """The names of the text's byline paragraphs (byline_line), when they all name the same
    people; "" when there are none, or several naming different people (a page of several
    articles: which byline is this article's is not known). Without such a paragraph, a person's
    name in parentheses closing the text (_CLOSING_NAME), as it stands (2 to 4 words)."""
    found = {
        line
        for index, paragraph in enumerate(paragraphs)
        if (line := byline_line(paragraph, outlets)) and not in_record(paragraphs, index)
    }
    if not found and paragraphs and (signed := _CLOSING_NAME.search(paragraphs[-1])):
        name = _person_name(signed.group(1), _blocked(outlets))
        before = "\n".join([*paragraphs[:-1], paragraphs[-1][: signed.start()]])
        shaped = name == signed.group(1).strip() and len(name.split()) <= 4
        return name if shaped and not _spoken_of(name, before) else ""
    return found.pop() if len(found) == 1 else ""


def _spoken_of(name: str, text: str) -> bool:
    """Whether the text before a closing name shows it is no signature: its last word (a surname)
    stands in the text, a person the story speaks of ("... said Trump. (Donald Trump)"), or one of
    its words is written there in lower case, words of the language ("(Full Story)", "(See Also)")."""
    names = name.split()
    return re.search(rf"(?<!\w){re.escape(names[-1])}(?!\w)", text) is not None or any(
        re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", text) for word in names if word != word.lower()
    )


# A name in parentheses closing the text's last paragraph after a sentence: "... bleibt spannend.
# (Jane Doe) +++"; not after a quotation, whose speaker it names ("... schaffen das.“ (Jane Doe)").
_CLOSING_NAME = re.compile(r"(?<=[.!?])\s*\(([^()]{3,60})\)\s*[+*#=]*\s*$")


def is_byline_label(text: str) -> bool:
    """Whether a text is only a byline word ("By", "Von", "Autor:"): a label before the name."""
    return bool(text.strip()) and not _PREFIX.sub("", text.strip() + " ").strip()


def without_byline_lines(paragraphs: Sequence[str], outlets: tuple[str, ...] = ()) -> list[str]:
    """The paragraphs without those among the first and last BYLINE_LINE_REACH that are a byline
    and nothing else (byline_line): the author is the article's byline, not a line of its text."""
    last = len(paragraphs) - BYLINE_LINE_REACH
    return [
        paragraph
        for index, paragraph in enumerate(paragraphs)
        if BYLINE_LINE_REACH <= index < last or not byline_line(paragraph, outlets)
    ]


BYLINE_LINE_REACH = 3
_FIELD = re.compile(r"^(\w+(?:[ .-]+\w+){0,2})\s*:\s*\S")  # "Seiten: 400", "Dt. Titel: ..."


def in_record(paragraphs: Sequence[str], index: int) -> bool:
    """Whether a paragraph lies between two fields of a record ("Titel: ...", "Autorin: Jane Doe",
    "Verlag: ..."), or beside a line of a book's data (_BOOK_DATA: "von Jane Doe" above "192
    Seiten, 39,90 Euro"): a book's or a film's data in the text, whose author wrote the book, not
    the article. A credit ("Fotos: ...") is no such field: a byline stands among them."""

    def field(at: int) -> bool:
        if not 0 <= at < len(paragraphs) or len(paragraphs[at].split()) > 12:
            return False
        label = _FIELD.match(paragraphs[at])
        return bool(label) and label.group(1).split()[0].casefold().strip(".") not in CREDIT_WORDS

    return (field(index - 1) and field(index + 1)) or any(
        0 <= at < len(paragraphs) and len(paragraphs[at].split()) <= 15 and _BOOK_DATA.search(paragraphs[at])
        for at in (index - 1, index + 1)
    )


# A book's data beside a "von"/"by" line: its page count, ISBN or price ("192 Seiten, 39,90 Euro").
_BOOK_DATA = re.compile(
    r"(?i)\b\d+\s*(?:seiten|pages|pp\.|páginas|pagine|pagina's|sider|stron)\b|\bisbn\b|"
    r"\d+[.,]\d{2}\s*(?:€|euro|eur|chf|\$|£|usd|gbp)(?!\w)|(?:€|\$|£)\s*\d+[.,]\d{2}\b"
)


def byline_line(paragraph: str, outlets: tuple[str, ...] = ()) -> str:
    """The names of a paragraph that is a byline and nothing else ("Von Jane Doe", "By Jane Doe
    and John Roe"), or "".

    Strict, as it is looked for in the article's text: the paragraph starts with a byline word
    and every part after it is a person's name as it stands (no role, outlet or date to strip).
    """
    text = " ".join(_OTHER_CREDIT.sub("", unformatted(paragraph)).split())  # "Text von Jane Doe Illustration von ..."
    label = _PREFIX.match(text)
    if label and label.group().strip().casefold() in _LABELS_WITH_COLON:
        return ""  # "Text Without Notes" is a link's text; "Text: Jane Doe" is a byline
    rest = _PREFIX.sub("", text, count=1)
    if rest == text:  # "Blog Beitrag von Jane Doe": lead words before the "by" word only
        rest = _after_by(text, strict=True)
    if rest == text or len(rest.split()) > 3 * MAX_NAME_WORDS:
        return ""
    blocked = _blocked(outlets)
    parts = [" ".join(_NOISE.sub(" ", part).split()) for part in _SEPARATORS.split(rest)]  # "Jane Doe (AP)"
    # each part a name as it stands, or a name after a role ("Rechtsanwalt Jane Doe")
    if not all(part and (name := _person_name(part, blocked)) and part.endswith(name) for part in parts):
        return ""
    return plausible_byline(rest, outlets)


def unformatted(text: str) -> str:
    """The text without invisible format characters: soft hyphens ("Mat\xadthi\xadas"), zero-width
    spaces and joiners, byte order marks."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


_HOST_MARK = "\x00"  # marks a site name that no byline may be part of: see _blocked


def _blocked(outlets: Sequence[str]) -> set[str]:
    """The site's names folded, each marked with _HOST_MARK (a byline one holds is the site:
    "Hessenschau" in hessenschau.de), but a name in the possessive ("Jane Doe's Blog": a personal
    blog is named after its author, whose name is then a byline).
    """
    return {_HOST_MARK + _folded(o) for o in outlets if o and not re.search(r"\w['’]s\b", o)}


def _is_site(name: str, blocked: set[str]) -> bool:
    """Whether a name is one of the site's names (_blocked), holds one of 6+ characters, or is part
    of one ("Greentech LIVE" of "TechFieber Greentech Live")."""
    folded = _folded(name)
    return any(
        folded == site or (len(site) >= 6 and site in folded) or (marked and folded in site)
        for site, marked in ((entry.removeprefix(_HOST_MARK), entry.startswith(_HOST_MARK)) for entry in blocked)
        if site
    )


def _person_name(part: str, blocked: set[str]) -> str:
    """The name a byline part holds, or "" when it is a role, an outlet, a sentence or a handle."""
    part = _TRAILER.sub("", " ".join(_NOISE.sub(" ", part).split())).strip(" .:-–—\"'‘’“”«»")
    if not _folded(part):
        return ""
    names = {name.removeprefix(_HOST_MARK) for name in blocked}
    tokens = _before_date(part.split())
    if tokens and tokens[0].casefold().strip(".:") in CREDIT_WORDS:
        return ""  # "Foto: Jane Doe" credits a picture, not the article
    if len(tokens) == 1 and _CJK_NAME.match(tokens[0]):
        return "" if _CJK_BODIES.search(tokens[0]) or _folded(tokens[0]) in names else tokens[0]
    if any(token.casefold() in SENTENCE_WORDS for token in tokens):
        return ""
    tokens = _without_leading_roles(tokens)
    for index, token in enumerate(tokens):
        if _is_role(token) or (index and token.casefold().strip(".:") in CALENDAR_WORDS):
            tokens = tokens[:index]
            break
    if not 2 <= len(tokens) <= MAX_NAME_WORDS or _is_site(" ".join(tokens), blocked):
        return ""  # "Hessenschau De" is the site hessenschau.de, not a person
    if tokens[0].casefold() in DETERMINERS or any(ch.isdigit() for token in tokens for ch in token):
        return ""
    if tokens[-1] in PARTICLES:  # "Nombre del" (a label): a name does not end with a particle
        return ""
    if len(tokens[0]) >= 3 and tokens[0].isalpha() and tokens[0].isupper() and not all(t.isupper() for t in tokens):
        return ""  # an acronym before words: an organization ("ACLU Speech"), not "JANE DOE" nor "Jane DOE"
    for token in tokens:
        if token.casefold() in PARTICLES:
            continue
        head, _, rest = token.partition("-")
        if head.casefold() in PARTICLES and rest[:1].isupper():  # "al-Hassan", "el-Sayed"
            token = rest
        if not _NAME_TOKEN.match(token) or not token[0].isupper():
            return ""
    return " ".join(tokens)


def _is_role(token: str) -> bool:
    word = token.casefold().strip(".:").rsplit("-", 1)[-1]  # "FOCUS-Online-Experte"
    return word in ROLE_WORDS or word.endswith(ROLE_SUFFIXES)


def names_a_role(text: str) -> bool:
    """Whether a short text names a role or an office ("DITIB-Bundesvorsitzender", "Managing Editor")."""
    return any(_is_role(token) for token in text.split())


def _before_date(tokens: list[str]) -> list[str]:
    """The tokens before the first one with a digit, and before a month name just before it."""
    for index, token in enumerate(tokens):
        if any(ch.isdigit() for ch in token):
            kept = tokens[:index]
            if kept and kept[-1].casefold().strip(".,") in MONTH_ABBREVIATIONS:
                kept = kept[:-1]
            return kept
    return tokens


def _without_leading_roles(tokens: list[str]) -> list[str]:
    """The tokens after the roles and lead words that open them, and after a "by"/"von" that
    follows those ("Senior Reporter Jane Doe", "Ein Kommentar von Jane Doe": "Jane Doe")."""
    index = 0
    while index < len(tokens) and (_is_role(tokens[index]) or tokens[index].casefold() in LEAD_WORDS):
        index += 1
    if 0 < index < len(tokens) and tokens[index].casefold() in ("by", "von", "de", "di", "por", "par"):
        index += 1
    return tokens[index:]


def _folded(text: str) -> str:
    """Case, spaces and punctuation folded away: "Hessenschau De" and "hessenschau.de" agree."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))
