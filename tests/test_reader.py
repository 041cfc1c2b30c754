"""Tests for jobs.inputs (reader, ids, newspage, tables, decoding, sources): formats, line numbers, stable ids, and how bad input is reported."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import re
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs import errors
from jobs.errors import InputError, InputProblem
from jobs.inputs import ReadResult, SourceFile, read_articles
from jobs.inputs.ids import article_sha256, make_article_id
from jobs.inputs.reader import COLUMNS, _to_dataset, article_features

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "international-news.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reader"
SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
BULLET_LINES = [3, 29, 75, 109, 145, 181]


def write(folder: Path, name: str, content: str | bytes) -> Path:
    """Write a test input file (text as UTF-8), creating parent folders."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def rows(result: ReadResult) -> list[dict]:
    return result.articles.to_list()


def by_title(result: ReadResult) -> dict[str, dict]:
    return {row["title"]: row for row in rows(result)}


def seed_chunks() -> tuple[str, list[str]]:
    """The seed split independently of the reader: header text, then one chunk per • article."""
    text = SEED.read_text(encoding="utf-8")
    parts = re.split(r"(?m)^(?=[ \t]*•)", text)
    return parts[0], parts[1:]


# --------------------------------------------------------------------------- the seed page


@pytest.fixture(scope="module")
def seed_result() -> ReadResult:
    return read_articles([SEED])


def test_seed_gives_six_articles_with_tag_and_lines(seed_result: ReadResult) -> None:
    data = rows(seed_result)
    assert len(data) == 6
    assert data[0]["title"].startswith("Xi hails uniqueness")
    assert {row["tag"] for row in data} == {"InternationalNews"}
    assert [row["source_line"] for row in data] == BULLET_LINES
    assert seed_result.errors == []


def test_seed_paragraph_counts_match_blocks_in_file(seed_result: ReadResult) -> None:
    _, chunks = seed_chunks()
    bodies = [chunk.split("\n", 1)[1] for chunk in chunks]  # drop the bullet line
    expected = [len([b for b in re.split(r"\n\s*\n", body) if b.strip()]) for body in bodies]
    assert [len(row["paragraphs"]) for row in rows(seed_result)] == expected


def test_seed_longest_article_word_count(seed_result: ReadResult) -> None:
    words = [len(" ".join([row["title"], *row["paragraphs"]]).split()) for row in rows(seed_result)]
    assert max(words) == 1948


def test_seed_paragraphs_are_clean(seed_result: ReadResult) -> None:
    for row in rows(seed_result):
        for paragraph in row["paragraphs"]:
            assert paragraph and paragraph == " ".join(paragraph.split())


def test_invisible_break_hints_leave_words_whole(tmp_path: Path) -> None:
    # Pages hyphenate with soft hyphens and zero-width spaces inside words; kept, they split every
    # word for the tokenizer and the sentence splitter. Joiners that carry meaning stay.
    record = {
        "id": "hints",
        "title": "Réac\u00adtion du conseil",
        "paragraphs": [
            "Ann Kiess\u00adling a pu\u200bblié une lettre\u2060. Persian \u0645\u06cc\u200c\u0634\u0648\u062f stays."
        ],
    }
    path = write(tmp_path, "a.jsonl", json.dumps(record, ensure_ascii=False) + "\n")
    [row] = rows(read_articles([path]))
    assert row["title"] == "Réaction du conseil"
    assert row["paragraphs"] == [
        "Ann Kiessling a publié une lettre. Persian \u0645\u06cc\u200c\u0634\u0648\u062f stays."
    ]


def test_columns_features_and_sources(seed_result: ReadResult) -> None:
    assert tuple(seed_result.articles.column_names) == COLUMNS
    assert seed_result.articles.features == article_features()
    [source] = seed_result.sources
    assert source == SourceFile(
        path=seed_result.articles[0]["source_file"],
        sha256=hashlib.sha256(SEED.read_bytes()).hexdigest(),
        articles=6,
    )
    for row in rows(seed_result):
        assert row["sha256"] == article_sha256(row["title"], row["paragraphs"])
        assert SAFE_ID.match(row["id"])


