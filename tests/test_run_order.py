"""Order of a run: options and config, device, every model, lock, read (network), work.

Cheap failures create nothing in the outputs folder; a locked-out run fetches nothing.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

import jobs.backends.device
from jobs.cli import app
from jobs.errors import ExitCode
from jobs.outputs.lock import RunLock

GOOD = "Harbour reopens\n\nThe harbour reopened on Monday after two months of repairs.\n"


class _Counting(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.hits += 1  # type: ignore[attr-defined]
        body = b"<html><head><title>Page</title></head><body><p>Some text of a page.</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def counting_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    server.hits = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def good_input(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "good.txt"
    path.parent.mkdir()
    path.write_text(GOOD, encoding="utf-8")
    return path


def run(tiny_config: Path, tiny_models: dict[str, Path], out: Path, *extra: str, ru: Path | None = None):
    args = ["run", "--config", str(tiny_config), "--out", str(out), "--lang", "ru"]
    args += ["--model", f"ru={ru or tiny_models['ru']}", "--summary-model", str(tiny_models["summary"]), *extra]
    return CliRunner().invoke(app, args)


def broken_copy(source: Path, target: Path, damage: str) -> Path:
    shutil.copytree(source, target)
    if damage == "config":
        (target / "config.json").write_text('{"model_type": "marian", ', encoding="utf-8")  # cut short
    elif damage == "tokenizer":
        spm = next(target.glob("*.spm"))
        spm.write_bytes(spm.read_bytes()[:300])
    elif damage == "weights":
        (target / "model.safetensors").unlink()
    return target


@pytest.mark.parametrize("damage", ["config", "tokenizer", "weights"])
def test_a_broken_model_folder_fails_before_anything_is_created(
    damage, tmp_path, tiny_models, tiny_config, good_input
) -> None:
    broken = broken_copy(tiny_models["ru"], tmp_path / "broken-ru", damage)
    out = tmp_path / "out"
    result = run(tiny_config, tiny_models, out, "--input", str(good_input), ru=broken)
    assert result.exit_code == ExitCode.MISSING_MODEL, result.output
    assert str(broken) in result.output and "(for ru)" in result.output
    assert not out.exists()


def test_every_unusable_model_is_named_at_once(tmp_path, tiny_models, tiny_config, good_input) -> None:
    broken = broken_copy(tiny_models["ru"], tmp_path / "broken-ru", "config")
    out = tmp_path / "out"
    args = ["run", "--config", str(tiny_config), "--out", str(out), "--lang", "ru", "--lang", "kk"]
    args += ["--model", f"ru={broken}", "--model", f"kk={tmp_path / 'no-such-model'}"]
    args += ["--summary-model", str(tmp_path / "no-summary"), "--input", str(good_input)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == ExitCode.MISSING_MODEL, result.output
    assert "3 model(s) cannot be loaded" in result.output
    for name in ("broken-ru", "no-such-model", "no-summary"):
        assert name in result.output
    assert not out.exists()


@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_a_missing_gpu_fails_before_anything_is_created(
    device, monkeypatch, tmp_path, tiny_models, tiny_config, counting_server
) -> None:
    monkeypatch.setattr(jobs.backends.device, "cuda_device_count", lambda: 0 if device == "cuda" else 1)
    out = tmp_path / "out"
    url = f"http://127.0.0.1:{counting_server.server_port}/page.html"
    result = run(tiny_config, tiny_models, out, "--device", device, "--input", url)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"--device {device}: this machine has" in result.output
    assert not out.exists() and counting_server.hits == 0


def test_a_missing_input_path_fails_before_anything_is_created(tmp_path, tiny_models, tiny_config) -> None:
    out = tmp_path / "out"
    result = run(tiny_config, tiny_models, out, "--input", str(tmp_path / "nowhere.jsonl"))
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "nowhere.jsonl" in result.output and not out.exists()


def test_a_locked_out_run_fetches_nothing(tmp_path, tiny_models, tiny_config, counting_server) -> None:
    out = tmp_path / "out"
    url = f"http://127.0.0.1:{counting_server.server_port}/page.html"
    with RunLock(out, "20260101T000000Z-000000"):
        result = run(tiny_config, tiny_models, out, "--input", url)
    assert result.exit_code == ExitCode.LOCKED, result.output
    assert "another run holds the lock" in result.output
    assert counting_server.hits == 0
    assert not (out / ".cache").exists() and not (out / "ru").exists()


def test_checks_pass_then_the_run_reads_under_the_lock(tmp_path, tiny_models, tiny_config, good_input) -> None:
    """The same run, unlocked, gets through every check and publishes."""
    out = tmp_path / "out"
    result = run(tiny_config, tiny_models, out, "--input", str(good_input))
    assert result.exit_code == ExitCode.OK, result.output
    manifest = json.loads(((out / "ru" / "latest").resolve() / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["articles"] == 1
