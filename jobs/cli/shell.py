"""`jobs shell-init`: a shell function so that `jobs run ...` typed at a prompt reaches this program.

`jobs` is a builtin of bash, zsh, fish and sh (job control). The function sends the program's
own words (its commands and global options, read from the Typer app) to the program and
everything else (`jobs`, `jobs -l`, `jobs %1`) to the builtin, so job control keeps working.
"""

from __future__ import annotations

import shlex
from typing import Annotated, Optional

import typer

from jobs.cli.app import app
from jobs.config import PROGRAM_ENV, program_command
from jobs.errors import ExitCode

# Flags each shell's own `jobs` takes: those stay with the builtin even when the program has them.
BUILTIN_FLAGS = {
    "bash": {"-l", "-n", "-p", "-r", "-s", "-x"},
    "zsh": {"-l", "-p", "-d", "-r", "-s", "-Z"},
    "fish": {"-c", "-g", "-l", "-p", "-q", "-h", "--command", "--group", "--last", "--pid", "--quiet"},
}


def program_words(shell: str) -> list[str]:
    """The first words that belong to the program: its commands and global options."""
    group = typer.main.get_command(app)
    words = sorted(group.commands) + ["--help"]  # type: ignore[attr-defined]  (the app is a group)
    for param in group.params:
        for flag in [*param.opts, *param.secondary_opts]:
            if flag not in BUILTIN_FLAGS[shell]:
                words.append(flag)
                if param.param_type_name == "option" and not getattr(param, "is_flag", True) and flag.startswith("--"):
                    words.append(f"{flag}=*")
    return words


def shell_function(shell: str) -> str:
    """The function to `eval` in the shell's rc file."""
    target = program_command(full_path=True)
    words = program_words(shell)
    note = f"# jobs: this program for {', '.join(w for w in words if not w.startswith('-'))}; the shell's job control otherwise."
    if shell == "fish":
        exact = " ".join(shlex.quote(w) for w in words if not w.endswith("=*"))
        prefixes = " ".join(shlex.quote(w) for w in words if w.endswith("=*"))
        return (
            f"{note}\nfunction jobs\n"
            f"    if set -q argv[1]; and begin; contains -- $argv[1] {exact}; or string match -q -- {prefixes} $argv[1]; end\n"
            f"        {PROGRAM_ENV}=jobs command {target} $argv\n"
            f"    else\n        builtin jobs $argv\n    end\nend\n"
        )
    cases = "|".join(words)
    return (
        f"{note}\njobs() {{\n"
        f'    case "${{1-}}" in\n'
        f'        {cases}) {PROGRAM_ENV}=jobs command {target} "$@" ;;\n'
        f'        *) builtin jobs "$@" ;;\n'
        f"    esac\n}}\n"
    )


@app.command("shell-init")
def shell_init(
    shell: Annotated[
        Optional[str],
        typer.Argument(metavar="SHELL", help="bash, zsh or fish (default: the basename of $SHELL, else bash)."),
    ] = None,
) -> None:
    """Print a shell function that makes `jobs run ...` reach this program; put in ~/.bashrc:
    eval "$(python -m jobs shell-init bash)"
    """
    import os

    if shell is None:
        login_shell = os.path.basename(os.environ.get("SHELL", ""))
        shell = login_shell if login_shell in BUILTIN_FLAGS else "bash"
    if shell not in BUILTIN_FLAGS:
        typer.echo(f"error: no shell function for {shell!r}; use bash, zsh or fish", err=True)
        raise typer.Exit(int(ExitCode.USAGE))
    typer.echo(shell_function(shell), nl=False)
