#!/usr/bin/env python
"""Speed benchmark of the job on random-weight models of the real default models' shapes.

    python benchmarks/run.py --quick        # under 2 minutes on 2 cores: checks that it runs
    python benchmarks/run.py                # the full set (several minutes)
    python benchmarks/run.py --markdown docs/benchmarks-latest.md

Not a test: it prints tables and PASS/FAIL lines for the targets of issue #4 and exits 0 either
way (1 with --strict when a target is missed). What it does, in one run on one machine:

1. builds (once, cached in --workdir) random-weight models from configs/real/*/config.json
   (opus-mt-en-ru for translation, distilbart-cnn-12-6 for summaries) with tokenizers of the
   real vocabulary sizes (benchmarks/realmodels.py);
2. generates a fixed set of English articles with distinct sentences (benchmarks/articles.py);
3. measures a naive loop (one sentence at a time through `model.generate()`, fp32, on a sample
   of the articles' sentences), `run_job` (the job's own code, cache off) with each
   backend/dtype, and raw CTranslate2 (tokenize, `translate_batch`, int8, 32 sentences a
   batch, decode) on exactly the texts the ctranslate2 job translated: titles, sentences and
   the English summaries, pre-split by the job. Every output has the same forced length
   (min = max new tokens), so every variant does the same decoding work;
4. runs the same job (best CPU torch setting) on 1x, 4x and 16x the articles, each in a fresh
   process, for wall time and peak RSS.

Translation throughput of a job = the translate stage's output tokens / the stage's seconds
without the one-off model load (the load is shown apart); raw CTranslate2 is timed from
sentences to translated sentences (tokenize, translate_batch, decode), model loaded. Peak RSS: VmHWM of the process (reset before each variant).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TRANSLATION_MODEL = "opus-mt-en-ru"
SUMMARY_MODEL = "distilbart-cnn-12-6"
SIZES = {
    # articles x words for the variant comparison; scaling base; naive sample; forced lengths
    "quick": {
        "articles": 5,
        "words": 150,
        "scale_base": 1,
        "scale_words": 60,
        "naive_sentences": 4,
        "new_tokens": 32,
        "summary_tokens": 8,
    },
    "full": {
        "articles": 16,
        "words": 400,
        "scale_base": 4,
        "scale_words": 400,
        "naive_sentences": 40,
        "new_tokens": 32,
        "summary_tokens": 48,
    },
}
SCALES = (1, 4, 16)
TARGETS = {"vs_naive": 25.0, "vs_raw_ct2": 0.9, "scale_time": 1.25, "scale_rss": 1.3}


# --------------------------------------------------------------------------- process facts


def peak_rss_mib() -> float:
    text = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", text).group(1)) / 1024


def reset_peak_rss() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM := current RSS


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = re.search(r"model name\s*:\s*(.+)", cpuinfo).group(1).strip()
    except (OSError, AttributeError):
        info["cpu"] = platform.processor()
    info["cores"] = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    info["mem_gib"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return info


def versions() -> dict:
    from importlib import metadata

    out = {}
    for name in ("torch", "transformers", "ctranslate2"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


# --------------------------------------------------------------------------- setup (parent)


def write_registry(work: Path, models: dict[str, Path], size: dict) -> Path:
    import yaml

    n, s = size["new_tokens"], size["summary_tokens"]
    registry = {
        "source_lang": "en",
        "summary": {"model": str(models[SUMMARY_MODEL]), "licence": "apache-2.0", "max_input_tokens": 1024},
        "languages": {
            "en": {"name": "English"},
            "ru": {
                "name": "Russian",
                "model": str(models[TRANSLATION_MODEL]),
                "licence": "apache-2.0",
                "max_input_tokens": 512,
            },
        },
        "defaults": {
            "batch_tokens": 4096,
            "device": "cpu",
            # Forced lengths: random weights never stop on their own, and equal lengths make
            # every variant do the same decoding work.
            "translation": {"num_beams": 1, "max_new_tokens": n, "min_new_tokens": n},
            "summary": {"num_beams": 1, "max_new_tokens": s, "min_new_tokens": s},
        },
    }
    path = work / "models.yaml"
    path.write_text(yaml.safe_dump(registry, sort_keys=False), encoding="utf-8")
    return path


def child(mode: str, spec: dict, work: Path, script: Path | None = None) -> dict:
    """Run one measurement in a fresh process (`script --child MODE SPEC OUT`, this file by
    default); its JSON result."""
    spec_file = work / f"spec-{spec['name']}.json"
    out_file = work / f"result-{spec['name']}.json"
    out_file.unlink(missing_ok=True)
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "JOBS_CT2_CACHE": str(work / "ct2"),
        "TOKENIZERS_PARALLELISM": "false",
        "PYTHONWARNINGS": "ignore",
    }
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(script or Path(__file__).resolve()), "--child", mode, str(spec_file), str(out_file)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not out_file.is_file():
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
        raise SystemExit(f"benchmark step {spec['name']} failed (exit {proc.returncode})")
    result = json.loads(out_file.read_text(encoding="utf-8"))
    result["process_s"] = time.perf_counter() - started
    return result


# --------------------------------------------------------------------------- measurements (children)


class Probe:
    """Wraps make_backend so that each role's generate() statistics and model load time are kept."""

    def __init__(self, keep_outputs: bool):
        self.keep_outputs = keep_outputs
        self.stats: dict[str, dict] = {}

    def install(self) -> None:
        import jobs.backends as backends

        real = getattr(backends.make_backend, "__wrapped__", backends.make_backend)
        probe = self

        def make_backend(spec, role, config, *, translation):
            backend = real(spec, role, config, translation=translation)
            stats = probe.stats.setdefault(
                role,
                {
                    "output_tokens": 0,
                    "input_tokens": 0,
                    "generate_s": 0.0,
                    "load_s": 0.0,
                    "batches": 0,
                    "texts": 0,
                    "calls": [],  # texts per generate() call (a summary call is one map-reduce level)
                    "outputs": {},
                    "inputs": [],
                },
            )
            # The model's revision (a content hash for a local folder) is worked out once per
            # run, like the load: count it with the load.
            t0 = time.perf_counter()
            backend.revision  # noqa: B018 - computed and cached here
            stats["load_s"] += time.perf_counter() - t0
            probe.wrap(backend, stats)
            return backend

        make_backend.__wrapped__ = real
        backends.make_backend = make_backend

    # What wrap() sets on a backend instance. QA repair's twin (backend.with_settings, a shallow
    # copy) inherits them; they call the first backend's methods, so the twin must drop them and be
    # wrapped anew, or it would decode at the first backend's settings.
    WRAPPED = ("_load", "generate", "with_settings")

    def wrap(self, backend, stats: dict) -> None:
        """backend's load and generate() counted into stats, and so are those of its twins."""
        load, generate, with_settings = backend._load, backend.generate, backend.with_settings
        probe = self

        def timed_load():
            t0 = time.perf_counter()
            loaded = load()
            stats["load_s"] += time.perf_counter() - t0
            return loaded

        inside = threading.local()

        def counted_generate(texts, on_progress=None, **options):  # options: settings=
            if getattr(inside, "depth", 0):  # generate() calling itself (settings=): counted once, outside
                return generate(texts, on_progress, **options)
            inside.depth = 1
            try:
                out = generate(texts, on_progress, **options)
            finally:
                inside.depth = 0
            stats["output_tokens"] += out.output_tokens
            stats["input_tokens"] += out.input_tokens
            stats["generate_s"] += out.seconds
            stats["batches"] += out.batches
            stats["texts"] += len(texts)
            stats["calls"].append(len(texts))
            if probe.keep_outputs:
                stats["outputs"].update(zip(texts, out.texts))
                stats["inputs"].extend(texts)
            return out

        def twin_with_settings(settings):
            twin = with_settings(settings)
            for name in self.WRAPPED:
                twin.__dict__.pop(name, None)
            probe.wrap(twin, stats)
            return twin

        backend._load, backend.generate, backend.with_settings = timed_load, counted_generate, twin_with_settings


