"""Text generation backends: texts in, texts out, batched by a token budget.

Two backends share one interface (`count_tokens`, `counter`, `max_input_tokens`, `generate`,
`cache_key`, `describe`, `label`, `is_loaded`, `close`, `revision`):

* `TorchBackend` runs transformers' `generate()` on CPU, CUDA or MPS, in fp32, bf16 or fp16, or
  on CPU with dynamic int8 quantization of the Linear layers;
* `jobs.backends.ctranslate2.CT2Backend` runs a CTranslate2 conversion of the same model (optional dependency).

Batches are built from texts sorted by token length so that little padding is computed, under a
budget of padded input tokens per batch, and results are put back in input order. On CPU two
batches run at a time, each on its share of the cores (`cpu_streams`). On CUDA out-of-memory a
batch is halved and retried, and the budget halved for the rest of the run.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from jobs.config import GenerationSettings, JobConfig, ModelSpec
from jobs.errors import ConfigError, JobError
from jobs.models.hub import LOGITS_BIAS_MODEL_TYPES, LoadedModel, load_model, model_revision, resolve_device

log = logging.getLogger("jobs")

MAX_BATCH_SENTENCES = 256  # default cap of plan_batches
# Sentences per batch on CPU, measured on 2 cores (opus-mt-en-ru shape, docs/benchmarks.md):
# with the job's greedy loop torch peaks at 64 rows (int8 and bf16), CTranslate2 at 32; both
# lose a fifth to a third at 128-160 rows (per-step logits and caches leave the CPU caches).
CPU_BATCH_ROWS = 64
MAX_BATCH_SENTENCES_GPU = 1024
OUTPUT_RATIO = 1.6  # translation output tokens allowed per input token (plus a margin)
OUTPUT_MARGIN = 10
CPU_BATCH_TOKENS = 4096  # measured on 2 cores: larger batches gain nothing on CPU (docs/benchmarks.md)
MIN_BATCH_TOKENS = 64
DTYPES = ("auto", "fp32", "bf16", "fp16")
QUANTIZE = ("none", "int8")


class DeviceOutOfMemory(JobError):
    """A single text does not fit the device's memory even in a batch of its own."""


@dataclass
class Generated:
    """Outputs in input order, with what it cost and whether an output hit the length limit."""

    texts: list[str]
    hit_limit: list[bool]
    input_tokens: int = 0
    output_tokens: int = 0
    batches: int = 0
    settings: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0  # wall time spent generating (tokenizing and decoding included)
    oom_retries: int = 0  # batches halved after running out of device memory
    errors: dict[int, str] = field(default_factory=dict)  # input index -> why it has no output (failed batch)


def plan_batches(lengths: Sequence[int], batch_tokens: int, max_sentences: int = MAX_BATCH_SENTENCES) -> list[list[int]]:
    """Group indices into batches whose padded size (count x longest) stays within the budget.

    Longest first, so the padded size is known when a batch opens; a text longer than the
    budget gets a batch of its own rather than being cut.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for index in order:
        longest_if_added = max(longest, lengths[index])
        if current and (longest_if_added * (len(current) + 1) > batch_tokens or len(current) >= max_sentences):
            batches.append(current)
            current, longest_if_added = [], lengths[index]
        current.append(index)
        longest = longest_if_added
    if current:
        batches.append(current)
    return batches


# --------------------------------------------------------------------------- device facts


def cpu_flags() -> set[str]:
    """The CPU feature flags Linux reports (empty elsewhere)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def cpu_supports_bf16() -> bool:
    """bf16 matrix instructions (AVX512-BF16 or AMX-BF16): without them bf16 is slower than fp32."""
    if os.environ.get("JOBS_CPU_BF16", "").strip().lower() in {"0", "1"}:  # override for tests and odd CPUs
        return os.environ["JOBS_CPU_BF16"].strip() == "1"
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def cpu_streams(threads: int) -> int:
    """How many batches the torch backend decodes at once on CPU, each on its share of `threads`
    (torch's intra-op threads: the cores, or OMP_NUM_THREADS, or what Ray gives an actor).

    Measured on 2 cores (docs/benchmarks.md): two batches at a time on one core each beat one
    batch on two cores by an eighth (torch int8) to a half (torch bf16), because one decoding step is hundreds of small
    operations, each too short to split well between cores, and one batch's Python work runs
    while the other batch computes. `JOBS_CPU_STREAMS=N` overrides (1 = one batch at a time).
    """
    wanted = os.environ.get("JOBS_CPU_STREAMS", "").strip()
    if wanted:
        try:
            return max(1, int(wanted))
        except ValueError:
            raise ConfigError(f"JOBS_CPU_STREAMS must be a whole number, not {wanted!r}") from None
    return 2 if threads >= 2 else 1


