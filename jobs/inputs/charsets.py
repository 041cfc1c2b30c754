"""Which decoding of a page is right when its declared charset and its bytes disagree; mojibake.

Pages lie about their charset (a windows-1251 page saying UTF-8, a UTF-8 page saying
windows-1251). The declared codec is kept unless another one reads the same bytes with fewer
undecodable bytes (U+FFFD) or clearly less "mess" (charset-normalizer's measure of implausible
character sequences: accented capitals inside words, mixed scripts, symbols between letters).
charset-normalizer is imported only when a page has non-ASCII bytes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)

# The legacy encodings of the WHATWG encoding standard that pages still use, tried after the
# declared charsets, UTF-8 and charset-normalizer's own guess.
LEGACY_CODECS = (
    "cp1252",
    "cp1251",
    "cp1250",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "koi8_r",
    "koi8_u",
    "iso8859_2",
    "gb18030",
    "big5",
    "shift_jis",
    "euc_jp",
    "euc_kr",
)
# How much less mess (a 0..1 ratio) another decoding needs to overrule the declared charset.
MESS_MARGIN = 0.02
# How much more mess a reading with fewer undecodable bytes may have and still win.
MESS_TOLERANCE = 0.1
# The lines with non-ASCII bytes are what tells decodings apart; this much of them is enough.
SAMPLE_BYTES = 32_768

# UTF-8 read as windows-1252/latin-1 ("Ã©", "â€™", "Ð¿") or as windows-1251 ("вЂ”", "Р°").
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass(frozen=True)
class Reading:
    """One codec's reading of a sample: how many bytes it could not decode and how messy it is."""

    codec: str
    replaced: int
    mess: float


def choose_codec(data: bytes, declared: list[str], name: str = "", quiet: bool = False) -> str:
    """The codec to decode `data` with: the first declared one, unless the bytes say otherwise.

    `declared` lists Python codec names, the strongest declaration first (HTTP header, then
    <meta>). A change of codec is logged with the reason, naming `name` (the file or URL), unless
    `quiet` (the caller says it).
    """
    sample = _sample(data)
    if not sample:
        return declared[0]  # ASCII reads the same in every charset a page may declare
    readings = [_reading(sample, codec) for codec in _candidates(sample, declared)]
    first = readings[0]
    if _normal(first.codec) == "utf-8" and _mostly_utf8(sample, first.replaced):
        return declared[0]  # a UTF-8 page with a stray bad byte: chance makes no valid UTF-8 sequences
    better = [reading for reading in readings[1:] if _better(reading, first)]
    chosen = min(better, key=lambda r: (r.replaced, r.mess)) if better else first
    if chosen is not first and not quiet:
        log.info(
            "%s: decoded as %s, not the declared %s: %s",
            name or "page",
            chosen.codec,
            first.codec,
            _why(first, chosen),
        )
    return chosen.codec


def _mostly_utf8(sample: bytes, invalid: int) -> bool:
    """Whether valid multi-byte UTF-8 sequences outnumber the invalid bytes four to one."""
    return len(_UTF8_SEQUENCE.findall(sample)) >= max(1, 4 * invalid)


def _sample(data: bytes) -> bytes:
    """The lines that hold non-ASCII bytes, up to SAMPLE_BYTES: markup-only lines tell nothing."""
    lines = [line for line in data.splitlines() if not line.isascii()]
    return b"\n".join(lines)[:SAMPLE_BYTES]


def _candidates(sample: bytes, declared: list[str]) -> list[str]:
    """The declared codecs first, then UTF-8, charset-normalizer's guess and the legacy codecs."""
    from charset_normalizer import from_bytes

    guess = from_bytes(sample).best()
    names = [*declared, "utf_8", *([guess.encoding] if guess else []), *LEGACY_CODECS]
    unique: list[str] = []
    for codec in names:
        key = _normal(codec)
        if key not in {_normal(seen) for seen in unique}:
            unique.append(codec)
    return unique


def _normal(codec: str) -> str:
    import codecs

    try:
        return codecs.lookup(codec).name
    except LookupError:
        return codec


def _reading(sample: bytes, codec: str) -> Reading:
    from charset_normalizer.md import mess_ratio

    try:
        text = sample.decode(codec, errors="replace")
    except LookupError:
        return Reading(codec, len(sample), 1.0)
    # The sequences the codec could not decode: each became one U+FFFD, which decoding with
    # "ignore" leaves out. Counting U+FFFD in the text instead would count the ones the page itself
    # holds (a page a CMS once mis-decoded), and a valid UTF-8 page would lose to a legacy codec.
    replaced = len(text) - len(sample.decode(codec, errors="ignore"))
    return Reading(codec, replaced, mess_ratio(text.replace("\ufffd", ""), maximum_threshold=1.0))


def _better(reading: Reading, declared: Reading) -> bool:
    """Whether a reading beats the declared one: fewer undecodable bytes without much more mess
    (a UTF-8 page with one stray byte stays UTF-8), or as few and clearly less mess."""
    if reading.replaced < declared.replaced:
        return reading.mess <= declared.mess + MESS_TOLERANCE
    return reading.replaced == declared.replaced and reading.mess + MESS_MARGIN <= declared.mess


def _why(declared: Reading, chosen: Reading) -> str:
    if declared.replaced > chosen.replaced:
        return f"{declared.replaced} byte(s) are invalid in {declared.codec}, {chosen.replaced} in {chosen.codec}"
    return f"the text reads as mojibake in {declared.codec} (mess {declared.mess:.2f} vs {chosen.mess:.2f})"
