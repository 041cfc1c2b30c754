"""Source-language check: the models translate from English, so other languages are routed out.

Uses lingua (its models ship inside the package, so it works offline), limited to a set of
common news languages to keep it fast and small.
"""

from __future__ import annotations

from functools import lru_cache

CANDIDATES = (
    "ENGLISH", "RUSSIAN", "KAZAKH", "CHINESE", "GERMAN", "FRENCH", "SPANISH", "PORTUGUESE",
    "ITALIAN", "DUTCH", "TURKISH", "ARABIC", "UKRAINIAN", "JAPANESE", "KOREAN", "PERSIAN",
    "HINDI", "POLISH", "INDONESIAN",
)
SAMPLE_CHARS = 1500  # enough text for a confident guess, little enough to stay fast


@lru_cache(maxsize=1)
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
