"""Bad input, case by case: a clear message naming the file and line or article, the rest goes on."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from jobs.cli import app
from jobs.config import build_config
from jobs.errors import ExitCode
from jobs.inputs import read_articles
from jobs.stages.screen import screen_articles

GOOD = "Tag: World\n\n  • A good article about the summit\n\n    The leaders met in Astana on Tuesday. They signed 12 agreements.\n"
LONG_WORDS = 200_000


def write(path, content) -> str:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path.name


CASES = {
    # name: (file name, content, text the message must hold, expected line or None)
    "empty file": ("empty.txt", "", "empty", None),
    "not UTF-8": ("latin1.txt", "Caf\xe9 news\n\nThe caf\xe9 opened.\n".encode("latin-1"), "UTF-8", None),
    "binary file": ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary", None),
    "malformed JSONL line": (
        "feed.jsonl",
        '{"title": "Fine", "body": "Good body."}\n{"title": "Broken", "body": \n',
        "JSON",
        2,
    ),
    "CSV without the needed columns": ("table.csv", "headline,content\nA,B\n", "title", None),
    "title but no body": ("nobody.jsonl", '{"title": "Only a title", "body": ""}\n', "Only a title", 1),
    "duplicate article": (
        "dupes.jsonl",
        '{"title": "Same", "body": "Same body."}\n{"title": "Same", "body": "Same body."}\n',
        "duplicate",
        2,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_bad_input_is_named_and_the_good_article_survives(tmp_path, case):
    name, content, expected, line = CASES[case]
    write(tmp_path / "good.txt", GOOD)
    write(tmp_path / name, content)
    result = read_articles([tmp_path])
    assert "A good article about the summit" in result.articles["title"]
    problems = [p for p in result.errors if p.file.endswith(name)]
    assert problems, f"{case}: no problem reported; got {result.errors}"
    assert any(expected.lower() in str(p).lower() for p in problems), [str(p) for p in problems]
    if line is not None:
        assert any(p.line == line for p in problems)


def screen(tmp_path, content: str, config_options=None):
    write(tmp_path / "good.txt", GOOD)
    write(tmp_path / "odd.txt", content)
    read = read_articles([tmp_path])
    config = build_config(inputs=[tmp_path], **(config_options or {}))
    return screen_articles(read.articles, config)


def test_a_200000_word_article_is_set_aside_by_name(tmp_path):
    body = " ".join(["word"] * LONG_WORDS)
    kept, problems = screen(tmp_path, f"An enormous article\n\n{body}.\n")
    assert kept["title"] == ["A good article about the summit"] and problems == []
    # set aside while reading, before its text was split: never reaches the screening
    (problem,) = read_articles([tmp_path]).errors
    assert problem.file.endswith("odd.txt") and "'An enormous article'" in problem.message
    assert "1,000,022 characters long" in problem.message and "max_article_words" in problem.message


def test_a_30000_word_article_is_set_aside_by_the_screening(tmp_path):
    body = " ".join(["word"] * 30_000)
    kept, problems = screen(tmp_path, f"A long article\n\n{body}.\n")
    assert kept["title"] == ["A good article about the summit"]
    (problem,) = problems
    assert problem.file.endswith("odd.txt") and problem.line == 1 and problem.article_id
    assert "30,000 words" in problem.message and "max_article_words" in problem.message


@pytest.mark.parametrize(
    ("title", "body", "language"),
    [
        ("Новости дня", "Президент Казахстана провёл переговоры в Астане. Стороны подписали соглашения.", "Russian"),
        ("今日新闻", "两国领导人在阿斯塔纳举行会谈。双方签署了多项合作协议。", "Chinese"),
        (
            "Nachrichten",
            "Die Präsidenten trafen sich am Dienstag in Astana und unterzeichneten zwölf Abkommen.",
            "German",
        ),
    ],
)
def test_a_non_english_article_is_routed_out_with_its_language(tmp_path, title, body, language):
    kept, problems = screen(tmp_path, f"{title}\n\n{body}\n")
    assert kept["title"] == ["A good article about the summit"]
    (problem,) = problems
    assert language in problem.message and "not the source language" in problem.message
    assert problem.file.endswith("odd.txt")


@pytest.mark.parametrize(
    "title",
    [
        "../../etc/passwd",
        "a/b\\c:d*e?f",
        "tab\there\x00\x07bell",
        "<script>alert('x')</script> & <b>bold</b>",
        "💥" * 10,
    ],
)
def test_hostile_titles_give_safe_ids(tmp_path, title):
    write(tmp_path / "hostile.jsonl", json.dumps({"title": title, "body": "A body sentence about the summit."}) + "\n")
    (article_id,) = read_articles([tmp_path / "hostile.jsonl"]).articles["id"]
    assert article_id and "/" not in article_id and "." not in article_id and "\\" not in article_id
    assert article_id.isascii() and article_id == article_id.lower() and len(article_id) <= 64


def test_a_run_with_bad_records_publishes_the_rest_and_lists_them(tmp_path, tiny_models, tiny_config):
    inputs = tmp_path / "in"
    inputs.mkdir()
    write(inputs / "good.txt", GOOD)
    write(inputs / "feed.jsonl", '{"title": "Broken", "body": \n')
    write(
        inputs / "ru.txt",
        "Новости дня\n\nПрезидент Казахстана провёл переговоры в Астане. Стороны подписали соглашения.\n",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--config",
            str(tiny_config),
            "--input",
            str(inputs),
            "--out",
            str(out),
            "--lang",
            "ru",
            "--model",
            f"ru={tiny_models['ru']}",
            "--summary-model",
            str(tiny_models["summary"]),
        ],
    )
    assert result.exit_code == ExitCode.PARTIAL, result.output
    manifest = json.loads(((out / "ru" / "latest").resolve() / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["articles"] == 1 and manifest["counts"]["failed"] == 2
    files = sorted(f["file"].rsplit("/", 1)[-1] for f in manifest["failures"])
    assert files == ["feed.jsonl", "ru.txt"]
    assert "2 input problem(s)" in result.output


def test_nothing_readable_is_bad_input_and_writes_nothing(tmp_path, tiny_models):
    write(tmp_path / "empty.txt", "")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--input",
            str(tmp_path / "empty.txt"),
            "--out",
            str(out),
            "--summary-model",
            str(tiny_models["summary"]),
            "--lang",
            "ru",
            "--model",
            f"ru={tiny_models['ru']}",
        ],
    )
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "empty.txt" in result.output
    # Inputs are read under the outputs lock (a locked-out run reads nothing): only the lock file is there.
    assert [p.name for p in out.iterdir()] == [".jobs.outputs.lock"]