@contextlib.contextmanager
def torch_threads(count: int):
    """torch's intra-op threads set to `count` inside, restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def resolve_dtype(dtype: str, device: str, quantize: str = "none") -> str:
    """fp32 | bf16 | fp16 for the torch backend on a resolved device; bad combinations are ConfigErrors.

    auto: fp16 on CUDA, fp32 on MPS and CPU. bf16 on CPU is opt-in: it doubles throughput on
    CPUs with bf16 instructions but changes a share of greedy outputs (docs/benchmarks.md).
    """
    if dtype not in DTYPES:
        raise ConfigError(f"--dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
    if quantize not in QUANTIZE:
        raise ConfigError(f"--quantize must be one of {', '.join(QUANTIZE)}, not {quantize!r}")
    on_cpu = device == "cpu"
    if quantize == "int8":
        if not on_cpu:
            raise ConfigError(
                f"--quantize int8 (torch dynamic int8) runs on CPU only, and the device is {device}; "
                f"on a GPU use --dtype fp16/bf16, or --backend ctranslate2 --quantize int8"
            )
        if dtype not in ("auto", "fp32"):
            raise ConfigError(f"--quantize int8 quantizes fp32 weights; drop --dtype {dtype} (or pass fp32)")
        return "fp32"
    if dtype == "auto":
        return "fp16" if device.startswith("cuda") else "fp32"
    if on_cpu and dtype == "fp16":
        raise ConfigError("--dtype fp16 is not supported on CPU (slow and no faster than fp32); "
                          "use --dtype bf16 on a CPU with bf16 instructions, or --quantize int8")
    if on_cpu and dtype == "bf16" and not cpu_supports_bf16():
        raise ConfigError("--dtype bf16: this CPU has no bf16 instructions (AVX512-BF16 or AMX), so bf16 would "
                          "be slower than fp32; use --quantize int8 for speed on this CPU")
    return dtype


def auto_batch_tokens(device: str, num_beams: int = 1) -> int:
    """The padded-input-token budget of one batch for this device.

    CPU: a fixed budget (throughput is flat beyond it and memory grows). CUDA: scaled with the
    card's memory, 8,192 tokens per 10 GiB (a 16 GiB card: about 13,000; an 80 GiB one: 65,536,
    the cap), divided by the beam count; out-of-memory halves it at run time anyway.
    """
    if device.startswith("cuda"):
        import torch

        index = int(device.partition(":")[2] or torch.cuda.current_device())
        total_gib = torch.cuda.get_device_properties(index).total_memory / 2**30
        budget = int(8192 * total_gib / 10)
        return max(1024, min(65_536, budget // max(1, num_beams)))
    return CPU_BATCH_TOKENS


def is_out_of_memory(exc: BaseException) -> bool:
    """CUDA's OutOfMemoryError, or the RuntimeError MPS and older torch raise for the same thing."""
    try:
        import torch

        oom_types = tuple(t for t in (getattr(torch, "OutOfMemoryError", None),
                                      getattr(torch.cuda, "OutOfMemoryError", None)) if t is not None)
    except ImportError:  # pragma: no cover - torch is a dependency
        oom_types = ()
    if oom_types and isinstance(exc, oom_types):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


# --------------------------------------------------------------------------- factory


def make_backend(spec: ModelSpec, role: str, config: JobConfig, *, translation: bool):
    """The backend the config asks for, for one model (translation or summary settings)."""
    settings = config.translation if translation else config.summary
    kwargs = {"source_lang": config.source_lang, "device": config.device, "batch_tokens": config.batch_tokens or None,
              "settings": settings, "translation": translation, "dtype": getattr(config, "dtype", "auto"),
              "quantize": getattr(config, "quantize", "none")}
    backend = getattr(config, "backend", "torch")
    if backend == "ctranslate2":
        from jobs.backends.ctranslate2 import CT2Backend

        return CT2Backend(spec, role, **kwargs)
    if backend != "torch":
        raise ConfigError(f"--backend must be torch or ctranslate2, not {backend!r}")
    return TorchBackend(spec, role, **kwargs)


