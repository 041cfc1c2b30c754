"""The `jobs` command line: Typer only. Flags become one JobConfig; a JobError becomes an exit code.

Each command lives in its own module and registers itself on the one `app` when imported.
"""

from __future__ import annotations

from jobs.cli import bundles, evaluate, models, run  # noqa: F401  (each registers its commands)
from jobs.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
