"""What batches that never mix groups cost (issue 27), on the seed page, in one run (not a test).

    python benchmarks/grouped_batches.py [--repeats 5] [--backend ctranslate2] [--real DIR]

QA repair's second pass decodes each unit in a batch of its own, and a long article's
intermediate summary texts are batched only with each other (`generate(groups=...)`), so that
neither depends on what else a run, a Ray run or an archive shard holds. This measures both
against the batching they replace, on the same texts and the same backend:

* repair: the units the default repair settings (configs/editorial.yaml: beam 4, no repeated
  3-grams, `max_share` 0.1) choose on the seed page, decoded at the repair setting all together
  (as before) and each alone; the first pass's time is printed beside them for scale;
* summaries: `summarize_texts` over the seed's articles with the intermediate levels grouped per
  article (now) and mixed across articles (before: the `groups` argument dropped).

Models: the tiny random-weight models of tests/tiny_models.py with the test registry's lengths
(translation 12 new tokens, summaries 24, intermediate levels 16); or, with `--real DIR`,
random-weight models of the default models' exact shapes (benchmarks/realmodels.py, built once
into DIR: opus-mt-en-ru, distilbart-cnn-12-6) with the registry's windows and default summary
settings (beam 2, 30-142 tokens; intermediate greedy, 20-96) and translations forced to 32
tokens (a random model never stops; forced, every unit costs the same alone or batched).
`--backend ctranslate2` (int8 on CPU, the default) or `torch`. Interleaved repeats, medians.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def backend_for(kind: str, model: Path, role: str, settings, *, translation: bool, intermediate=None, window=None):
    from jobs.backends import backend_class
    from jobs.backends.options import BackendOptions
    from jobs.config import ModelSpec

    options = BackendOptions(
        settings=settings, translation=translation, device="cpu", backend=kind, intermediate=intermediate
    )
    return backend_class(kind)(ModelSpec(model=str(model), max_input_tokens=window), role, options)


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def measure_repair(kind: str, model: Path, repeats: int, real: bool) -> dict:
    from jobs.config import GenerationSettings
    from jobs.inputs import read_articles
    from jobs.stages.editorial import Editorial
    from jobs.stages.repair import RepairSettings
    from jobs.stages.segment import segment_articles
    from jobs.stages.translate import translate_units

    settings = (
        GenerationSettings(max_new_tokens=32, min_new_tokens=32) if real else GenerationSettings(max_new_tokens=12)
    )
    backend = backend_for(kind, model, "ru", settings, translation=True, window=512 if real else None)
    units = segment_articles(read_articles([REPO / "seeds" / "international-news.txt"]).articles)
    editorial = Editorial("ru", repair=RepairSettings(), translation=settings)
    first_seconds, outputs = timed(lambda: translate_units(units, backend, "ru", editorial=editorial))
    texts = list(dict.fromkeys(t for t, tried in zip(units["text"], outputs.repair) if tried is not None))
    variant = backend.with_settings(editorial.repair_generation())
    variant.generate(texts[:1])  # loaded and warm
    ways = {"together": {}, "alone": {"groups": range(len(texts))}}
    times: dict[str, list[float]] = {name: [] for name in ways}
    batches = {}
    for repeat in range(repeats):
        for name in sorted(ways, reverse=repeat % 2 == 1):  # alternate which goes first
            seconds, made = timed(lambda n=name: variant.generate(texts, **ways[n]))
            times[name].append(seconds)
            batches[name] = made.batches
    together, alone = times["together"], times["alone"]
    stats = editorial.repair_stats
    return {
        "units": len(units),
        "flagged": stats.flagged,
        "repaired_units": len(texts),
        "first_pass_and_repair_s": round(first_seconds, 3),
        "repair_together_s": round(statistics.median(together), 3),
        "repair_alone_s": round(statistics.median(alone), 3),
        "batches_together": batches["together"],
        "batches_alone": batches["alone"],
        "ratio": round(statistics.median(alone) / statistics.median(together), 2),
    }


class Ungrouped:
    """A backend as before: the intermediate levels' `groups` dropped (mixed across articles)."""

    def __init__(self, backend):
        self.backend = backend

    def __getattr__(self, name):
        return getattr(self.backend, name)

    def generate(self, texts, on_progress=None, settings=None, groups=None):
        return self.backend.generate(texts, on_progress, settings=settings)