def run_one_job(spec: dict, variant: dict, inputs: str, out: Path, keep_outputs: bool) -> dict:
    import gc

    from jobs.config import build_config
    from jobs.pipeline import run_job

    probe = Probe(keep_outputs)
    probe.install()
    config = build_config(
        config_file=Path(spec["registry"]),
        langs=["ru"],
        inputs=[Path(inputs)],
        out=out,
        cache=out / "cache.sqlite3",
        force=True,
        device="cpu",
        backend=variant["backend"],
        dtype=variant["dtype"],
        quantize=variant["quantize"],
    )
    gc.collect()
    reset_peak_rss()
    report = run_job(config)
    peak = peak_rss_mib()
    ru, summary = probe.stats.get("ru", {}), probe.stats.get("summary", {})
    stage = report.timings.get("translate ru", 0.0)
    return {
        "variant": variant["name"],
        "articles": report.articles,
        "units": report.units,
        "job_s": report.seconds,
        "timings": report.timings,
        "peak_rss_mib": peak,
        "translate": {k: v for k, v in ru.items() if k not in ("outputs", "inputs")},
        "translate_stage_s": stage,
        "summary": {k: v for k, v in summary.items() if k not in ("outputs", "inputs")},
        "outputs": ru.get("outputs", {}),
        "translate_inputs": ru.get("inputs", []),
    }


