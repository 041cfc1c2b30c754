"""QA rules: what each flag means, as pure functions over one source text and its output.

No model and nothing heavy imported. A flag never blocks publishing; it points an editor at a
sentence (or a paragraph) to read. Each rule below has a docstring written for editors:
`describe_flags()` returns them for docs and the CLI. Which rules apply where, and the flag
entries a record carries, are in jobs.quality.flags.
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from collections.abc import Sequence

from jobs.quality.language import HAN_CLASS, base_lang, looks_mojibake, script_of

EMPTY_OUTPUT = "empty_output"
WRONG_SCRIPT = "wrong_script"
UNTRANSLATED = "untranslated"
REPETITION = "repetition"
NUMBERS_MISSING = "numbers_missing"
LENGTH_RATIO = "length_ratio"
SENTENCE_COUNT = "sentence_count"
LENGTH_LIMIT = "length_limit"
MOJIBAKE = "mojibake"
GLOSSARY = "glossary"
FLAGS = (
    EMPTY_OUTPUT,
    WRONG_SCRIPT,
    UNTRANSLATED,
    REPETITION,
    NUMBERS_MISSING,
    LENGTH_RATIO,
    SENTENCE_COUNT,
    LENGTH_LIMIT,
    MOJIBAKE,
    GLOSSARY,
)
SUMMARY_FLAGS = (EMPTY_OUTPUT, REPETITION, LENGTH_LIMIT)

# The script each target language is written in; languages not listed get no script check.
TARGET_SCRIPT = {
    "ru": "Cyrillic",
    "uk": "Cyrillic",
    "be": "Cyrillic",
    "bg": "Cyrillic",
    "kk": "Cyrillic",
    "ky": "Cyrillic",
    "mn": "Cyrillic",
    "tg": "Cyrillic",
    "zh": "Han",
    "en": "Latin",
    "de": "Latin",
    "fr": "Latin",
    "es": "Latin",
    "it": "Latin",
    "pt": "Latin",
    "tr": "Latin",
}
KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
KAZAKH_CHECK_WORDS = 5  # a Kazakh output this long without any Kazakh letter is almost surely not Kazakh
MIN_SCRIPT_LETTERS = 4  # fewer letters (after names copied from the source) say nothing about the script
SCRIPT_SHARE = 0.5  # the target script must hold at least this share of the letters
UNTRANSLATED_SHARE = 0.5
UNTRANSLATED_MIN_TOKENS = 3
# Output/source length (characters, spaces not counted) outside these bands is flagged. Measured
# on FLORES-200 devtest references (1012 sentences): ru 0.55-1.83, kk 0.57-1.80, zh 0.20-1.12;
# the bands sit just outside, so a human translation almost never trips them.
LENGTH_BANDS = {"ru": (0.5, 2.0), "kk": (0.5, 2.0), "zh": (0.15, 1.25)}
DEFAULT_LENGTH_BAND = (0.33, 3.0)
MIN_RATIO_CHARS = 20  # short titles vary too much for a ratio to mean anything
LOOP_MAX_N = 12  # longest repeated phrase looked for, in tokens
CHAR_LOOP = re.compile(r"([^\W\d_]{1,4})\1{5,}")  # "лалалалалала": a loop inside one "word"

_TOKEN = re.compile(rf"[{HAN_CLASS}]|(?:(?![{HAN_CLASS}])[^\W\d_])+")
# A number: digit groups joined by thousands separators (comma, dot, space, no-break space,
# narrow no-break space, thin space, apostrophe), then an optional decimal part; or plain digits.
_NUMBER = re.compile(
    r"(?<!\d)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?!\d)"
    r"|(?<!\d)\d{1,3}(?:[,.'\u00a0\u202f\u2009 ]\d{3})+(?!\d)(?:[.,]\d+)?"
    r"|\d+(?:[.,]\d+)?"
)
_PM = re.compile(r"\s?p\.?\s?m\b\.?", re.IGNORECASE)


# --------------------------------------------------------------------------- text helpers


def tokens(text: str) -> list[str]:
    """Words of letters, lower-cased; every Han character is a token of its own (no spaces in Chinese)."""
    return [t.casefold() for t in _TOKEN.findall(text)]


def _stripped_len(text: str) -> int:
    """Characters other than whitespace (str.split() splits on exactly the str.isspace() ones)."""
    return len("".join(text.split()))


def _copied(source: str) -> set[str]:
    """Tokens of the source as written (case kept): names and acronyms an output may keep as they are."""
    return set(_TOKEN.findall(source))


def _script_counts(text: str, skip: set[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for token in _TOKEN.findall(text):
        if token in skip:
            continue
        for char in token:
            script = script_of(char)
            if script:
                counts[script] = counts.get(script, 0) + 1
    return counts


def number_keys(text: str) -> list[str]:
    """Numbers in text as bare digit strings: '1,000', '1 000', '1.000' all become '1000'.

    Digits of any script count ('２０' is 20). Separators are dropped rather than interpreted,
    so '3.5' and '3,5' both become '35': the check is for digits changed or lost, not for format.
    A clock time counts as one number, its ':00' left out ('10:00' is 10, '10:30' is 1030).
    """
    keys = []
    for match in _NUMBER.finditer(text):
        if match.group("hour"):
            minutes = match.group("minute")
            keys.append(_digits(match.group("hour")) + ("" if minutes == "00" else minutes))
        else:
            keys.append(_digits(match.group()))
    return keys


def _digits(text: str) -> str:
    digits = "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())
    return digits.lstrip("0") or "0"


def _output_number_keys(text: str, lang: str) -> set[str]:
    """What may stand for a source number in an output: its numbers, clock times also as '12.00' reads
    (1200), and for Chinese each number without trailing zeros (1.5 million = 150万, 2,000 = 2千)."""
    found = set(number_keys(text))
    found |= {_digits(m.group("hour")) + m.group("minute") for m in _NUMBER.finditer(text) if m.group("hour")}
    if base_lang(lang) == "zh":
        found |= {key.rstrip("0") or "0" for key in found}
    return found


def longest_loop(items: Sequence[str], max_n: int = LOOP_MAX_N) -> tuple[int, int]:
    """(n, repeats) of the phrase of n tokens repeated back to back the most times (ties: shortest)."""
    best = (0, 0)
    for n in range(1, min(max_n, len(items) // 2) + 1):
        start = 0
        while start + 2 * n <= len(items):
            repeats = 1
            while items[start + repeats * n : start + (repeats + 1) * n] == items[start : start + n]:
                repeats += 1
            if repeats > best[1]:
                best = (n, repeats)
            start += max(1, (repeats - 1) * n) if repeats > 1 else 1
    return best


# --------------------------------------------------------------------------- the rules


def rule_empty_output(source: str, output: str) -> bool:
    """empty_output: the source has text but the model produced nothing. The sentence is missing
    from the published text; translate it by hand or re-run."""
    return bool(source.strip()) and not output.strip()


def rule_wrong_script(source: str, output: str, lang: str) -> bool:
    """wrong_script: the output is not written in the target language's script. Russian must be
    mostly Cyrillic, Chinese mostly Han characters, Kazakh Cyrillic with at least one Kazakh
    letter (ә ғ қ ң ө ұ ү һ і) once it is five words or longer: Cyrillic without them is
    usually Russian. Names and acronyms kept exactly as in the source are not counted, and
    outputs with fewer than four other letters are not judged."""
    target = TARGET_SCRIPT.get(base_lang(lang))
    if target is None:
        return False
    counts = _script_counts(output, skip=_copied(source))
    letters = sum(counts.values())
    if letters >= MIN_SCRIPT_LETTERS and counts.get(target, 0) < SCRIPT_SHARE * letters:
        return True
    if base_lang(lang) == "kk":
        words = [t for t in _TOKEN.findall(output) if all(script_of(c) == "Cyrillic" for c in t)]
        return len(words) >= KAZAKH_CHECK_WORDS and not any(c in KAZAKH_LETTERS for w in words for c in w)
    return False


def rule_untranslated(source: str, output: str) -> bool:
    """untranslated: the output is the source text again (ignoring case, spaces and punctuation;
    a two-word name such as "Apple Watch" may stay as it is), or at least half of its words are
    common source words copied over (lower-case words found in the source; names and acronyms
    are capitalised and do not count). When this flag is set, wrong_script is not added for the
    same sentence."""
    source_tokens, output_tokens = tokens(source), tokens(output)
    if source_tokens == output_tokens and number_keys(source) == number_keys(output) and _sentence_like(source):
        return True
    if len(output_tokens) < UNTRANSLATED_MIN_TOKENS:
        return False
    known = set(source_tokens)
    copied = [t for t in _TOKEN.findall(output) if t.islower() and len(t) > 1 and t.casefold() in known]
    return len(copied) >= UNTRANSLATED_SHARE * len(output_tokens)


def _sentence_like(text: str) -> bool:
    """Three words or more, or two with a common (lower-case) word: not just a name like 'Apple Watch'."""
    words = _TOKEN.findall(text)
    return len(words) >= 3 or (len(words) == 2 and any(w.islower() and len(w) > 1 for w in words))


def rule_repetition(source: str, output: str) -> bool:
    """repetition: the output loops: a word four or more times in a row, a phrase of 2 to 12 words
    (Chinese: characters) three or more times in a row, or a syllable repeated six times inside
    a word ("лалалалала"). Not flagged when the source repeats itself the same way."""
    if _has_loop(output) and not _has_loop(source):
        return True
    return bool(CHAR_LOOP.search(output)) and not CHAR_LOOP.search(source)


def _has_loop(text: str) -> bool:
    n, repeats = longest_loop(tokens(text))
    return repeats >= (4 if n == 1 else 3)


def missing_numbers(source: str, output: str, lang: str) -> list[str]:
    """The source's numbers (as written there) that the output does not contain."""
    if not _NUMBER.search(source):
        return []  # most sentences: no need to read the output's numbers
    found = _output_number_keys(output, lang)
    missing = []
    for match in _NUMBER.finditer(source):
        if not any(keys <= found for keys in _ways_to_write(match, source, lang)) and match.group() not in missing:
            missing.append(match.group())
    return missing


