"""Issue 13, item 1: only a damaged cache is moved aside; every other cache problem is named."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from jobs.errors import ConfigError, DiskFull, ExitCode, LockHeld, NotWritable
from jobs.stages import cache as cache_module
from jobs.stages.cache import Cache, Cached, check_cache_place
from tests.faults import fill, remount, small_disk


def filled_cache(path, n=20):
    cache = Cache(path)
    cache.put_many("model", [(f"text {i}", Cached(f"out {i}", False)) for i in range(n)])
    cache.close()


def rows(path) -> int:
    return sqlite3.connect(path).execute("SELECT count(*) FROM outputs").fetchone()[0]


def test_a_file_that_is_not_a_database_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"not a database" * 200)
    cache = Cache(path)
    assert cache.rebuilt_from is not None and cache.rebuilt_from.read_bytes().startswith(b"not a database")
    cache.close()
    assert rows(path) == 0


def test_a_healthy_cache_locked_by_another_process_is_named_and_left_in_place(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite3"
    filled_cache(path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3,sys,time; db=sqlite3.connect(sys.argv[1], isolation_level=None);"
            "db.execute('BEGIN EXCLUSIVE'); print('held', flush=True); time.sleep(30)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(cache_module, "BUSY_TIMEOUT_S", 0.5)
        started = time.monotonic()
        with pytest.raises(LockHeld, match="locked by another process") as caught:
            cache = Cache(path)  # reading goes on beside a writer (WAL); the write waits, then says so
            assert len(cache.get_many("model", ["text 1"])) == 1
            cache.put_many("model", [("new", Cached("new", False))])
        assert time.monotonic() - started >= 0.4  # it waited before giving up
        assert caught.value.exit_code == ExitCode.LOCKED
    finally:
        holder.kill()
        holder.wait()
    assert not list(tmp_path.glob("*.corrupt-*"))
    assert rows(path) == 20


def test_a_folder_named_as_the_cache_is_refused_and_not_renamed(tmp_path):
    folder = tmp_path / "cachedir"
    folder.mkdir()
    (folder / "other.txt").write_text("keep me")
    with pytest.raises(NotWritable, match="is a folder; --cache must name a file"):
        Cache(folder)
    assert (folder / "other.txt").read_text() == "keep me"
    assert list(tmp_path.iterdir()) == [folder]


@pytest.mark.parametrize(
    ("relative", "ok"),
    [
        (".cache/jobs.sqlite3", True),
        ("cache.sqlite3", True),
        (".cache", False),
        ("index.json", False),
        ("ru/cache.sqlite3", False),
        ("ru/latest/c.db", False),
    ],
)
def test_a_cache_inside_the_outputs_folder_must_be_a_file_in_a_hidden_folder(tmp_path, relative, ok):
    out = tmp_path / "out"
    if ok:
        check_cache_place(out / relative, out)
    else:
        with pytest.raises(ConfigError, match="inside the outputs folder"):
            check_cache_place(out / relative, out)
    check_cache_place(tmp_path / "elsewhere.sqlite3", out)


def test_only_the_newest_moved_aside_cache_is_kept(tmp_path):
    path = tmp_path / "c.sqlite3"
    for stamp in (100, 200, 300):
        old = tmp_path / f"c.sqlite3.corrupt-{stamp}"
        old.write_bytes(b"x")
        os.utime(old, (stamp, stamp))
    path.write_bytes(b"not a database" * 200)
    cache = Cache(path)
    cache.close()
    assert [p.name for p in tmp_path.glob("c.sqlite3.corrupt-*")] == [cache.rebuilt_from.name]


def test_a_read_only_cache_is_named_not_moved_aside(tmp_path):
    with small_disk(tmp_path / "disk", "4m") as disk:
        path = disk / "c.sqlite3"
        filled_cache(path)
        remount(disk, "ro")
        with pytest.raises(NotWritable, match="read-only|cannot be opened"):
            cache = Cache(path)
            cache.put_many("model", [("new", Cached("new", False))])
        remount(disk, "rw")
        assert not list(disk.glob("*.corrupt-*"))
        assert rows(path) == 20


def test_a_full_disk_is_named_and_the_cache_stays_intact(tmp_path):
    with small_disk(tmp_path / "disk", "2m") as disk:
        path = disk / "c.sqlite3"
        filled_cache(path)
        filler = fill(disk)
        with pytest.raises(DiskFull, match="no space left"):
            cache = Cache(path)
            cache.put_many("model", [(f"big {i}", Cached("y" * 5000, False)) for i in range(200)])
        assert not list(disk.glob("*.corrupt-*"))
        filler.unlink()
        assert rows(path) == 20
        again = Cache(path)  # and usable again once there is space
        assert len(again.get_many("model", [f"text {i}" for i in range(20)])) == 20
        again.close()
