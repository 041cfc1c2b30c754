"""`jobs shell-init`: in real bash and zsh, `jobs run ...` reaches the program and job control keeps working."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from jobs.cli import app
from jobs.cli.shell import BUILTIN_FLAGS, program_words
from jobs.config import PROGRAM_ENV, program_command
from tests.conftest import REPO

runner = CliRunner()

# Each step of the session prints a marker, then its output: a background job, the builtin's
# listing forms, then the program's own words.
STEPS = {
    "jobs": "jobs",
    "jobs -l": "jobs -l",
    "jobs %1": "jobs %1",
    "run": "jobs run --help",
    "help": "jobs --help",
    "global": "jobs --verbose status --out /nonexistent-outputs",
    "version": "jobs --version",
}


def _session(shell: str) -> str:
    steps = "; ".join(f"printf '%s\\n' '--{name}--'; {command}" for name, command in STEPS.items())
    return f"sleep 30 & {';' if shell == 'fish' else ''} {steps}; kill {'$last_pid' if shell == 'fish' else '%1'}"


def _shell(shell: str, tmp_path) -> str:
    """Run the session in an interactive `shell` whose rc file holds the README's line."""
    if shutil.which(shell) is None:
        if os.environ.get("JOBS_REQUIRE_SHELLS"):
            pytest.fail(f"{shell} is not installed (.ci/run installs it)")
        pytest.skip(f"{shell} is not installed")
    init = f"{sys.executable} -m jobs shell-init {shell}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop(PROGRAM_ENV, None)
    if shell == "bash":
        rc = tmp_path / "bashrc"
        argv = ["bash", "--rcfile", str(rc), "-i", "-c", _session(shell)]
    elif shell == "zsh":
        rc = tmp_path / ".zshrc"
        env["ZDOTDIR"] = str(tmp_path)
        argv = ["zsh", "-i", "-c", _session(shell)]
    else:
        rc = tmp_path / "fish" / "config.fish"
        env["XDG_CONFIG_HOME"] = str(tmp_path)
        argv = ["fish", "-i", "-c", _session(shell)]
    rc.parent.mkdir(parents=True, exist_ok=True)
    rc.write_text(f"{init} | source\n" if shell == "fish" else f'eval "$({init})"\n', encoding="utf-8")
    done = subprocess.run(
        argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _section(out: str, name: str) -> str:
    return out.split(f"--{name}--\n", 1)[1].split("\n--", 1)[0]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_function_in_a_real_shell(shell, tmp_path):
    out = _shell(shell, tmp_path)
    for builtin in ("jobs", "jobs -l", "jobs %1"):
        listing = _section(out, builtin)
        assert "sleep 30" in listing, (builtin, out)
    if shell != "fish":  # fish's -l is --last; bash's and zsh's add the pid
        assert any(word.isdigit() for word in _section(out, "jobs -l").split()), out
    run_help = _section(out, "run")
    assert run_help.startswith("Usage: jobs run [OPTIONS]"), out  # the program, named as typed
    assert "--lang" in run_help
    assert "shell-init" in _section(out, "help")  # the program's help, not the builtin's
    assert "/nonexistent-outputs" in _section(out, "global")  # a global option reaches the program
    assert _section(out, "version").startswith("jobs ")


@pytest.mark.parametrize("shell", sorted(BUILTIN_FLAGS))
def test_function_routes_every_command_and_keeps_builtin_flags(shell):
    result = runner.invoke(app, ["shell-init", shell])
    assert result.exit_code == 0, result.output
    words = program_words(shell)
    for command in ("run", "status", "models", "eval", "preview", "shell-init"):
        assert command in words
        assert command in result.output
    assert not set(words) & BUILTIN_FLAGS[shell]  # `jobs -l` stays the shell's
    assert f"{PROGRAM_ENV}=jobs command {program_command(full_path=True)}" in result.output


def test_unknown_shell_is_a_usage_error():
    result = runner.invoke(app, ["shell-init", "tcsh"])
    assert result.exit_code == 2
    assert "bash, zsh or fish" in result.output


@pytest.mark.parametrize(
    ("argv0", "env", "expected"),
    [
        (str(REPO / "jobs" / "__main__.py"), {}, "-m jobs models pull --lang kk"),
        (None, {PROGRAM_ENV: "jobs"}, "jobs models pull --lang kk"),
    ],
)
def test_hints_name_the_program_as_started(monkeypatch, argv0, env, expected):
    if argv0:
        monkeypatch.setattr(sys, "argv", [argv0])
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if not env:
        monkeypatch.delenv(PROGRAM_ENV, raising=False)
    assert program_command("models pull --lang kk").endswith(expected)


def test_hint_for_the_installed_script_is_its_full_path(monkeypatch, tmp_path):
    script = tmp_path / "bin" / "jobs"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["bin/jobs"])
    monkeypatch.delenv(PROGRAM_ENV, raising=False)
    assert program_command("run --lang ru") == f"{script} run --lang ru"