def check_backend_options(config: JobConfig) -> None:
    """Fail before any work when --backend/--dtype/--quantize cannot run here; run_job calls it.

    A ConfigError (exit code 2) for: int8 on a GPU with the torch backend, bf16 on a CPU
    without bf16 instructions, fp16 on CPU, ctranslate2 not installed or without the compute
    type, a bad JOBS_CPU_STREAMS. Loads no model and imports no torch (a fully cached run never
    does): so with the torch backend and `--device auto`, the rules that depend on the device
    (and whether a named CUDA device is there at all) wait for the first model load, since
    telling whether there is a GPU means importing torch. That is still before anything is
    written.
    """
    cpu_streams(1)
    backend = make_backend(config.summary_model, "summary", config, translation=False)
    if isinstance(backend, TorchBackend):
        if config.device != "auto":
            resolve_dtype(config.dtype, config.device, config.quantize)
        return
    backend._precision()  # ctranslate2: its own device count, no torch


# --------------------------------------------------------------------------- shared parts


class BaseBackend:
    """What both backends share: lazy loading, the cache key, batching, length limits."""

    name = "base"
    cpu_batch_rows = CPU_BATCH_ROWS

    def __init__(self, spec: ModelSpec, role: str, *, source_lang: str, device: str, batch_tokens: int | None,
                 settings: GenerationSettings, translation: bool, dtype: str = "auto", quantize: str = "none"):
        self.spec = spec
        self.role = role
        self.source_lang = source_lang
        self.device = device
        self._batch_tokens = batch_tokens  # None: chosen for the device when first needed
        self.settings = settings
        self.translation = translation
        self.dtype = dtype
        self.quantize = quantize
        self._loaded: LoadedModel | None = None
        self._ids: dict[str, list[int]] = {}  # token ids of texts seen, so each is tokenized once
        self._tokenizer_lock = threading.Lock()

    # ---- what subclasses provide

    def _load(self) -> LoadedModel:
        raise NotImplementedError

    def _precision(self) -> dict[str, Any]:
        """What, besides the model and settings, decides the outputs (dtype, quantization, ...)."""
        raise NotImplementedError

    def _requested_precision(self) -> dict[str, Any]:
        """The precision options as asked for: known without importing torch or loading anything.

        The cache key uses these, so that a fully cached run stays free of torch; `auto`
        resolves the same way every time on one machine.
        """
        return {"device": self.device, "dtype": self.dtype, "quantize": self.quantize}

    def _generate_batch(self, ids: list[list[int]], max_new: int, min_new: int | None) -> tuple[list[str], list[int]]:
        """Outputs and generated-token counts of one batch (token ids in, texts out)."""
        raise NotImplementedError

    def _free_device_memory(self) -> None:
        pass

    # ---- loading

    @property
    def loaded(self) -> LoadedModel:
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    @cached_property
    def revision(self) -> str:
        """Hub commit or local content hash, worked out once (hashing a folder reads the weights)."""
        return model_revision(self.spec)

    @cached_property
    def resolved_device(self) -> str:
        return resolve_device(self.device)

    @property
    def is_loaded(self) -> bool:
        return self._loaded is not None

    @property
    def batch_tokens(self) -> int:
        if self._batch_tokens is None:
            self._batch_tokens = auto_batch_tokens(self.resolved_device, self.settings.num_beams)
        return self._batch_tokens

    @property
    def max_batch_rows(self) -> int:
        """Most texts in one batch: large on a GPU, small on CPU (see CPU_BATCH_ROWS)."""
        if self.resolved_device.startswith("cuda"):
            return MAX_BATCH_SENTENCES_GPU
        if self.resolved_device == "cpu":
            return self.cpu_batch_rows
        return MAX_BATCH_SENTENCES

    @batch_tokens.setter
    def batch_tokens(self, value: int) -> None:
        self._batch_tokens = value

    def close(self) -> None:
        """Free the model's memory before the next one loads."""
        if self._loaded is None:
            return
        self._loaded.model = None  # reference counting frees it now (measured: no cycles keep it)
        self._ids.clear()
        self._free_device_memory()

    # ---- identity

    def cache_key(self) -> str:
        """What decides the outputs: model, exact revision, language quirks, generation settings,
        backend, dtype and quantization.

        Known without loading the model, so a cache can be consulted first.
        """
        key = {
            "backend": self.name,
            "model": self.spec.repo_id if not self.spec.is_local else str(self.spec.path.resolve()),
            "revision": self.revision,
            "role": self.role,
            "source_lang": self.source_lang,
            "target_token": self.spec.target_token,
            "lang_code": self.spec.lang_code,
            "max_input_tokens": self.spec.max_input_tokens,
            "generation": self.settings.model_dump(),
            "output_ratio": [OUTPUT_RATIO, OUTPUT_MARGIN],
            **self._requested_precision(),
        }
        return json.dumps(key, sort_keys=True)

    def describe(self) -> dict[str, Any]:
        """The manifest's account of this model; `loaded: false` when every output came from the cache."""
        if self._loaded is None:
            return {"id": self.spec.model, "revision": self.revision, "licence": self.spec.licence,
                    "backend": self.name, **self._requested_precision(), "loaded": False,
                    "generation": self.signature()}
        return {**self._loaded.describe(), "loaded": True, "generation": self.signature()}

    @property
    def label(self) -> str:
        """MODEL@REVISION, as each record names its models."""
        model = self.spec.repo_id if not self.spec.is_local else str(self.spec.path)
        return f"{model}@{self.revision}"

    def signature(self) -> dict[str, Any]:
        """Generation settings as recorded in the manifest."""
        return {
            "backend": self.name,
            **(self._precision() if self.is_loaded else self._requested_precision()),
            "batch_tokens": self._batch_tokens or "auto",
            "max_new_tokens": self.settings.max_new_tokens
            or f"ceil({OUTPUT_RATIO} x input) + {OUTPUT_MARGIN}, at most the window",
            **self.settings.model_dump(exclude={"max_new_tokens"}, exclude_none=True),
        }

    # ---- tokens

    @property
    def max_input_tokens(self) -> int:
        return self.loaded.max_input_tokens

    def _prepare(self, text: str) -> str:
        token = self.loaded.target_token
        return f"{token} {text}" if token else text

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Input ids of each text (special and target-language tokens included), tokenized once."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._ids))
        if missing:
            if len(self._ids) > 200_000:
                self._ids.clear()
            encoded = self.loaded.tokenizer([self._prepare(t) for t in missing], add_special_tokens=True)
            self._ids.update(zip(missing, encoded["input_ids"]))
        return [self._ids[t] for t in texts]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input length of each text in tokens, special and target-language tokens included."""
        if not texts:
            return []
        return [len(ids) for ids in self._token_ids(texts)]

    def counter(self) -> Callable[[str], int]:
        return lambda text: self.count_tokens([text])[0]

    # ---- generation

    def generate(self, texts: Sequence[str], on_progress: Callable[[int], None] | None = None) -> Generated:
        """Generate one output per text, in input order; empty texts give empty outputs.

        Texts are batched longest first under the token budget. When the device runs out of
        memory, the batch is split in two and retried and the budget is halved for what is
        left; a text that alone does not fit is a DeviceOutOfMemory error.
        """
        started = time.perf_counter()
        outputs = [""] * len(texts)
        hit_limit = [False] * len(texts)
        result = Generated(outputs, hit_limit, settings=self.signature())
        todo = [i for i, t in enumerate(texts) if t.strip()]
        ids = self._token_ids([texts[i] for i in todo])
        lengths = [len(x) for x in ids]
        pending = list(range(len(todo)))  # positions in todo not generated yet
        with self._generation_scope():
            self._generate_pending(ids, lengths, todo, pending, result, on_progress)
        result.seconds = time.perf_counter() - started
        return result

    def _generation_scope(self) -> contextlib.AbstractContextManager:
        """What generation runs inside (the torch backend keeps freed memory on CPU)."""
        return contextlib.nullcontext()

    def _generate_pending(self, ids: list[list[int]], lengths: list[int], todo: list[int], pending: list[int],
                          result: Generated, on_progress: Callable[[int], None] | None = None) -> None:
        outputs, hit_limit = result.texts, result.hit_limit
        cap = self.max_batch_rows

        def run(positions: list[int]) -> tuple[list[str], list[int], int]:
            max_new = self._max_new_tokens(max(lengths[p] for p in positions))
            min_new = self._min_new_tokens(min(lengths[p] for p in positions), max_new)
            decoded, counts = self._generate_batch([ids[p] for p in positions], max_new, min_new)
            return decoded, counts, max_new

        while pending:
            retry = False
            plan = [[pending[b] for b in batch]
                    for batch in plan_batches([lengths[p] for p in pending], self.batch_tokens, cap)]
            done: set[int] = set()
            for positions, outcome in self._map_batches(run, plan):
                if isinstance(outcome, BaseException):  # only out-of-memory is handled, the rest re-raised
                    if not is_out_of_memory(outcome):
                        raise outcome
                    longest = max(lengths[p] for p in positions)
                    self._free_device_memory()
                    if len(positions) == 1:
                        raise DeviceOutOfMemory(
                            f"{self.label} on {self.resolved_device}: one text of {longest} tokens does not fit "
                            f"the device memory even alone (batch budget now {self.batch_tokens} tokens); "
                            f"free the device, use a larger one, or run on CPU"
                        ) from outcome
                    self.batch_tokens = max(MIN_BATCH_TOKENS, min(self.batch_tokens, longest * len(positions)) // 2)
                    cap = max(1, len(positions) // 2)
                    result.oom_retries += 1
                    log.warning("%s: out of memory on %s with %d texts x %d tokens; retrying with batches of "
                                "at most %d tokens", self.label, self.resolved_device, len(positions), longest,
                                self.batch_tokens)
                    retry = True
                    break
                decoded, counts, max_new = outcome
                for row, p in enumerate(positions):
                    index = todo[p]
                    outputs[index] = decoded[row].strip()
                    # Reaching the limit counts even when it ends in EOS: Marian and BART configs
                    # force an EOS at the last step, which hides a cut-off output.
                    hit_limit[index] = counts[row] >= max_new
                    result.output_tokens += counts[row]
                result.input_tokens += sum(lengths[p] for p in positions)
                result.batches += 1
                done.update(positions)
                if on_progress:
                    on_progress(len(positions))
            pending = [p for p in pending if p not in done]
            if not retry:
                break

    streams = 1  # batches generated at the same time (see cpu_streams)

    def _map_batches(self, run: Callable[[list[int]], Any], plan: list[list[int]]):
        """(batch, outcome or the exception it raised), in plan order.

        With `streams` > 1, that many batches run at a time in worker threads (torch and
        CTranslate2 release the GIL while they compute); outcomes still come in plan order. When
        the caller stops (out-of-memory, an interrupt) no further batch is started and the
        running ones are waited for.
        """

        def guarded(positions: list[int]) -> Any:
            try:
                return run(positions)
            except Exception as exc:  # handed to the caller, which re-raises all but out-of-memory
                return exc

        if self.streams <= 1 or len(plan) <= 1:
            for positions in plan:
                yield positions, guarded(positions)
            return
        from concurrent.futures import ThreadPoolExecutor

        with self._streams_scope():
            pool = ThreadPoolExecutor(max_workers=self.streams, thread_name_prefix="jobs-decode")
            try:
                futures = [pool.submit(guarded, positions) for positions in plan]
                for positions, future in zip(plan, futures):
                    yield positions, future.result()
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

    def _streams_scope(self) -> contextlib.AbstractContextManager:
        """What batches run inside when several run at once (torch: each stream's share of threads)."""
        return contextlib.nullcontext()

    def _max_new_tokens(self, longest_input: int) -> int:
        if self.settings.max_new_tokens:
            cap = self.settings.max_new_tokens
        else:
            cap = math.ceil(longest_input * OUTPUT_RATIO) + OUTPUT_MARGIN
        if not self.translation:
            # A summary must be short enough that two of them fit one window, or map-reduce
            # over chunk summaries would never converge.
            cap = min(cap, max(8, self.max_input_tokens // 2 - 2))
        return max(1, min(cap, self.max_input_tokens))

    def _min_new_tokens(self, shortest_input: int, max_new: int) -> int | None:
        wanted = self.settings.min_new_tokens
        if not wanted:
            return None
        if not self.translation:
            # Never ask for a summary longer than half its (shortest) input.
            wanted = min(wanted, max(0, shortest_input // 2))
        return min(wanted, max_new)


# --------------------------------------------------------------------------- torch


class TorchBackend(BaseBackend):
    """transformers `generate()` on CPU, CUDA or MPS for one model.

    dtype: auto (fp16 on CUDA, fp32 elsewhere) | fp32 | bf16 | fp16; quantize: none | int8
    (CPU: torch dynamic int8 Linear layers). The model loads on first use, so a run whose every
    output is cached loads nothing.
    """

    name = "torch"

    @cached_property
    def resolved_dtype(self) -> str:
        return resolve_dtype(self.dtype, self.resolved_device, self.quantize)

    def _precision(self) -> dict[str, Any]:
        return {"dtype": self.resolved_dtype, "quantize": self.quantize}

    def _load(self) -> LoadedModel:
        return load_model(self.spec, self.role, source_lang=self.source_lang, device=self.resolved_device,
                          revision=self.revision, dtype=self.resolved_dtype, quantize=self.quantize)

    @cached_property
    def cpu_threads(self) -> int:
        """torch's intra-op threads when generation first ran, shared out between the streams."""
        import torch

        return torch.get_num_threads()

    @cached_property
    def streams(self) -> int:
        """Batches decoded at the same time: `cpu_streams()` on CPU, one on a GPU."""
        return cpu_streams(self.cpu_threads) if self.resolved_device == "cpu" else 1

    def _generation_scope(self) -> contextlib.AbstractContextManager:
        """On CPU: freed memory kept for reuse while decoding (jobs.backends.malloc)."""
        if self.resolved_device != "cpu":
            return contextlib.nullcontext()
        from jobs.backends.malloc import reuse_freed_memory

        return reuse_freed_memory()

    def _streams_scope(self) -> contextlib.AbstractContextManager:
        """torch's threads shared out between the streams (one batch alone keeps them all)."""
        return torch_threads(max(1, self.cpu_threads // self.streams))

    def _free_device_memory(self) -> None:
        if self.resolved_device.startswith("cuda"):  # on CPU a full collection only costs time
            import torch

            gc.collect()
            torch.cuda.empty_cache()

    @cached_property
    def fast_greedy(self) -> bool:
        """Whether greedy decoding can run in the job's own loop (see `_greedy`) rather than generate()."""
        return fast_greedy_possible(self.loaded.model, self.settings)

    def _generate_batch(self, ids: list[list[int]], max_new: int, min_new: int | None) -> tuple[list[str], list[int]]:
        import torch

        tok, model = self.loaded.tokenizer, self.loaded.model
        with self._tokenizer_lock:  # a (Rust) tokenizer is not to be used by two streams at once
            enc = tok.pad({"input_ids": ids}, padding=True, return_tensors="pt")
        enc = {k: v.to(self.loaded.device) for k, v in enc.items()}
        if self.fast_greedy:
            with torch.inference_mode():
                generated = greedy_decode(model, enc, max_new, min_new, self.loaded.forced_bos_token_id)
            pad = model.generation_config.pad_token_id
        else:
            kwargs: dict[str, Any] = {"max_new_tokens": max_new, "num_beams": self.settings.num_beams, "do_sample": False}
            if min_new:
                kwargs["min_new_tokens"] = min_new
            if self.settings.no_repeat_ngram_size is not None:
                kwargs["no_repeat_ngram_size"] = self.settings.no_repeat_ngram_size
            if self.settings.length_penalty is not None:
                kwargs["length_penalty"] = self.settings.length_penalty
            if self.loaded.forced_bos_token_id is not None:
                kwargs["forced_bos_token_id"] = self.loaded.forced_bos_token_id
            with torch.inference_mode():
                out = model.generate(**enc, **kwargs)
            generated = out[:, 1:]  # the decoder start token is not generated
            pad = tok.pad_token_id
        with self._tokenizer_lock:
            decoded = tok.batch_decode(generated, skip_special_tokens=True)
        if pad is not None:
            counts = (generated != pad).sum(dim=1).tolist()
        else:
            counts = [generated.shape[1]] * len(ids)
        return decoded, [int(c) for c in counts]


# --------------------------------------------------------------------------- greedy decoding loop

# generate() options that change greedy outputs and that `greedy_decode` does not implement: with
# any of them set (to other than the neutral value), the backend calls generate() instead.
_GREEDY_BLOCKERS = {
    "no_repeat_ngram_size": (None, 0), "encoder_no_repeat_ngram_size": (None, 0),
    "repetition_penalty": (None, 1.0), "encoder_repetition_penalty": (None, 1.0),
    "suppress_tokens": (None, []), "begin_suppress_tokens": (None, []), "forced_decoder_ids": (None, []),
    "sequence_bias": (None, {}), "exponential_decay_length_penalty": (None,), "force_words_ids": (None, []),
    "constraints": (None, []), "stop_strings": (None, [], ""), "max_time": (None,), "watermarking_config": (None,),
    "min_length": (None, 0), "max_length": (None,),
}


def fast_greedy_possible(model: Any, settings: GenerationSettings) -> bool:
    """Greedy search on an encoder-decoder model with only the logit rules `greedy_decode` applies."""
    if settings.num_beams != 1 or settings.no_repeat_ngram_size:
        return False
    config = getattr(model, "config", None)
    gen = getattr(model, "generation_config", None)
    if config is None or gen is None or not getattr(config, "is_encoder_decoder", False):
        return False
    for name, neutral in _GREEDY_BLOCKERS.items():
        value = getattr(gen, name, None)
        if name == "max_length":
            continue  # load_model clears it; max_new_tokens is always passed
        if value not in neutral:
            return False
    if any(len(words) != 1 for words in gen.bad_words_ids or []):
        return False
    return _cache_argument(model) is not None and gen.decoder_start_token_id is not None


def _cache_argument(model: Any) -> str | None:
    import inspect

    parameters = inspect.signature(model.forward).parameters
    for name in ("cache", "past_key_values"):
        if name in parameters:
            return name
    return None


def _as_list(value: Any) -> list[int]:
    if value is None:
        return []
    return [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)]


def greedy_decode(model: Any, enc: dict[str, Any], max_new: int, min_new: int | None,
                  forced_bos: int | None) -> Any:
    """Greedy search for an encoder-decoder model: the tokens generate() would give, faster.

    The same rules as generate()'s greedy search with the model's generation config: the
    decoder start token, a forced first token (NLLB/M2M100 language code, BART BOS), a forced
    EOS as the last of max_new tokens (Marian, BART), single-token bad words (Marian's pad), EOS
    barred before min_new tokens, finished rows padded, stop when every row has finished. What
    it saves: generate()'s generic logits-processor passes over the (rows x vocabulary) scores at
    every step (they make batches above 32 rows slower on CPU), torch's slow CPU argmax, and for
    the model types of `GreedyHead` the output layer at forced steps and the separate passes
    over the logits (see there). Returns the generated tokens (rows x steps), without the decoder start token.
    """
    import torch

    gen = model.generation_config
    eos = _as_list(gen.eos_token_id)
    pad = gen.pad_token_id if gen.pad_token_id is not None else (eos[0] if eos else 0)
    forced_bos = forced_bos if forced_bos is not None else gen.forced_bos_token_id
    forced_eos = _as_list(gen.forced_eos_token_id)
    banned = [int(words[0]) for words in gen.bad_words_ids or []]
    head = GreedyHead.of(model, banned, eos)
    mask = enc["attention_mask"]
    rows = mask.shape[0]
    device = mask.device
    encoder_outputs = model.get_encoder()(input_ids=enc["input_ids"], attention_mask=mask)
    if head is not None:  # the decoder only; the head computes what is needed of the logits
        step_fn = _stepper(model.get_decoder(), "input_ids", "last_hidden_state",
                           encoder_hidden_states=encoder_outputs[0], encoder_attention_mask=mask)
    else:
        step_fn = _stepper(model, "decoder_input_ids", "logits", encoder_outputs=encoder_outputs, attention_mask=mask)
    current = torch.full((rows, 1), int(gen.decoder_start_token_id), dtype=torch.long, device=device)
    finished = torch.zeros(rows, dtype=torch.bool, device=device)
    eos_tensor = torch.tensor(eos, dtype=torch.long, device=device)
    steps: list[Any] = []
    for step in range(max_new):
        last = step_fn(current)  # decoder output (GreedyHead) or logits of the last position
        if step == max_new - 1 and forced_eos:
            if len(forced_eos) == 1:
                chosen = torch.full((rows,), forced_eos[0], dtype=torch.long, device=device)
            else:
                logits = head.logits(last) if head is not None else last
                chosen = torch.tensor(forced_eos, device=device)[logits[:, forced_eos].float().argmax(-1)]
        elif step == 0 and forced_bos is not None:
            chosen = torch.full((rows,), int(forced_bos), dtype=torch.long, device=device)
        else:
            bar_eos = bool(min_new and step < min_new)
            chosen = _argmax(head.logits(last, bar_eos) if head is not None
                             else _barred(last, banned, eos if bar_eos else []))
        if eos:
            chosen = torch.where(finished, torch.full_like(chosen, pad), chosen)
            finished |= torch.isin(chosen, eos_tensor)
        steps.append(chosen)
        if eos and bool(finished.all()):
            break
        current = chosen[:, None]
    return torch.stack(steps, dim=1)


def _stepper(module: Any, ids_arg: str, output: str, **inputs: Any) -> Callable[[Any], Any]:
    """Steps through `module` (the whole model, or its decoder) one token at a time, the key/value
    cache carried from step to step; each step returns `output` at the last position (the
    logits, or the decoder's hidden state)."""
    cache_arg = _cache_argument(module)
    state: dict[str, Any] = {"cache": None}

    def step(current: Any) -> Any:
        out = module(**inputs, **{ids_arg: current, cache_arg: state["cache"]}, use_cache=True)
        state["cache"] = getattr(out, cache_arg, None)
        return getattr(out, output)[:, -1, :]

    return step


# Model types whose logits are exactly output_layer(decoder output) (+ final_logits_bias).
HEAD_MODEL_TYPES = LOGITS_BIAS_MODEL_TYPES | {"m2m_100"}


class GreedyHead:
    """The output layer of a greedy step, with every per-vocabulary addition inside one product.

    The (rows x vocabulary) logits are the largest tensor of a decoding step (16 MB for 64 rows
    of opus-mt's 62,518 entries in fp32), and on CPU each pass over them goes through main
    memory. Here the output layer's bias, Marian/BART's `final_logits_bias` (moved into it at
    load, jobs.models.hub.fold_logits_bias), the bad words and the min-length EOS bar (as -inf) are
    one bias vector added inside the matrix product, instead of separate passes. The greedy loop
    also skips the output layer at forced steps. A packed bf16 output layer (jobs.backends.packed_linear)
    takes the same bias; a quantized one keeps its own and gets the -inf entries written in place.
    """

    def __init__(self, model: Any, banned: list[int], eos: list[int]):
        import torch

        from jobs.backends.packed_linear import PackedLinear

        self.layer = layer = model.get_output_embeddings()
        self.banned, self.eos = banned, eos
        extra = getattr(model, "final_logits_bias", None)
        self.extra = extra.reshape(-1) if isinstance(extra, torch.Tensor) and bool(extra.any()) else None
        self.product: Callable[[Any, Any], Any] | None = None  # hidden, bias -> logits
        if type(layer) is PackedLinear:
            self.product = layer.product
        elif type(layer) is torch.nn.Linear:
            self.product = lambda hidden, bias: torch.nn.functional.linear(hidden, layer.weight, bias)
        if self.product is not None:
            bias = torch.zeros(layer.out_features, dtype=layer.weight.dtype, device=layer.weight.device)
            if layer.bias is not None:
                bias += layer.bias
            if self.extra is not None:
                bias += self.extra.to(bias.dtype)
            bias[banned] = float("-inf")
            self.bias = bias
            self.bias_no_eos = bias.clone()
            self.bias_no_eos[eos] = float("-inf")

    @classmethod
    def of(cls, model: Any, banned: list[int], eos: list[int]) -> GreedyHead | None:
        """The head of a model of HEAD_MODEL_TYPES (built once per model), else None."""
        if getattr(model.config, "model_type", None) not in HEAD_MODEL_TYPES or model.get_output_embeddings() is None:
            return None
        key = (tuple(banned), tuple(eos))
        cached = getattr(model, "_jobs_greedy_head", None)
        if cached is None or cached[0] != key:
            cached = (key, cls(model, banned, eos))
            model._jobs_greedy_head = cached
        return cached[1]

    def logits(self, hidden: Any, bar_eos: bool = False) -> Any:
        """(rows x vocabulary) logits, bad words and (if asked) EOS at -inf."""
        if self.product is not None:
            return self.product(hidden, self.bias_no_eos if bar_eos else self.bias)
        logits = self.layer(hidden)
        if self.extra is not None:
            logits = logits + self.extra
        return _barred(logits, self.banned, self.eos if bar_eos else [])


def _barred(logits: Any, *barred: list[int]) -> Any:
    """The logits with the given token ids set to -inf (in place): bad words, EOS before min length."""
    for ids in barred:
        if ids:
            logits[:, ids] = float("-inf")
    return logits


def _argmax(logits: Any) -> Any:
    """Row-wise argmax, first maximum on ties; numpy's is about 4x faster than torch's on CPU.

    bf16/fp16 logits (numpy has no bf16) go to float32 a few rows at a time: a chunk of about a
    megabyte stays in cache for numpy's pass, where the whole (rows x vocabulary) copy would go
    out to main memory and back (16 MB for 64 rows of opus-mt; measured 1-3 ms a step instead
    of 4-6).
    """
    import numpy as np
    import torch

    if logits.device.type != "cpu":
        return logits.argmax(dim=-1)
    logits = logits.contiguous()
    if logits.dtype == torch.float32:
        return torch.from_numpy(logits.numpy().argmax(axis=-1)).to(torch.long)
    rows = logits.shape[0]
    chunk = max(1, _ARGMAX_CHUNK_VALUES // max(1, logits.shape[-1]))
    chosen = np.empty(rows, dtype=np.int64)
    for start in range(0, rows, chunk):
        chosen[start:start + chunk] = logits[start:start + chunk].float().numpy().argmax(axis=-1)
    return torch.from_numpy(chosen)


# float32 values converted per chunk by `_argmax` (1 MiB).
_ARGMAX_CHUNK_VALUES = 2**18
