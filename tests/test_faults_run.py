"""Issue 13 end to end (tiny real models): environment errors, odd states, languages in step,
damage found by verify and repaired by --skip-unchanged, SIGHUP, prune."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from jobs.errors import DiskFull, ExitCode
from jobs.outputs import publication
from jobs.outputs.bundle import kept_bundles, latest_bundle
from jobs.outputs.verify import verify_bundle
from jobs.pipeline import run_job
from tests.conftest import REPO, SEED_PAGE
from tests.faults import fill, remount, small_disk
from tests.test_cron import RUN_ENV, config_for, job_args, run_until

runner = CliRunner()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jobs", *args], capture_output=True, text=True, cwd=REPO, env=RUN_ENV, timeout=300
    )


def one_error_line(result) -> str:
    """The run's stderr holds exactly one `error:` line and no traceback; return it."""
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_out_naming_a_file_is_one_line_in_the_log_and_on_stderr(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    out.write_text("a file, not a folder")
    log_file = tmp_path / "jobs.log"
    result = cli("--log-file", str(log_file), *job_args(tiny_models, tiny_config, out))
    assert result.returncode == ExitCode.NOT_WRITABLE, result.stderr
    line = one_error_line(result)
    assert str(out) in line and "move it away, or choose another path" in line
    assert f"ERROR {line.removeprefix('error: ')}" in log_file.read_text(encoding="utf-8")  # one level word


@pytest.mark.parametrize("kind", ["folder", "missing-parent-is-a-file"])
def test_an_unwritable_log_file_is_named(tmp_path, kind):
    if kind == "folder":
        log_file = tmp_path / "logs"
        log_file.mkdir()
    else:
        (tmp_path / "blocker").write_text("x")
        log_file = tmp_path / "blocker" / "jobs.log"
    result = cli("--log-file", str(log_file), "status", "--out", str(tmp_path / "none"))
    assert result.returncode == ExitCode.NOT_WRITABLE
    assert "log-file" in one_error_line(result)


def test_a_read_only_outputs_folder_is_named(tmp_path, tiny_models, tiny_config):
    with small_disk(tmp_path / "disk", "4m") as disk:
        (disk / "out").mkdir()
        remount(disk, "ro")
        result = cli(*job_args(tiny_models, tiny_config, disk / "out", "--cache", str(tmp_path / "c.sqlite3")))
        remount(disk, "rw")
    assert result.returncode == ExitCode.NOT_WRITABLE, result.stderr
    line = one_error_line(result)
    assert str(disk / "out") in line and "read-only file system" in line


def test_a_full_disk_refuses_the_run_and_keeps_the_bundle_and_cache(tmp_path, tiny_models, tiny_config):
    with small_disk(tmp_path / "disk", "3m") as disk:
        out = disk / "out"
        assert cli(*job_args(tiny_models, tiny_config, out)).returncode == 0
        before = latest_bundle(out, "ru")
        cached = sqlite3.connect(out / ".cache" / "jobs.sqlite3").execute("SELECT count(*) FROM outputs").fetchone()
        filler = fill(disk)
        result = cli(*job_args(tiny_models, tiny_config, out, "--force"))
        assert result.returncode == ExitCode.DISK_FULL, result.stderr
        assert "free space" in one_error_line(result)
        filler.unlink()
        assert latest_bundle(out, "ru") == before and not verify_bundle(before)
        db = sqlite3.connect(out / ".cache" / "jobs.sqlite3")
        assert db.execute("SELECT count(*) FROM outputs").fetchone() == cached
        assert not list((out / ".cache").glob("*.corrupt-*"))


def test_disk_full_while_writing_a_later_language_moves_no_language(tmp_path, tiny_models, tiny_config, monkeypatch):
    out = tmp_path / "out"
    config = config_for(tiny_models, tiny_config, out, SEED_PAGE)
    config = config.model_copy(update={"langs": ["ru", "kk"], "models": {**config.models, "kk": config.models["ru"]}})
    run_job(config)
    before = {lang: latest_bundle(out, lang) for lang in ("ru", "kk")}
    real = publication.write_bundle

    def write(out_dir, lang, *args, **kwargs):
        if lang == "kk":
            raise DiskFull(f"{out_dir / lang}: no space left on the device")
        return real(out_dir, lang, *args, **kwargs)

    monkeypatch.setattr(publication, "write_bundle", write)
    with pytest.raises(DiskFull):
        run_job(config.model_copy(update={"force": True}))
    for lang in ("ru", "kk"):
        assert latest_bundle(out, lang) == before[lang]
        assert kept_bundles(out / lang) == [before[lang]]  # the new ru bundle was removed


def test_a_latest_folder_is_moved_aside_and_the_run_publishes(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    (out / "ru" / "latest").mkdir(parents=True)
    result = cli(*job_args(tiny_models, tiny_config, out))
    assert result.returncode == 0, result.stderr
    assert "was a folder, not the job's own; moved it aside" in result.stderr
    assert latest_bundle(out, "ru") is not None


def test_cache_naming_the_cache_folder_is_refused_and_nothing_renamed(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    assert cli(*job_args(tiny_models, tiny_config, out)).returncode == 0
    listing = sorted(p.name for p in (out / ".cache").iterdir())
    result = cli(*job_args(tiny_models, tiny_config, out, "--cache", str(out / ".cache")))
    assert result.returncode == ExitCode.USAGE, result.stderr
    assert "inside the outputs folder" in one_error_line(result)
    assert sorted(p.name for p in (out / ".cache").iterdir()) == listing
    assert cli(*job_args(tiny_models, tiny_config, out)).returncode == 0  # and later runs still work


def test_damage_is_found_by_verify_and_status_and_republished_by_skip_unchanged(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    assert cli(*job_args(tiny_models, tiny_config, out)).returncode == 0
    damaged = latest_bundle(out, "ru")
    jsonl = damaged / "articles.jsonl"
    jsonl.write_bytes(jsonl.read_bytes()[:100])
    result = cli("verify", str(out))
    assert result.returncode == ExitCode.DAMAGED
    assert f"{damaged}: DAMAGED" in result.stdout and "articles.jsonl:" in result.stdout
    assert "DAMAGED" in cli("status", "--out", str(out)).stdout
    again = cli(*job_args(tiny_models, tiny_config, out, "--skip-unchanged"))
    assert again.returncode == 0, again.stderr
    assert "is damaged" in again.stderr
    assert latest_bundle(out, "ru") != damaged and not verify_bundle(latest_bundle(out, "ru"))
    assert cli("verify", str(out), "--lang", "ru").returncode == ExitCode.DAMAGED  # the old one is still kept
    assert cli("prune", "--out", str(out), "--keep", "1").returncode == 0
    assert cli("verify", str(out)).returncode == 0


def test_sighup_is_handled_like_sigterm(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    code, log = run_until(job_args(tiny_models, tiny_config, out), "translate ru: ", RUN_ENV, signal.SIGHUP)
    assert code == ExitCode.INTERRUPTED, log
    assert "interrupted" in log
    assert latest_bundle(out, "ru") is None


def test_status_shows_disk_used(tmp_path, tiny_models, tiny_config):
    out = tmp_path / "out"
    assert cli(*job_args(tiny_models, tiny_config, out)).returncode == 0
    assert "MB used by" in cli("status", "--out", str(out)).stdout
