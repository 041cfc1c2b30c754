"""Tests for reading real-world pages faithfully: wrong charsets, mojibake and compressed files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from jobs.inputs import read_articles
from jobs.inputs.charsets import looks_mojibake
from jobs.inputs.decoding import decode_html

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "web"
# A UTF-8 page: English text with dashes and curly quotes, and a Cyrillic byline.
PAGE = (FIXTURES / "utf8-cyrillic-byline.html").read_text(encoding="utf-8")
DECLARED = 'charset="utf-8"'


def wrong_charset(encoding: str, declared: str) -> bytes:
    """The page encoded in `encoding` while it declares `declared`."""
    return PAGE.replace(DECLARED, f'charset="{declared}"').encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "declared", "reason"),
    [
        ("windows-1251", "utf-8", "invalid in utf-8"),
        ("utf-8", "windows-1251", "invalid in cp1251"),
        ("windows-1251", "iso-8859-1", "reads as mojibake in cp1252"),
    ],
)
def test_wrong_declared_charset_is_overruled(
    encoding: str, declared: str, reason: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(wrong_charset(encoding, declared))
    with caplog.at_level(logging.INFO, logger="jobs.inputs.charsets"):
        [row] = read_articles([path]).articles.to_list()
    text = "\n".join(row["paragraphs"])
    assert row["byline"] == "Иван Петров"
    assert "on Tuesday night — a month earlier" in text
    assert "“Such frosts normally come only at the end of November,”" in text
    assert "\ufffd" not in text and not looks_mojibake(text)
    [message] = [r.getMessage() for r in caplog.records if "decoded as" in r.getMessage()]
    assert message.startswith(f"{path.as_posix()}: decoded as ")
    assert reason in message


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1251"])
def test_right_declared_charset_is_kept_quietly(encoding: str, caplog: pytest.LogCaptureFixture) -> None:
    page = PAGE.replace(DECLARED, f'charset="{encoding}"').encode(encoding)
    with caplog.at_level(logging.INFO, logger="jobs.inputs.charsets"):
        text = decode_html(page)
    assert "Иван Петров" in text and "—" in text
    assert caplog.records == []


def test_utf8_page_with_a_stray_byte_stays_utf8() -> None:
    page = PAGE.encode("utf-8").replace(b"Schools", b"Sch\xffools")
    text = decode_html(page)
    assert "Иван Петров" in text and "Sch\ufffdools" in text


def test_cp1252_page_declared_latin1_is_kept() -> None:
    page = PAGE.replace(DECLARED, 'charset="iso-8859-1"').replace("Иван Петров", "Hélène Dupré")
    assert "Hélène Dupré" in decode_html(page.encode("cp1252"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The city’s utilities — “ready”.", False),
        ("Морозы пришли в Сибирь раньше срока", False),
        ("Café déjà vu, naïve façade", False),
        ("The cityâ€™s utilities â€” â€œreadyâ€\x9d.", True),
        ("CafÃ© dÃ©jÃ  vu", True),
        ("on Tuesday night вЂ” a month earlier, РРІР°РЅ", True),
    ],
)
def test_looks_mojibake(text: str, expected: bool) -> None:
    assert looks_mojibake(text) is expected


# --------------------------------------------------------------------------- compressed inputs

JSONL = '{"title": "Port reopens", "body": "The port reopened on Monday after the storm."}\n'


def _compress(data: bytes, suffix: str) -> bytes:
    import bz2
    import gzip
    import lzma

    return {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[suffix](data)


@pytest.mark.parametrize("compression", [".gz", ".bz2", ".xz"])
@pytest.mark.parametrize("name", ["article.jsonl", "page.html", "atom.xml"])
def test_compressed_file_reads_like_its_plain_form(name: str, compression: str, tmp_path: Path) -> None:
    data = JSONL.encode() if name.endswith(".jsonl") else (FIXTURES / _fixture(name)).read_bytes()
    plain = tmp_path / "plain" / name
    packed = tmp_path / "packed" / f"{name}{compression}"
    for path, content in ((plain, data), (packed, _compress(data, compression))):
        path.parent.mkdir()
        path.write_bytes(content)
    expected = read_articles([plain]).articles.to_list()
    for given in (packed, packed.parent):  # named, and found in a folder
        got = read_articles([given]).articles.to_list()
        assert [_without_file(row) for row in got] == [_without_file(row) for row in expected]
        assert all(row["source_file"].endswith(packed.name) for row in got)


def _fixture(name: str) -> str:
    return {"page.html": "wire-article.html", "atom.xml": "atom.xml"}[name]


def _without_file(row: dict) -> dict:
    return {key: value for key, value in row.items() if key not in ("source_file", "feed")}


def test_corrupt_compressed_file_is_a_listed_problem(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(JSONL, encoding="utf-8")
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00broken")
    result = read_articles([good, bad])
    assert len(result.articles) == 1
    [problem] = result.errors
    assert problem.file.endswith("bad.jsonl.gz")
    assert problem.message.startswith("not a valid .gz file (") and problem.message.endswith("decompress it")
