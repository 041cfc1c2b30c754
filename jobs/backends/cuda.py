"""CUDA facts read without torch: the driver's cards (libcuda through ctypes, so a CPU build of
torch cannot break it), whether torch is a CUDA build, and whether CTranslate2 really runs on a
card (a test translation). jobs.backends.device decides with them; tests fake them here.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True)
class CudaCard:
    """One CUDA device as the driver reports it (CUDA_VISIBLE_DEVICES applied)."""

    index: int
    name: str
    total_bytes: int
    capability: tuple[int, int]

    @property
    def has_bf16(self) -> bool:
        """bf16 tensor cores: compute capability 8.0 and up (A100, H100, H200, RTX 30xx...)."""
        return self.capability >= (8, 0)

    def describe(self) -> str:
        return f"{self.name} ({self.total_bytes / 2**30:.0f} GiB, compute capability {self.capability[0]}.{self.capability[1]})"


_CU_ATTRIBUTE_CAPABILITY = (75, 76)  # CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / _MINOR


@functools.cache
def cuda_cards() -> tuple[CudaCard, ...]:
    """The CUDA devices of this machine, read from the driver (libcuda, through ctypes): no torch
    import and no CUDA build of anything needed. Empty without a driver or a device; never raises.

    Read once per process (the driver API is cheap, but cuInit is not free).
    """
    try:
        driver = ctypes.CDLL("libcuda.so.1")
        count = ctypes.c_int(0)
        if driver.cuInit(0) != 0 or driver.cuDeviceGetCount(ctypes.byref(count)) != 0:
            return ()
        cards = []
        for index in range(count.value):
            handle, name, total = ctypes.c_int(0), ctypes.create_string_buffer(256), ctypes.c_size_t(0)
            major, minor = ctypes.c_int(0), ctypes.c_int(0)
            if driver.cuDeviceGet(ctypes.byref(handle), index) != 0:
                continue
            driver.cuDeviceGetName(name, len(name), handle)
            driver.cuDeviceTotalMem_v2(ctypes.byref(total), handle)
            driver.cuDeviceGetAttribute(ctypes.byref(major), _CU_ATTRIBUTE_CAPABILITY[0], handle)
            driver.cuDeviceGetAttribute(ctypes.byref(minor), _CU_ATTRIBUTE_CAPABILITY[1], handle)
            label = name.value.decode("utf-8", "replace") or f"CUDA device {index}"
            cards.append(CudaCard(index, label, total.value, (major.value, minor.value)))
        return tuple(cards)
    except (OSError, AttributeError):  # no driver, or one without these entry points
        return ()


def cuda_card(device: str) -> CudaCard | None:
    """The card `cuda` / `cuda:N` names, if the driver reports it."""
    index = int(device.partition(":")[2] or 0)
    cards = cuda_cards()
    return cards[index] if 0 <= index < len(cards) else None


def torch_is_cuda_build() -> bool:
    """Whether the installed torch was built with CUDA, told without importing it (lib/libtorch_cuda.so
    beside it); a torch already imported is asked directly."""
    if "torch" in sys.modules:
        return getattr(sys.modules["torch"].version, "cuda", None) is not None
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return False
    return any((Path(folder) / "lib" / "libtorch_cuda.so").exists() for folder in spec.submodule_search_locations)


@functools.cache
def driver_cuda_major() -> int | None:
    """The CUDA major version the driver supports (cuDriverGetVersion: 12040 is 12); None without one."""
    try:
        version = ctypes.c_int(0)
        if ctypes.CDLL("libcuda.so.1").cuDriverGetVersion(ctypes.byref(version)) != 0:
            return None
        return version.value // 1000
    except (OSError, AttributeError):
        return None


def torch_cuda_major() -> int | None:
    """The CUDA major version torch was built for (torch/version.py's `cuda`, read, not imported); None: no CUDA."""
    if "torch" in sys.modules:
        built = getattr(sys.modules["torch"].version, "cuda", None)
    else:
        spec = importlib.util.find_spec("torch")
        folders = (spec.submodule_search_locations or []) if spec is not None else []
        texts = [
            (Path(f) / "version.py").read_text(encoding="utf-8") for f in folders if (Path(f) / "version.py").is_file()
        ]
        found = [re.search(r"^cuda\b[^=]*=\s*'([0-9.]+)'", text, re.MULTILINE) for text in texts]
        built = next((m[1] for m in found if m), None)
    return int(built.split(".")[0]) if built else None


def torch_version() -> str:
    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return "(not installed)"


@functools.cache
def ctranslate2_cuda_problem(index: int = 0, compute: str = "float16") -> str | None:
    """Why CTranslate2 cannot run on CUDA device `index` in `compute`; None when it can. Once per process.

    `get_cuda_device_count()` only asks the CUDA runtime; CTranslate2 opens cuBLAS (a CUDA 12
    library for CTranslate2 4.x) at its first matrix product, so a machine with another CUDA
    stack (torch +cu130) passes the count and fails every translation. Proven here by the
    cheapest real work that loads cuBLAS: a one-layer, 8-wide Transformer built in memory and
    saved (tens of milliseconds), loaded on the device and asked for one translation.
    """
    if importlib.util.find_spec("ctranslate2") is None:
        return "ctranslate2 is not installed"
    import ctranslate2

    try:
        if ctranslate2.get_cuda_device_count() <= index:
            return f"CTranslate2 {ctranslate2.__version__} sees no CUDA device {index}"
        supported = ctranslate2.get_supported_compute_types("cuda", index)
        if compute not in supported:
            return f"CTranslate2 cannot run {compute} on this card (it supports {', '.join(sorted(supported))})"
        import tempfile

        with tempfile.TemporaryDirectory(prefix="jobs-ct2-probe-") as folder:
            _tiny_ctranslate2_model(folder)
            translator = ctranslate2.Translator(folder, device="cuda", device_index=index, compute_type=compute)
            translator.translate_batch([["a", "b"]], max_decoding_length=2, beam_size=1)
            del translator
    except Exception as exc:  # any failure of the probe means: not on this card
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"CTranslate2 {ctranslate2.__version__} failed a test translation on cuda:{index} ({compute}): {first}"
    return None


def _tiny_ctranslate2_model(folder: str) -> None:
    """A one-layer Transformer (width 8, 8 tokens) with random weights, saved as a CTranslate2 model."""
    import re

    import numpy as np
    from ctranslate2.specs import TransformerSpec

    # Every dimension a multiple of 8, as int8 and half-precision GEMMs on CUDA may require.
    width, inner, vocabulary = 8, 16, ["<unk>", "<s>", "</s>", "a", "b", "c", "d", "e"]
    spec = TransformerSpec.from_config(1, 1)
    rows = {("self_attention", "linear_0"): 3 * width, ("attention", "linear_1"): 2 * width, ("ffn", "linear_0"): inner}
    random = np.random.default_rng(0)
    for name, value in spec.variables(ordered=True):
        if value is not None:
            continue
        parts, owner = name.split("/"), spec
        for part in parts[:-1]:  # "layer_0" is layer[0], "linear_1" is linear[1]
            numbered = re.fullmatch(r"(.+)_(\d+)", part)
            owner = (
                getattr(owner, part)
                if hasattr(owner, part) or not numbered
                else getattr(owner, numbered[1])[int(numbered[2])]
            )
        block, layer = (parts[-3] if len(parts) > 2 else ""), parts[-2]
        if parts[-1] in ("gamma", "beta"):
            shape: tuple[int, ...] = (width,)
        elif layer.startswith("embeddings") or layer == "projection":
            shape = (len(vocabulary), width)
        else:
            shape = (rows.get((block, layer), width), inner if (block, layer) == ("ffn", "linear_1") else width)
        setattr(owner, parts[-1], (random.standard_normal(shape) * 0.1).astype(np.float32))
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize(quantization=None)
    spec.save(folder)