def test_relative_path_is_kept_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = read_articles(["seeds/international-news.txt"])
    assert set(result.articles["source_file"]) == {"seeds/international-news.txt"}
    assert result.sources[0].path == "seeds/international-news.txt"


def test_ids_stable_across_reads_and_shuffles(seed_result: ReadResult, tmp_path: Path) -> None:
    header, chunks = seed_chunks()
    chunks = [chunk if chunk.endswith("\n") else chunk + "\n" for chunk in chunks]
    random.Random(7).shuffle(chunks)
    shuffled = write(tmp_path, "shuffled.txt", header + "\n".join(chunks))
    again = read_articles([SEED])
    moved = read_articles([shuffled])
    original = {row["title"]: (row["id"], row["sha256"]) for row in rows(seed_result)}
    assert {row["title"]: (row["id"], row["sha256"]) for row in rows(again)} == original
    assert {row["title"]: (row["id"], row["sha256"]) for row in rows(moved)} == original
    assert [row["source_line"] for row in rows(moved)] != BULLET_LINES


# --------------------------------------------------------------------------- ids


HOSTILE_TITLES = [
    "../../etc/passwd",
    "a/b\\c:d*e?f",
    "\x00\x1b[31mred\x07",
    "<script>alert('x')</script>",
    "🔥🚀 emoji only 🎉",
    "🔥🚀",
    "x" * 10_000,
    "Ελληνικά νέα",
    "中文新闻标题",
    ".hidden",
    "-leading dash",
    "...",
    "CON",
    "Ça coûte très cher à Zürich — Straße",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_ids_are_safe_file_names(title: str) -> None:
    for given_id in (None, title):
        article_id = make_article_id(title, given_id)
        assert SAFE_ID.match(article_id), article_id
        assert len(article_id) <= 64
        assert make_article_id(title, given_id) == article_id


def test_ids_for_hostile_titles_through_the_reader(tmp_path: Path) -> None:
    lines = [json.dumps({"title": title, "body": f"Body {i}."}) for i, title in enumerate(HOSTILE_TITLES)]
    result = read_articles([write(tmp_path, "hostile.jsonl", "\n".join(lines))])
    assert len(result.articles) == len(HOSTILE_TITLES)
    assert result.errors == []
    ids = result.articles["id"]
    assert len(set(ids)) == len(ids)
    assert all(SAFE_ID.match(article_id) for article_id in ids)
    assert by_title(result)["[31mred"]["id"].startswith("31mred-")  # control chars gone from title


@pytest.mark.parametrize(
    ("title", "given_id", "expected_prefix"),
    [
        ("Ça coûte à Zürich", None, "ca-coute-a-zurich-"),
        ("中文新闻标题", None, "zhongwenxinwenbiaoti-"),
        ("Новости дня", None, "novosti-dnya-"),
        ("Any title", "../Story 42", "story-42-"),
        ("Any title", "42", "42-"),
    ],
)
def test_id_shape(title: str, given_id: str | None, expected_prefix: str) -> None:
    article_id = make_article_id(title, given_id, ["Body."])
    if given_id:
        expected_hash = hashlib.sha1(given_id.encode()).hexdigest()[:10]
    else:
        expected_hash = article_sha256(title, ["Body."])[:10]
    assert article_id == expected_prefix + expected_hash


def test_edited_article_keeps_its_given_id_but_not_its_title_id(tmp_path: Path) -> None:
    versions = [
        read_articles([write(tmp_path, f"{name}/x.jsonl", json.dumps(record))])
        for name, record in (
            ("a", {"id": "s-1", "title": "Stable title", "body": "One."}),
            ("b", {"id": "s-1", "title": "Stable title", "body": "One, edited."}),
            ("c", {"title": "Stable title", "body": "One."}),
            ("d", {"title": "Stable title", "body": "One, edited."}),
        )
    ]
    ids = [result.articles[0]["id"] for result in versions]
    assert ids[0] == ids[1] and ids[2] != ids[3]
    assert versions[0].articles[0]["sha256"] != versions[1].articles[0]["sha256"]


def test_identical_duplicate_is_skipped_and_reported(tmp_path: Path) -> None:
    record = json.dumps({"title": "Same story", "body": "Same body."})
    path = write(tmp_path, "dup.jsonl", f"{record}\n{record}\n")
    result = read_articles([path])
    assert len(result.articles) == 1
    [problem] = result.errors
    kept_id = result.articles[0]["id"]
    assert (problem.line, problem.article_id) == (2, kept_id)
    assert f"duplicate of article {kept_id} at {result.articles[0]['source_file']}:1, skipped" in problem.message
    assert result.sources[0].articles == 1


def test_same_given_id_different_content_gets_content_qualified_ids(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "s-1", "title": "Same story", "body": body}) for body in ("Version one.", "Version two.")
    ]
    path = write(tmp_path, "clash.jsonl", "\n".join(lines))
    result = read_articles([path])
    assert result.errors == []
    base = make_article_id("Same story", "s-1")
    assert [row["id"] for row in rows(result)] == [f"{base}-{row['sha256'][:6]}" for row in rows(result)]
    assert list(read_articles([path]).articles["id"]) == list(result.articles["id"])


