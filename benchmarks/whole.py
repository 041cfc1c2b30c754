#!/usr/bin/env python
"""Whole-job benchmark: summaries plus ru, zh and kk at the default settings, against a naive job.

    python benchmarks/whole.py --quick            # a few minutes on 2 cores once the models are built
    python benchmarks/whole.py                    # more and longer articles
    python benchmarks/whole.py --quick --busy     # the same with one core kept busy by another process
    python benchmarks/whole.py --backend torch --dtype fp32   # any job settings (gpu.sh uses these)

Not a test: it prints tables (markdown) and exits 0. In one run on one machine, each step in a
fresh process:

1. random-weight models of the real shapes (configs/real: opus-mt-en-ru, opus-mt-en-zh,
   m2m100_418M, distilbart-cnn-12-6; benchmarks/realmodels.py), built once into --workdir;
2. generated English articles of 300 to 2,000 words (benchmarks/articles.py), some longer than
   the summarizer's 1,024-token window;
3. the job (`run_job`, cache off) with the registry's generation settings (summaries: beam 2,
   30-142 new tokens; translation: greedy), `--lang ru zh kk`, at the asked --backend/--dtype
   (default auto);
4. the same job for kk alone (the largest translation model), for peak memory (a warm-up job on
   one short article runs first, unmeasured, so that CTranslate2's one-off conversions count in
   neither);
5. a naive whole job on the same work: per article one `generate()` (fp32, the registry's beam)
   on the input truncated to the window, then per sentence `generate()` into each language
   (fp32) over the sentences the job translated, on the GPU when --device cuda. The naive loop is timed on a sample (spread
   over the articles and sentences) and scaled by count; model loads are shown apart.

Summaries. Every summarizer batch runs and is timed as it is, but a random BART's output is
filler words with no sentence end that re-tokenize to 2-5x the tokens generated: later map-reduce
levels would read far more than a real model's summaries make, and the translation stage would
get one 700-800-token unit per article. So each output is replaced, after its batch, by readable
generated sentences of as many tokens as that row generated (readable_summaries): the next level
and the translation stage get text of a real summary's size. The naive loop samples the same
translation units.

Output lengths. Random weights never stop on their own, so every output has a forced length
derived from its input (min = max new tokens), for the job and the naive loop alike:
translation ceil(1.2 x input tokens), summaries input/6 within the configured 30..142. The job
decodes a batch to the length its longest input asks for (batches are length-sorted, so this is
close to each row's own), which can only make the job look slower. This is a per-batch length
rule installed in the benchmark's child processes (jobs.backends.base's length functions), not a
logits processor: CTranslate2 takes no Python logits processor, and the job's fast paths must
run as they do in production.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.run import Probe, child, machine, peak_rss_mib, reset_peak_rss, versions  # noqa: E402

MODELS = {"summary": "distilbart-cnn-12-6", "ru": "opus-mt-en-ru", "zh": "opus-mt-en-zh", "kk": "m2m100_418M"}
LANGS = ("ru", "zh", "kk")
TRANSLATION_RATIO = 1.2  # translation output tokens per input token (real en->ru/zh/kk: about 1.1-1.3)
SUMMARY_DIVISOR = 6  # summary tokens per input token: 1/6, within the configured min..max
SHORTLIST_SIZES = [64000, 32000, 16000]  # tokens kept, for --shortlist-micro (m2m100 has 128,112)
SIZES = {
    "quick": {"words": [300, 700, 1300, 2000], "naive_articles": 2, "naive_sentences": 6},
    "full": {
        "words": [300, 450, 600, 800, 1000, 1200, 1500, 1800, 2000, 350, 900, 1600],
        "naive_articles": 4,
        "naive_sentences": 24,
    },
}


# --------------------------------------------------------------------------- lengths (children)


def forced_length(settings, translation: bool, window: int, longest: int) -> int:
    """The benchmark's output length for an input of `longest` tokens."""
    if translation:
        return max(1, min(window, math.ceil(TRANSLATION_RATIO * longest)))
    low, high = settings.min_new_tokens or 1, settings.max_new_tokens or window // 2
    return max(low, min(high, longest // SUMMARY_DIVISOR))


def install_lengths() -> None:
    """Every batch of the job decodes exactly `forced_length` of its longest input."""
    import jobs.backends.base as base

    base.max_new_tokens = lambda settings, translation, window, longest: forced_length(
        settings, translation, window, longest
    )
    base.min_new_tokens = lambda settings, translation, shortest, max_new: max_new


def readable_summaries(backend, seed: int = 1000) -> None:
    """The summarizer keeps its real cost but its outputs read like real summaries of that length.

    A random-weight BART emits filler tokens and never a sentence end; re-tokenized, 142 generated
    tokens become 300-750 input tokens. So every map-reduce level after the first would read two
    to five times the text a real model's summaries make (a real summary re-tokenizes to about
    the tokens it was generated as), pack fewer summaries per window and take more levels; and
    the translation stage would get one 700-800-token unit per article instead of a few short
    sentences. Each generated batch is run and timed as it is; then each output is replaced by new
    sentences from benchmarks/articles.py's generator, as many summarizer tokens as that row
    generated (its own count, not the filler's length)."""
    from benchmarks.articles import SentenceMaker

    maker, real, lock = SentenceMaker(seed=seed), backend._generate_batch, threading.Lock()

    def tokens(text: str) -> int:
        with backend._tokenizer_lock:
            return len(backend.text.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _generate_batch(ids, max_new, min_new):
        decoded, counts = real(ids, max_new, min_new)
        texts = []
        for text, generated in zip(decoded, counts):
            if not text:
                texts.append(text)
                continue
            target, sentences, have = max(4, generated - 2), [], 0  # BOS and EOS are not text
            with lock:  # batches run on several streams; one generator, one order per stream
                while have < target:
                    sentence = maker.sentence()
                    sentences.append(sentence)
                    have += tokens(sentence)
            texts.append(" ".join(sentences))
        return texts, counts

    backend._generate_batch = _generate_batch


# --------------------------------------------------------------------------- children


def child_job(spec: dict) -> dict:
    """The job on the articles for spec's languages; per stage and language what it cost."""
    from jobs.config import build_config
    from jobs.pipeline import run_job

    install_lengths()
    probe = Probe(keep_outputs=True)
    probe.install()
    peaks: dict[str, float] = {}
    import jobs.backends as backends

    made = backends.make_backend

    def make_backend(spec_, role, config, *, translation):
        backend = made(spec_, role, config, translation=translation)
        if role == "summary":
            readable_summaries(backend)
        reset_peak_rss()
        close = backend.close

        def measured_close():
            peaks[role] = peak_rss_mib()
            close()

        backend.close = measured_close
        return backend

    backends.make_backend = make_backend
    import jobs.stages.summarize as summarize

    passes: list[dict] = []
    summarize_articles = summarize.summarize_articles

    def kept_passes(*args, **kwargs):
        results, stats = summarize_articles(*args, **kwargs)
        passes.extend(stats.passes)
        return results, stats

    summarize.summarize_articles = kept_passes
    out = Path(spec["work"]) / "out" / spec["name"]

    def configured(out: Path):
        return build_config(
            config_file=Path(spec["registry"]),
            langs=spec["langs"],
            inputs=[Path(spec["inputs"])],
            out=out,
            cache=out / "cache.sqlite3",
            force=True,
            **spec["options"],
        )

    reset_peak_rss()
    report = run_job(configured(out))
    stages = _stages(probe, report, peaks)
    result = {
        "summary_passes": list(passes),
        "shortlists": _shortlists_of(report),
        "job_s": report.seconds,
        "articles": report.articles,
        "stages": stages,
        "models": _models_of(report, out),
        "peak_rss_mib": peak_rss_mib(),
        "timings": report.timings,
    }
    if spec.get("again"):  # the same job once more in this process: what the first run paid once
        probe.stats.clear()
        passes.clear()
        again = run_job(configured(out.with_name(out.name + "-again")))
        result["again"] = {"job_s": again.seconds, "stages": _stages(probe, again, {}), "summary_passes": passes}
    return result


def _stages(probe, report, peaks: dict) -> dict:
    """Per role: the stage's wall time, and the model load and generate() time inside it."""
    stages = {}
    for role, stats in probe.stats.items():
        stage = "summarize" if role == "summary" else f"translate {role}"
        stages[role] = {
            "seconds": report.timings.get(stage, 0.0),
            "load_s": stats["load_s"],
            "generate_s": stats["generate_s"],
            "output_tokens": stats["output_tokens"],
            "input_tokens": stats["input_tokens"],
            "texts": stats["texts"],
            "calls": stats["calls"],
            "peak_rss_mib": peaks.get(role),
            "inputs": stats["inputs"] if role != "summary" else [],
        }
    return stages


def _models_of(report, out: Path) -> dict:
    """backend / dtype / quantize of each model, from the bundles' manifests."""
    found = {}
    for lang, folder in report.bundles.items():
        manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
        for role, entry in manifest.get("models", {}).items():
            if isinstance(entry, dict):
                key = "summary" if role == "summary" else lang
                found[key] = f"{entry.get('backend')} {entry.get('dtype')}" + (
                    f" {entry['quantize']}" if entry.get("quantize") not in (None, "none") else ""
                )
    return found


def _shortlists_of(report) -> dict:
    """Each translation model's shortlist (the manifest's identity) and the tokens it kept."""
    found = {}
    for lang, folder in report.bundles.items():
        manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
        entry = manifest.get("models", {}).get("translation")
        if isinstance(entry, dict) and entry.get("shortlist"):
            found[lang] = {"shortlist": entry["shortlist"], "tokens": entry.get("shortlist_tokens")}
    return found


def child_floor(spec: dict) -> dict:
    """The least a summary stage that reads every sentence can cost at the job's settings: the
    articles' first-level chunks (exactly the job's) through the job's summary backend, encoded
    once with one token decoded. Every later level and every decoded token comes on top."""
    import jobs.backends.base as base
    from jobs.backends import make_backend
    from jobs.config import build_config
    from jobs.stages.summarize import _start

    base.max_new_tokens = lambda settings, translation, window, longest: 1
    base.min_new_tokens = lambda settings, translation, shortest, max_new: None
    out = Path(spec["work"]) / "out" / spec["name"]
    config = build_config(
        config_file=Path(spec["registry"]), langs=["ru"], inputs=[Path(spec["inputs"])], out=out, **spec["options"]
    )
    backend = make_backend(config.summary_model, "summary", config, translation=False)
    articles = [json.loads(line) for line in Path(spec["inputs"]).read_text(encoding="utf-8").splitlines()]
    count = backend.counter()
    chunks = [c for a in articles for c in _start(a["paragraphs"], count, backend.max_input_tokens).pending]
    backend.generate(chunks[:1])  # loads the model; not timed
    generated = backend.generate(chunks)
    backend.close()
    return {"seconds": generated.seconds, "texts": len(chunks), "input_tokens": generated.input_tokens}


def child_naive(spec: dict) -> dict:
    """Naive loops on samples: per article summary on the truncated input, per sentence translation."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from jobs.config import GenerationSettings

    result = {}
    summary_settings = GenerationSettings(**spec["summary_settings"])
    for role, folder in spec["models"].items():
        t0 = time.perf_counter()
        tok = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForSeq2SeqLM.from_pretrained(folder).to(spec.get("device", "cpu")).eval()
        model.generation_config.max_length = None
        model.generation_config.min_length = None
        load_s = time.perf_counter() - t0
        extra = {}
        if role == "kk":
            tok.src_lang = "en"
            extra["forced_bos_token_id"] = tok.get_lang_id("kk")
        texts = spec["samples"][role]
        prefix = ">>cmn_Hans<< " if role == "zh" else ""
        tokens, started = 0, time.perf_counter()
        for text in texts:
            enc = tok([prefix + text], return_tensors="pt", truncation=True, max_length=spec["windows"][role])
            enc = {k: v.to(spec.get("device", "cpu")) for k, v in enc.items()}
            length = enc["input_ids"].shape[1]
            if role == "summary":
                n, beams = (
                    forced_length(summary_settings, False, spec["windows"][role], length),
                    summary_settings.num_beams,
                )
            else:
                n, beams = forced_length(None, True, spec["windows"][role], length), 1
            with torch.inference_mode():
                out = model.generate(
                    **enc, max_new_tokens=n, min_new_tokens=n, num_beams=beams, do_sample=False, **extra
                )
            tokens += int(out.shape[1] - 1)
        seconds = time.perf_counter() - started
        result[role] = {"load_s": load_s, "sample": len(texts), "seconds": seconds, "output_tokens": tokens}
        del model
    return result


# --------------------------------------------------------------------------- parent


def run_child(mode: str, spec: dict, work: Path) -> dict:
    """One measurement of this benchmark in a fresh process (benchmarks.run's runner)."""
    return child(mode, spec, work, script=Path(__file__).resolve())


def write_registry(work: Path, models: dict[str, Path]) -> Path:
    """configs/models.yaml with the benchmark's models: the registry's own generation settings."""
    import yaml

    registry = yaml.safe_load((REPO / "configs" / "models.yaml").read_text(encoding="utf-8"))
    registry["summary"]["model"] = str(models["summary"])
    for lang in LANGS:
        registry["languages"][lang]["model"] = str(models[lang])
    registry["defaults"]["device"] = "auto"
    path = work / "models.yaml"
    path.write_text(yaml.safe_dump(registry, sort_keys=False), encoding="utf-8")
    return path


def samples(articles: list[dict], job: dict, size: dict) -> dict[str, list[str]]:
    """What the naive loop runs: whole articles for the summary, the job's own units per language."""
    step = max(1, len(articles) // size["naive_articles"])
    picked = {"summary": ["\n\n".join(a["paragraphs"]) for a in articles[::step][: size["naive_articles"]]]}
    for lang in LANGS:
        units = job["stages"][lang]["inputs"]
        stride = max(1, len(units) // size["naive_sentences"])
        picked[lang] = units[::stride][: size["naive_sentences"]]
    return picked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 articles, small naive samples")
    parser.add_argument("--busy", action="store_true", help="keep one core busy with a Python loop meanwhile")
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--quantize", default="none")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch-tokens", type=int, default=None)
    parser.add_argument("--no-naive", action="store_true", help="the job only (batch-size sweeps)")
    parser.add_argument(
        "--again",
        action="store_true",
        help="run the job a second time in the same process: what the first run paid once (CUDA start, kernels)",
    )
    parser.add_argument("--no-single", action="store_true", help="skip the kk-only job (the peak RSS ratio)")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "jobs-whole")
    parser.add_argument("--plan", action="store_true", help="check the options, say what would run and stop")
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="build the models and run the warm-up job (converts for CTranslate2), untimed",
    )
    parser.add_argument("--no-warm-up", action="store_true", help="skip the warm-up job (done by --prepare)")
    parser.add_argument(
        "--shortlist-micro",
        action="store_true",
        help="only m2m100 output tokens/s with the whole output layer vs shortlists of several sizes (one process)",
    )
    parser.add_argument(
        "--shortlist-sizes",
        type=int,
        nargs="+",
        default=SHORTLIST_SIZES,
        metavar="ROWS",
        help="--shortlist-micro's shortlist sizes (default: 64000 32000 16000; the real m2m100 tokenizer's "
        "kk-Cyrl script shortlist keeps 81732, --vocab-check says)",
    )
    parser.add_argument(
        "--vocab-check",
        metavar="TOKENIZER",
        help="only the real-vocabulary check: a hub id (cached) or folder of the model's tokenizer, e.g. facebook/m2m100_418M",
    )
    parser.add_argument(
        "--references",
        type=Path,
        default=None,
        help="FLORES-200 references for --vocab-check (default: kaz_Cyrl.devtest in the eval data, jobs eval's)",
    )
    parser.add_argument("--child", nargs=3, metavar=("MODE", "SPEC", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, spec_file, out_file = args.child
        spec = json.loads(Path(spec_file).read_text(encoding="utf-8"))
        result = {"job": child_job, "naive": child_naive, "floor": child_floor, "shortlist": child_shortlist}[mode](
            spec
        )
        Path(out_file).write_text(json.dumps(result), encoding="utf-8")
        return 0
    if args.plan:
        return plan(args)
    if args.vocab_check:
        from jobs.quality.eval import FLORES_DIR, default_eval_dir

        references = args.references or default_eval_dir() / FLORES_DIR / "kaz_Cyrl.devtest"
        print(vocab_check(args.vocab_check, references))
        return 0
    return measure(args)


def job_options(args) -> dict:
    options = {"backend": args.backend, "dtype": args.dtype, "quantize": args.quantize, "device": args.device}
    if args.batch_tokens:
        options["batch_tokens"] = args.batch_tokens
    return options


def plan(args) -> int:
    """The options checked as the job checks them (jobs.config), nothing built, no device touched."""
    from jobs.config import build_config

    config = build_config(config_file=REPO / "configs" / "models.yaml", langs=list(LANGS), **job_options(args))
    what = "prepare (build models, warm-up job)" if args.prepare else "measure"
    print(
        f"would {what}: {'quick' if args.quick else 'full'} sizes, backend {config.backend}, device {config.device}, "
        f"dtype {config.dtype}, quantize {config.quantize}, batch tokens {config.batch_tokens or 'auto'}, "
        f"naive {'no' if args.no_naive else 'yes'}, warm-up {'no' if args.no_warm_up else 'yes'}, "
        f"kk-only job {'no' if args.no_single else 'yes'}, again in the same process {'yes' if args.again else 'no'}"
    )
    return 0


def prepare(args) -> tuple[dict, dict, list[dict], Path]:
    """Models built (once per --workdir), articles and registry written; the job's spec base."""
    from benchmarks.articles import make_articles, write_jsonl
    from benchmarks.realmodels import build

    work = args.workdir.resolve()
    (work / "models").mkdir(parents=True, exist_ok=True)
    size = SIZES["quick" if args.quick else "full"]
    models = {role: build(name, work / "models") for role, name in MODELS.items()}
    articles = []
    for index, words in enumerate(size["words"]):
        (article,) = make_articles(1, words, seed=index)
        article["id"] = f"whole-{index:03d}"
        articles.append(article)
    inputs = write_jsonl(articles, work / "articles.jsonl")
    registry = write_registry(work, models)
    base = {"work": str(work), "registry": str(registry), "inputs": str(inputs), "options": job_options(args)}
    return base, models, articles, registry


def warm_up(base: dict, work: Path) -> None:
    """Not measured: converts the models for CTranslate2 once (the conversion loads the HF model
    in fp32, which would count in the first job's peak RSS and load time)."""
    from benchmarks.articles import make_articles, write_jsonl

    warm = write_jsonl(make_articles(1, 40, seed=99), work / "warm-up.jsonl")
    run_child("job", {**base, "name": "warm-up", "langs": list(LANGS), "inputs": str(warm)}, work)


def measure(args) -> int:
    base, models, articles, registry = prepare(args)
    work = Path(base["work"])
    size = SIZES["quick" if args.quick else "full"]
    if args.prepare:
        warm_up(base, work)
        print(f"prepared: models in {work / 'models'}, warm-up job run ({job_options(args)})")
        return 0
    if args.shortlist_micro:
        from jobs.stages.segment import split_sentences

        sentences = [s for a in articles for p in a["paragraphs"] for s in split_sentences(p)][
            : 48 if args.quick else 160
        ]
        spec = {**base, "name": "shortlist", "sentences": sentences, "sizes": args.shortlist_sizes, "rounds": 2}
        run_child(
            "shortlist", {**spec, "name": "shortlist-warm", "sentences": sentences[:2], "sizes": [], "rounds": 1}, work
        )
        print(shortlist_report(run_child("shortlist", spec, work), len(sentences)))
        return 0
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy else None
    try:
        if not args.no_warm_up:
            warm_up(base, work)
        job = run_child("job", {**base, "name": "job-3", "langs": list(LANGS), "again": args.again}, work)
        single = None if args.no_single else run_child("job", {**base, "name": "job-kk", "langs": ["kk"]}, work)
        job["floor"] = run_child("floor", {**base, "name": "floor"}, work)
        naive = None
        if not args.no_naive:
            import yaml

            settings = yaml.safe_load(registry.read_text(encoding="utf-8"))["defaults"]["summary"]
            windows = {"summary": 1024, "ru": 512, "zh": 512, "kk": 1024}
            spec = {
                **base,
                "name": "naive",
                "models": {r: str(m) for r, m in models.items()},
                "samples": samples(articles, job, size),
                "summary_settings": settings,
                "device": "cuda" if args.device.startswith("cuda") else "cpu",
                "windows": windows,
            }
            naive = run_child("naive", spec, work)
    finally:
        if busy is not None:
            busy.kill()
    print(report(args, articles, job, single, naive))
    return 0


def report(args, articles: list[dict], job: dict, single: dict, naive: dict | None) -> str:
    facts = machine()
    words = [sum(len(p.split()) for p in a["paragraphs"]) for a in articles]
    lines = [
        f"Machine: {facts['cpu']}, {facts['cores']} cores, {facts['mem_gib']} GiB; {versions()}",
        f"Job: --backend {args.backend} --dtype {args.dtype} --quantize {args.quantize} --device {args.device}"
        f"{' --busy (one core kept busy)' if args.busy else ''}; {len(articles)} articles of {min(words)}-"
        f"{max(words)} words; ran: {job['models']}",
        "",
        "| stage | job s | share | load s | out tok/s | peak RSS MiB | naive s (est.) | x naive |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    total_job = sum(s["seconds"] - s["load_s"] for s in job["stages"].values())
    total_naive, naive_by_role = 0.0, {}
    for role in ("summary", *LANGS):
        stage = job["stages"][role]
        work_s = stage["seconds"] - stage["load_s"]
        naive_s = None
        if naive:
            sample = naive[role]
            count = len(articles) if role == "summary" else stage["texts"]
            naive_s = sample["seconds"] / sample["sample"] * count
            total_naive += naive_s
            naive_by_role[role] = naive_s
        lines.append(
            f"| {'summarize' if role == 'summary' else 'translate ' + role} | {work_s:.1f} | "
            f"{work_s / total_job:.0%} | {stage['load_s']:.1f} | {stage['output_tokens'] / max(stage['generate_s'], 1e-9):.0f} | "
            f"{stage['peak_rss_mib'] or 0:.0f} | {naive_s or 0:.1f} | {(naive_s / work_s) if naive_s else 0:.1f} |"
        )
    ratio = f"{total_naive / total_job:.1f}x naive" if naive else "naive not run"
    lines += [
        f"| whole job (model stages, loads apart) | {total_job:.1f} | 100% | "
        f"{sum(s['load_s'] for s in job['stages'].values()):.1f} | | {job['peak_rss_mib']:.0f} | {total_naive:.1f} | "
        f"{ratio} |",
        "",
        f"Job wall time {job['job_s']:.1f} s (loads and publishing included): "
        f"{job['articles'] / job['job_s'] * 3600:.0f} articles/hour.",
        f"Peak RSS: 3-language job {job['peak_rss_mib']:.0f} MiB; "
        + (
            f"kk-only job (summary + the largest translation model, m2m100_418M) {single['peak_rss_mib']:.0f} MiB; "
            f"ratio {job['peak_rss_mib'] / single['peak_rss_mib']:.2f}."
            if single
            else "kk-only job not run (--no-single)."
        ),
    ]
    lines += again_lines(job)
    summary = job["stages"].get("summary")
    if summary:
        lines.append(
            f"Summaries: texts per map-reduce level {summary['calls']}; {summary['input_tokens']} input and "
            f"{summary['output_tokens']} output tokens (the naive loop: one text per article, cut to the window)."
        )
        floor = job["floor"]
        naive_summary = naive_by_role.get("summary")
        lines.append(
            f"Summary floor: the first level's {floor['texts']} chunks ({floor['input_tokens']} tokens: every sentence "
            f"once) encoded with one token decoded, job settings: {floor['seconds']:.1f} s"
            + (f" = naive / {naive_summary / floor['seconds']:.1f}." if naive_summary else ".")
        )
    if summary:
        lines += summary_lines(job, summary)
    lines += kazakh_lines(job)
    if naive:
        lines.append(
            "Naive loads: "
            + ", ".join(f"{r} {naive[r]['load_s']:.1f} s" for r in ("summary", *LANGS))
            + "; samples: "
            + ", ".join(f"{r} {naive[r]['sample']}" for r in ("summary", *LANGS))
            + "."
        )
    return "\n".join(lines)


def again_lines(job: dict) -> list[str]:
    """Each stage's time outside its model load and generate() calls, and with --again the same job
    run a second time in the same process: what only a process's first run pays (on a GPU: the
    CUDA context, kernels loaded at first use) against what every run pays. Where a model loads
    inside its first generate() call, the load is in both columns and "other" can go below zero
    by up to the load time."""
    runs = [("first run", job)] + ([("again, same process", job["again"])] if job.get("again") else [])
    lines = [
        "",
        "| stage | run | stage s | load s | generate s | other s |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for role in ("summary", *LANGS):
        for name, run in runs:
            stage = run["stages"].get(role)
            if stage:
                other = stage["seconds"] - stage["load_s"] - stage["generate_s"]
                lines.append(
                    f"| {'summarize' if role == 'summary' else 'translate ' + role} | {name} | {stage['seconds']:.1f} | "
                    f"{stage['load_s']:.1f} | {stage['generate_s']:.1f} | {other:.1f} |"
                )
    if job.get("again"):
        passes = ", ".join(
            f"level {p['level']} {p['kind']} {p['seconds']:.1f} s" for p in job["again"]["summary_passes"]
        )
        lines += [
            "",
            f"Job again in the same process: {job['again']['job_s']:.1f} s against {job['job_s']:.1f} s; summary passes {passes}.",
        ]
    return lines


def summary_lines(job: dict, summary: dict) -> list[str]:
    """Cost per map-reduce level and kind (issue #28), and the stage against its floor."""
    lines = [
        "",
        "| summary level | kind | texts | input tokens | output tokens | s | share of generate s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    passes = job.get("summary_passes", [])
    total = sum(p["seconds"] for p in passes) or 1e-9
    for p in passes:
        lines.append(
            f"| {p['level']} | {p['kind']} | {p['texts']} | {p['input_tokens']} | {p['output_tokens']} | "
            f"{p['seconds']:.1f} | {p['seconds'] / total:.0%} |"
        )
    floor = job["floor"]["seconds"]
    stage = summary["seconds"] - summary["load_s"]
    lines += [
        "",
        f"Summary stage / summary floor: {stage:.1f} s / {floor:.1f} s = {stage / floor:.2f}x the floor "
        f"(issue #28 target <= 1.5x).",
    ]
    return lines


def kazakh_lines(job: dict) -> list[str]:
    """Kazakh output tokens/s at the job's settings, and the shortlist that ran (issue #28)."""
    stage = job["stages"].get("kk")
    if not stage:
        return []
    rate = stage["output_tokens"] / max(stage["generate_s"], 1e-9)
    shortlist = job.get("shortlists", {}).get("kk")
    if shortlist:
        listed = shortlist["shortlist"]
        said = f"shortlist {listed.get('kind')} {listed.get('lang_tag')} ({'+'.join(listed.get('scripts', []))}), {shortlist['tokens']} tokens kept"
    else:
        said = "no shortlist"
    return [
        f"Kazakh: {rate:.0f} output tokens/s ({stage['output_tokens']} tokens in {stage['generate_s']:.1f} s of "
        f"generation; {said}). The benchmark's m2m100 tokenizer is synthetic (its filler pieces are Latin), so a "
        "script shortlist keeps nearly all of it here: see --shortlist-micro for the output layer's share."
    ]


# --------------------------------------------------------------------------- shortlist (issue #28)


def child_shortlist(spec: dict) -> dict:
    """m2m100_418M (real shape, random weights) at the job's settings: output tokens/s of the same
    sentences with the whole 128k-token output layer and with shortlists of `sizes` tokens, all in
    this one process, alternating, `rounds` times (a busy machine slows every variant alike)."""
    from jobs.backends import make_backend
    from jobs.config import build_config

    install_lengths()
    config = build_config(
        config_file=Path(spec["registry"]),
        langs=["kk"],
        inputs=[Path(spec["inputs"])],
        out=Path(spec["work"]),
        **spec["options"],
    )
    sentences = spec["sentences"]
    results: dict[str, list[float]] = {}
    tokens: dict[str, int] = {}
    full_rows, name = None, ""
    for _ in range(spec["rounds"]):
        for size in [None, *spec["sizes"]]:
            backend = make_backend(config.models["kk"], "kk", config, translation=True)
            if size is None:
                backend.shortlist = None
                backend.shortlist_ids = None
            else:
                specials = set(backend.text.tokenizer.all_special_ids)
                backend.shortlist_ids = sorted(specials | set(range(size - len(specials))))[:size]
            backend.generate(sentences[:2])  # loads the model; not timed
            if full_rows is None:
                full_rows = len(backend.text.tokenizer)
            out = backend.generate(sentences)
            label = "full" if size is None else str(size)
            results.setdefault(label, []).append(out.output_tokens / out.seconds)
            tokens[label] = out.output_tokens
            name = f"{backend.identity.backend} {backend.identity.dtype}"
            backend.close()
    return {"rates": results, "tokens": tokens, "rows": full_rows, "backend": name}


def shortlist_report(result: dict, sentences: int) -> str:
    rates = {label: max(values) for label, values in result["rates"].items()}
    full = rates["full"]
    lines = [
        f"m2m100_418M shape, random weights, {result['backend']} at the job's settings, {sentences} sentences, "
        f"forced lengths; output tokens/s, best of {len(result['rates']['full'])} alternating rounds in one process:",
        "",
        "| output vocabulary | tokens kept | tok/s (each round) | best | x full |",
        "| --- | ---: | --- | ---: | ---: |",
    ]
    for label, values in result["rates"].items():
        kept = result["rows"] if label == "full" else int(label)
        lines.append(
            f"| {'whole' if label == 'full' else 'shortlist'} | {kept} | {', '.join(f'{v:.0f}' for v in values)} | "
            f"{rates[label]:.0f} | {rates[label] / full:.2f} |"
        )
    return "\n".join(lines)


def vocab_check(tokenizer: str, references: Path, tag: str = "kk-Cyrl") -> str:
    """The real-vocabulary check of issue #28: the tokens a `script` shortlist removes from the
    model's tokenizer never occur in the FLORES-200 references tokenized with that tokenizer."""
    from transformers import AutoTokenizer

    from jobs.backends.shortlist import Shortlist

    try:
        tok = AutoTokenizer.from_pretrained(tokenizer)
    except OSError as exc:
        raise SystemExit(
            f"--vocab-check: the tokenizer {tokenizer} is neither a folder nor in the Hugging Face cache here "
            f"({type(exc).__name__}); run it where the model is cached, or pass the folder of its tokenizer files"
        ) from None
    shortlist = Shortlist.of(f"script:{tag}", tag.split("-")[0])
    kept = set(shortlist.token_ids(tok))
    lines = [line.strip() for line in references.read_text(encoding="utf-8").splitlines() if line.strip()]
    counts: dict[int, int] = {}
    for ids in tok(lines, add_special_tokens=False)["input_ids"]:
        for i in ids:
            counts[i] = counts.get(i, 0) + 1
    removed = {i: n for i, n in counts.items() if i not in kept}
    vocab = len(tok)
    shown = ", ".join(
        f"{tok.convert_ids_to_tokens(i)!r} x{n}" for i, n in sorted(removed.items(), key=lambda x: -x[1])[:20]
    )
    return (
        f"Shortlist {tag} ({'+'.join(shortlist.scripts)}) on {tokenizer}: {len(kept)} of {vocab} tokens kept "
        f"({len(kept) / vocab:.1%}).\n"
        f"{references}: {len(lines)} references, {sum(counts.values())} tokens, {len(counts)} distinct; "
        f"tokens the shortlist removes that occur in them: {len(removed)} distinct, {sum(removed.values())} occurrences"
        + (f": {shown}" if removed else ".")
    )


if __name__ == "__main__":
    raise SystemExit(main())
