"""Issue 23, the outputs side: every publish step done for every language or reported.

A run killed between the `latest` swaps (a hook holds the window open, then SIGKILL) is found by
`verify` (exit 10) and `status`, and the next run settles it; a stop signal after everything was
published ends the run with 0; a full disk while writing index.json is 8; the read-only commands
on read-only, foreign, missing and odd outputs folders are one line with the documented code.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobs.cli import app
from jobs.errors import ExitCode
from jobs.fsutil import atomic_write, remove_temporaries, temporaries
from jobs.outputs import publish as publish_module
from jobs.outputs.bundle import latest_bundle
from jobs.outputs.lock import LOCK_NAME, running_holder
from jobs.outputs.manifest import MANIFEST_SCHEMA
from tests.bundles import publish_bundle
from tests.conftest import REPO
from tests.faults import fill, remount, small_disk
from tests.test_cron import RUN_ENV, job_args

runner = CliRunner()

# `python HOOKED ARGS...` is `python -m jobs ARGS...` with a test hook around publishing (JOBS_TEST_HOOK):
#   hold:    after the first language's `latest` moved, say so and sleep (the test sends SIGKILL)
#   sigterm: send this process SIGTERM while index.json is being written (after every swap)
HOOKED = """
import os, signal, sys, time
import jobs.outputs.publish as publish
hook = os.environ["JOBS_TEST_HOOK"]
real_swap, real_index = publish.point_latest, publish.write_index
def swap(lang_dir, name):
    real_swap(lang_dir, name)
    if hook == "hold":
        print(f"HOOK swapped {lang_dir.name}", file=sys.stderr, flush=True)
        time.sleep(300)
def write_index(*args, **kwargs):
    if hook == "sigterm" and not kwargs.get("repaired"):  # the run's own index, not the repair's
        os.kill(os.getpid(), signal.SIGTERM)
    return real_index(*args, **kwargs)
