"""`jobs shell-init`: in real bash, zsh and fish started with the README's rc line (a stock PATH, no
virtual environment active), `jobs run ...` reaches the program and job control keeps working."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobs.cli import app
from jobs.cli.shell import SHELLS, program_words, routing_table
from jobs.config import PROGRAM_ENV, program_command
from tests.conftest import REPO

runner = CliRunner()
README_SITE = "/srv/jobs"  # the README's example install folder

# Each step of the session prints a marker, then its output: a background job, the builtin's
# listing forms, then the program's own words.
STEPS = {
    "jobs": "jobs",
    "jobs -l": "jobs -l",
    "jobs %1": "jobs %1",
    "run": "jobs run --help",
    "help": "jobs --help",
    "quiet": "jobs --quiet run --lang nosuch --out nonexistent-outputs 2>&1",
    "q": "jobs -q status --out /nonexistent-outputs",
    "global": "jobs --verbose status --out /nonexistent-outputs",
    "version": "jobs --version",
}


def readme_rc_lines() -> dict[str, str]:
    """The README's rc lines, by shell, as written (the block after `readme-rc-lines`)."""
    block = (REPO / "README.md").read_text(encoding="utf-8").split("<!-- readme-rc-lines:", 1)[1]
    lines = block.split("```", 2)[1].strip().splitlines()
    found = {}
    for line in lines:
        command = line.split("  #", 1)[0].strip()
        shell = next(s for s in SHELLS if f"shell-init {s}" in command)
        found[shell] = command
    assert sorted(found) == sorted(SHELLS), lines
    return found


def _site(tmp_path: Path) -> Path:
    """/srv/jobs as the README has it: .venv/bin/jobs, the script pip writes, pointed at this checkout."""
    site = tmp_path / "srv" / "jobs"
    script = site / ".venv" / "bin" / "jobs"
    script.parent.mkdir(parents=True)
    script.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(REPO)!r})\nfrom jobs.cli import main\nmain()\n"
    )
    script.chmod(0o755)
    return site


def _stock_env(home: Path) -> dict[str, str]:
    """What a new login has: a stock PATH, a HOME, nothing activated (no VIRTUAL_ENV, no PYTHONPATH)."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "TERM": "dumb", "LANG": "C.UTF-8"}


def _need(shell: str) -> None:
    if shutil.which(shell, path="/usr/bin:/bin") is None:
        if os.environ.get("JOBS_REQUIRE_SHELLS"):
            pytest.fail(f"{shell} is not installed (.ci/run installs it)")
        pytest.skip(f"{shell} is not installed")


def _session(shell: str) -> str:
    steps = "; ".join(f"printf '%s\\n' '--{name}--'; {command}" for name, command in STEPS.items())
    return f"sleep 30 & {';' if shell == 'fish' else ''} {steps}; kill {'$last_pid' if shell == 'fish' else '%1'}"


def _rc_path(shell: str, home: Path) -> Path:
    return {"bash": home / ".bashrc", "zsh": home / ".zshrc", "fish": home / ".config" / "fish" / "config.fish"}[shell]


def _shell(shell: str, home: Path) -> str:
    """Run the session in an interactive `shell` (env -i: stock PATH, HOME=home) that reads its own rc file."""
    done = subprocess.run(
        ["env", "-i", *(f"{k}={v}" for k, v in _stock_env(home).items()), shell, "-i", "-c", _session(shell)],
        cwd=home,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _section(out: str, name: str) -> str:
    return out.split(f"--{name}--\n", 1)[1].split("\n--", 1)[0]


@pytest.mark.parametrize("shell", SHELLS)
def test_readme_rc_line_in_a_real_shell_with_nothing_activated(shell, tmp_path):
    _need(shell)
    site = _site(tmp_path)
    home = tmp_path / "home"
    rc = _rc_path(shell, home)
    rc.parent.mkdir(parents=True)
    rc.write_text(readme_rc_lines()[shell].replace(README_SITE, str(site)) + "\n", encoding="utf-8")
    out = _shell(shell, home)
    for builtin in ("jobs", "jobs -l", "jobs %1"):
        assert "sleep 30" in _section(out, builtin), (builtin, out)
    if shell != "fish":  # fish's -l is --last; bash's and zsh's add the pid
        assert any(word.isdigit() for word in _section(out, "jobs -l").split()), out
    run_help = _section(out, "run")
    assert run_help.startswith("Usage: jobs run [OPTIONS]"), out  # the program, named as typed
    assert "--lang" in run_help
    assert "shell-init" in _section(out, "help")  # the program's help, not the builtin's
    quiet = _section(out, "quiet")
    assert quiet.startswith("error: ") and "'nosuch'" in quiet, out  # --quiet reached the program's run
    assert "/nonexistent-outputs" in _section(out, "q")  # so did -q
    assert "/nonexistent-outputs" in _section(out, "global")
    assert _section(out, "version").startswith("jobs ")


@pytest.mark.parametrize("shell", SHELLS)
def test_install_writes_the_readme_line_once(shell, tmp_path):
    """`shell-init --install`, run twice by the README's path with a stock PATH, leaves the README's
    line (the absolute path filled in) once in the rc file, and keeps what else the file held."""
    _need(shell)
    site = _site(tmp_path)
    home = tmp_path / "home"
    rc = _rc_path(shell, home)
    rc.parent.mkdir(parents=True)
    rc.write_text("# the user's own line\n", encoding="utf-8")
    env = _stock_env(home)
    for _ in range(2):
        done = subprocess.run(
            [".venv/bin/jobs", "shell-init", "--install", shell], cwd=site, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    lines = rc.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# the user's own line" and len(lines) == 2, lines
    assert lines[1].split("  #", 1)[0] == readme_rc_lines()[shell].replace(README_SITE, str(site))
    out = _shell(shell, home)
    assert _section(out, "run").startswith("Usage: jobs run [OPTIONS]"), out


def test_install_replaces_its_own_line_when_the_environment_moved(tmp_path, monkeypatch):
    from jobs.cli.shell import INSTALL_MARK

    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".bashrc").write_text(f'eval "$(/old/place/jobs shell-init bash)"  {INSTALL_MARK}\n')
    result = runner.invoke(app, ["shell-init", "--install", "bash"])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / ".bashrc").read_text().splitlines()
    assert len(lines) == 1 and "/old/place" not in lines[0] and program_command(full_path=True) in lines[0]


def test_one_routing_table_routes_every_shell_alike():
    """Every shell's function names the same program words: commands, --help, the global options."""
    words = program_words()
    for command in ("run", "status", "models", "eval", "preview", "shell-init", "--help", "--quiet", "-q", "-v"):
        assert command in words
    assert "-l" not in words and "%1" not in words  # `jobs -l`, `jobs %1` stay the shell's
    assert [route.target for route in routing_table()] == ["program", "builtin"]
    for shell in SHELLS:
        result = runner.invoke(app, ["shell-init", shell])
        assert result.exit_code == 0, result.output
        for word in words:
            assert word.removesuffix("*") in result.output, (shell, word)
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
