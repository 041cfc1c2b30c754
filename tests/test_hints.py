"""Fix hints that fix: every command or flag a model error names is run here, and either works or
fails with one clear line (no network here, so a download fails: naming the proxy it went through)."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys

import pytest

from jobs.errors import ExitCode
from tests.conftest import REPO, SEED_PAGE


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """An empty Hugging Face cache, no proxy or offline flag inherited."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "HTTP", "http", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"))
    }
    return {**clean, "HF_HOME": str(tmp_path / "hf-home"), "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}


def jobs(args: list[str], env: dict[str, str], cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jobs", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def error_line(done: subprocess.CompletedProcess) -> str:
    lines = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, done.stderr
    return lines[0]


def hinted_command(message: str) -> list[str]:
    """The command a message says to run (the one in backticks), as argv after `-m jobs`."""
    found = re.findall(r"`([^`]+)`", message)
    assert len(found) == 1, message
    argv = shlex.split(found[0])
    assert argv[:3] == [sys.executable, "-m", "jobs"] or argv[:3] == ["python", "-m", "jobs"], argv
    return argv[3:]


def run_args(tiny_config, tiny_models, out, *models: str) -> list[str]:
    args = ["run", "--config", str(tiny_config), "--lang", "ru", "--summary-model", str(tiny_models["summary"])]
    for model in models:
        args += ["--model", model]
    return [*args, "--input", str(SEED_PAGE), "--out", str(out)]


def test_a_named_hub_model_hint_pulls_that_model_and_names_the_proxy(tmp_path, tiny_config, tiny_models, env):
    proxy = f"127.0.0.1:{closed_port()}"
    env["HTTPS_PROXY"] = f"http://editor:s3cret@{proxy}"
    out = tmp_path / "out"
    done = jobs(run_args(tiny_config, tiny_models, out, "ru=nonexistent/model@v2"), env)
    assert done.returncode == ExitCode.MISSING_MODEL, done.stderr
    message = error_line(done)
    assert f"http://{proxy}" in message and "HTTPS_PROXY" in message and "s3cret" not in message
    assert not out.exists()
    pull = hinted_command(message)
    assert pull == ["models", "pull", "--model", "nonexistent/model@v2"]  # that model, not the registry's
    # Run as told: the hub cannot be reached through that proxy, and the one line says so.
    pulled = jobs(pull, env)
    assert pulled.returncode == ExitCode.MISSING_MODEL and pulled.stdout == ""
    line = error_line(pulled)
    assert "cannot be reached through the proxy" in line and f"http://{proxy}" in line and "HTTPS_PROXY" in line
    # With HF_HUB_OFFLINE=1 the same command says what to unset.
    offline = jobs(pull, {**env, "HF_HUB_OFFLINE": "1"})
    assert offline.returncode == ExitCode.USAGE and "unset it" in error_line(offline)


def test_no_proxy_set_says_so(tmp_path, tiny_config, tiny_models, env):
    env["HF_ENDPOINT"] = f"http://127.0.0.1:{closed_port()}"
    done = jobs(run_args(tiny_config, tiny_models, tmp_path / "out", "ru=nonexistent/model"), env)
    assert done.returncode == ExitCode.MISSING_MODEL, done.stderr
    message = error_line(done)
    assert "no HTTPS_PROXY, HTTP_PROXY or ALL_PROXY is set" in message
    assert hinted_command(message) == ["models", "pull", "--model", "nonexistent/model"]


def test_a_mistyped_folder_hint_names_the_folder_and_the_flag_that_fixes_it(tmp_path, tiny_config, tiny_models, env):
    env["HF_HUB_OFFLINE"] = "1"
    typo = tiny_models["ru"].with_name(tiny_models["ru"].name + "x")
    out = tmp_path / "out"
    done = jobs(run_args(tiny_config, tiny_models, out, f"ru={typo}"), env)
    assert done.returncode == ExitCode.MISSING_MODEL, done.stderr
    message = error_line(done)
    assert f"did you mean {tiny_models['ru']}?" in message
    fix = message.split(". Fix: ", 1)[1]
    assert not fix.startswith("or ") and "--model ru=FOLDER" in fix and "`" not in fix  # nothing to pull
    # The flag it names, with the folder it suggests, runs the job.
    suggested = message.split("did you mean ", 1)[1].split("?", 1)[0]
    fixed = jobs(run_args(tiny_config, tiny_models, out, f"ru={suggested}"), env)
    assert fixed.returncode == 0, fixed.stderr


def test_models_pull_model_refuses_folders_and_lang_pairs(tmp_path, tiny_models, env):
    for value, said in ((str(tiny_models["ru"]), "needs no pulling"), ("ru=Helsinki-NLP/opus-mt-en-ru", "LANG=")):
        done = jobs(["models", "pull", "--model", value], env)
        assert done.returncode == ExitCode.USAGE and said in error_line(done), done.stderr
