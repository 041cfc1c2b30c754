"""Cached runs at scale: seconds per 1,000 articles when every output comes from the cache.

    python benchmarks/cached.py [--articles 2000] [--repeats 2]

Tiny random-weight models (tests/tiny_models.py: the model work is all cached, so its size does
not matter), a generated article set (benchmarks/articles.py), one first run that fills the
cache, then full command-line runs (`python -m jobs run`, imports included) side by side in this
one process: cached without and with `--skip-unchanged`. Prints wall seconds and seconds per
1,000 articles, plus the stage timings the run reports. Not a test: figures vary with the load
on the machine; compare the rows of one run.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.articles import make_articles, write_jsonl  # noqa: E402


def write_registry(work: Path, models: dict[str, Path]) -> Path:
    registry = yaml.safe_load((REPO / "configs" / "models.yaml").read_text(encoding="utf-8"))
    registry["summary"] = {"model": str(models["summary"])}
    registry["languages"] = {"en": {"name": "English"}, "ru": {"name": "Russian", "model": str(models["ru"])}}
    registry["defaults"]["translation"] = {"num_beams": 1, "max_new_tokens": 8}
    registry["defaults"]["summary"] = {"num_beams": 1, "max_new_tokens": 8, "min_new_tokens": 2}
    path = work / "models.yaml"
    path.write_text(yaml.safe_dump(registry, sort_keys=False), encoding="utf-8")
    return path


def timed_run(registry: Path, inputs: Path, out: Path, *extra: str) -> tuple[float, str]:
    args = ["--config", str(registry), "--input", str(inputs), "--out", str(out), "--lang", "en", "--lang", "ru"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "jobs", "--quiet", "run", *args, *extra],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    stages = next((line.strip() for line in done.stdout.splitlines() if line.strip().startswith("stages:")), "")
    return wall, stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--words", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    from tests.tiny_models import build_bart, build_marian

    work = Path(tempfile.mkdtemp(prefix="jobs-cached-bench-"))
    models = {"ru": build_marian(work / "ru"), "summary": build_bart(work / "summary")}
    registry = write_registry(work, models)
    inputs = write_jsonl(make_articles(args.articles, args.words), work / "articles.jsonl")
    out = work / "out"
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; {args.articles} articles")
    first, stages = timed_run(registry, inputs, out)
    print(f"first run (fills the cache): {first:.1f} s   {stages}")
    rows = {"cached": [], "cached --skip-unchanged": []}
    for _ in range(args.repeats):  # interleaved, so both see the same load on the shared cores
        rows["cached"].append(timed_run(registry, inputs, out))
        rows["cached --skip-unchanged"].append(timed_run(registry, inputs, out, "--skip-unchanged"))
    for name, runs in rows.items():
        best, stages = min(runs)
        print(
            f"{name:<26} {best:6.1f} s  {best / args.articles * 1000:5.2f} s per 1,000 articles "
            f"(2 languages; best of {len(runs)})   {stages}"
        )


if __name__ == "__main__":
    main()
