"""Issue 13, item 1: only a damaged cache is moved aside; every other cache problem is named."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from jobs.config import Retention
from jobs.errors import ConfigError, DiskFull, ExitCode, LockHeld, NotWritable
from jobs.stages import cache as cache_module
from jobs.stages import cache_retention
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


# ---------------------------------------------------------------------- retention (issue 23)

DAY = 86400.0


def aged_cache(path, monkeypatch, ages_days: dict[str, float]) -> None:
    """One entry per text, each written `age` days ago."""
    now = time.time()
    cache = Cache(path)
    for text, age in ages_days.items():
        monkeypatch.setattr(cache_module.time, "time", lambda age=age: now - age * DAY)
        cache.put_many("model", [(text, Cached("x" * 1000, False))])
    monkeypatch.undo()
    cache.close()


def kept(path) -> set[str]:
    cache = Cache(path, reuse=True)
    texts = {f"text {i}" for i in range(10)} | {"old", "new", "used"}
    found = set(cache.get_many("model", texts, count=False))
    cache.close()
    return found


def test_cache_entries_unused_for_n_days_go_and_a_read_counts_as_use(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite3"
    aged_cache(path, monkeypatch, {"old": 40, "used": 40, "new": 1})
    cache = Cache(path)
    assert set(cache.get_many("model", ["used"])) == {"used"}  # a run read it today
    cache.close()
    done = cache_retention.prune_cache(path, unused_days=30, max_bytes=None)
    assert (done.unused, done.over_size) == (1, 0) and done.bytes_after < done.bytes_before
    assert kept(path) == {"used", "new"}


def test_cache_over_its_size_cap_loses_the_least_recently_used_first(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite3"
    aged_cache(path, monkeypatch, {f"text {i}": 10 - i for i in range(10)})  # text 9 is the newest
    per_entry = cache_retention.prune_cache(path, None, None).bytes_before // 10
    done = cache_retention.prune_cache(path, unused_days=None, max_bytes=per_entry * 4 + 10)
    assert done.over_size == 6 and done.bytes_after <= per_entry * 4 + 10
    assert kept(path) == {f"text {i}" for i in range(6, 10)}


def test_a_cache_mostly_freed_is_compacted_on_disk(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite3"
    now = time.time()
    cache = Cache(path)
    monkeypatch.setattr(cache_module.time, "time", lambda: now - 100 * DAY)
    cache.put_many("model", [(f"t{i}", Cached("y" * 4000, False)) for i in range(500)])
    monkeypatch.undo()
    cache.close()
    before = path.stat().st_size + (
        path.with_name(path.name + "-wal").stat().st_size if path.with_name(path.name + "-wal").exists() else 0
    )
    done = cache_retention.prune_cache(path, unused_days=30, max_bytes=None)
    assert done.unused == 500 and done.file_bytes < before / 10


def test_a_read_only_cache_is_still_read_though_its_use_cannot_be_recorded(tmp_path, monkeypatch, caplog):
    import logging

    path = tmp_path / "c.sqlite3"
    aged_cache(path, monkeypatch, {f"text {i}": 2 for i in range(20)})  # last used two days ago
    monkeypatch.setattr(logging.getLogger("jobs"), "handlers", [caplog.handler])
    cache = Cache(path)
    real = cache._db

    class ReadOnly:
        """The connection, refusing writes as SQLite does on a read-only file."""

        def __getattr__(self, name):
            return getattr(real, name)

        def __enter__(self):
            return real.__enter__()

        def __exit__(self, *exc):
            return real.__exit__(*exc)

        def executemany(self, sql, *args):
            raise sqlite3.OperationalError("attempt to write a readonly database")

    cache._db = ReadOnly()
    assert len(cache.get_many("model", [f"text {i}" for i in range(20)])) == 20
    assert "could not record which entries were used" in caplog.text
    cache.close()


def test_trim_cache_logs_a_cache_it_cannot_trim_instead_of_failing(tmp_path, caplog, monkeypatch):
    import logging

    monkeypatch.setattr(logging.getLogger("jobs"), "handlers", [caplog.handler])
    path = tmp_path / "c.sqlite3"
    filled_cache(path)
    monkeypatch.setattr(
        cache_retention, "prune_cache", lambda *a: (_ for _ in ()).throw(NotWritable(f"cache {path} is read-only"))
    )
    assert cache_retention.trim_cache(path, Retention()) is None
    assert "cache retention: cache" in caplog.text