def naive_loop(model_dir: str, sentences: list[str], n: int) -> dict:
    """One sentence at a time through model.generate(), fp32: what a first script does."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir).eval()
    model.generation_config.max_length = None
    tokens = 0
    started = time.perf_counter()
    for sentence in sentences:
        enc = tok([sentence], return_tensors="pt")
        with torch.inference_mode():
            out = model.generate(**enc, max_new_tokens=n, min_new_tokens=n, num_beams=1, do_sample=False)
        tokens += int((out[0, 1:] != tok.pad_token_id).sum())
    seconds = time.perf_counter() - started
    return {"sentences": len(sentences), "output_tokens": tokens, "seconds": seconds, "tok_s": tokens / seconds}


def raw_ctranslate2(model_dir: str, converted: str, sentences: list[str], n: int) -> dict:
    """translate_batch on pre-split sentences, int8: text in, text out, nothing else.

    Timed: tokenizing (the model's own tokenizer), one translate_batch call on a fresh Translator
    with the threads the job's backend gives it (on 2 cores 2 inter_threads of 1 intra thread
    each, CTranslate2's fastest setting here: one worker on 2 threads is a quarter slower) and
    decoding the outputs. CTranslate2's own length-sorted batching of 32 sentences (its best
    batch size on 2 cores, measured), the batches shared out between the workers. Marian
    forces EOS as the n-th token in generate(); CTranslate2 is asked for n - 1 tokens and the
    forced EOS counted, exactly as the job's ctranslate2 backend does.
    """
    import ctranslate2
    from transformers import AutoTokenizer

    from jobs.backends.device import cpu_count, cpu_streams

    tok = AutoTokenizer.from_pretrained(model_dir)
    workers = cpu_streams(cpu_count())
    translator = ctranslate2.Translator(
        converted,
        device="cpu",
        compute_type="int8",
        inter_threads=workers,
        intra_threads=max(1, cpu_count() // workers),
    )
    started = time.perf_counter()
    source = [tok.convert_ids_to_tokens(ids) for ids in tok(sentences)["input_ids"]]
    results = translator.translate_batch(
        source,
        max_batch_size=32,
        batch_type="examples",
        beam_size=1,
        max_decoding_length=n - 1,
        min_decoding_length=n - 1,
        max_input_length=0,
        return_scores=False,
    )
    texts = tok.batch_decode([tok.convert_tokens_to_ids(r.hypotheses[0]) for r in results], skip_special_tokens=True)
    seconds = time.perf_counter() - started
    assert len(texts) == len(sentences)
    tokens = sum(len(r.hypotheses[0]) + 1 for r in results)
    return {
        "batching": f"32 sentences, sorted by CTranslate2, {workers} workers x {max(1, cpu_count() // workers)} "
        f"threads",
        "output_tokens": tokens,
        "seconds": seconds,
        "tok_s": tokens / seconds,
        "sentences": len(sentences),
    }


def child_variants(spec: dict) -> dict:
    """Baselines and every job variant, one after the other, in this process."""
    from benchmarks.articles import sentences_of
    from jobs.backends.base import BackendOptions
    from jobs.backends.ctranslate2 import CT2Backend
    from jobs.config import GenerationSettings, ModelSpec

    articles = [json.loads(line) for line in Path(spec["inputs"]).read_text(encoding="utf-8").splitlines()]
    sentences = sentences_of(articles)
    n = spec["new_tokens"]
    # Convert once (not timed): the cache folder the job's ctranslate2 backend will reuse.
    options = BackendOptions(device="cpu", batch_tokens=4096, settings=GenerationSettings())
    converter = CT2Backend(ModelSpec(model=spec["translation_model"]), "ru", options)
    t0 = time.perf_counter()
    converted = str(converter.convert())
    CT2Backend(ModelSpec(model=spec["summary_model"]), "summary", replace(options, translation=False)).convert()
    conversion_s = time.perf_counter() - t0
    step = max(1, len(sentences) // spec["naive_sentences"])
    sample = sentences[::step][: spec["naive_sentences"]]
    result = {"sentences": len(sentences), "conversion_s": conversion_s, "jobs": []}

    # The baselines run twice, apart, and count at their best: another process taking the CPU for
    # a while can only make a job variant look worse, never better. Raw CTranslate2 translates
    # exactly the texts the ctranslate2 job translated (the first variant): titles, body
    # sentences and the English summaries as the job split them, so the ratio is the job's own
    # overhead on the same work. For that ratio the ctranslate2 job also runs twice (first and
    # last) and counts at its best, as raw CTranslate2 does: like against like.
    def run_variant(variant: dict) -> tuple[dict, list[str]]:
        out = Path(spec["work"]) / "out" / variant["name"].replace(" ", "-")
        job = run_one_job(spec, variant, spec["inputs"], out, keep_outputs=True)
        job["runs_tok_s"] = [translate_tok_s(job)]
        return job, job.pop("translate_inputs")

    naive = [naive_loop(spec["translation_model"], sample[: len(sample) // 2], n)]
    raw, texts = [], sentences
    for variant in spec["variants"]:
        job, inputs = run_variant(variant)
        result["jobs"].append(job)
        if variant["backend"] == "ctranslate2" and not raw:
            texts = inputs
            raw.append(raw_ctranslate2(spec["translation_model"], converted, texts, n))
    for position, variant in enumerate(spec["variants"]):
        if variant["backend"] == "ctranslate2":  # again, last; the better run counts
            first, (again, _) = result["jobs"][position], run_variant(variant)
            runs = first["runs_tok_s"] + again["runs_tok_s"]
            result["jobs"][position] = max(first, again, key=translate_tok_s)
            result["jobs"][position]["runs_tok_s"] = runs
    naive.append(naive_loop(spec["translation_model"], sample[len(sample) // 2 :], n))
    raw.append(raw_ctranslate2(spec["translation_model"], converted, texts, n))
    result["naive"] = max(naive, key=lambda r: r["tok_s"])
    result["naive"]["sentences"] = len(sample)
    result["naive"]["runs_tok_s"] = [r["tok_s"] for r in naive]
    result["raw_ct2"] = max(raw, key=lambda r: r["tok_s"])
    result["raw_ct2"]["runs_tok_s"] = [r["tok_s"] for r in raw]
    return result


def child_job(spec: dict) -> dict:
    out = Path(spec["work"]) / "out" / spec["name"]
    result = run_one_job(spec, spec["variant"], spec["inputs"], out, keep_outputs=False)
    result["process_peak_rss_mib"] = peak_rss_mib()
    return result


# --------------------------------------------------------------------------- report (parent)


def translate_tok_s(job: dict) -> float:
    seconds = job["translate_stage_s"] - job["translate"].get("load_s", 0.0)
    return job["translate"].get("output_tokens", 0) / seconds if seconds > 0 else 0.0


def identical_share(a: dict[str, str], b: dict[str, str], keys: list[str]) -> float | None:
    common = [k for k in keys if k in a and k in b]
    return sum(a[k] == b[k] for k in common) / len(common) if common else None


def report(
    variants: dict, scaling: list[dict], size: dict, mode: str, started: float, loads: tuple
) -> tuple[str, bool]:
    naive, raw = variants["naive"], variants["raw_ct2"]
    jobs = variants["jobs"]
    fp32 = next((j for j in jobs if j["variant"] == "torch fp32"), None)
    lines = []
    info = {**machine(), **versions()}
    lines.append(
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['mem_gib']} GiB; {info['platform']}; "
        f"Python {info['python']}, torch {info['torch']}, transformers {info['transformers']}, "
        f"ctranslate2 {info['ctranslate2']}"
    )
    lines.append(
        f"Mode: {mode}; {jobs[0]['articles']} articles x ~{size['words']} words, {variants['sentences']} "
        f"sentences + summaries; every output {size['new_tokens']} tokens (summaries {size['summary_tokens']}), "
        f"greedy; load average {loads[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end"
    )
    lines.append("")
    lines.append(
        "| variant | translate tok/s | x naive | x raw CT2 | articles/s | job s | model load s | "
        "peak RSS MiB | identical to fp32 |"
    )
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    lines.append(
        f"| naive loop: generate() one sentence at a time, fp32 ({naive['sentences']} sentences; "
        f"best of {len(naive['runs_tok_s'])} halves: {', '.join(f'{r:.0f}' for r in naive['runs_tok_s'])}) | "
        f"{naive['tok_s']:.0f} | 1.0 | {naive['tok_s'] / raw['tok_s']:.2f} | | | | | |"
    )
    lines.append(
        f"| raw CTranslate2 int8 translate_batch on the ctranslate2 job's {raw['sentences']} texts "
        f"({raw['batching']}; best of "
        f"{', '.join(f'{r:.0f}' for r in raw['runs_tok_s'])}) | {raw['tok_s']:.0f} | "
        f"{raw['tok_s'] / naive['tok_s']:.1f} | 1.00 | | | | | |"
    )
    best_torch, ct2_job = None, None
    body_keys = list(fp32["outputs"]) if fp32 else []
    for job in jobs:
        rate = translate_tok_s(job)
        share = identical_share(job["outputs"], fp32["outputs"], body_keys) if fp32 else None
        runs = job.get("runs_tok_s", [])
        best_of = f" (best of {', '.join(f'{r:.0f}' for r in runs)})" if len(runs) > 1 else ""
        lines.append(
            f"| jobs run {job['variant']}{best_of} | {rate:.0f} | {rate / naive['tok_s']:.1f} | "
            f"{rate / raw['tok_s']:.2f} | {job['articles'] / job['job_s']:.3f} | {job['job_s']:.1f} | "
            f"{job['translate'].get('load_s', 0) + job['summary'].get('load_s', 0):.1f} | "
            f"{job['peak_rss_mib']:.0f} | {'' if share is None else f'{share:.0%}'} |"
        )
        if job["variant"].startswith("torch") and (best_torch is None or rate > translate_tok_s(best_torch)):
            best_torch = job
        if job["variant"] == "ctranslate2 int8":
            ct2_job = job
    lines.append("")
    lines.append("Scaling (same job, best CPU torch setting, each in a fresh process):")
    lines.append("")
    lines.append("| articles | units | job wall s | vs 16x.. linear | translate tok/s | summary s | peak RSS MiB |")
    lines.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    base = scaling[0]
    for run in scaling:
        factor = run["articles"] / base["articles"]
        lines.append(
            f"| {run['articles']} ({factor:.0f}x) | {run['units']} | {run['job_s']:.1f} | "
            f"{run['job_s'] / (factor * base['job_s']):.2f} | {translate_tok_s(run):.0f} | "
            f"{run['timings'].get('summarize', 0):.1f} | {run['process_peak_rss_mib']:.0f} |"
        )
    checks = []
    if best_torch:
        ratio = translate_tok_s(best_torch) / naive["tok_s"]
        checks.append(
            (
                f"jobs run torch best CPU setting ({best_torch['variant']}) vs naive loop: {ratio:.1f}x "
                f"(target >= {TARGETS['vs_naive']:.0f}x)",
                ratio >= TARGETS["vs_naive"],
            )
        )
    if ct2_job:
        ratio = translate_tok_s(ct2_job) / raw["tok_s"]
        checks.append(
            (
                f"jobs run --backend ctranslate2 int8 vs raw translate_batch: {ratio:.2f}x "
                f"(target >= {TARGETS['vs_raw_ct2']})",
                ratio >= TARGETS["vs_raw_ct2"],
            )
        )
    top = scaling[-1]
    factor = top["articles"] / base["articles"]
    time_ratio = top["job_s"] / (factor * base["job_s"])
    rss_ratio = top["process_peak_rss_mib"] / base["process_peak_rss_mib"]
    checks.append(
        (
            f"{factor:.0f}x the articles: wall time {time_ratio:.2f} of {factor:.0f} x the 1x time "
            f"(target <= {TARGETS['scale_time']})",
            time_ratio <= TARGETS["scale_time"],
        )
    )
    checks.append(
        (
            f"{factor:.0f}x the articles: peak RSS {rss_ratio:.2f} x the 1x run (target <= {TARGETS['scale_rss']})",
            rss_ratio <= TARGETS["scale_rss"],
        )
    )
    lines.append("")
    for text, ok in checks:
        lines.append(f"- {'PASS' if ok else 'FAIL'}: {text}")
    if mode == "quick":
        lines.append("")
        lines.append(
            f"Quick mode checks that the benchmark runs: its {variants['sentences']} sentences make one batch "
            f"per job (one stream, fixed costs weigh more), so the job ratios are lower than in the full run, "
            f"on which the targets are judged (python benchmarks/run.py)."
        )
    lines.append("")
    lines.append(
        f"Total benchmark time {time.perf_counter() - started:.0f} s (model conversion to CTranslate2 "
        f"{variants['conversion_s']:.1f} s, once, not in any row)."
    )
    return "\n".join(lines), all(ok for _, ok in checks)


# --------------------------------------------------------------------------- main


def wait_for_idle(limit: float) -> None:
    deadline = time.monotonic() + limit
    cores = os.cpu_count() or 1
    while os.getloadavg()[0] > 0.5 * cores and time.monotonic() < deadline:
        time.sleep(5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes, under 2 minutes on 2 cores: checks that the benchmark runs; "
        "the targets are judged on the full run",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(os.environ.get("TMPDIR", "/tmp")) / "jobs-benchmark",
        help="models, inputs and outputs (models are reused across runs)",
    )
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="first wait up to SECONDS for the 1-minute load average to fall under half the cores",
    )
    parser.add_argument("--child", nargs=3, metavar=("MODE", "SPEC", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        mode, spec_file, out_file = args.child
        spec = json.loads(Path(spec_file).read_text(encoding="utf-8"))
        result = child_variants(spec) if mode == "variants" else child_job(spec)
        Path(out_file).write_text(json.dumps(result), encoding="utf-8")
        return 0

    if args.wait_idle:
        wait_for_idle(args.wait_idle)
    started = time.perf_counter()
    loads = os.getloadavg()
    if loads[0] > 0.5 * (os.cpu_count() or 1):
        print(
            f"warning: load average {loads[0]:.1f} on {os.cpu_count()} cores: other processes share the CPU, "
            f"and the ratios will be noisy (--wait-idle SECONDS waits for a quieter machine)",
            flush=True,
        )
    mode = "quick" if args.quick else "full"
    size = SIZES[mode]
    work = args.workdir.resolve()
    (work / "models").mkdir(parents=True, exist_ok=True)

    from benchmarks.articles import make_articles, write_jsonl
    from benchmarks.realmodels import build
    from jobs.backends.device import cpu_supports_bf16

    print(f"building or reusing random-weight models in {work / 'models'} ...", flush=True)
    models = {name: build(name, work / "models") for name in (TRANSLATION_MODEL, SUMMARY_MODEL)}
    registry = write_registry(work, models, size)
    variants_input = write_jsonl(make_articles(size["articles"], size["words"], seed=1), work / mode / "variants.jsonl")
    common = {
        "work": str(work),
        "registry": str(registry),
        "new_tokens": size["new_tokens"],
        "translation_model": str(models[TRANSLATION_MODEL]),
        "summary_model": str(models[SUMMARY_MODEL]),
    }
    # ctranslate2 first: raw CTranslate2 then runs on the texts it translated (child_variants).
    variants = [
        {"name": "ctranslate2 int8", "backend": "ctranslate2", "dtype": "auto", "quantize": "none"},
        {"name": "torch fp32", "backend": "torch", "dtype": "fp32", "quantize": "none"},
    ]
    if cpu_supports_bf16():
        variants.append({"name": "torch bf16", "backend": "torch", "dtype": "bf16", "quantize": "none"})
    variants.append({"name": "torch int8", "backend": "torch", "dtype": "auto", "quantize": "int8"})
    print(f"baselines and {len(variants)} job variants on {size['articles']} articles ...", flush=True)
    measured = child(
        "variants",
        {
            **common,
            "name": f"{mode}-variants",
            "inputs": str(variants_input),
            "naive_sentences": size["naive_sentences"],
            "variants": variants,
        },
        work,
    )
    best = max((j for j in measured["jobs"] if j["variant"].startswith("torch")), key=translate_tok_s)
    best_variant = next(v for v in variants if v["name"] == best["variant"])
    scaling = []
    for factor in SCALES:
        count = size["scale_base"] * factor
        inputs = write_jsonl(make_articles(count, size["scale_words"], seed=2), work / mode / f"scale-{factor}x.jsonl")
        print(f"scaling: {count} articles ({factor}x), {best_variant['name']} ...", flush=True)
        scaling.append(
            child(
                "job",
                {**common, "name": f"{mode}-scale-{factor}x", "inputs": str(inputs), "variant": best_variant},
                work,
            )
        )
    text, ok = report(measured, scaling, size, mode, started, loads)
    print()
    print(text)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
