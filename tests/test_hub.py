"""Hub access is bounded: a hung proxy or no network fails in seconds, naming every missing model and one fix."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from typer.testing import CliRunner

from jobs.cli import app
from jobs.config import ModelSpec
from jobs.errors import ExitCode, ModelNotAvailable
from jobs.models import hub
from tests.conftest import REPO, SEED_PAGE

runner = CliRunner()
DEFAULT_SUMMARY = "sshleifer/distilbart-cnn-12-6"
DEFAULT_RU = "Helsinki-NLP/opus-mt-en-ru"


@pytest.fixture
def black_hole():
    """A loopback listener that accepts connections and never answers: a hung proxy."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def closed_port() -> int:
    """A loopback port nothing listens on: connections are refused, as with no network."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run_uncached(tmp_path, **env_extra: str) -> tuple[subprocess.CompletedProcess, float]:
    """`python -m jobs run --lang ru` with an empty HF cache and HF_HUB_OFFLINE unset."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HTTP", "http", "NO_PROXY", "no_proxy"))}
    env.update({"HF_HOME": str(tmp_path / "hf-home"), "PYTHONPATH": str(REPO), **env_extra})
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jobs",
            "run",
            "--lang",
            "ru",
            "--input",
            str(SEED_PAGE),
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return done, time.monotonic() - started


def _assert_one_paragraph_naming_every_model(done: subprocess.CompletedProcess, elapsed: float, tmp_path) -> None:
    assert done.returncode == ExitCode.MISSING_MODEL, done.stderr
    assert elapsed < 30, f"took {elapsed:.0f} s"
    lines = [line for line in done.stderr.splitlines() if line.strip() and "Z INFO " not in line]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr  # no raw retry lines
    message = lines[0]
    assert DEFAULT_SUMMARY in message and DEFAULT_RU in message
    pull = f"models pull --model {DEFAULT_SUMMARY} --model {DEFAULT_RU}`"  # exactly these (tests/test_hints.py runs it)
    assert f"`{sys.executable} -m jobs {pull}" in message or f"`python -m jobs {pull}" in message
    assert done.stdout == ""
    assert not (tmp_path / "out").exists()


def test_black_holed_proxy_fails_within_30_s(tmp_path, black_hole):
    done, elapsed = _run_uncached(tmp_path, HTTPS_PROXY=black_hole, HTTP_PROXY=black_hole)
    _assert_one_paragraph_naming_every_model(done, elapsed, tmp_path)
    assert "cannot be reached" in done.stderr


def test_no_network_without_hf_hub_offline_fails_within_30_s(tmp_path):
    done, elapsed = _run_uncached(tmp_path, HF_ENDPOINT=f"http://127.0.0.1:{closed_port()}")
    _assert_one_paragraph_naming_every_model(done, elapsed, tmp_path)


def test_every_missing_model_in_one_message_with_one_pull_command(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path))
    models = {
        "summary": ModelSpec(model=DEFAULT_SUMMARY),
        "ru": ModelSpec(model=f"{DEFAULT_RU}@abc123"),
        "kk": ModelSpec(model=str(tmp_path / "no-such-folder")),
        "en": None,
    }
    with pytest.raises(ModelNotAvailable) as info:
        hub.check_all_available(models)
    message = str(info.value)
    assert message.startswith("3 model(s) cannot be loaded")
    assert f"{DEFAULT_RU}@abc123" in message and DEFAULT_SUMMARY in message and "no-such-folder" in message
    # The folder cannot be pulled: not in the command; the pinned revision is.
    assert f"models pull --model {DEFAULT_SUMMARY} --model {DEFAULT_RU}@abc123`" in message
    assert "--summary-model FOLDER" in message and "--model kk=FOLDER" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("args", "pulled"),
    [
        (["--lang", "ru"], ["ru"]),
        (["--summary"], ["summary"]),
        (["--summary", "--lang", "kk"], ["kk", "summary"]),
        ([], ["en", "ru", "zh", "kk", "summary"]),
    ],
)
def test_models_pull_fetches_exactly_what_was_named(monkeypatch, args, pulled):
    got: list[str] = []
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(hub, "hub_unreachable", lambda: None)
    monkeypatch.setattr(hub, "pull_model", lambda spec: got.append(spec.model) or REPO)
    result = runner.invoke(app, ["models", "pull", *args])
    assert result.exit_code == 0, result.output
    roles = [line.split(":")[0] for line in result.output.splitlines() if "pulling" in line]
    assert roles == [role for role in pulled if role != "en"]  # the source language has no model
