"""Input hygiene: empty paths and sizes refused, special files and link loops listed, never opened."""

from __future__ import annotations

import json
import os
import signal
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobs.cli import app
from jobs.config import build_config
from jobs.errors import ConfigError, ExitCode, InputError
from jobs.inputs import read_articles
from jobs.inputs.sources import collect_sources

GOOD = json.dumps({"title": "Harbour reopens", "body": "The harbour reopened on Monday after repairs."})


@pytest.fixture(autouse=True)
def _no_hang():
    """A read that blocks on a FIFO fails the test instead of hanging it."""

    def stop(*_):
        raise TimeoutError("reading blocked")

    before = signal.signal(signal.SIGALRM, stop)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, before)


@pytest.fixture
def messy_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A folder with one good file and every kind of entry that must not be opened."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.jsonl").write_text(GOOD + "\n", encoding="utf-8")
    os.mkfifo(folder / "pipe.jsonl")  # would block a plain open() forever
    os.mkfifo(folder / "fifo")  # no supported suffix: still listed
    monkeypatch.chdir(folder)  # a UNIX socket path must be short: bind by a relative name
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind("feed.xml")
    os.symlink("self.txt", folder / "self.txt")  # a self-referencing symlink
    os.symlink("loop-b.md", folder / "loop-a.md")
    os.symlink("loop-a.md", folder / "loop-b.md")
    os.symlink("gone.csv", folder / "dangling.csv")
    os.symlink(os.devnull, folder / "null.jsonl")  # a character device
    os.symlink("..", folder / "sub" / "up")  # a folder loop
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.jsonl").write_text(GOOD.replace("Harbour", "Bridge") + "\n", encoding="utf-8")
    os.symlink(elsewhere, folder / "sub" / "linked")  # a link to a folder: followed
    monkeypatch.chdir(tmp_path)
    yield folder
    server.close()


EXPECTED_PROBLEMS = {
    "dangling.csv": "points at gone.csv, which does not exist",
    "feed.xml": "a socket, not a regular file",
    "fifo": "a FIFO (named pipe), not a regular file",
    "loop-a.md": "loops",
    "loop-b.md": "loops",
    "null.jsonl": "a character device, not a regular file",
    "pipe.jsonl": "a FIFO (named pipe), not a regular file",
    "self.txt": "loops (it points back at itself)",
    "sub/up": "a symbolic link loop",
}


def test_special_files_and_link_loops_are_listed_and_the_rest_is_read(messy_folder: Path) -> None:
    result = read_articles([messy_folder])
    assert result.articles["title"] == ["Harbour reopens", "Bridge reopens"]
    found = {p.file.removeprefix("in/"): p.message for p in result.errors}
    assert sorted(found) == sorted(EXPECTED_PROBLEMS)
    for name, words in EXPECTED_PROBLEMS.items():
        assert words in found[name], (name, found[name])
    assert [s.path for s in result.sources] == ["in/good.jsonl", "in/sub/linked/linked.jsonl"]


def test_a_folder_that_cannot_be_listed_is_a_listed_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A subfolder without read permission (faked: the tests run as root, who can list anything)."""
    (tmp_path / "in" / "locked").mkdir(parents=True)
    (tmp_path / "in" / "good.jsonl").write_text(GOOD, encoding="utf-8")
    (tmp_path / "in" / "locked" / "hidden.jsonl").write_text(GOOD, encoding="utf-8")
    real = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = read_articles([tmp_path / "in"])
    assert result.articles["title"] == ["Harbour reopens"]
    [problem] = result.errors
    assert problem.file.endswith("in/locked") and "cannot be listed: Permission denied" in problem.message


def test_links_between_sibling_folders_end(tmp_path: Path) -> None:
    """p/q -> r and r/s -> p: each folder is read once, the link that closes the cycle listed."""
    for name in ("p", "r"):
        (tmp_path / "in" / name).mkdir(parents=True)
        (tmp_path / "in" / name / f"{name}.jsonl").write_text(GOOD.replace("Harbour", name.upper()), encoding="utf-8")
    os.symlink(tmp_path / "in" / "r", tmp_path / "in" / "p" / "q")
    os.symlink(tmp_path / "in" / "p", tmp_path / "in" / "r" / "s")
    result = read_articles([tmp_path / "in"])
    assert sorted(result.articles["title"]) == ["P reopens", "R reopens"]
    assert result.errors and all("symbolic link loop" in p.message for p in result.errors)


def test_a_link_to_a_sibling_folder_is_no_problem_and_read_once(tmp_path: Path) -> None:
    """Like OUT/<lang>/latest -> <run_id>: not a loop, and its files are read once."""
    (tmp_path / "in" / "run1").mkdir(parents=True)
    (tmp_path / "in" / "run1" / "a.jsonl").write_text(GOOD, encoding="utf-8")
    os.symlink("run1", tmp_path / "in" / "latest")
    result = read_articles([tmp_path / "in"])
    assert (len(result.articles), result.errors) == (1, [])


def test_a_fifo_given_by_name_is_a_listed_problem(messy_folder: Path) -> None:
    result = read_articles([messy_folder / "good.jsonl", messy_folder / "pipe.jsonl"])
    assert len(result.articles) == 1
    [problem] = result.errors
    assert problem.file.endswith("pipe.jsonl") and "FIFO" in problem.message


def test_a_self_referencing_link_given_by_name_is_named(messy_folder: Path) -> None:
    with pytest.raises(InputError, match=r"self.txt is a symbolic link that loops"):
        collect_sources([messy_folder / "self.txt"])


def test_a_file_swapped_for_a_fifo_after_collection_is_not_waited_on(tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    path.write_text(GOOD, encoding="utf-8")
    sources = collect_sources([path])
    path.unlink()
    os.mkfifo(path)
    from jobs.inputs.sources import read_regular_file

    with pytest.raises(OSError, match="FIFO"):
        read_regular_file(sources[0].path)


def test_a_run_over_a_messy_folder_publishes_the_good_article(messy_folder, tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    args = ["run", "--config", str(tiny_config), "--input", str(messy_folder), "--out", str(out), "--lang", "ru"]
    args += ["--model", f"ru={tiny_models['ru']}", "--summary-model", str(tiny_models["summary"])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == ExitCode.PARTIAL, result.output
    manifest = json.loads(((out / "ru" / "latest").resolve() / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["articles"] == 2
    assert len(manifest["failures"]) == len(EXPECTED_PROBLEMS)


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--input", "", "--input"),
        ("--input", " ", "--input"),
        ("--out", "", "--out"),
        ("--cache", "", "--cache"),
        ("--config", "", "--config"),
        ("--batch-tokens", "0", "batch_tokens"),
        ("--batch-tokens", "-5", "batch_tokens"),
        ("--max-urls", "-1", "max_urls"),
        ("--ray-actors", "0", "ray_actors"),
        ("--ray-gpus-per-actor", "-1", "ray_gpus_per_actor"),
    ],
)
def test_empty_paths_and_non_positive_sizes_are_usage_errors(tmp_path, monkeypatch, flag, value, message) -> None:
    monkeypatch.chdir(tmp_path)  # a run that got through would read or write here
    result = CliRunner().invoke(app, ["run", "--offline", flag, value])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("options", [{"inputs": [""]}, {"inputs": ["seeds", "  "]}, {"out": ""}, {"cache": ""}])
def test_build_config_refuses_empty_paths(options) -> None:
    with pytest.raises(ConfigError, match="empty"):
        build_config(**options)


def test_read_articles_refuses_an_empty_path() -> None:
    with pytest.raises(InputError, match="empty"):
        read_articles([""])
