"""Bytes to text: byte-order marks, declared charsets, UTF-8, and the --encoding fallback.

Text files must be UTF-8 (or UTF-16 with a BOM) unless --encoding says otherwise; HTML pages and
feeds are decoded by the charset they declare, which wins over --encoding; an undeclared page that
is not UTF-8 by --encoding, else by detection (with a warning).
"""

from __future__ import annotations

import codecs
import logging
import re

from jobs.errors import InputProblem
from jobs.inputs.article import ContentError
from jobs.inputs.charsets import choose_codec

log = logging.getLogger(__name__)

# How far into a document to look for its charset declaration and its first element.
SNIFF_BYTES = 4096

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_.:-]+)""", re.IGNORECASE)
# The WHATWG encoding standard: pages that say Latin-1 or ASCII are decoded as windows-1252, which
# maps 0x80-0x9f to curly quotes and dashes instead of invisible control characters.
_WINDOWS_1252_ALIASES = frozenset({"iso8859-1", "ascii"})
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def codec_name(label: str | None) -> str | None:
    """Python's codec for a charset label, or None for an unknown one; Latin-1/ASCII become windows-1252."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in _WINDOWS_1252_ALIASES else name


def bom_charset(data: bytes) -> str | None:
    """The codec a byte-order mark declares, or None."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset a document declares in an XML declaration or a <meta> tag near its start."""
    head = data[:SNIFF_BYTES]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        match = pattern.search(head)
        if match and codec_name(match.group(1).decode("ascii")):
            return match.group(1).decode("ascii")
    return None


def decode_text(data: bytes, file: str, encoding: str | None = None) -> str | InputProblem:
    """Text from a byte-order mark's charset, else UTF-8, else `encoding` (--encoding).

    Anything else is a problem saying how the file is unusable and what to do.
    """
    bom = bom_charset(data)
    if bom is not None and bom != "utf-8-sig":  # UTF-16 declared by its BOM
        text = data.decode(bom, errors="replace")
        return text if text.strip() else InputProblem(file, None, None, "empty file (only whitespace)")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return InputProblem(file, line, None, f"binary file (NUL byte at offset {nul}); expected UTF-8 text")
    skip = len(codecs.BOM_UTF8) if bom else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        text_or_problem = _decode_fallback(data, skip + exc.start, file, encoding)
        if isinstance(text_or_problem, InputProblem):
            return text_or_problem
        text = text_or_problem
    if not text.strip():
        return InputProblem(file, None, None, "empty file (only whitespace)")
    return text


def _decode_fallback(data: bytes, offset: int, file: str, encoding: str | None) -> str | InputProblem:
    """Text that is not UTF-8 (bad byte at `offset`): decoded with --encoding, or a problem."""
    line = data.count(b"\n", 0, offset) + 1
    bad = f"not valid UTF-8 (byte 0x{data[offset]:02x} at offset {offset})"
    if encoding is None:
        message = f"{bad}; {_encoding_hint(data)} or convert the file to UTF-8"
        return InputProblem(file, line, None, message)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return InputProblem(file, line, None, f"{bad}, and not valid {encoding} either (offset {exc.start})")


def _encoding_hint(data: bytes) -> str:
    """Which --encoding to pass, by detection (charset-normalizer): cp1251 for Russian, not a guess."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding.startswith(("utf_16", "utf_32")):  # a BOM-less guess on short text
        return "pass --encoding with the file's encoding (e.g. cp1251 for Cyrillic, latin-1 for Western European)"
    return f"it looks like {best.encoding}: pass --encoding {best.encoding}"


def decode_html(data: bytes, header_charset: str | None = None, fallback: str | None = None, name: str = "") -> str:
    """Page text in its declared charset (BOM, HTTP header, then <meta>/XML declaration).

    A declaration the bytes contradict (invalid bytes, or text that reads as mojibake) loses to
    the decoding that reads cleanly (`choose_codec`); the switch is logged. An undeclared page that
    is not UTF-8 is read with `fallback` (--encoding) when given (ContentError if that fails too),
    else with the decoding that reads cleanly, and a warning says so.
    """
    bom = bom_charset(data)
    if bom:
        return data.decode(bom, errors="replace")
    declared = [codec for codec in (codec_name(header_charset), codec_name(declared_charset(data))) if codec]
    if declared:
        codec = choose_codec(data, declared, name)
        return data.decode(codec, errors="replace")  # a page with a stray bad byte is still worth reading
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}) and declares no charset"
    if fallback is not None:
        try:
            return data.decode(fallback)
        except UnicodeDecodeError as again:
            raise ContentError(f"{bad}, and not valid {fallback} either (offset {again.start})") from None
    # What a browser does with such a page (a saved file has no HTTP header to name its charset):
    # the decoding that reads cleanly, measured, not a fixed guess; said once, with the way out.
    codec = choose_codec(data, ["utf-8"], name, quiet=True)
    log.warning("%s: %s; read as %s (detected); pass --encoding to choose another", name or "page", bad, codec)
    return data.decode(codec, errors="replace")