# --------------------------------------------------------------------------- formats


def test_news_page_tag_changes_and_multiline_paragraphs(tmp_path: Path) -> None:
    page = (
        "Tag: One\n\n  • First\n\n    The first line of a sentence\n    goes on in a second line.\n\n"
        "    Second paragraph.\n\nTag: Two\n  • Second\n    The second story is one sentence long.\n"
    )
    result = read_articles([write(tmp_path, "page.txt", page.replace("\n", "\r\n"))])
    assert [(r["title"], r["paragraphs"], r["tag"], r["source_line"]) for r in rows(result)] == [
        ("First", ["The first line of a sentence goes on in a second line.", "Second paragraph."], "One", 3),
        ("Second", ["The second story is one sentence long."], "Two", 11),
    ]


def test_news_page_without_tag_line(tmp_path: Path) -> None:
    result = read_articles([write(tmp_path, "page.md", "• Only title\nThe body text is one whole sentence.\n")])
    assert rows(result)[0]["tag"] == ""


def test_titles_are_cleaned(tmp_path: Path) -> None:
    record = {"title": "  Big\t\x07news \u2028 today  ", "paragraphs": ["  a \n b  ", "", "c"]}
    result = read_articles([write(tmp_path, "t.jsonl", json.dumps(record))])
    assert (result.articles[0]["title"], result.articles[0]["paragraphs"]) == ("Big news today", ["a b", "c"])


def test_jsonl_rows(tmp_path: Path) -> None:
    lines = [
        {"title": "Body field", "body": "Para one\nstill one.\n\n  \nPara two.", "tag": "T", "id": "x/1"},
        None,  # a blank line
        {"title": "Text field", "text": "Only one."},
        {"Title": "Paragraphs field", "paragraphs": ["p1", "p2"]},
    ]
    text = "\n".join("" if line is None else json.dumps(line) for line in lines) + "\n"
    result = read_articles([write(tmp_path, "in.jsonl", text)])
    assert [(r["title"], r["paragraphs"], r["tag"], r["source_line"]) for r in rows(result)] == [
        ("Body field", ["Para one still one.", "Para two."], "T", 1),
        ("Text field", ["Only one."], "", 3),
        ("Paragraphs field", ["p1", "p2"], "", 4),
    ]
    assert rows(result)[0]["id"] == make_article_id("Body field", "x/1")


