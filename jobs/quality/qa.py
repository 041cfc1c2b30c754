"""QA flags: outputs an editor should check before they are published.

Pure functions over strings, no model and nothing heavy imported. A flag never blocks
publishing; it points an editor at a sentence (or a paragraph) to read. Each rule below has a
docstring written for editors: `describe_flags()` returns them for docs and the CLI.

Flags are checked on translation units (one source sentence and its output), except
`sentence_count`, which is checked per paragraph, and the English summary, which gets only
`empty_output`, `repetition` and `length_limit` (it is generated, not translated).
"""

from __future__ import annotations

import functools
import inspect
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

EMPTY_OUTPUT = "empty_output"
WRONG_SCRIPT = "wrong_script"
UNTRANSLATED = "untranslated"
REPETITION = "repetition"
NUMBERS_MISSING = "numbers_missing"
LENGTH_RATIO = "length_ratio"
SENTENCE_COUNT = "sentence_count"
LENGTH_LIMIT = "length_limit"
FLAGS = (EMPTY_OUTPUT, WRONG_SCRIPT, UNTRANSLATED, REPETITION, NUMBERS_MISSING, LENGTH_RATIO, SENTENCE_COUNT, LENGTH_LIMIT)
SUMMARY_FLAGS = (EMPTY_OUTPUT, REPETITION, LENGTH_LIMIT)

# The script each target language is written in; languages not listed get no script check.
TARGET_SCRIPT = {
    "ru": "Cyrillic", "uk": "Cyrillic", "be": "Cyrillic", "bg": "Cyrillic", "kk": "Cyrillic",
    "ky": "Cyrillic", "mn": "Cyrillic", "tg": "Cyrillic", "zh": "Han",
    "en": "Latin", "de": "Latin", "fr": "Latin", "es": "Latin", "it": "Latin", "pt": "Latin", "tr": "Latin",
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
# FLORES-style and other long codes seen in configs, reduced to the two-letter ones above.
_LANG_ALIASES = {"rus": "ru", "kaz": "kk", "zho": "zh", "cmn": "zh", "eng": "en", "ukr": "uk"}

_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
_HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN = re.compile(rf"[{_HAN_CLASS}]|(?:(?![{_HAN_CLASS}])[^\W\d_])+")
# A number: digit groups joined by thousands separators (comma, dot, space, no-break space,
# narrow no-break space, thin space, apostrophe), then an optional decimal part; or plain digits.
_NUMBER = re.compile(
    r"(?<!\d)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?!\d)"
    r"|(?<!\d)\d{1,3}(?:[,.'\u00a0\u202f\u2009 ]\d{3})+(?!\d)(?:[.,]\d+)?"
    r"|\d+(?:[.,]\d+)?"
)
_PM = re.compile(r"\s?p\.?\s?m\b\.?", re.IGNORECASE)
# Candidate sentence ends: . ! ? … (plus closing quotes/brackets) before a space; or a CJK full
# stop / exclamation / question mark. count_sentences decides which of them are real ends.
_SENTENCE_END = re.compile(r"([.!?…]+)[\"'»”’)\]]*(\s*)|[。！？]+[”’」』）]*")
_OPENING = "\"'«“‘(["
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr gen gov sen rep lt col capt sgt no vs etc inc ltd co corp jan feb mar apr "
    "jun jul aug sep sept oct nov dec mt ft approx est dept univ "
    "гг им ул др млн млрд тыс руб проф акад стр см ден тг".split()
)


# --------------------------------------------------------------------------- text helpers


def base_lang(lang: str) -> str:
    """'zh', 'zh-Hans', 'zho_Hans' -> 'zh': the code the tables here are keyed by."""
    code = lang.replace("-", "_").split("_")[0].lower()
    return _LANG_ALIASES.get(code, code)


@functools.lru_cache(maxsize=8192)
def script_of(char: str) -> str | None:
    """Han, Cyrillic, Latin or Other for a letter; None for anything that is not a letter.

    Remembered per character: the checks ask it for every letter of every output."""
    if not char.isalpha():
        return None
    point = ord(char)
    if any(low <= point <= high for low, high in _HAN_RANGES):
        return "Han"
    if 0x0400 <= point <= 0x052F or 0x1C80 <= point <= 0x1C8F or 0xA640 <= point <= 0xA69F:
        return "Cyrillic"
    if point < 0x0250 or 0x1E00 <= point <= 0x1EFF:
        return "Latin"
    return "Other"


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


