"""benchmarks/gpu_check.py, the checks gpu.sh runs before it spends GPU time."""

from __future__ import annotations

import importlib

from benchmarks import gpu_check


def test_every_import_the_job_needs_is_checked_and_a_missing_one_is_named(monkeypatch, capsys):
    assert gpu_check.check_imports() == 0  # this machine has them all
    real = importlib.import_module

    def without_pysbd_and_pandas(name, *args):
        if name.split(".")[0] in ("pysbd", "pandas"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, *args)

    monkeypatch.setattr(gpu_check.importlib, "import_module", without_pysbd_and_pandas)
    assert gpu_check.check_imports() == 3
    out = capsys.readouterr().out
    assert "missing 2 package(s) the job needs: pandas pysbd" in out and "--fetch-wheels" in out


def test_the_carried_wheels_are_pinned_to_the_versions_tested_here():
    lines = gpu_check.requirements([*gpu_check.CARRIED, *gpu_check.OPTIONAL])
    assert len(lines) == len(gpu_check.CARRIED) + len(gpu_check.OPTIONAL)
    assert all("==" in line for line in lines)
    assert not set(gpu_check.CARRIED) & set(gpu_check.PREINSTALLED)