publish.point_latest, publish.write_index = swap, write_index
from jobs.cli import main
sys.argv[0] = "jobs"
main()
"""


def hooked(tmp_path: Path, hook: str, args: list[str]) -> subprocess.Popen:
    script = tmp_path / "hooked.py"
    script.write_text(HOOKED, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**RUN_ENV, "JOBS_TEST_HOOK": hook},
    )


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jobs", *args], capture_output=True, text=True, cwd=REPO, env=RUN_ENV, timeout=300
    )


def one_error_line(output: str) -> str:
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, output
    return errors[0]


def test_a_kill_between_the_swaps_is_reported_and_the_next_run_moves_the_languages_together(
    tmp_path, tiny_models, tiny_config
):
    out = tmp_path / "out"
    args = job_args(tiny_models, tiny_config, out, langs=("ru", "zh"))
    proc = hooked(tmp_path, "hold", args)
    log = []
    for line in proc.stderr:
        log.append(line)
        if line.startswith("HOOK swapped ru"):
            proc.kill()
            break
    assert proc.wait(timeout=60) == -signal.SIGKILL, "".join(log)
    stopped = latest_bundle(out, "ru").name
    assert latest_bundle(out, "zh") is None and (out / "zh" / stopped).is_dir()  # written, never published

    verify = cli("verify", str(out))
    assert verify.returncode == ExitCode.DAMAGED, verify.stdout + verify.stderr
    assert f"run {stopped} moved ru but not zh" in verify.stdout and "the next run" in verify.stdout
    one_error_line(verify.stderr)
    status = cli("status", "--out", str(out))
    assert status.returncode == 0, status.stderr
    assert "PROBLEM: languages out of step" in status.stdout and "index.json is stale" in status.stdout

    # The next run settles it first, and a SIGTERM while it writes its own index.json (after every
    # swap) neither stops it nor changes its exit code: everything was published.
    again = hooked(tmp_path, "sigterm", args)
    _, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr
    assert f"zh: moved `latest` to {stopped}, as ru already were" in stderr
    assert "asked to stop (signal 15) after every language was published" in stderr
    assert "interrupted" not in stderr
    new = {latest_bundle(out, lang).name for lang in ("ru", "zh")}
    assert len(new) == 1 and new != {stopped}
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert index["run_id"] in new and index["published"] == ["ru", "zh"]
    assert not list(out.glob("*/.pending-*"))
    verified = cli("verify", str(out))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "PROBLEM" not in cli("status", "--out", str(out)).stdout


def test_a_full_disk_while_writing_index_json_exits_8(tmp_path, tiny_models, tiny_config, monkeypatch):
    with small_disk(tmp_path / "disk", "4m") as disk:
        out = disk / "out"
        real = publish_module.write_index
        filled = []

        def write_index(*args, **kwargs):
            if not filled:  # the disk fills up after the swaps, before the run's record
                filled.append(fill(disk))
            return real(*args, **kwargs)

        monkeypatch.setattr(publish_module, "write_index", write_index)
        result = runner.invoke(app, job_args(tiny_models, tiny_config, out, langs=("ru", "zh")))
        assert result.exit_code == ExitCode.DISK_FULL, result.output
        line = one_error_line(result.stderr)
        assert "index.json" in line and "no space left" in line and "published ru, zh" in line
        filled[0].unlink()
        assert not list(out.glob(".index.json.*"))  # the temporary file went with the error
        status = runner.invoke(app, ["status", "--out", str(out)])
        assert "index.json is stale (it is missing)" in status.stdout
        assert runner.invoke(app, ["verify", str(out)]).exit_code == ExitCode.DAMAGED
        assert runner.invoke(app, ["prune", "--out", str(out), "--config", str(tiny_config)]).exit_code == 0
        assert runner.invoke(app, ["verify", str(out)]).exit_code == 0  # prune settled it as a run would


def published(out: Path) -> Path:
    from tests.test_preview import record

    article = record("a", "ru", "Т", "С", ["п"], [], "T", "opus-mt-en-ru@abc")
    bundle = publish_bundle(
        out,
        "ru",
        "20260101T000000Z-000001",
        [article],
        {"schema": MANIFEST_SCHEMA, "run_id": "20260101T000000Z-000001", "lang": "ru", "counts": {"articles": 1}},
    )
    (out / LOCK_NAME).touch()  # as every run leaves it
    return bundle


def test_status_and_preview_on_a_read_only_outputs_folder(tmp_path):
    with small_disk(tmp_path / "disk", "4m") as disk:
        out = disk / "out"
        published(out)
        remount(disk, "ro")
        try:
            status = runner.invoke(app, ["status", "--out", str(out)])
            preview = runner.invoke(app, ["preview", "--out", str(out)])
            verify = runner.invoke(app, ["verify", str(out)])
            prune = runner.invoke(app, ["prune", "--out", str(out)])
        finally:
            remount(disk, "rw")
    # status and verify only read: they work on a read-only disk (the lock is probed read-only)
    assert status.exit_code == 0, status.output
    assert "latest 20260101T000000Z-000001" in status.stdout and "no run in progress" in status.stdout
    assert verify.exit_code == 0, verify.output
    for result in (preview, prune):  # these write: one line naming the path, exit 9
        assert result.exit_code == ExitCode.NOT_WRITABLE, result.output
        assert "read-only file system" in one_error_line(result.stderr)


def foreign(monkeypatch, out: Path, readable: bool) -> None:
    """The tests run as root, which may do anything: refuse what another user's folder (0755, or
    0700 when not `readable`) refuses, at the system calls."""
    real_open, real_scandir, real_listdir = os.open, os.scandir, os.listdir
    inside = str(out)

    def under(path) -> bool:
        path = os.fsdecode(path) if not isinstance(path, int) else ""
        return path == inside or path.startswith(inside + os.sep)

    def refused(path):
        return OSError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))

    def open_(path, flags, *args, **kwargs):
        writes = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        if under(path) and (writes or not readable):
            raise refused(path)
        return real_open(path, flags, *args, **kwargs)

    def scandir(path="."):
        if under(path) and not readable:
            raise refused(path)
        return real_scandir(path)

    def listdir(path="."):
        if under(path) and not readable:
            raise refused(path)
        return real_listdir(path)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", listdir)


def test_status_and_preview_on_another_users_outputs_folder(tmp_path, monkeypatch):
    out = tmp_path / "out"
    published(out)
    with monkeypatch.context() as patched:
        foreign(patched, out, readable=True)
        status = runner.invoke(app, ["status", "--out", str(out)])
        preview = runner.invoke(app, ["preview", "--out", str(out)])
    assert status.exit_code == 0, status.output  # it may read it: it reports
    assert "latest 20260101T000000Z-000001" in status.stdout
    assert preview.exit_code == ExitCode.NOT_WRITABLE, preview.output
    assert "permission denied" in one_error_line(preview.stderr) and "--dest" in preview.stderr
    with monkeypatch.context() as patched:
        foreign(patched, out, readable=False)
        results = [
            runner.invoke(app, [*args, str(out)]) for args in (["status", "--out"], ["verify"], ["preview", "--out"])
        ]
    for result in results:
        assert result.exit_code == ExitCode.NOT_WRITABLE, result.output
        assert "permission denied" in one_error_line(result.stderr)


@pytest.mark.parametrize("command", ["status", "verify", "prune", "preview"])
def test_a_file_where_the_outputs_folder_should_be_is_one_line(tmp_path, command):
    out = tmp_path / "out"
    out.write_text("not a folder")
    args = [command, str(out)] if command == "verify" else [command, "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == ExitCode.NOT_WRITABLE, result.output
    assert "is not a folder" in one_error_line(result.stderr)


def test_a_missing_outputs_folder(tmp_path):
    out = tmp_path / "none"
    assert "no outputs yet" in runner.invoke(app, ["status", "--out", str(out)]).stdout
    for args in (["verify", str(out)], ["prune", "--out", str(out)], ["preview", "--out", str(out)]):
        result = runner.invoke(app, args)
        assert result.exit_code == ExitCode.USAGE, result.output
        one_error_line(result.stderr)
    assert not out.exists()


def test_the_lock_probe_creates_nothing_and_sees_a_holder(tmp_path):
    from jobs.outputs.lock import RunLock

    assert running_holder(tmp_path) is None and not (tmp_path / LOCK_NAME).exists()
    with RunLock(tmp_path, "20260101T000000Z-abcdef"):
        assert running_holder(tmp_path)["run_id"] == "20260101T000000Z-abcdef"
    assert running_holder(tmp_path) is None


@pytest.mark.parametrize("kind", ["a folder", "under a file"])
def test_cache_in_the_way_is_refused_before_the_outputs_folder_is_made(tmp_path, tiny_models, tiny_config, kind):
    out = tmp_path / "out"
    if kind == "a folder":
        cache = tmp_path / "cachedir"
        cache.mkdir()
    else:
        (tmp_path / "blocker").write_text("a file")
        cache = tmp_path / "blocker" / "c.sqlite3"
    result = runner.invoke(app, job_args(tiny_models, tiny_config, out, "--cache", str(cache)))
    assert result.exit_code == ExitCode.NOT_WRITABLE, result.output
    assert ("is a folder" if kind == "a folder" else "a file is where a folder should be") in one_error_line(
        result.stderr
    )
    assert not out.exists()


def test_a_bad_yaml_config_is_one_line_with_line_and_column(tmp_path):
    config = tmp_path / "models.yaml"
    config.write_text("retention:\n  keep: 24\n  keep_days: [7\nlanguages: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["prune", "--out", str(tmp_path), "--config", str(config)])
    assert result.exit_code == ExitCode.USAGE, result.output
    line = one_error_line(result.stderr)
    assert line.startswith(f"error: {config}:4:10: not valid YAML") and "\n" not in line


# ---------------------------------------------------------------------- the atomic-write helper


def test_atomic_write_replaces_whole_files_readable_by_others(tmp_path):
    target = tmp_path / "index.json"
    target.write_text("old")
    previous = os.umask(0o022)
    try:
        atomic_write(target, '{"new": "ü"}')
    finally:
        os.umask(previous)
    assert target.read_text(encoding="utf-8") == '{"new": "ü"}'
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # not mkstemp's 0600: a web server reads it
    assert temporaries(tmp_path, "index.json") == []


def test_atomic_write_on_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    with small_disk(tmp_path / "disk", "1m") as disk:
        target = disk / "index.json"
        target.write_text("old")
        filler = fill(disk)
        with pytest.raises(OSError) as caught:
            atomic_write(target, "x" * 100_000)
        assert caught.value.errno == errno.ENOSPC
        assert target.read_text() == "old" and temporaries(disk, "index.json") == []
        filler.unlink()


def test_temporaries_of_killed_writers_are_found_and_removed(tmp_path):
    (tmp_path / ".index.json.4242").write_text("{half")  # as earlier versions named it
    (tmp_path / ".index.json.4242-abcdef.tmp").write_text("{half")
    (tmp_path / ".index.json.keep").write_text("someone else's")
    assert len(remove_temporaries(tmp_path, "index.json")) == 2
    assert [p.name for p in tmp_path.iterdir()] == [".index.json.keep"]


def test_status_with_a_lock_file_it_may_not_open_still_reports(tmp_path, monkeypatch):
    out = tmp_path / "out"
    published(out)
    real_open = os.open

    def open_(path, flags, *args, **kwargs):
        if os.fsdecode(path) == str(out / LOCK_NAME):  # another user's 0600 lock file
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    status = runner.invoke(app, ["status", "--out", str(out)])
    assert status.exit_code == 0, status.output
    assert "run in progress: cannot tell" in status.stdout and "latest 20260101T000000Z-000001" in status.stdout