def count_sentences(text: str) -> int:
    """Sentences in a text by end punctuation; abbreviations (Mr., U.S., г.) and initials do not end one."""
    text = text.strip()
    if not text:
        return 0
    ends = 0
    for match in _SENTENCE_END.finditer(text):
        following = text[match.end():].lstrip(_OPENING)[:1]
        if not following:
            continue  # the end of the text ends the last sentence, counted below
        if match.group(1) is not None:
            if not (following.isupper() or following.isdigit() or script_of(following) == "Han"):
                continue
            if not match.group(2) and not (following.isupper() and text[match.start() - 1: match.start()].islower()):
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


def longest_loop(items: Sequence[str], max_n: int = LOOP_MAX_N) -> tuple[int, int]:
    """(n, repeats) of the phrase of n tokens repeated back to back the most times (ties: shortest)."""
    best = (0, 0)
    for n in range(1, min(max_n, len(items) // 2) + 1):
        start = 0
        while start + 2 * n <= len(items):
            repeats = 1
            while items[start + repeats * n: start + (repeats + 1) * n] == items[start: start + n]:
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


RULES = {
    EMPTY_OUTPUT: rule_empty_output, WRONG_SCRIPT: rule_wrong_script, UNTRANSLATED: rule_untranslated,
    REPETITION: rule_repetition, NUMBERS_MISSING: rule_numbers_missing, LENGTH_RATIO: rule_length_ratio,
    SENTENCE_COUNT: rule_sentence_count, LENGTH_LIMIT: rule_length_limit,
}


def describe_flags() -> dict[str, str]:
    """Each flag's rule, in words an editor can read (the rule functions' docstrings)."""
    return {name: " ".join(inspect.getdoc(RULES[name]).split()) for name in FLAGS}


# --------------------------------------------------------------------------- checking outputs


def is_translation(lang: str, source_lang: str = "en") -> bool:
    return base_lang(lang) != base_lang(source_lang)


def unit_findings(source: str, output: str, lang: str, *, hit_limit: bool = False,
                  source_lang: str = "en") -> list[tuple[str, str | None]]:
    """(flag, detail) pairs for one sentence-level output; detail says what was found, when useful."""
    found: list[tuple[str, str | None]] = []
    if rule_empty_output(source, output):
        found.append((EMPTY_OUTPUT, None))
    elif is_translation(lang, source_lang):
        untranslated = rule_untranslated(source, output)
        if not untranslated and rule_wrong_script(source, output, lang):
            found.append((WRONG_SCRIPT, None))
        if untranslated:
            found.append((UNTRANSLATED, None))
        if rule_repetition(source, output):
            found.append((REPETITION, None))
        missing = missing_numbers(source, output, lang)
        if missing:
            found.append((NUMBERS_MISSING, ", ".join(missing)))
        if rule_length_ratio(source, output, lang):
            found.append((LENGTH_RATIO, f"{length_ratio(source, output):.2f}"))
    elif rule_repetition(source, output):
        found.append((REPETITION, None))
    if rule_length_limit(hit_limit):
        found.append((LENGTH_LIMIT, None))
    return found


def check_unit(source: str, output: str, lang: str, *, hit_limit: bool = False, part: str = "body",
               source_lang: str = "en") -> list[str]:
    """Flag names for one sentence and its output in `lang`; lang == source_lang means generated
    text (the English summary): only empty_output, repetition and length_limit apply. Every part
    (title, summary, body) gets the same sentence checks; `part` is accepted for symmetry."""
    return [flag for flag, _ in unit_findings(source, output, lang, hit_limit=hit_limit, source_lang=source_lang)]


def sentence_counts(source_sentences: Sequence[str], outputs: Sequence[str]) -> tuple[int, int] | None:
    """(source, output) sentence counts of one paragraph; None when an output is empty (empty_output says it)."""
    if any(s.strip() and not o.strip() for s, o in zip(source_sentences, outputs)):
        return None
    source_count = sum(max(1, count_sentences(s)) for s in source_sentences if s.strip())
    return source_count, sum(count_sentences(o) for o in outputs)


def check_paragraph(source_sentences: Sequence[str], outputs: Sequence[str], lang: str) -> list[str]:
    """Paragraph-level flags (sentence_count) from a paragraph's source sentences and their outputs.

    `lang` is accepted for symmetry with check_unit: sentences are counted the same way in every language.
    """
    counts = sentence_counts(source_sentences, outputs)
    return [SENTENCE_COUNT] if counts and rule_sentence_count(*counts) else []


def _entry(flag: str, detail: str | None, stage: str, part: str, paragraph: int | None = None,
           sentence: int | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"flag": flag, "part": part}
    if paragraph is not None:
        entry["paragraph"] = paragraph
    if sentence is not None:
        entry["sentence"] = sentence
    entry["stage"] = stage
    if detail:
        entry["detail"] = detail
    return entry


def check_units(units: Mapping[str, Iterable[Any]], outputs: Sequence[str], hit_limit: Sequence[bool], lang: str,
                *, source_lang: str = "en") -> dict[str, list[dict[str, Any]]]:
    """Per article id, the flags of its translated units plus per-paragraph sentence_count, in reading order.

    `units` is the units table (a datasets.Dataset or a dict of columns: article_id, part,
    paragraph, sentence, text); outputs and hit_limit are one per unit row, in the same order.
    """
    rows = zip(list(units["article_id"]), list(units["part"]), list(units["paragraph"]),
               list(units["sentence"]), list(units["text"]), outputs, hit_limit)
    flags: dict[str, list[dict[str, Any]]] = {}
    paragraph: list[tuple[str, str]] = []
    current: tuple[str, str, int] | None = None
    for article_id, part, number, sentence, source, output, limited in rows:
        if (article_id, part, number) != current:
            _close_paragraph(flags, current, paragraph)
            current, paragraph = (article_id, part, number), []
        paragraph.append((source, output))
        article_flags = flags.setdefault(article_id, [])
        for flag, detail in unit_findings(source, output, lang, hit_limit=limited, source_lang=source_lang):
            article_flags.append(_entry(flag, detail, "translate", part, number, sentence))
    _close_paragraph(flags, current, paragraph)
    return flags


def _close_paragraph(flags: dict[str, list[dict[str, Any]]], where: tuple[str, str, int] | None,
                     pairs: list[tuple[str, str]]) -> None:
    """Add the sentence_count flag of the paragraph that just ended, if it has one."""
    if where is None or not pairs:
        return
    counts = sentence_counts([s for s, _ in pairs], [o for _, o in pairs])
    if counts and rule_sentence_count(*counts):
        article_id, part, number = where
        flags.setdefault(article_id, []).append(_entry(SENTENCE_COUNT, f"{counts[0]} -> {counts[1]}", "translate", part, number))


def check_summary(summary: str, *, hit_limit: bool = False, article: str = "") -> list[dict[str, Any]]:
    """Flags of one generated English summary (empty_output, repetition, length_limit)."""
    found = []
    if not summary.strip() and article.strip():
        found.append(_entry(EMPTY_OUTPUT, None, "summarize", "summary"))
    elif rule_repetition(article, summary):
        found.append(_entry(REPETITION, None, "summarize", "summary"))
    if hit_limit:
        found.append(_entry(LENGTH_LIMIT, None, "summarize", "summary"))
    return found


# --------------------------------------------------------------------------- counts and --fail-on-qa


def count_flags(records: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Flags per name over a bundle's records, every known flag listed (0 when it never fired)."""
    counts = dict.fromkeys(FLAGS, 0)
    for record in records:
        for flag in record["qa"]["flags"]:
            counts[flag["flag"]] = counts.get(flag["flag"], 0) + 1
    return counts


def parse_flag_list(text: str | None) -> list[str]:
    """'repetition,empty_output' (or 'all') as flag names; an unknown name raises ValueError."""
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    if "all" in names:
        return list(FLAGS)
    unknown = [n for n in names if n not in FLAGS]
    if unknown:
        raise ValueError(f"unknown QA flag(s) {', '.join(unknown)}: known are {', '.join(FLAGS)} (or all)")
    return list(dict.fromkeys(names))


def failing_flags(counts_by_lang: Mapping[str, Mapping[str, int]], fail_on: Iterable[str]) -> dict[str, dict[str, int]]:
    """Per language, the listed flags that fired, with their counts; empty when none did."""
    wanted = set(fail_on)
    failing = {}
    for lang, counts in counts_by_lang.items():
        fired = {flag: n for flag, n in counts.items() if flag in wanted and n > 0}
        if fired:
            failing[lang] = fired
    return failing

