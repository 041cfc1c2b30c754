"""Device facts, torch-free where they can be: CPU features, cores, which device `auto` means,
the dtype a device gets, and the batch budget of a device.

`predict_device` works out what `--device auto` means without importing torch (a fully cached
cron run never does), so that the cache key can hold the device and dtype that actually run.
When torch loads, `confirm_device` checks torch agrees; it never silently runs something else.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import platform
import sys
from pathlib import Path

from jobs.backends.batching import CPU_BATCH_TOKENS
from jobs.config import environment
from jobs.errors import ConfigError

DTYPES = ("auto", "fp32", "bf16", "fp16")
QUANTIZE = ("none", "int8")


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
    """CUDA devices torch could use, told without importing torch.

    Zero unless the installed torch is a CUDA build (lib/libtorch_cuda.so beside it) and the
    driver (libcuda, through cuInit/cuDeviceGetCount) reports a device; CUDA_VISIBLE_DEVICES
    is honoured by the driver as by torch.
    """
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return 0
    if not any((Path(folder) / "lib" / "libtorch_cuda.so").exists() for folder in spec.submodule_search_locations):
        return 0
    try:
        driver = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return 0
    count = ctypes.c_int(0)
    if driver.cuInit(0) != 0 or driver.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return 0
    return count.value


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
    if mps_possible():
        return "mps"
    return "cpu"


def check_device_present(device: str) -> None:
    """Fail before anything is written when --device names a device this machine lacks (torch-free).

    `confirm_device` checks again with torch when a model loads; this runs before the lock, so
    that `--device cuda` on a CPU machine creates nothing and reads nothing.
    """
    if device.startswith("cuda"):
        count, index = cuda_device_count(), int(device.partition(":")[2] or 0)
        if index >= count:
            found = f"{count} CUDA device(s), cuda:0 to cuda:{count - 1}" if count else "no CUDA device torch can use"
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
        raise ConfigError(f"--device {device}: this machine has no CUDA device (torch {torch.__version__})")
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
    bf16 100 %, dynamic int8 97 %): fp16 on CUDA; on CPU bf16 where the CPU has bf16
    instructions (AVX512-BF16 or AMX), dynamic int8 otherwise; fp32 on MPS. Detected, never assumed.
    JOBS_FAST_AUTO=0: fp32 on CPU (the test suite's exact outputs, comparisons with older runs).
    """
    if device.startswith("cuda"):
        return "fp16", "none"
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


def resolve_dtype(dtype: str, device: str, quantize: str = "none") -> str:
    """fp32 | bf16 | fp16 for the torch backend on a resolved device; bad combinations are ConfigErrors.

    auto: fp16 on CUDA, fp32 on MPS and CPU (the weights' type; `resolve_precision` adds the
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
        return "fp16" if device.startswith("cuda") else "fp32"
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
        return gpu_batch_tokens(total_gib, num_beams)
    return CPU_BATCH_TOKENS


def gpu_batch_tokens(total_gib: float, num_beams: int = 1) -> int:
    """8,192 padded input tokens per 10 GiB of card memory, per beam, within 1,024..65,536."""
    budget = int(8192 * total_gib / 10)
    return max(1024, min(65_536, budget // max(1, num_beams)))
