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
from jobs.outputs.manifest import MANIFEST_SCHEMA
from jobs.outputs.preview import preview_path
from jobs.outputs.publish import INDEX_FILE, check_free_space, discard, publish_run, repair_odd_states
from jobs.outputs.retention import disk_used, prune_bundles
from tests.bundles import publish_bundle
from tests.faults import fill, small_disk


@pytest.fixture(autouse=True)
def signals_given_back():
    """publish_run holds stop signals until the run lets go of its lock; tests that call it
    without one give them back here, so no test leaves its handlers to the next."""
    from jobs.outputs import stopping

    yield
    stopping.release(failing=True)


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


@pytest.mark.parametrize("first_fails", [False, True])
def test_a_full_disk_during_the_swaps_is_disk_full(tmp_path, monkeypatch, first_fails):
    hourly(tmp_path, "ru", 1)
    hourly(tmp_path, "zh", 1)
    new = run_id(5)
    written = {lang: write_bundle(tmp_path, lang, new, [record("b", lang)], {}) for lang in ("ru", "zh")}
    failing = {"ru", "zh"} if first_fails else {"zh"}

    def swap(lang_dir, name):
        if lang_dir.name in failing:
            raise OSError(errno.ENOSPC, "No space left on device", str(lang_dir / ".latest-1"))
        point_latest(lang_dir, name)

    monkeypatch.setattr(publish_module, "point_latest", swap)
    with pytest.raises(DiskFull, match="no space left") as caught:
        publish_run(tmp_path, new, written, ["ru", "zh"])
    assert caught.value.exit_code == ExitCode.DISK_FULL
    if first_fails:  # nothing moved: nothing of the run is left behind
        assert "published no language" in str(caught.value)
        assert [b.name for b in kept_bundles(tmp_path / "ru")] == [run_id(0)]
        assert not publish_module.publish_state(tmp_path).problems()
    else:
        assert "published ru; NOT published zh" in str(caught.value)
        assert publish_module.publish_state(tmp_path).out_of_step == {new: (["ru"], ["zh"])}


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


def test_a_signal_during_the_swaps_waits_and_after_a_complete_publish_ends_nothing(tmp_path, monkeypatch, caplog):
    import logging
    import signal

    from jobs.outputs import stopping
    from jobs.outputs.lock import RunLock

    monkeypatch.setattr(logging.getLogger("jobs"), "handlers", [caplog.handler])
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
        with RunLock(tmp_path, new):
            publish_run(tmp_path, new, written, ["ru", "zh"])
            assert stopping.stop_requested() == signal.SIGTERM
            prune_bundles(tmp_path, keep=1)  # retention still runs: the signal waits until the lock is let go
        assert signal.getsignal(signal.SIGTERM) is stop  # given back
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert {latest_bundle(tmp_path, lang).name for lang in ("ru", "zh")} == {new}
    assert json.loads((tmp_path / INDEX_FILE).read_text())["published"] == ["ru", "zh"]
    assert [b.name for b in kept_bundles(tmp_path / "ru")] == [new]
    assert "asked to stop (signal 15) after every language was published" in caplog.text


def test_a_signal_before_anything_was_published_still_interrupts(tmp_path):
    import signal

    from jobs.outputs import stopping

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        stopping.hold()
        os.kill(os.getpid(), signal.SIGTERM)
        with pytest.raises(KeyboardInterrupt):
            stopping.release()
    finally:
        signal.signal(signal.SIGTERM, previous)


def two_languages_written(out, new):
    for lang in ("ru", "zh", "kk"):
        hourly(out, lang, 1)
    publish_run(out, run_id(0), {}, ["ru", "zh", "kk"])  # the run record of the run before
    publish_module.stopping.release(failing=True)
    manifest = {"schema": MANIFEST_SCHEMA, "run_id": new}
    return {lang: write_bundle(out, lang, new, [record("b", lang)], manifest) for lang in ("ru", "zh", "kk")}


def test_a_run_killed_between_the_swaps_is_found_and_moved_together_by_the_next_run(tmp_path):
    new = run_id(5)
    written = two_languages_written(tmp_path, new)
    point_latest(tmp_path / "ru", new)  # SIGKILL here: ru moved, zh and kk did not, no run record
    state = publish_module.publish_state(tmp_path)
    assert state.out_of_step == {new: (["ru"], ["kk", "zh"])}
    assert any("names ru/" in s for s in state.stale_index) and not state.never_published
    assert len(state.problems()) == 2
    repaired = publish_module.repair_interrupted(tmp_path)
    assert repaired.out_of_step
    assert {latest_bundle(tmp_path, lang).name for lang in ("ru", "zh", "kk")} == {new}
    index = json.loads((tmp_path / INDEX_FILE).read_text())
    assert index["run_id"] == new and index["published"] == ["kk", "ru", "zh"] and index["repaired"]
    assert not publish_module.publish_state(tmp_path).problems()
    assert not [p for p in (tmp_path / "zh").iterdir() if p.name.startswith(".pending-")]
    assert written["zh"].is_dir()


