"""Output-vocabulary shortlists: only the tokens a target language is written with may be generated.

A many-to-many model (M2M100, NLLB) has one output layer for all its languages: m2m100_418M
scores 128,112 tokens at every decoding step, most of them in scripts a Kazakh output never
uses. With `shortlist: script` on a language in the registry, the job keeps the tokens whose
characters all belong to the language's scripts, as its BCP 47 tag names them (`lang_tag`
kk-Cyrl: Cyrillic; zh-Hans: Han; a tag without a script subtag takes the language's usual
script from SCRIPT_OF_LANGUAGE), plus Latin (names, brands), the Unicode script Common (digits,
punctuation, symbols, the sentencepiece word mark) and Inherited (combining marks), plus every
special token (EOS, language codes). What a token is made of is read from the tokenizer's own
vocabulary, so the same rule serves any model and language.

The backends use the list where it saves work: CTranslate2 through its vocabulary map (a
`vmap.txt` whose empty-source line lists the tokens that are always candidates, and
`use_vmap=True`: the output layer is cut to those rows), the torch greedy loop through an output
layer of just those rows (jobs.backends.greedy.GreedyHead), generate() by masking the other
logits. The shortlist is part of the model's identity (cache key and manifest).

Byte-level BPE vocabularies (BART, GPT-2) spell every token in bytes mapped to Latin-1 letters,
so their tokens all pass: the shortlist keeps the whole vocabulary there and saves nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jobs.errors import ConfigError

# The usual script (ISO 15924) of languages written mostly in one, for tags without a script
# subtag. Languages not listed need one in their `lang_tag` (e.g. `sr-Cyrl`) to be shortlisted.
SCRIPT_OF_LANGUAGE = {
    **dict.fromkeys(["ru", "uk", "be", "bg", "kk", "ky", "mk", "mn", "tg", "tt", "ba", "cv", "os"], "Cyrl"),
    **dict.fromkeys(
        [
            "en",
            "de",
            "fr",
            "es",
            "it",
            "pt",
            "nl",
            "pl",
            "cs",
            "sk",
            "sl",
            "hr",
            "bs",
            "ro",
            "hu",
            "fi",
            "et",
            "lv",
            "lt",
            "sv",
            "da",
            "no",
            "nb",
            "nn",
            "is",
            "ga",
            "cy",
            "eu",
            "ca",
            "gl",
            "tr",
            "az",
            "uz",
            "id",
            "ms",
            "vi",
            "tl",
            "sw",
            "so",
            "ha",
            "yo",
            "ig",
            "zu",
            "xh",
            "af",
            "sq",
            "mt",
            "lb",
            "ht",
            "ln",
            "wo",
            "ff",
            "ns",
            "ss",
            "tn",
            "lg",
            "ceb",
            "ilo",
            "jv",
            "su",
            "br",
            "fy",
            "gd",
            "oc",
            "tk",
        ],
        "Latn",
    ),
    "zh": "Hans",
    "ja": "Jpan",
    "ko": "Kore",
    **dict.fromkeys(["ar", "fa", "ur", "ps", "sd", "ckb"], "Arab"),
    **dict.fromkeys(["hi", "mr", "ne", "sa"], "Deva"),
    **dict.fromkeys(["bn", "as"], "Beng"),
    "he": "Hebr",
    "yi": "Hebr",
    "el": "Grek",
    "ka": "Geor",
    "hy": "Armn",
    "am": "Ethi",
    "th": "Thai",
    "lo": "Laoo",
    "km": "Khmr",
    "my": "Mymr",
    "si": "Sinh",
    "ta": "Taml",
    "te": "Telu",
    "kn": "Knda",
    "ml": "Mlym",
    "gu": "Gujr",
    "pa": "Guru",
    "or": "Orya",
}
# ISO 15924 codes that name a writing system of several Unicode scripts (or none of its own).
UNICODE_SCRIPTS = {
    "Hans": ("Hani",),
    "Hant": ("Hani",),
    "Jpan": ("Hani", "Hira", "Kana"),
    "Kore": ("Hang", "Hani"),
}
# Always kept: Latin (names), Common (digits, punctuation, symbols, U+2581) and Inherited (marks).
ALWAYS = ("Latn", "Zyyy", "Zinh")


def script_subtag(tag: str) -> str | None:
    """The script subtag of a BCP 47 tag (`kk-Cyrl` -> Cyrl), title-cased, or None."""
    for part in tag.split("-")[1:]:
        if len(part) == 4 and part.isalpha():
            return part.title()
    return None


def language_scripts(tag: str) -> tuple[str, ...]:
    """The Unicode scripts (ISO 15924 codes as the `regex` module knows them) kept for `tag`."""
    script = script_subtag(tag) or SCRIPT_OF_LANGUAGE.get(tag.split("-")[0].lower())
    if script is None:
        raise ConfigError(
            f"shortlist: script needs the script of {tag!r}: give the language a lang_tag with a script "
            f"subtag in the config (e.g. {tag.split('-')[0]}-Latn), or remove its shortlist"
        )
    return tuple(sorted({*UNICODE_SCRIPTS.get(script, (script,)), *ALWAYS}))


@dataclass(frozen=True)
class Shortlist:
    """Which output tokens one model use keeps: those written in `scripts` (for language `tag`)."""

    tag: str
    scripts: tuple[str, ...]

    @classmethod
    def of(cls, setting: str | None, role: str) -> Shortlist | None:
        """The shortlist a registry value asks for (`script:TAG` as jobs.config stores it; `script`
        alone: the role's own code), or None."""
        if not setting or setting == "none":
            return None
        kind, _, tag = setting.partition(":")
        if kind != "script":
            raise ConfigError(f"shortlist must be `script` or `none`, not {setting!r}")
        tag = tag or role
        return cls(tag, language_scripts(tag))

    def describe(self) -> dict[str, Any]:
        """The identity's (cache key and manifest) account of it."""
        return {"kind": "script", "lang_tag": self.tag, "scripts": list(self.scripts)}

    def token_ids(self, tokenizer: Any, size: int | None = None) -> list[int]:
        """Ids (ascending, below `size` when given) of the tokens kept: the tokenizer's special
        and added tokens, and every token whose characters are all in `scripts`."""
        vocab = tokenizer.get_vocab()
        special = set(tokenizer.all_special_ids) | set(getattr(tokenizer, "get_added_vocab", dict)().values())
        allowed = _script_matcher(self.scripts)
        kept = {i for token, i in vocab.items() if i in special or allowed(token)}
        return sorted(i for i in kept if i is not None and i >= 0 and (size is None or i < size))

    def digest(self, ids: list[int]) -> str:
        """A short name for one token set (the CTranslate2 vocabulary-map folder)."""
        return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:12]


@lru_cache(maxsize=16)
def _script_matcher(scripts: tuple[str, ...]):
    import regex

    try:
        pattern = regex.compile("[" + "".join(rf"\p{{Script={s}}}" for s in scripts) + "]*")
    except regex.error as exc:
        raise ConfigError(f"shortlist: unknown script among {', '.join(scripts)} ({exc})") from exc
    return lambda token: pattern.fullmatch(token) is not None


def vocabulary_map(tokens: list[str]) -> str:
    """CTranslate2's vmap.txt for tokens that are always candidates: one line, empty source n-gram,
    a tab, the target tokens separated by spaces (CTranslate2's VocabularyMap format)."""
    usable = [t for t in tokens if t and not any(c in t for c in " \t\n\r")]
    return "\t" + " ".join(usable) + "\n"