def test_csv_rows_use_physical_lines(tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "title", "body", "tag"])
    writer.writerow(["", "Multi line", "First para\nwraps.\n\nSecond para.", "News"])
    writer.writerow(["", "", "", ""])  # blank row, skipped
    writer.writerow(["c-3", "After it", "Short.", ""])
    path = write(tmp_path, "in.csv", "\ufeff" + buffer.getvalue())
    result = read_articles([path])
    assert [(r["title"], r["paragraphs"], r["tag"], r["source_line"]) for r in rows(result)] == [
        ("Multi line", ["First para wraps.", "Second para."], "News", 2),
        ("After it", ["Short."], "", 7),
    ]
    assert rows(result)[1]["id"] == make_article_id("After it", "c-3")


def test_parquet_rows(tmp_path: Path) -> None:
    # pandas writes an integer column with gaps as floats: 3.0 must still mean id "3"
    columns = {"title": ["P one", "P two"], "text": ["A.\n\nB.", "C."], "id": [None, 3.0], "extra": [1, 2]}
    pq.write_table(pa.table(columns), tmp_path / "in.parquet")
    result = read_articles([tmp_path / "in.parquet"])
    assert [(r["title"], r["paragraphs"], r["source_line"]) for r in rows(result)] == [
        ("P one", ["A.", "B."], 1),
        ("P two", ["C."], 2),
    ]
    assert list(result.articles["id"]) == [make_article_id("P one", None, ["A.", "B."]), make_article_id("P two", "3")]


def test_save_to_disk_folder(tmp_path: Path) -> None:
    saved = tmp_path / "outer" / "saved"
    table = {"title": ["S one", "S two"], "body": ["X.", "Y.\n\nZ."]}
    datasets.Dataset.from_dict(table).save_to_disk(str(saved))
    for given in (saved, tmp_path / "outer"):
        result = read_articles([given])
        assert [(r["title"], r["paragraphs"], r["source_line"]) for r in rows(result)] == [
            ("S one", ["X."], 1),
            ("S two", ["Y.", "Z."], 2),
        ]
        assert result.sources[0].articles == 2 and len(result.sources[0].sha256) == 64


def test_folder_is_read_recursively_in_sorted_order() -> None:
    result = read_articles([FIXTURES / "mixed"])
    assert [(r["title"], r["tag"], r["source_line"]) for r in rows(result)] == [
        ("Harbour reopens after storm", "World", 3),
        ("Comet seen from three continents", "Science", 12),
        ("Markdown title here", "", 1),
        ("Plain headline", "", 3),
        ("From JSON lines", "Json", 1),
    ]
    titles = by_title(result)
    assert titles["Harbour reopens after storm"]["paragraphs"] == [
        "The port authority said ships may dock again from Monday.",
        "Repairs cost two million euros.",
    ]
    assert titles["Markdown title here"]["paragraphs"] == [
        "First paragraph wraps onto a second line.",
        "Second paragraph.",
    ]
    assert [Path(s.path).name for s in result.sources] == ["a-page.txt", "b-note.md", "c-plain.txt", "d.jsonl"]
    assert result.errors == []


def test_overlapping_inputs_are_read_once() -> None:
    result = read_articles([FIXTURES / "mixed", FIXTURES / "mixed" / "b-note.md"])
    assert len(result.articles) == 5 and result.errors == []


def test_single_path_string_is_accepted() -> None:
    assert len(read_articles(str(SEED)).articles) == 6


def test_empty_dataset_keeps_features() -> None:
    empty = _to_dataset([])
    assert len(empty) == 0 and empty.features == article_features()


# --------------------------------------------------------------------------- bad input

GOOD = json.dumps({"title": "Good survivor", "body": "Still here."}) + "\n"


def _parquet_bytes(columns: dict) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    return sink.getvalue()