def test_a_damaged_bundle_left_behind_is_removed_not_published(tmp_path):
    new = run_id(5)
    written = two_languages_written(tmp_path, new)
    point_latest(tmp_path / "ru", new)
    (written["zh"] / "articles.jsonl").write_text("cut")
    publish_module.repair_interrupted(tmp_path)
    assert latest_bundle(tmp_path, "zh").name == run_id(0) and not written["zh"].exists()
    assert latest_bundle(tmp_path, "kk").name == new
    assert json.loads((tmp_path / INDEX_FILE).read_text())["languages"]["zh"]["bundle"] == f"zh/{run_id(0)}"
    assert not publish_module.publish_state(tmp_path).problems()


def test_a_run_killed_after_the_swaps_leaves_a_stale_index_the_next_run_writes_again(tmp_path):
    new = run_id(5)
    two_languages_written(tmp_path, new)
    for lang in ("ru", "zh", "kk"):
        point_latest(tmp_path / lang, new)
    (tmp_path / f".{INDEX_FILE}.4242").write_text("{half")  # the temporary of an index being written
    problems = publish_module.publish_state(tmp_path).problems()
    assert len(problems) == 1 and "index.json is stale" in problems[0] and "next run writes it again" in problems[0]
    publish_module.repair_interrupted(tmp_path)
    assert json.loads((tmp_path / INDEX_FILE).read_text())["run_id"] == new
    assert not list(tmp_path.glob(".index.json.*"))
    assert not publish_module.publish_state(tmp_path).problems()


def test_bundles_never_published_are_reported_do_not_count_for_keep_and_are_removed(tmp_path):
    new = run_id(5)
    written = two_languages_written(tmp_path, new)  # killed before the swaps: nothing moved
    state = publish_module.publish_state(tmp_path)
    assert sorted(state.never_published) == sorted(written.values()) and not state.stale_index
    assert all("never published" in p for p in state.problems())
    assert prune_bundles(tmp_path, keep=1) == []  # the published run(0) is still the one kept
    publish_module.repair_interrupted(tmp_path)
    for lang in ("ru", "zh", "kk"):
        assert [b.name for b in kept_bundles(tmp_path / lang)] == [run_id(0)]
    assert not publish_module.publish_state(tmp_path).problems()


def test_a_latest_pointing_out_of_the_outputs_folder_is_not_followed(tmp_path):
    from jobs.outputs.preview import bundles_to_preview
    from jobs.outputs.status import bundle_status

    elsewhere = tmp_path / "elsewhere"
    publish_bundle(elsewhere, "ru", run_id(0), [record("a")], {})  # a real bundle, outside OUT
    out = tmp_path / "out"
    (out / "ru").mkdir(parents=True)
    (out / "ru" / "latest").symlink_to(elsewhere / "ru" / run_id(0))
    assert latest_bundle(out, "ru") is None
    assert bundles_to_preview(out) == [] and bundles_to_preview(out, ["ru"], "../../elsewhere") == []
    assert "not followed" in bundle_status(out)


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


def test_retention_removes_only_the_jobs_own_bundles(tmp_path):
    """A site's assets or an editor's notes kept in the outputs folder are not bundles: the hourly
    retention (keep 24) removed every folder beyond the newest 24 in any folder of OUT before."""
    hourly(tmp_path, "ru", 3)
    themes = [tmp_path / "assets" / f"theme-{i:02d}" for i in range(30)]
    notes = [tmp_path / "ru" / name for name in ("0-notes", "archive-2019", "20260101T000000Z")]
    for folder in themes + notes:
        folder.mkdir(parents=True)
    assert prune_bundles(tmp_path, keep=24) == []
    removed = prune_bundles(tmp_path, keep=1)
    assert [b.name for b in removed] == [run_id(0), run_id(1)]
    assert all(folder.is_dir() for folder in themes + notes)
    assert [b.name for b in kept_bundles(tmp_path / "ru")] == [run_id(2)]


@pytest.mark.parametrize("days", ["nan", "inf", "-1", "0"])
def test_prune_refuses_a_keep_days_that_is_no_number_of_days(tmp_path, days):
    from typer.testing import CliRunner

    from jobs.cli import app

    hourly(tmp_path, "ru", 3)
    result = CliRunner().invoke(app, ["prune", "--out", str(tmp_path), "--keep-days", days])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--keep-days" in result.output and "Traceback" not in result.output
    assert len(kept_bundles(tmp_path / "ru")) == 3
