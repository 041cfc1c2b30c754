"""The layout rules of docs/ARCHITECTURE.md: small modules, short functions, imports one way."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
PACKAGE = REPO / "jobs"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_of_the_job_is_over_400_lines():
    long = {
        str(p.relative_to(REPO)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_of_the_job_is_over_60_lines():
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                if node.end_lineno - start + 1 > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(REPO)}:{node.lineno} {node.name}"] = node.end_lineno - start + 1
    assert long == {}


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    tool = shutil.which("lint-imports")
    if tool is None:
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [tool, "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "jobs", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_import_contracts_hold_for_the_package_as_it_is(tmp_path):
    result = _lint_imports(_copy_of_the_package(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "added", "broken"),
    [
        # a cycle: the lowest layer imports the pipeline, which imports it back
        ("errors.py", "from jobs import pipeline", "Data moves one way"),
        # a cycle inside a package: two stages import each other
        ("stages/segment.py", "from jobs.stages import translate", "No import cycles"),
        # the publishing side reaching for the model stack
        ("outputs/records.py", "import torch", "never load the model stack"),
    ],
)
def test_a_deliberately_added_bad_import_breaks_a_contract(tmp_path, module, added, broken):
    root = _copy_of_the_package(tmp_path)
    path = root / "jobs" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{added}  # added by the test\n", encoding="utf-8")
    result = _lint_imports(root)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout, result.stdout + result.stderr


def test_the_package_tree_names_every_stage():
    """A newcomer finds each stage by its package and file name (README's layout table)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = {line.split("`")[1] for line in readme.splitlines() if line.startswith("| `jobs/")}
    present = {str(p.relative_to(REPO)) for p in PACKAGE.iterdir() if p.suffix == ".py" and p.name != "__main__.py"}
    present |= {f"{p.relative_to(REPO)}/" for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert present - {"jobs/__init__.py"} <= listed, sorted(present - listed)
    assert all((REPO / path.rstrip("/")).exists() for path in listed), sorted(
        p for p in listed if not (REPO / p.rstrip("/")).exists()
    )