MALFORMED = [
    # (case, file name, content, expected line, message fragment)
    ("bad json", "x.jsonl", GOOD + '{"title": "a" "body": "b"}\n', 2, "malformed JSON: Expecting ',' delimiter"),
    ("not an object", "x.jsonl", GOOD + "\n[1, 2]\n", 3, "expected a JSON object, got array"),
    ("missing title", "x.jsonl", GOOD + '{"body": "b"}\n', 2, "missing title"),
    ("missing body", "x.jsonl", GOOD + '{"title": "Lonely"}\n', 2, "'Lonely' has no body"),
    ("empty body", "x.jsonl", GOOD + '{"title": "Blank", "body": " \\n\\n "}\n', 2, "'Blank' has no body"),
    ("wrong type", "x.jsonl", GOOD + '{"title": 5, "body": "b"}\n', 2, "title must be a string, got int"),
    ("bad paragraphs", "x.jsonl", GOOD + '{"title": "P", "paragraphs": [1]}\n', 2, "paragraphs must be a list"),
    ("text before bullet", "p.txt", "Tag: X\nstray words\n\n• Kept\n  body\n", 2, "text before the first • title"),
    ("bullet no body", "p.txt", "• Kept\n  body\n\n• Hollow\n\n", 4, "'Hollow' has no body"),
    ("bullet no title", "p.txt", "• Kept\n  body\n•\n  orphan\n", 3, "without a title"),
    ("plain no body", "p.md", "# Just a title\n\n", 1, "'Just a title' has no body"),
    ("csv row no body", "c.csv", 'title,body\nKept,"multi\nline"\nEmpty,\n', 4, "'Empty' has no body"),
    ("csv extra field", "c.csv", "title,body\nKept,fine\nA,b,c\n", 3, "3 fields but the header has 2"),
    ("invalid utf-8", "u.txt", b"Title\n\nok\ncaf\xe9\n", 4, "not valid UTF-8"),
    ("binary", "b.txt", b"\x89PNG\r\n\x1a\n\x00\x00", 3, "binary file"),
    ("parquet no title", "t.parquet", _parquet_bytes({"title": ["A", None], "body": ["b", "c"]}), 2, "row 2: missing"),
]


@pytest.mark.parametrize(
    ("name", "content", "line", "fragment"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_input_is_reported_and_good_records_survive(
    tmp_path: Path, name: str, content: str | bytes, line: int, fragment: str
) -> None:
    write(tmp_path, "good.jsonl", GOOD)
    bad = write(tmp_path, name, content)
    result = read_articles([tmp_path])
    assert "Good survivor" in result.articles["title"]
    matching = [p for p in result.errors if fragment in p.message]
    assert len(matching) == 1, result.errors
    assert (matching[0].file, matching[0].line) == (bad.as_posix(), line)
    assert str(matching[0]) == f"{bad.as_posix()}:{line}: {matching[0].message}"


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("e.txt", b"", "empty file"),
        ("w.md", b"  \n\n\t\n", "empty file"),
        ("h.csv", b"name,summary\nx,y\n", "needs columns title and body (or text); found: name, summary"),
        ("h.parquet", _parquet_bytes({"name": ["x"]}), "needs columns title and body"),
        ("z.parquet", b"not parquet at all", "cannot read Parquet file"),
        ("o.csv", b"title,body\n", "no articles found"),
        ("u16.txt", "\n \n".encode("utf-16"), "empty file"),
        ("x.xml", b"<?xml version='1.0'?><config><a>1</a></config>", "not an RSS or Atom feed"),
        ("p.html", b"<html><head><title>Nothing</title></head><body></body></html>", "no article text"),
    ],
)
def test_file_level_problems(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    write(tmp_path, "good.jsonl", GOOD)
    bad = write(tmp_path, name, content)
    result = read_articles([tmp_path])
    [problem] = result.errors
    assert problem.file == bad.as_posix() and problem.line is None and fragment in problem.message
    assert SourceFile(bad.as_posix(), hashlib.sha256(content).hexdigest(), 0) in result.sources


def test_explicit_unsupported_file_is_reported(tmp_path: Path) -> None:
    good = write(tmp_path, "good.jsonl", GOOD)
    other = write(tmp_path, "notes.json", "{}")
    result = read_articles([good, other])
    [problem] = result.errors
    assert problem.message == (
        "unsupported file type '.json'; expected .txt, .md, .jsonl, .csv, .parquet, .html, .htm, .xml, .rss, .atom"
    )


# --------------------------------------------------------------------------- encodings

CYRILLIC = "Заголовок\n\nМорозы пришли в Сибирь раньше срока.\n"


def test_utf16_with_bom_is_honoured(tmp_path: Path) -> None:
    body = "The body is a whole sentence."
    result = read_articles([write(tmp_path, "u16.txt", f"Title\n\n{body}\n".encode("utf-16"))])
    assert (result.articles[0]["title"], result.articles[0]["paragraphs"]) == ("Title", [body])


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    result = read_articles([write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + CYRILLIC.encode("utf-8"))])
    assert result.articles[0]["title"] == "Заголовок"


