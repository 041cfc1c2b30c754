"""The `jobs` command line: Typer only. Flags become one JobConfig; a JobError becomes an exit code.

Each command lives in its own module and registers itself on the one `app` when imported.
"""

from __future__ import annotations

from jobs.cli import archive, bundles, correct, evaluate, models, run, shell  # noqa: F401  (each registers its commands)
from jobs.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    from jobs.config import program_name

    # Usage lines name the program as the user typed it: `jobs` through the shell-init function.
    app(prog_name=program_name())
