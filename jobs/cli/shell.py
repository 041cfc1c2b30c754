"""`jobs shell-init`: a shell function so that `jobs run ...` typed at a prompt reaches this program.

`jobs` is a builtin of bash, zsh, fish and sh (job control). One routing table sends the
program's own words (its commands and global options, read from the Typer app) to the program
and everything else (`jobs`, `jobs -l`, `jobs %1`) to the builtin; the bash, zsh and fish
functions are generated from it, so every shell routes alike. The rc-file line names the
program by its absolute path, so it works at shell start with no virtual environment active
(`shell-init --install` writes it).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import typer

from jobs.cli.app import app, fail
from jobs.config import PROGRAM_ENV, program_command
from jobs.errors import ConfigError, NotWritable, environment_error

SHELLS = ("bash", "zsh", "fish")
INSTALL_MARK = "# jobs shell-init --install"


@dataclass(frozen=True)
class Route:
    """First words (exact, or prefixes ending in `=`) and where a command line starting with one goes."""

    exact: tuple[str, ...]
    prefixes: tuple[str, ...]
    target: str  # "program" or "builtin"


def routing_table() -> list[Route]:
    """The one routing table every shell's function is generated from: the program's commands,
    --help and global options (`--log-file=FILE` too) go to the program, the rest to job control.

    The program's words win over the builtin's: fish's own `jobs --quiet` is then
    `builtin jobs --quiet`."""
    group = typer.main.get_command(app)
    exact = sorted(group.commands) + ["--help"]  # type: ignore[attr-defined]  (the app is a group)
    prefixes = []
    for param in group.params:
        for flag in [*param.opts, *param.secondary_opts]:
            exact.append(flag)
            if param.param_type_name == "option" and not getattr(param, "is_flag", True) and flag.startswith("--"):
                prefixes.append(f"{flag}=")
    return [Route(tuple(exact), tuple(prefixes), "program"), Route((), (), "builtin")]


def program_words() -> list[str]:
    """The first words that belong to the program (`--log-file=*` for a prefix)."""
    program = routing_table()[0]
    return [*program.exact, *(f"{p}*" for p in program.prefixes)]


def shell_function(shell: str, target: str | None = None) -> str:
    """The function to `eval` (bash, zsh) or `source` (fish) in the shell's rc file."""
    target = target or program_command(full_path=True)
    table = routing_table()
    program = next(route for route in table if route.target == "program")
    calls = {"program": f"{PROGRAM_ENV}=jobs command {target}", "builtin": "builtin jobs"}
    note = f"# jobs: this program for {', '.join(w for w in program.exact if not w.startswith('-'))}; job control otherwise."
    if shell == "fish":
        lines = [note, "function jobs"]
        for number, route in enumerate(table):
            if route.exact or route.prefixes:
                tests = []
                if route.exact:
                    tests.append(f"contains -- $argv[1] {' '.join(shlex.quote(w) for w in route.exact)}")
                if route.prefixes:
                    patterns = " ".join(shlex.quote(f"{p}*") for p in route.prefixes)
                    tests.append(f"string match -q -- {patterns} $argv[1]")
                keyword = "if" if number == 0 else "else if"
                lines.append(f"    {keyword} set -q argv[1]; and begin; {'; or '.join(tests)}; end")
            else:
                lines.append("    else")
            lines.append(f"        {calls[route.target]} $argv")
        lines += ["    end", "end", ""]
        return "\n".join(lines)
    lines = [note, "jobs() {", '    case "${1-}" in']
    for route in table:
        words = [*route.exact, *(f"{p}*" for p in route.prefixes)] or ["*"]
        lines.append(f'        {"|".join(words)}) {calls[route.target]} "$@" ;;')
    lines += ["    esac", "}", ""]
    return "\n".join(lines)


def rc_line(shell: str, program: str | None = None) -> str:
    """The line for the shell's rc file: the program by its absolute path, so nothing need be active."""
    program = program or program_command(full_path=True)
    if shell == "fish":
        return f"{program} shell-init fish | source"
    return f'eval "$({program} shell-init {shell})"'


def rc_file(shell: str) -> Path:
    """Where each shell reads its interactive set-up: ~/.bashrc, $ZDOTDIR/.zshrc, fish's config.fish."""
    home = Path.home()
    if shell == "zsh":
        return Path(os.environ.get("ZDOTDIR") or home) / ".zshrc"
    if shell == "fish":
        return Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "fish" / "config.fish"
    return home / ".bashrc"


def install(shell: str) -> tuple[Path, str]:
    """Put the rc line into the shell's rc file, once: a line this command wrote before is replaced
    (a moved virtual environment gets the new path); what else the file holds stays as it is."""
    path = rc_file(shell)
    line = f"{rc_line(shell)}  {INSTALL_MARK}"
    try:
        old = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        kept = [existing for existing in old if not existing.rstrip().endswith(INSTALL_MARK)]
        if line in old:
            return path, "already there"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join([*kept, line]) + "\n", encoding="utf-8")
    except OSError as exc:
        problem = environment_error(exc, path, f"adding the jobs line to {path.name}")
        raise fail(problem or NotWritable(f"{path}: {exc.strerror or exc}; add this line yourself: {line}")) from None
    return path, "replaced the earlier line" if len(kept) < len(old) else "added"


@app.command("shell-init")
def shell_init(
    shell: Annotated[
        Optional[str],
        typer.Argument(metavar="SHELL", help="bash, zsh or fish (default: the basename of $SHELL, else bash)."),
    ] = None,
    install_line: Annotated[
        bool,
        typer.Option(
            "--install",
            help="Add the line that loads the function to the shell's rc file (~/.bashrc, ~/.zshrc, "
            "~/.config/fish/config.fish), naming this program by its absolute path; run again, it changes nothing.",
        ),
    ] = False,
) -> None:
    """Print a shell function that makes `jobs run ...` reach this program.

    \b
    Once, from the folder the virtual environment is in, with nothing activated:
      .venv/bin/jobs shell-init --install
    It adds to ~/.bashrc (the same with the absolute path of your .venv):
      eval "$(/srv/jobs/.venv/bin/jobs shell-init bash)"
    """
    if shell is None:
        login_shell = os.path.basename(os.environ.get("SHELL", ""))
        shell = login_shell if login_shell in SHELLS else "bash"
    if shell not in SHELLS:
        raise fail(ConfigError(f"no shell function for {shell!r}; use bash, zsh or fish"))
    if install_line:
        path, what = install(shell)
        typer.echo(f"{path}: {what}: {rc_line(shell)}")
        typer.echo(f"open a new {shell} (or run that line) and `jobs run --help` is this program's")
        return
    typer.echo(shell_function(shell), nl=False)
