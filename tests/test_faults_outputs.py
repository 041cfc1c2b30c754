"""Issue 13, items 2, 3 and 8 at the outputs layer: retention, odd states, one publish step."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from datetime import datetime, timezone

import pytest

from jobs.errors import DiskFull, ExitCode, PublishIncomplete
from jobs.outputs import publish as publish_module
from jobs.outputs.bundle import kept_bundles, latest_bundle, point_latest, write_bundle
from jobs.outputs.preview import preview_path
from jobs.outputs.publish import INDEX_FILE, check_free_space, discard, publish_run, repair_odd_states
from jobs.outputs.retention import disk_used, prune_bundles
from tests.bundles import publish_bundle
from tests.faults import fill, small_disk


def record(article_id: str, lang: str = "ru") -> dict:
    return {
        "id": article_id,
        "lang": lang,
        "title": "T",
        "summary": "S",
        "source": {},
        "models": {},
        "qa": {"flags": []},
        "paragraphs": ["p" * 200],
    }


def run_id(hour: int) -> str:
    return f"202601{1 + hour // 24:02d}T{hour % 24:02d}0000Z-{hour:06x}"


def hourly(out, lang, hours):
    for hour in range(hours):
        publish_bundle(out, lang, run_id(hour), [record(f"a-{hour}", lang)], {"run_id": run_id(hour)})
        preview_path(out / lang / run_id(hour)).write_text("<html>", encoding="utf-8")


def test_retention_keeps_the_newest_bundles_and_removes_their_review_pages(tmp_path):
    hourly(tmp_path, "ru", 30)
    removed = prune_bundles(tmp_path, keep=24)
    assert [b.name for b in removed] == [run_id(h) for h in range(6)]
    assert [b.name for b in kept_bundles(tmp_path / "ru")] == [run_id(h) for h in range(6, 30)]
    assert sorted(p.name for p in (tmp_path / "ru").glob("*.preview.html")) == [
        f"{run_id(h)}.preview.html" for h in range(6, 30)
    ]
    assert not [p for p in (tmp_path / "ru").iterdir() if p.name.startswith(".staging-")]


def test_retention_never_removes_the_bundle_latest_points_to(tmp_path):
    hourly(tmp_path, "ru", 5)
    point_latest(tmp_path / "ru", run_id(0))  # rolled back by hand to the oldest
    prune_bundles(tmp_path, keep=1)
    assert [b.name for b in kept_bundles(tmp_path / "ru")] == [run_id(0), run_id(4)]
    assert latest_bundle(tmp_path, "ru").name == run_id(0)


def test_retention_by_age(tmp_path):
    hourly(tmp_path, "ru", 48)  # 2026-01-01 00:00 to 2026-01-02 23:00
    now = datetime(2026, 1, 3, 0, 0, tzinfo=timezone.utc)
    prune_bundles(tmp_path, keep=100, keep_days=0.5, now=now)
    assert [b.name for b in kept_bundles(tmp_path / "ru")] == [run_id(h) for h in range(36, 48)]


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_a_latest_that_is_not_a_link_is_moved_aside_with_a_log_line(tmp_path, kind, caplog, monkeypatch):
    import logging

    # The CLI's logging setup (earlier tests) stops the `jobs` logger's records at its own handlers.
    monkeypatch.setattr(logging.getLogger("jobs"), "handlers", [caplog.handler])
    latest = tmp_path / "ru" / "latest"
    latest.parent.mkdir(parents=True)
    if kind == "folder":
        latest.mkdir()
        (latest / "someone's.txt").write_text("kept")
    else:
        latest.write_text("kept")
    (moved,) = repair_odd_states(tmp_path, ["ru", "zh"], default_cache=True)
    assert not latest.exists() and moved.parent == latest.parent and moved.name.startswith(".latest.moved-")
    assert f"{latest} was a {kind}" in caplog.text
    publish_bundle(tmp_path, "ru", run_id(1), [record("a")], {})  # and publishing works again
    assert latest_bundle(tmp_path, "ru").name == run_id(1)


def test_a_cache_folder_that_is_a_file_is_moved_aside(tmp_path):
    (tmp_path / ".cache").write_text("not a folder")
    (moved,) = repair_odd_states(tmp_path, ["ru"], default_cache=True)
    assert moved.read_text() == "not a folder" and not (tmp_path / ".cache").exists()
    (tmp_path / ".cache").write_text("their own --cache setup")
    assert repair_odd_states(tmp_path, ["ru"], default_cache=False) == []


def test_all_languages_move_together_and_the_run_record_is_written_last(tmp_path):
    hourly(tmp_path, "ru", 1)
    hourly(tmp_path, "zh", 1)
    new = run_id(5)
    written = {lang: write_bundle(tmp_path, lang, new, [record("b", lang)], {}) for lang in ("ru", "zh")}
    assert latest_bundle(tmp_path, "ru").name == run_id(0)  # written is not published
    index = publish_run(tmp_path, new, written, ["ru", "zh"])
    assert json.loads((tmp_path / INDEX_FILE).read_text()) == index
    assert index["run_id"] == new and index["published"] == ["ru", "zh"]
    assert index["languages"]["zh"]["bundle"] == f"zh/{new}"
    assert (
        index["languages"]["ru"]["manifest_sha256"]
        == hashlib.sha256((tmp_path / "ru" / new / "manifest.json").read_bytes()).hexdigest()
    )


def test_a_failed_swap_names_the_languages_that_moved(tmp_path, monkeypatch):
    hourly(tmp_path, "ru", 1)
    hourly(tmp_path, "zh", 1)
    new = run_id(5)
    written = {lang: write_bundle(tmp_path, lang, new, [record("b", lang)], {}) for lang in ("ru", "zh")}

    def swap(lang_dir, name):
        if lang_dir.name == "zh":
            raise OSError(errno.EROFS, "Read-only file system", str(lang_dir / ".latest-1"))
        point_latest(lang_dir, name)

    monkeypatch.setattr(publish_module, "point_latest", swap)
    with pytest.raises(PublishIncomplete, match=r"published ru; NOT published zh \(.*read-only") as caught:
        publish_run(tmp_path, new, written, ["ru", "zh"])
    assert caught.value.exit_code == ExitCode.PUBLISH_INCOMPLETE
    index = json.loads((tmp_path / INDEX_FILE).read_text())
    assert index["published"] == ["ru"] and index["languages"]["zh"]["bundle"] == f"zh/{run_id(0)}"


def test_a_run_stopped_before_the_swaps_leaves_no_bundle_behind(tmp_path):
    hourly(tmp_path, "ru", 1)
    written = write_bundle(tmp_path, "ru", run_id(5), [record("b")], {})
    discard([written])
    assert [b.name for b in kept_bundles(tmp_path / "ru")] == [run_id(0)]


def test_free_space_is_checked_against_the_last_bundles(tmp_path):
    with small_disk(tmp_path / "disk", "4m") as disk:
        publish_bundle(disk, "ru", run_id(0), [record(f"a-{i}") for i in range(200)], {})
        check_free_space(disk, ["ru"])
        filler = fill(disk)
        with pytest.raises(DiskFull, match=r"MB free, the run needs about"):
            check_free_space(disk, ["ru"])
        filler.unlink()


def test_disk_used_counts_files_once(tmp_path):
    hourly(tmp_path, "ru", 2)
    used = disk_used(tmp_path)
    os.link(tmp_path / "ru" / run_id(0) / "articles.jsonl", tmp_path / "ru" / "extra-link")
    assert disk_used(tmp_path) == used > 0


def test_every_exit_code_is_in_the_readme_table_and_the_help():
    from typer.testing import CliRunner

    from jobs.cli import app
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip() for line in readme.splitlines() if line.startswith("| ") and "|" in line[2:]}
    help_text = CliRunner().invoke(app, ["--help"]).output
    for code in ExitCode:
        assert str(code.value) in rows, code
        assert f"{code.value:>3}  " in help_text or f"{code.value}  " in help_text, code


def test_prune_on_a_read_only_disk_is_named(tmp_path):
    from typer.testing import CliRunner

    from jobs.cli import app
    from tests.faults import remount

    with small_disk(tmp_path / "disk", "4m") as disk:
        hourly(disk, "ru", 3)
        remount(disk, "ro")
        result = CliRunner().invoke(app, ["prune", "--out", str(disk), "--keep", "1"])
        remount(disk, "rw")
        assert result.exit_code == ExitCode.NOT_WRITABLE, result.output
        assert "read-only file system" in result.output
        assert len(kept_bundles(disk / "ru")) == 3
        assert CliRunner().invoke(app, ["prune", "--out", str(disk), "--keep", "1"]).exit_code == 0
        assert len(kept_bundles(disk / "ru")) == 1


def test_a_signal_during_the_swaps_waits_until_every_language_moved(tmp_path, monkeypatch):
    import signal

    hourly(tmp_path, "ru", 1)
    hourly(tmp_path, "zh", 1)
    new = run_id(5)
    written = {lang: write_bundle(tmp_path, lang, new, [record("b", lang)], {}) for lang in ("ru", "zh")}

    def swap(lang_dir, name):
        point_latest(lang_dir, name)
        if lang_dir.name == "ru":
            os.kill(os.getpid(), signal.SIGTERM)  # arrives between the two swaps

    def stop(signum, frame):
        raise KeyboardInterrupt

    monkeypatch.setattr(publish_module, "point_latest", swap)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(KeyboardInterrupt):
            publish_run(tmp_path, new, written, ["ru", "zh"])
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert {latest_bundle(tmp_path, lang).name for lang in ("ru", "zh")} == {new}
    assert json.loads((tmp_path / INDEX_FILE).read_text())["published"] == ["ru", "zh"]


@pytest.mark.parametrize(
    ("code", "kind", "words"),
    [
        (errno.ENOSPC, ExitCode.DISK_FULL, "no space left on the device"),
        (errno.EACCES, ExitCode.NOT_WRITABLE, "permission denied"),
        (errno.EROFS, ExitCode.NOT_WRITABLE, "read-only file system"),
        (errno.ENOTDIR, ExitCode.NOT_WRITABLE, "a file is where a folder should be"),
        (errno.EISDIR, ExitCode.NOT_WRITABLE, "a folder is where a file should be"),
    ],
)
def test_environment_errors_name_the_path_and_the_fix(code, kind, words):
    from jobs.errors import environment_error

    problem = environment_error(OSError(code, os.strerror(code), "/srv/out/ru"), doing="writing")
    assert problem.exit_code == kind
    assert str(problem).startswith(f"/srv/out/ru: {words} while writing; ")
    assert environment_error(OSError(errno.EINVAL, "x")) is None  # not the environment: a bug