def _ways_to_write(match: re.Match[str], text: str, lang: str) -> list[set[str]]:
    """Sets of output numbers that each render one source number (any one set is enough)."""
    if not match.group("hour"):
        key = _digits(match.group())
        return [{key}, {key.rstrip("0") or "0"}] if base_lang(lang) == "zh" else [{key}]
    minutes = _digits(match.group("minute"))
    hours = [int(_digits(match.group("hour")))]
    if _PM.match(text, match.end()) and hours[0] < 12:
        hours.append(hours[0] + 12)  # 10:08 p.m. is 22:08 in most languages
    ways = []
    for hour in hours:
        ways.append({str(hour) if minutes == "0" else f"{hour}{match.group('minute')}"})
        ways.append({str(hour)} | ({minutes} if minutes != "0" else set()))  # 11 点 35 分
    return ways


def rule_numbers_missing(source: str, output: str, lang: str) -> bool:
    """numbers_missing: a number written in digits in the source is not in the output. Thousands
    separators are ignored (1,000 = 1 000 = 1.000 = 1000) and decimal point and comma are the
    same, so only changed or lost digits count; clock times may be written 10:08 p.m. = 22:08.
    Only digits are checked: a number the output spells in words (two thousand, 两千) is flagged,
    and for Chinese, trailing zeros may differ (1.5 million = 150万)."""
    return bool(missing_numbers(source, output, lang))


