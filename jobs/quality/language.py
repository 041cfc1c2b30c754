"""Language helpers: language codes, scripts, how sentences are joined and counted, double-decoded
text (mojibake), and source-language detection.

Detection uses lingua (its models ship inside the package, so it works offline), limited to a
set of common news languages to keep it fast and small; it is imported only when needed.
"""

from __future__ import annotations

import functools
import re

CANDIDATES = (
    "ENGLISH",
    "RUSSIAN",
    "KAZAKH",
    "CHINESE",
    "GERMAN",
    "FRENCH",
    "SPANISH",
    "PORTUGUESE",
    "ITALIAN",
    "DUTCH",
    "TURKISH",
    "ARABIC",
    "UKRAINIAN",
    "JAPANESE",
    "KOREAN",
    "PERSIAN",
    "HINDI",
    "POLISH",
    "INDONESIAN",
)
SAMPLE_CHARS = 1500  # enough text for a confident guess, little enough to stay fast
# FLORES-style and other long codes seen in configs, reduced to the two-letter ones.
LANG_ALIASES = {"rus": "ru", "kaz": "kk", "zho": "zh", "cmn": "zh", "eng": "en", "ukr": "uk"}
# Languages written without spaces between sentences.
NO_SPACE_LANGS = {"zh", "ja", "th", "lo", "my", "km", "yue"}
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # HAN_RANGES as a regex class


def base_lang(lang: str) -> str:
    """'zh', 'zh-Hans', 'zho_Hans' -> 'zh': the code per-language tables are keyed by."""
    code = lang.replace("-", "_").split("_")[0].lower()
    return LANG_ALIASES.get(code, code)


def joiner(lang: str) -> str:
    """What goes between the sentences of one paragraph in lang: nothing in Chinese, Japanese, Thai..."""
    return "" if base_lang(lang) in NO_SPACE_LANGS else " "


@functools.lru_cache(maxsize=8192)
def script_of(char: str) -> str | None:
    """Han, Cyrillic, Latin or Other for a letter; None for anything that is not a letter.

    Remembered per character: the QA checks ask it for every letter of every output."""
    if not char.isalpha():
        return None
    point = ord(char)
    if any(low <= point <= high for low, high in HAN_RANGES):
        return "Han"
    if 0x0400 <= point <= 0x052F or 0x1C80 <= point <= 0x1C8F or 0xA640 <= point <= 0xA69F:
        return "Cyrillic"
    if point < 0x0250 or 0x1E00 <= point <= 0x1EFF:
        return "Latin"
    return "Other"


@functools.lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*(getattr(Language, name) for name in CANDIDATES)).build()


def detect_language(text: str) -> tuple[str, float]:
    """The most likely ISO 639-1 code of `text` and its confidence (0..1)."""
    values = _detector().compute_language_confidence_values(text[:SAMPLE_CHARS])
    if not values:
        return "und", 0.0
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), float(best.value)


def language_name(code: str) -> str:
    from lingua import IsoCode639_1, Language

    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())).name.title()
    except AttributeError:
        return code


# Candidate sentence ends: . ! ? … (plus closing quotes/brackets) before a space; or a CJK full
# stop / exclamation / question mark. count_sentences decides which of them are real ends.
_SENTENCE_END = re.compile(r"([.!?…]+)[\"'»”’)\]]*(\s*)|[。！？]+[”’」』）]*")
_OPENING = "\"'«“‘(["
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "gen",
        "gov",
        "sen",
        "rep",
        "lt",
        "col",
        "capt",
        "sgt",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mt",
        "ft",
        "approx",
        "est",
        "dept",
        "univ",
        "гг",
        "им",
        "ул",
        "др",
        "млн",
        "млрд",
        "тыс",
        "руб",
        "проф",
        "акад",
        "стр",
        "см",
        "ден",
        "тг",
    ]
)


def count_sentences(text: str) -> int:
    """Sentences in a text by end punctuation; abbreviations (Mr., U.S., г.) and initials do not end one."""
    text = text.strip()
    if not text:
        return 0
    ends = 0
    for match in _SENTENCE_END.finditer(text):
        following = text[match.end() :].lstrip(_OPENING)[:1]
        if not following:
            continue  # the end of the text ends the last sentence, counted below
        if match.group(1) is not None:
            if not (following.isupper() or following.isdigit() or script_of(following) == "Han"):
                continue
            if not match.group(2) and not (following.isupper() and text[match.start() - 1 : match.start()].islower()):
                continue  # "3.5", "U.S.A": only "end.Next" (a missing space) counts without a space
            if match.group(1) == "." and _is_abbreviation(text[: match.start()]):
                continue
        ends += 1
    return ends + 1


def _is_abbreviation(before: str) -> bool:
    """Whether the word before a full stop is an initial or a known abbreviation (U.S., Mr., г.)."""
    words = before.rsplit(None, 1)
    word = words[-1].rsplit(".", 1)[-1].strip("\"'«“‘([").casefold() if words else ""
    return len(word) <= 1 or word in _ABBREVIATIONS


# UTF-8 read as a legacy charset: "â€™", "Ã©" (latin-1/cp1252), "вЂ”", "Р°" (cp1251).
_MOJIBAKE = re.compile(
    "[ÃÂ][\u0080-\u00bf]|â€[\u0080-\u00ff\u2018-\u203a\u0152\u0153\u0160\u0161\u017d\u017e\u0178\u2122]"
    "|[ÐÑ][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u017d\u017e\u0178\u2122]"
    "|вЂ|[РС][\u0402-\u040f\u0452-\u045f\u0490\u0491ЃЂ‚„…†‡€‰‹›ўЎ°±µ¶·]"
)


def looks_mojibake(text: str) -> bool:
    """Whether the text still reads as double-decoded UTF-8 ("â€™", "Ã©", "вЂ”") after decoding."""
    hits = len(_MOJIBAKE.findall(text))
    return hits >= 3 or (hits >= 1 and hits * 200 >= len(text))
