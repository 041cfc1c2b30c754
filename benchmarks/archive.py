"""`jobs archive` on synthetic articles with the tiny models: driver memory, throughput, kill and resume.

    python benchmarks/archive.py                       # 10,000 and 100,000 articles (hours on 2 cores)
    python benchmarks/archive.py --sizes 1000 10000    # what a busy 2-core machine can do in minutes
    python benchmarks/archive.py --quick               # --sizes 500 5000, shards of 250

For each size: the archive with 1 actor per model stage, then (largest size: skipped with
--no-two-actors) with 2; the driver's peak RSS (VmHWM of the `jobs archive` process: Ray's own
processes and actors are others) and articles per hour of the shards' Ray Data run and of the
whole command. Then the kill test on the smallest size: a run stopped with SIGTERM once about
half its shards are finished, and a rerun that must generate only the missing ones and publish
the same articles.jsonl, byte for byte, as the uninterrupted run.

Models: tests/tiny_models.py (random weights, real architectures); articles: benchmarks/articles.py
(Markov sentences over the seed page, every one distinct). Each run starts its own local Ray
(ray.init by the driver), so Ray start-up is in the whole-command figure, not in the shards one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

RUNNER = """
import json, re, sys, time
from pathlib import Path
started = time.perf_counter()
code = 0
try:
    from jobs.cli import main
    sys.argv = ["jobs", *sys.argv[2:]]
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
status = Path("/proc/self/status").read_text()
peak = int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1)) / 1024
Path(OUTFILE).write_text(json.dumps({"rc": code, "peak_rss_mib": peak, "wall_s": time.perf_counter() - started}))
"""


def write_articles(path: Path, count: int, words: int) -> Path:
    """`count` synthetic articles as JSONL, generated in chunks (the file is what the run reads)."""
    from benchmarks.articles import make_articles

    if path.is_file() and sum(1 for _ in path.open()) == count:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for start in range(0, count, 1000):
            for article in make_articles(min(1000, count - start), words, seed=start):
                article["id"] = f"bench-{start + int(article['id'].split('-')[1]):06d}"
                handle.write(json.dumps(article, ensure_ascii=False) + "\n")
    return path


def registry(work: Path) -> Path:
    """configs/models.yaml with the tests' short generation lengths (random models never stop)."""
    import yaml

    data = yaml.safe_load((REPO / "configs" / "models.yaml").read_text(encoding="utf-8"))
    data["defaults"]["translation"] = {"num_beams": 1, "max_new_tokens": 12}
    data["defaults"]["summary"] = {"num_beams": 1, "max_new_tokens": 24, "min_new_tokens": 4}
    path = work / "models.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def archive(work: Path, models: dict, inputs: Path, out: Path, shard_size: int, actors: int, kill_at: float = 0):
    """One `jobs archive` in a child process; with `kill_at`, SIGTERM once that share of shards is done."""
    result = work / f"result-{os.getpid()}-{time.time_ns()}.json"
    script = RUNNER.replace("OUTFILE", repr(str(result)))
    command = [sys.executable, "-c", script, "-", "archive", "--config", str(work / "models.yaml")]
    command += ["-i", str(inputs), "--out", str(out), "--lang", "ru", "--model", f"ru={models['ru']}"]
    command += ["--summary-model", str(models["summary"]), "--shard-size", str(shard_size), "--ray-actors", str(actors)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    env["JOBS_CT2_CACHE"] = str(work / "ct2")
    log = (work / f"log-{out.name}.txt").open("a")
    child = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    total = sum(-(-sum(1 for line in f.open() if line.strip()) // shard_size) for f in sorted(inputs.glob("*.jsonl")))
    killed_with = None
    while child.poll() is None:
        time.sleep(1)
        done = len(list((out / ".archive" / "shards").glob("[!.]*"))) if (out / ".archive").is_dir() else 0
        if kill_at and killed_with is None and done >= kill_at * total:
            child.send_signal(signal.SIGTERM)
            killed_with = done
    facts = json.loads(result.read_text())
    text = (work / f"log-{out.name}.txt").read_text()
    shards_s = [float(x) for x in re.findall(r"execution finished in ([\d.]+) seconds", text)]
    line = re.findall(r"took [\d.]+ s: (\d+) shards \((\d+) finished before, (\d+) generated now\)", text)
    facts.update(shards=total, killed_with=killed_with, shards_s=shards_s[-1] if shards_s else None)
    if line and not kill_at:
        facts.update(zip(("planned", "reused", "generated"), map(int, line[-1])))
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--shard-size", type=int, default=1000)
    parser.add_argument("--words", type=int, default=80, help="words per synthetic article")
    parser.add_argument("--quick", action="store_true", help="--sizes 500 5000 --shard-size 250")
    parser.add_argument("--no-two-actors", action="store_true", help="2 actors on the smallest size only")
    parser.add_argument("--no-kill-test", action="store_true", help="skip the kill-and-resume test")
    parser.add_argument("--kill-only", action="store_true", help="only the kill test (the 1-actor run kept before)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jobs-archive-bench"))
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.shard_size = [500, 5000], 250
    from tests.tiny_models import build_all

    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    models = {k: str(v) for k, v in build_all(work / "tiny").items()}
    registry(work)
    print(json.dumps({"machine": platform.platform(), "cores": len(os.sched_getaffinity(0)), "load": os.getloadavg()}))
    rows = []
    for size in sorted(args.sizes) if not args.kill_only else ():
        inputs = write_articles(work / f"articles-{size}" / "archive.jsonl", size, args.words)
        for actors in (1, 2) if size == min(args.sizes) or not args.no_two_actors else (1,):
            out = work / f"out-{size}-{actors}"
            subprocess.run(["rm", "-rf", str(out)], check=True)
            facts = archive(work, models, inputs.parent, out, args.shard_size, actors)
            facts.update(size=size, actors=actors, load=os.getloadavg()[0])
            facts["per_hour_shards"] = size / facts["shards_s"] * 3600 if facts["shards_s"] else None
            facts["per_hour_command"] = size / facts["wall_s"] * 3600
            rows.append(facts)
            print(json.dumps(facts), flush=True)
    if not args.no_kill_test:
        kill_test(work, models, min(args.sizes), args.shard_size)


def kill_test(work: Path, models: dict, size: int, shard_size: int) -> None:
    """Stopped at about half its shards, then rerun: only the missing shards generated, same bytes."""
    inputs = work / f"articles-{size}"
    out = work / f"out-{size}-kill"
    subprocess.run(["rm", "-rf", str(out)], check=True)
    first = archive(work, models, inputs, out, shard_size, 1, kill_at=0.5)
    finished = len(list((out / ".archive" / "shards").glob("[!.]*")))
    second = archive(work, models, inputs, out, shard_size, 1)
    whole = (work / f"out-{size}-1" / "ru" / "latest" / "articles.jsonl").read_bytes()
    resumed = (out / "ru" / "latest" / "articles.jsonl").read_bytes()
    print(
        json.dumps(
            {
                "kill_test": size,
                "killed_rc": first["rc"],
                "shards": first["shards"],
                "finished_at_kill": finished,
                "rerun_reused": second.get("reused"),
                "rerun_generated": second.get("generated"),
                "only_missing_generated": second.get("generated") == first["shards"] - finished,
                "same_articles_jsonl_as_uninterrupted": whole == resumed,
                "rerun_wall_s": second["wall_s"],
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