def length_ratio(source: str, output: str) -> float | None:
    """Output length over source length in characters, spaces not counted; None for short sources."""
    chars = _stripped_len(source)
    return _stripped_len(output) / chars if chars >= MIN_RATIO_CHARS else None


def rule_length_ratio(source: str, output: str, lang: str) -> bool:
    """length_ratio: the output is much shorter or longer than a translation usually is (characters,
    spaces not counted, sources of 20 characters or more): outside 0.5-2.0 x the English for
    Russian and Kazakh, 0.15-1.25 x for Chinese. Too short usually means something was left out,
    too long a loop or an invented addition."""
    ratio = length_ratio(source, output)
    if ratio is None:
        return False
    low, high = LENGTH_BANDS.get(base_lang(lang), DEFAULT_LENGTH_BAND)
    return not low <= ratio <= high


def rule_sentence_count(source_sentences: int, output_sentences: int) -> bool:
    """sentence_count (per paragraph): the translated paragraph has fewer sentences than the source
    (a sentence was probably dropped, a known NLLB failure) or clearly more (more than one extra,
    or half as many again). Sentences are counted by end punctuation on both sides."""
    if output_sentences == 0 or source_sentences == 0:
        return False  # empty_output says it
    return output_sentences < source_sentences or output_sentences > source_sentences + max(1, source_sentences // 2)


def rule_length_limit(hit_limit: bool) -> bool:
    """length_limit: generation stopped at the model's length limit, so the output may be cut off
    mid-sentence. Check the end of the sentence (or summary) against the source."""
    return bool(hit_limit)


def rule_mojibake(source: str, output: str) -> bool:
    """mojibake: the text reads as double-decoded UTF-8 ("â€™", "Ã©", "вЂ”"): a source decoded with
    the wrong charset that the decoder could not set right, or an output that copied such text."""
    return looks_mojibake(output)


def rule_glossary(output: str, target: str) -> bool:
    """glossary: a term of the language's glossary (configs/glossary/<lang>.tsv) is in the source
    sentence, but the output does not contain its required target (case ignored); detail names
    the term and the target. The model lost or changed the term: write it in by hand (`jobs
    correct`) or check the glossary entry."""
    return target.casefold() not in output.casefold()


RULES = {
    EMPTY_OUTPUT: rule_empty_output,
    WRONG_SCRIPT: rule_wrong_script,
    UNTRANSLATED: rule_untranslated,
    REPETITION: rule_repetition,
    NUMBERS_MISSING: rule_numbers_missing,
    LENGTH_RATIO: rule_length_ratio,
    SENTENCE_COUNT: rule_sentence_count,
    LENGTH_LIMIT: rule_length_limit,
    MOJIBAKE: rule_mojibake,
    GLOSSARY: rule_glossary,
}


def describe_flags() -> dict[str, str]:
    """Each flag's rule, in words an editor can read (the rule functions' docstrings)."""
    return {name: " ".join(inspect.getdoc(RULES[name]).split()) for name in FLAGS}
