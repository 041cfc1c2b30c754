#!/usr/bin/env python3
"""What benchmarks/gpu.sh checks before it spends GPU time: the imports the job needs, the CUDA
card, and whether CTranslate2 can run on it. Not a test; gpu.sh runs it.

    python3 benchmarks/gpu_check.py imports        # every import the benchmark's job needs; exit 3 naming what is missing
    python3 benchmarks/gpu_check.py carry          # pip requirements of what a GPU machine lacks (for --fetch-wheels)
    python3 benchmarks/gpu_check.py missing        # pip requirements of what THIS machine lacks (to install from wheels)
    python3 benchmarks/gpu_check.py device         # the card, torch's build, CTranslate2's probe; exit 10 when CTranslate2 cannot run on it

The import list is what a job run (summaries, ru and kk, torch and CTranslate2, JSONL input,
published bundles with their feeds) plus the benchmark itself imported on the development
machine (sys.modules after the run, stdlib left out), grouped by the package that brings it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# import name -> pip distribution. Preinstalled on the GPU machine planned for (docs/benchmarks.md):
# Python 3.12, torch 2.11+cu130, transformers 5.17 (with tokenizers, safetensors, huggingface-hub,
# numpy, regex, tqdm, packaging), typer, rich, pyyaml, httpx, pyarrow, sentencepiece.
PREINSTALLED = {
    "torch": "torch",
    "transformers": "transformers",
    "tokenizers": "tokenizers",
    "sentencepiece": "sentencepiece",
    "safetensors": "safetensors",
    "huggingface_hub": "huggingface-hub",
    "numpy": "numpy",
    "yaml": "pyyaml",
    "typer": "typer",
    "rich": "rich",
    "pyarrow": "pyarrow",
    "httpx": "httpx",
    "filelock": "filelock",  # torch's dependency
    "fsspec": "fsspec",  # torch's dependency
    # Found there by the first run on an H200 (2026-12-04): step 1 named only the nine below as missing.
    "xxhash": "xxhash",
    "pandas": "pandas",
    "dateutil": "python-dateutil",
    "six": "six",
    "charset_normalizer": "charset-normalizer",
    "lxml": "lxml",
}
# What the job needs beyond those: carried as wheels (benchmarks/wheels, `gpu.sh --fetch-wheels`).
CARRIED = {
    "datasets": "datasets",
    "dill": "dill",
    "multiprocess": "multiprocess",
    "pydantic": "pydantic",
    "pydantic_core": "pydantic-core",
    "annotated_types": "annotated-types",
    "typing_inspection": "typing-inspection",
    "pysbd": "pysbd",
    "anyascii": "anyascii",
}
OPTIONAL = {"ctranslate2": "ctranslate2"}  # the CTranslate2 runs only; the torch runs go without it
# Left out on purpose: lingua (its language models make the wheel larger than all the rest:
# gpu.sh sets JOBS_LANGUAGE_CHECK=0), trafilatura and feedparser (web and feed inputs only; the
# benchmark reads JSONL), sacrebleu/rouge-score (jobs eval), jsonschema (jobs verify).
# The job's modules the benchmark runs through: importing them catches a name missing above.
JOB_MODULES = (
    "jobs.cli",
    "jobs.pipeline",
    "jobs.stages.segment",
    "jobs.stages.summarize",
    "jobs.stages.translate",
    "jobs.outputs.bundle",
    "jobs.outputs.feeds",
    "jobs.backends.torch",
    "benchmarks.whole",
    "benchmarks.realmodels",
)


def _distribution(name: str) -> str:
    return {**PREINSTALLED, **CARRIED, **OPTIONAL}.get(name, name.replace("_", "-"))


def missing(names: dict[str, str]) -> list[str]:
    """Import names of `names` that cannot be imported here."""
    gone = []
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            gone.append(name)
    return gone


def check_imports() -> int:
    """0 when the job can run here (CTranslate2 aside), else 3 after naming each missing package."""
    required = {**PREINSTALLED, **CARRIED}
    absent = missing(required)
    if not absent:
        for module in JOB_MODULES:
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:
                absent.append((exc.name or "?").split(".")[0])
    no_ct2 = missing(OPTIONAL)
    if no_ct2:
        print("gpu_check: ctranslate2 is not installed: the CTranslate2 runs will be skipped")
    if absent:
        names = sorted({_distribution(name) for name in absent})
        print(f"gpu_check: missing {len(names)} package(s) the job needs: {' '.join(names)}")
        print(
            "  carry them as wheels: `bash benchmarks/gpu.sh --fetch-wheels` on a networked machine (docs/benchmarks.md)"
        )
        return 3
    print(f"gpu_check: every import the job needs is here ({len(required)} packages checked)")
    return 0


def requirements(names: list[str]) -> list[str]:
    """pip requirements pinned to this machine's versions (the ones the test suite ran with)."""
    lines = []
    for name in names:
        distribution = _distribution(name)
        try:
            lines.append(f"{distribution}=={metadata.version(distribution)}")
        except metadata.PackageNotFoundError:
            lines.append(distribution)
    return lines


def check_device() -> int:
    """Print the card, torch's build and CTranslate2's probe; 10 when CTranslate2 cannot run on the card."""
    from jobs.backends.cuda import ctranslate2_cuda_problem, cuda_cards, torch_version
    from jobs.backends.device import compute_type, torch_cuda_problem

    cards = cuda_cards()
    if not cards:
        print("device: no CUDA card (the driver reports none)")
        return 10
    for card in cards:
        print(f"device: cuda:{card.index} {card.describe()}")
    torch_problem = torch_cuda_problem()
    print(f"device: torch {torch_version()}: {torch_problem or 'a CUDA build that can use the card'}")
    if not torch_problem:
        try:  # a measurement only: the steps after it run whatever happens here
            print(f"device: {first_use()}")
        except Exception as exc:
            print(f"device: first use not measured: {type(exc).__name__}: {exc}")
    compute = compute_type("cuda", "auto", "none")
    problem = ctranslate2_cuda_problem(0, compute)
    print(f"device: CTranslate2 on cuda:0 ({compute}): {problem or 'test translation passed'}")
    return 10 if problem else 0


def first_use() -> str:
    """What a process pays the first time it uses the card through torch: the CUDA context, then a
    first half-precision matrix product of a decoder layer's shape (cuBLAS loaded and set up), and
    the same product again (the whole-job tables of the first H200 run point at such costs)."""
    import time

    import torch

    def timed(action) -> float:
        started = time.perf_counter()
        action()
        torch.cuda.synchronize()
        return time.perf_counter() - started

    context = timed(lambda: torch.zeros(1, device="cuda"))
    a = torch.randn(64, 1024, device="cuda", dtype=torch.float16)
    b = torch.randn(1024, 4096, device="cuda", dtype=torch.float16)
    first, again = timed(lambda: a @ b), timed(lambda: a @ b)
    return f"first use: CUDA context {context:.2f} s, first fp16 product {first:.3f} s, the same again {again * 1000:.2f} ms"


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "imports"
    if what == "imports":
        return check_imports()
    if what == "carry":
        print("\n".join(requirements([*CARRIED, *OPTIONAL])))
        return 0
    if what == "missing":
        print("\n".join(requirements([*missing(CARRIED), *missing(OPTIONAL)])))
        return 0
    if what == "device":
        return check_device()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
