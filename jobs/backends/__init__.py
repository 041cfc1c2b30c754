"""Text generation backends: texts in, texts out, batched by a token budget.

Backends are registered here by name and imported only when used, so neither torch nor
ctranslate2 loads for `jobs --help` or a fully cached run. Adding one is a new module with a
`BaseBackend` subclass (jobs.backends.base) and one line in `BACKENDS`.
"""

from __future__ import annotations

import importlib.util
from importlib import import_module
from typing import TYPE_CHECKING

from jobs.config import JobConfig, ModelSpec, environment
from jobs.errors import ConfigError

if TYPE_CHECKING:
    from jobs.backends.base import BaseBackend

BACKENDS = {
    "torch": "jobs.backends.torch:TorchBackend",
    "ctranslate2": "jobs.backends.ctranslate2:CT2Backend",
}


def backend_class(name: str) -> type[BaseBackend]:
    """The backend class registered as `name`, imported now."""
    if name not in BACKENDS:
        raise ConfigError(f"--backend must be one of {', '.join(BACKENDS)}, not {name!r}")
    module, _, attribute = BACKENDS[name].partition(":")
    return getattr(import_module(module), attribute)


def resolve_backend(name: str, device: str) -> str:
    """The backend `--backend auto` means here, told without importing either: CTranslate2 where
    it is installed and the device is one it runs on (CPU or CUDA), else torch. CTranslate2 int8
    is the fastest CPU setting measured that keeps >= 95 % of outputs identical to fp32
    (docs/benchmarks.md). JOBS_FAST_AUTO=0: torch."""
    if name != "auto":
        return name
    if environment().fast_auto and device != "mps" and importlib.util.find_spec("ctranslate2") is not None:
        from jobs.backends.device import predict_device

        if predict_device(device) != "mps":
            return "ctranslate2"
    return "torch"


def make_backend(spec: ModelSpec, role: str, config: JobConfig, *, translation: bool) -> BaseBackend:
    """The backend the config asks for (`auto` resolved), for one model (translation or summary
    settings), in this process."""
    from jobs.backends.base import BackendOptions

    options = BackendOptions.of(config, translation=translation)
    return backend_class(resolve_backend(config.backend, options.device))(spec, role, options)


def check_backend_options(config: JobConfig) -> None:
    """Fail before any work when --backend/--dtype/--quantize cannot run here; run_job calls it.

    A ConfigError (exit code 2) for: int8 on a GPU with the torch backend, bf16 on a CPU
    without bf16 instructions, fp16 on CPU, ctranslate2 not installed or without the compute
    type, a bad JOBS_* knob. Loads no model and imports no torch (a fully cached run never
    does): `--device auto` is resolved torch-free (jobs.backends.device.predict_device); that
    torch agrees, and that a named device is there at all, is checked when a model loads.
    """
    environment()
    _ = make_backend(config.summary_model, "summary", config, translation=False).precision  # raises when impossible
