"""Language helpers: language codes, scripts, how sentences are joined, and source-language detection.

Detection uses lingua (its models ship inside the package, so it works offline), limited to a
set of common news languages to keep it fast and small; it is imported only when needed.
"""

from __future__ import annotations

import functools

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