def test_legacy_text_needs_encoding_and_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "ru.txt", CYRILLIC.encode("windows-1251"))
    with pytest.raises(InputError) as caught:
        read_articles([path])
    [problem] = caught.value.problems
    assert problem.line == 1 and "not valid UTF-8" in problem.message and "--encoding" in problem.message
    result = read_articles([path], encoding="windows-1251")
    assert result.articles[0]["title"] == "Заголовок"
    assert result.articles[0]["paragraphs"] == ["Морозы пришли в Сибирь раньше срока."]


def test_encoding_is_only_a_fallback_for_text_that_is_not_utf8(tmp_path: Path) -> None:
    utf8 = write(tmp_path, "a.txt", CYRILLIC)
    legacy = write(tmp_path, "b.txt", CYRILLIC.replace("Заголовок", "Другой").encode("windows-1251"))
    result = read_articles([utf8, legacy], encoding="cp1251")
    assert list(result.articles["title"]) == ["Заголовок", "Другой"]


def test_text_that_fits_neither_utf8_nor_encoding_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "good.jsonl", GOOD)
    bad = write(tmp_path, "x.txt", b"Title\n\nok\ncaf\xe9\n")
    result = read_articles([tmp_path], encoding="ascii")
    [problem] = result.errors
    assert (problem.file, problem.line) == (bad.as_posix(), 4)
    assert "not valid UTF-8 (byte 0xe9 at offset 13), and not valid ascii either (offset 13)" in problem.message


def test_unknown_encoding_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(errors.ConfigError, match="unknown encoding 'klingon'"):
        read_articles([write(tmp_path, "a.txt", CYRILLIC)], encoding="klingon")


def test_new_provenance_columns_are_empty_for_text_files(seed_result: ReadResult) -> None:
    for row in rows(seed_result):
        assert (row["url"], row["feed"], row["published"], row["byline"]) == ("", "", "", "")


def test_all_bad_input_raises(tmp_path: Path) -> None:
    write(tmp_path, "bad.jsonl", "{oops\n")
    write(tmp_path, "empty.txt", "")
    with pytest.raises(InputError) as caught:
        read_articles([tmp_path])
    assert isinstance(caught.value, errors.InputError)
    assert {p.message.split(":")[0] for p in caught.value.problems} == {"malformed JSON", "empty file"}
    assert "bad.jsonl:1: malformed JSON" in str(caught.value)


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        (lambda tmp: tmp / "missing.txt", "does not exist"),
        (lambda tmp: tmp, "no readable files in folder"),
        (lambda tmp: write(tmp, "only/notes.json", "{}").parent, "no readable files in folder"),
    ],
    ids=["missing path", "empty folder", "only unsupported files"],
)
def test_unreadable_inputs_raise_naming_the_path(tmp_path: Path, setup, fragment: str) -> None:
    path = setup(tmp_path)
    with pytest.raises(InputError, match=fragment) as caught:
        read_articles([path])
    assert str(path) in str(caught.value)


def test_no_inputs_raise() -> None:
    with pytest.raises(InputError):
        read_articles([])


def test_input_problem_str_without_line() -> None:
    assert str(InputProblem("a.csv", None, None, "empty file")) == "a.csv: empty file"
    assert str(InputProblem("seeds/x.jsonl", 12, None, "malformed JSON: Expecting ',' delimiter")) == (
        "seeds/x.jsonl:12: malformed JSON: Expecting ',' delimiter"
    )
