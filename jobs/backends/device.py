"""Device facts, torch-free where they can be: CPU features, cores, which device `auto` means,
the dtype a device gets, and the batch budget of a device.

`predict_device` works out what `--device auto` means without importing torch (a fully cached
cron run never does), so that the cache key can hold the device and dtype that actually run.
When torch loads, `confirm_device` checks torch agrees; it never silently runs something else.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import logging
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jobs.backends import cuda
from jobs.backends.batching import CPU_BATCH_TOKENS
from jobs.config import environment
from jobs.errors import ConfigError

DTYPES = ("auto", "fp32", "bf16", "fp16")
QUANTIZE = ("none", "int8")
log = logging.getLogger("jobs")


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
    """bf16 matrix instructions (AVX512-BF16 or AMX-BF16): without them bf16 is slower than fp32.

    JOBS_CPU_BF16=0/1 overrides the detection (tests, odd CPUs).
    """
    override = environment().cpu_bf16
    if override is not None:
        return override
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def cpu_streams(threads: int) -> int:
    """How many batches a backend decodes at once on CPU, each on its share of `threads`
    (torch's intra-op threads: the cores, or OMP_NUM_THREADS, or what Ray gives an actor).

    Measured on 2 cores (docs/benchmarks.md): two batches at a time on one core each beat one
    batch on two cores by an eighth (torch int8) to a half (torch bf16), because one decoding step is hundreds of small
    operations, each too short to split well between cores, and one batch's Python work runs
    while the other batch computes. `JOBS_CPU_STREAMS=N` overrides (1 = one batch at a time).
    """
    wanted = environment().cpu_streams
    if wanted is not None:
        return wanted
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


def cuda_device_count() -> int:
    """CUDA devices torch could use, told without importing torch (`torch_cuda_problem` says why none)."""
    return len(cuda.cuda_cards()) if cuda.torch_is_cuda_build() and torch_cuda_problem() is None else 0


def torch_cuda_problem() -> str | None:
    """Why torch cannot use this machine's CUDA card(s); None when it can or there is none."""
    if not cuda.cuda_cards():
        return None
    if not cuda.torch_is_cuda_build():
        return f"torch {cuda.torch_version()} is a CPU build (install a CUDA build of torch to use the card)"
    built, driver = cuda.torch_cuda_major(), cuda.driver_cuda_major()
    if built is not None and driver is not None and built > driver:
        return (
            f"torch {cuda.torch_version()} is built for CUDA {built} and the driver supports CUDA {driver} "
            f"(update the driver, or install a torch built for CUDA {driver})"
        )
    return None


def unseen_here(device: str, remote: bool) -> bool:
    """Whether `device` is Ray actors' card(s) that this process (a driver without a card) cannot
    see: then it is taken as given, and each actor checks it when it loads."""
    return remote and device.startswith("cuda") and not cuda.cuda_cards()


def check_torch_cuda(asked: str, device: str) -> None:
    """A ConfigError naming why, when torch cannot run on CUDA device `device` (--device `asked`)."""
    if cuda_device_count() <= int(device.partition(":")[2] or 0):
        why = torch_cuda_problem() or f"torch sees no {device}"
        raise ConfigError(f"--device {asked} --backend torch: {why}; use --backend ctranslate2 or --device cpu")


@functools.cache
def warn_once(message: str) -> None:
    """Log a warning the first time this process meets it (device choices are made per model)."""
    log.warning("%s", message)


def mps_possible() -> bool:
    """Apple silicon under macOS, where torch has MPS."""
    return sys.platform == "darwin" and platform.machine() == "arm64"


def predict_device(device: str) -> str:
    """`auto` as cuda, mps or cpu, whichever this machine has, told without importing torch;
    an explicit device as given (`confirm_device` checks it when torch loads)."""
    if device != "auto":
        return device
    if cuda_device_count() > 0:
        return "cuda"
    if cuda.cuda_cards():  # a card torch cannot use: CPU, said once, and the backend's manifest says why
        return "cpu"
    if mps_possible():
        return "mps"
    return "cpu"


def check_device_present(device: str) -> None:
    """Fail before anything is written when --device names a device this machine lacks (torch-free).

    The driver's devices count here, whatever torch was built for: whether the chosen backend can
    use the card is the backend's check (`check_backend_options`, exit 2 with the reason).
    `confirm_device` checks again with torch when a model loads; this runs before the lock, so
    that `--device cuda` on a CPU machine creates nothing and reads nothing.
    """
    if device.startswith("cuda"):
        count, index = len(cuda.cuda_cards()), int(device.partition(":")[2] or 0)
        if index >= count:
            found = f"{count} CUDA device(s), cuda:0 to cuda:{count - 1}" if count else "no CUDA device"
            raise ConfigError(f"--device {device}: this machine has {found}; use --device auto or cpu")
    elif device == "mps" and not mps_possible():
        raise ConfigError("--device mps: MPS needs Apple silicon under macOS; use --device auto or cpu")


def torch_device(device: str) -> str:
    """What torch itself makes of --device: `auto` resolved, an absent device a ConfigError."""
    import torch

    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "mps" if mps else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        why = torch_cuda_problem() or f"torch {torch.__version__} sees no CUDA device"
        raise ConfigError(f"--device {device} --backend torch: {why}; use --backend ctranslate2 or --device cpu")
    if device == "mps" and not mps:
        raise ConfigError("--device mps: MPS is not available on this machine")
    return device


def confirm_device(asked: str, predicted: str) -> str:
    """The predicted device, once torch agrees with it; a ConfigError where it does not.

    The cache key and the manifest name the predicted device and its dtype, so running on
    another one would publish outputs under a precision the run does not say.
    """
    seen = torch_device(asked)
    if seen != predicted:
        raise ConfigError(
            f"--device {asked}: this run was planned for {predicted} (told without torch), but torch "
            f"sees {seen}; pass --device {seen} (or the device you mean) explicitly"
        )
    return predicted


def auto_precision(device: str) -> tuple[str, str]:
    """(dtype, quantize) that `--dtype auto` means for the torch backend on a resolved device.

    The fastest setting that keeps >= 95 % of outputs identical to fp32 (docs/benchmarks.md:
    bf16 100 %, dynamic int8 97 %): on CUDA bf16 where the card has it, else fp16 (`cuda_half`); on CPU bf16 where the CPU has bf16
    instructions (AVX512-BF16 or AMX), dynamic int8 otherwise; fp32 on MPS. Detected, never assumed.
    JOBS_FAST_AUTO=0: fp32 on CPU (the test suite's exact outputs, comparisons with older runs).
    """
    if device.startswith("cuda"):
        return cuda_half(device), "none"
    if device == "cpu" and environment().fast_auto:
        return ("bf16", "none") if cpu_supports_bf16() else ("fp32", "int8")
    return "fp32", "none"


def resolve_precision(dtype: str, device: str, quantize: str = "none") -> tuple[str, str]:
    """(dtype, quantize) that will run for the torch backend: `auto` by `auto_precision` when no
    quantization is asked for, else as `resolve_dtype` says."""
    fixed = resolve_dtype(dtype, device, quantize)  # checks the options
    if dtype == "auto" and quantize == "none":
        return auto_precision(device)
    return fixed, quantize


def cuda_half(device: str) -> str:
    """The half precision a CUDA device gets: bf16 where the card has it (compute capability 8.0+:
    fp32's range, so no overflow to inf), fp16 on older cards and where the card is not known
    (a Ray driver planning for its actors' cards)."""
    card = cuda.cuda_card(device)
    return "bf16" if card is not None and card.has_bf16 else "fp16"


def resolve_dtype(dtype: str, device: str, quantize: str = "none") -> str:
    """fp32 | bf16 | fp16 for the torch backend on a resolved device; bad combinations are ConfigErrors.

    auto: bf16 or fp16 on CUDA (`cuda_half`), fp32 on MPS and CPU (the weights' type; `resolve_precision` adds the
    fast CPU choice of bf16 or int8 that `--dtype auto` makes).
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
        return cuda_half(device) if device.startswith("cuda") else "fp32"
    if on_cpu and dtype == "fp16":
        raise ConfigError(
            "--dtype fp16 is not supported on CPU (slow and no faster than fp32); "
            "use --dtype bf16 on a CPU with bf16 instructions, or --quantize int8"
        )
    if on_cpu and dtype == "bf16" and not cpu_supports_bf16():
        raise ConfigError(
            "--dtype bf16: this CPU has no bf16 instructions (AVX512-BF16 or AMX), so bf16 would "
            "be slower than fp32; use --quantize int8 for speed on this CPU"
        )
    return dtype


def auto_batch_tokens(device: str, num_beams: int = 1, share: float = 1.0) -> int:
    """The padded-input-token budget of one batch for this device.

    CPU: a fixed budget (throughput is flat beyond it and memory grows). CUDA: scaled with the
    card's memory as the driver reports it (no torch.cuda call, which fails on a CPU build of torch),
    8,192 tokens per 10 GiB (a 16 GiB card: about 13,000; an 80 GiB one: 65,536, the cap), times
    `share` (a Ray actor's part of a shared card), divided by the beam count; a card the driver
    does not report counts as 10 GiB. Out-of-memory halves it at run time anyway.
    """
    if device.startswith("cuda"):
        card = cuda.cuda_card(device)
        total_gib = card.total_bytes / 2**30 if card is not None else UNKNOWN_CARD_GIB
        return gpu_batch_tokens(total_gib * min(1.0, max(share, 0.0) or 1.0), num_beams)
    return CPU_BATCH_TOKENS


UNKNOWN_CARD_GIB = 10  # what a card counts as when its memory cannot be read (a Ray driver without one)


def gpu_batch_tokens(total_gib: float, num_beams: int = 1) -> int:
    """8,192 padded input tokens per 10 GiB of card memory, per beam, within 1,024..65,536."""
    budget = int(8192 * total_gib / 10)
    return max(1024, min(65_536, budget // max(1, num_beams)))


# ---- CTranslate2 on CUDA: the compute type a card gets, and a real operation that proves it runs


def compute_type(device: str, dtype: str, quantize: str) -> str:
    """CTranslate2's compute type (= weight type of the converted copy) for the job's options.

    On CUDA `auto` is bfloat16 where the card has it, float16 otherwise (`cuda_half`)."""
    on_cuda = device.startswith("cuda")
    half = cuda_half(device) if on_cuda else "fp16"
    if quantize == "int8":
        if on_cuda:
            names = {"fp16": "int8_float16", "bf16": "int8_bfloat16", "fp32": "int8_float32"}
            return names[half if dtype == "auto" else dtype]
        if dtype == "fp16":
            raise ConfigError("--dtype fp16 is not supported on CPU; use --quantize int8 alone")
        return "int8_bfloat16" if dtype == "bf16" else "int8"
    if dtype == "auto":
        return ("bfloat16" if half == "bf16" else "float16") if on_cuda else "int8"
    if dtype == "fp16" and not on_cuda:
        raise ConfigError("--dtype fp16 is not supported on CPU by CTranslate2; use the default (int8) or fp32")
    if dtype == "bf16" and not on_cuda and not cpu_supports_bf16():
        raise ConfigError("--dtype bf16: this CPU has no bf16 instructions; use the default (int8) or fp32")
    return {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}[dtype]


def ctranslate2_device(asked: str, compute_for: Callable[[str], str]) -> tuple[str, str]:
    """(device, why) CTranslate2 runs on for --device `asked`: `auto` is CUDA when the probe passes
    on card 0 (in the compute type `compute_for("cuda")`), else CPU with the reason; an explicit
    CUDA device that fails the probe is a ConfigError naming why."""
    if asked == "mps":
        raise ConfigError("--backend ctranslate2 does not run on MPS; use --device cpu, or the torch backend")
    if asked == "cpu":
        return "cpu", ""
    target = "cuda" if asked == "auto" else asked
    if asked == "auto" and not cuda.cuda_cards():
        return "cpu", ""
    problem = cuda.ctranslate2_cuda_problem(int(target.partition(":")[2] or 0), compute_for(target))
    if problem is None:
        return target, ""
    if asked != "auto":
        raise ConfigError(f"--device {asked} --backend ctranslate2: {problem}; use --backend torch or --device cpu")
    return "cpu", f"CUDA card found, but {problem}"


def backend_choice(device: str, dtype: str = "auto", quantize: str = "none", remote: bool = False) -> tuple[str, str]:
    """(backend, why) that `--backend auto` means for --device `device`, torch not imported.

    CTranslate2 where it is installed and runs on the device (on CUDA: its probe passed); else
    torch on CUDA where torch is a CUDA build; else CPU (CTranslate2 there when installed). `why`
    says what was passed over, for the warning line and the manifest (empty when nothing was).
    An explicit CUDA device that neither can use is a ConfigError naming both reasons.
    `remote`: the device is Ray actors' cards; a driver without a card cannot probe them, so
    CTranslate2 is chosen where installed (each actor checks its card when it loads).
    JOBS_FAST_AUTO=0: torch, as before CTranslate2 was the default.
    """
    fast = environment().fast_auto
    ct2 = fast and importlib.util.find_spec("ctranslate2") is not None
    if remote and device.startswith("cuda") and not cuda.cuda_cards():
        return ("ctranslate2", "") if ct2 else ("torch", "")
    if not (device.startswith("cuda") or (device == "auto" and cuda.cuda_cards())):
        return ("ctranslate2" if ct2 and predict_device(device) != "mps" else "torch"), ""
    target = "cuda" if device == "auto" else device
    problem = None
    if ct2:
        problem = cuda.ctranslate2_cuda_problem(
            int(target.partition(":")[2] or 0), compute_type(target, dtype, quantize)
        )
        if problem is None:
            return "ctranslate2", ""
    elif fast:
        problem = "ctranslate2 is not installed"
    if cuda_device_count() > int(target.partition(":")[2] or 0):
        return "torch", (f"{problem}: torch runs on {target}" if problem else "")
    torch_problem = torch_cuda_problem() or f"torch sees no {target}"
    passed_over = f"{problem}; and {torch_problem}" if problem else torch_problem
    backend = "ctranslate2" if ct2 else "torch"
    if remote:  # this machine's card is not the actors': they check theirs when they load
        return backend, f"on this driver's card {passed_over}; the Ray actors run {backend} on theirs"
    if device != "auto":
        raise ConfigError(f"--device {device}: no backend can use the card here: {passed_over}; use --device cpu")
    return backend, f"CUDA card found, but {passed_over}: {backend} runs on CPU"


def check_gpu_request(actors: int, gpus_per_actor: float, cluster_gpus: float) -> None:
    """A ConfigError before any work when Ray actors ask for more GPUs than the cluster has
    (Ray would wait for them for ever): `actors` x `gpus_per_actor` against `cluster_gpus`
    (`ray.cluster_resources()["GPU"]`). A fraction shares a card: 0.5 puts two actors on one."""
    if gpus_per_actor <= 0:
        return
    wanted = actors * gpus_per_actor
    if wanted <= cluster_gpus + 1e-9:
        return
    fit = int(cluster_gpus // gpus_per_actor)
    if fit == 0:
        hint = "leave out --ray-gpus-per-actor (CPU actors), or connect to a cluster with GPUs (--ray-address)"
    else:
        hint = f"use --ray-actors {fit}, or --ray-gpus-per-actor {cluster_gpus / actors:g} to share the cards"
    raise ConfigError(
        f"--ray-actors {actors} x --ray-gpus-per-actor {gpus_per_actor:g} asks for {wanted:g} GPU(s), "
        f"and the Ray cluster has {cluster_gpus:g}; {hint}"
    )


def pinned_options(backend: Any) -> dict[str, str]:
    """--backend/--dtype/--quantize that make another process (a Ray actor) run what `backend` (a BaseBackend)
    resolved on CUDA: a driver that cannot see the actors' cards plans fp16 (and the cache key
    says so), and actors on bf16 cards must not run bf16 instead. CTranslate2 compute types as
    job options: int8_bfloat16 is bf16 + int8. Empty off CUDA (actors resolve CPU themselves)."""
    device, dtype = backend.precision
    if not device.startswith("cuda"):
        return {}
    quantized, _, half = dtype.rpartition("_") if dtype.startswith("int8_") else ("", "", dtype)
    names = {"float16": "fp16", "bfloat16": "bf16", "float32": "fp32"}
    return {"backend": backend.name, "dtype": names.get(half, half), "quantize": "int8" if quantized else "none"}