def measure_summaries(kind: str, model: Path, repeats: int, real: bool) -> dict:
    from jobs.config import Defaults, GenerationSettings
    from jobs.inputs import read_articles
    from jobs.stages.summarize import summarize_texts

    final = GenerationSettings(num_beams=1, max_new_tokens=24, min_new_tokens=4)
    intermediate = GenerationSettings(num_beams=1, max_new_tokens=16, min_new_tokens=4)
    if real:
        final, intermediate = Defaults().summary, Defaults().summary_intermediate
    window = 1024 if real else None
    backend = backend_for(kind, model, "summary", final, translation=False, intermediate=intermediate, window=window)
    documents = read_articles([REPO / "seeds" / "international-news.txt"]).articles["paragraphs"]
    summarize_texts(documents[:1], backend)  # loaded and warm
    runs: dict[str, list] = {"grouped": [], "mixed": []}
    for repeat in range(repeats):
        ways = [("grouped", backend), ("mixed", Ungrouped(backend))]
        for name, model_use in ways[:: -1 if repeat % 2 else 1]:  # alternate which goes first
            seconds, (results, stats) = timed(lambda m=model_use: summarize_texts(documents, m))
            middle = [p for p in stats.passes if p["kind"] == "intermediate"]
            runs[name].append((seconds, sum(p["seconds"] for p in middle), stats.batches, len(middle)))
    levels = [r.levels for r in results]
    out = {"articles": len(documents), "chunks": sum(r.chunks for r in results), "levels": levels}
    for name, rows in runs.items():
        out[f"{name}_all_s"] = round(statistics.median(r[0] for r in rows), 3)
        out[f"{name}_intermediate_s"] = round(statistics.median(r[1] for r in rows), 3)
        out[f"{name}_batches"] = rows[-1][2]
    out["intermediate_ratio"] = round(out["grouped_intermediate_s"] / out["mixed_intermediate_s"], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backend", choices=["ctranslate2", "torch"], default="ctranslate2")
    parser.add_argument("--real", type=Path, help="random-weight models of the real shapes, built into this folder")
    parser.add_argument("--only", choices=["repair", "summaries"], help="measure one of the two")
    args = parser.parse_args()
    from tests.tiny_models import build_all

    if "JOBS_CT2_CACHE" not in os.environ:  # converted models: set it to keep them between runs
        os.environ["JOBS_CT2_CACHE"] = tempfile.mkdtemp(prefix="ct2-")
        atexit.register(shutil.rmtree, os.environ["JOBS_CT2_CACHE"], True)
    import torch

    torch.set_num_threads(1)  # as the test suite: the tiny models gain nothing from threads
    with tempfile.TemporaryDirectory() as work:
        if args.real:
            from benchmarks.realmodels import build

            args.real.mkdir(parents=True, exist_ok=True)
            models = {"ru": build("opus-mt-en-ru", args.real), "summary": build("distilbart-cnn-12-6", args.real)}
        else:
            models = build_all(Path(work) / "tiny")
        real = args.real is not None
        report = {
            "backend": args.backend,
            "models": "real shapes" if real else "tiny",
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
        }
        print(json.dumps(report), flush=True)
        for name, measure in (("repair", measure_repair), ("summaries", measure_summaries)):
            if args.only in (None, name):
                model = models["ru" if name == "repair" else "summary"]
                result = measure(args.backend, model, args.repeats, real)
                print(json.dumps({name: result, "load": round(os.getloadavg()[0], 1)}, indent=2), flush=True)


if __name__ == "__main__":
    main()
