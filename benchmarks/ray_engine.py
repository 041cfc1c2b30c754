"""Local engine vs Ray engine on one machine, same input, measured in one run (not a test).

    python benchmarks/ray_engine.py [--articles 12] [--actors 2]

Random-weight models with the real default shapes (benchmarks/realmodels.py), a generated
article set (benchmarks/articles.py), forced output lengths, the cache bypassed (`force`), and
`--lang ru` with the summarizer. Prints wall time per stage for both engines and the ratio.
On one machine Ray can only add overhead (actor start-up, one model copy per actor, moving
batches between processes); it pays off when actors get their own machines or GPUs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.articles import make_articles, write_jsonl  # noqa: E402
from benchmarks.realmodels import build  # noqa: E402
from benchmarks.run import SUMMARY_MODEL, TRANSLATION_MODEL, write_registry  # noqa: E402


def run_engine(engine: str, registry: Path, inputs: Path, work: Path, actors: int) -> dict:
    from jobs.config import build_config
    from jobs.pipeline import run_job
    from jobs.progress import Reporter

    config = build_config(
        config_file=registry,
        langs=["ru"],
        inputs=[inputs],
        out=work / f"out-{engine}",
        cache=work / f"cache-{engine}.sqlite3",
        force=True,
        engine=engine,
        ray_actors=actors,
    )
    started = time.perf_counter()
    report = run_job(config, Reporter(bars=False))
    wall = time.perf_counter() - started
    bundle = report.bundles["ru"]
    return {
        "engine": engine,
        "wall_s": wall,
        "timings": report.timings,
        "articles_jsonl": (bundle / "articles.jsonl").read_bytes(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--words", type=int, default=250)
    parser.add_argument("--actors", type=int, default=2)
    parser.add_argument("--new-tokens", type=int, default=32)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    work = Path(tempfile.mkdtemp(prefix="jobs-ray-bench-"))
    models_root = Path(os.environ.get("JOBS_BENCH_MODELS", Path(tempfile.gettempdir()) / "jobs-bench-models"))
    models_root.mkdir(parents=True, exist_ok=True)
    models = {name: build(name, models_root) for name in (TRANSLATION_MODEL, SUMMARY_MODEL)}
    registry = write_registry(work, models, {"new_tokens": args.new_tokens, "summary_tokens": args.new_tokens})
    inputs = write_jsonl(make_articles(args.articles, args.words), work / "articles.jsonl")

    import ray

    started = time.perf_counter()
    ray.init(num_cpus=max(args.actors, os.cpu_count() or 1), include_dashboard=False, log_to_driver=False)
    ray_start = time.perf_counter() - started
    local = run_engine("local", registry, inputs, work, args.actors)
    on_ray = run_engine("ray", registry, inputs, work, args.actors)
    ray.shutdown()

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"{args.articles} articles x ~{args.words} words; {args.actors} Ray actors; ray.init {ray_start:.1f} s (not counted)"
    )
    print(f"{'stage':<14} {'local s':>9} {'ray s':>9} {'ray/local':>10}")
    for stage in local["timings"]:
        a, b = local["timings"][stage], on_ray["timings"].get(stage, float("nan"))
        print(f"{stage:<14} {a:>9.1f} {b:>9.1f} {b / a if a else float('nan'):>10.2f}")
    print(
        f"{'whole run':<14} {local['wall_s']:>9.1f} {on_ray['wall_s']:>9.1f} {on_ray['wall_s'] / local['wall_s']:>10.2f}"
    )
    same = local["articles_jsonl"] == on_ray["articles_jsonl"]
    print(f"articles.jsonl byte-identical: {same}")
    print(
        json.dumps(
            {
                "local_s": round(local["wall_s"], 1),
                "ray_s": round(on_ray["wall_s"], 1),
                "ratio": round(on_ray["wall_s"] / local["wall_s"], 2),
                "identical": same,
            }
        )
    )


if __name__ == "__main__":
    main()
