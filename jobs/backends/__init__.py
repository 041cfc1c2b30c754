"""Text generation backends: texts in, texts out, batched by a token budget.

Backends are registered here by name and imported only when used, so neither torch nor
ctranslate2 loads for `jobs --help` or a fully cached run. Adding one is a new module with a
`BaseBackend` subclass (jobs.backends.base) and one line in `BACKENDS`.
"""

from __future__ import annotations

import dataclasses
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


def resolve_backend(name: str, device: str, dtype: str = "auto", quantize: str = "none") -> str:
    """The backend `--backend auto` means here, torch not imported (jobs.backends.device.backend_choice):
    CTranslate2 where it is installed and runs on the device (CPU, or CUDA once its probe passed),
    else torch. CTranslate2 int8 is the fastest CPU setting measured that keeps >= 95 % of
    outputs identical to fp32 (docs/benchmarks.md). JOBS_FAST_AUTO=0: torch."""
    return name if name != "auto" else _auto_backend(device, dtype, quantize)[0]


def _auto_backend(device: str, dtype: str, quantize: str, remote: bool = False) -> tuple[str, str]:
    from jobs.backends.device import backend_choice

    return backend_choice(device, dtype, quantize, remote)


def make_backend(spec: ModelSpec, role: str, config: JobConfig, *, translation: bool) -> BaseBackend:
    """The backend the config asks for (`auto` resolved), for one model (translation or summary
    settings), in this process. Why `auto` passed a backend or a card over goes into its options
    (the manifest's `why`) and is logged once."""
    from jobs.backends.base import BackendOptions

    options = BackendOptions.of(config, translation=translation)
    name, why = (
        (config.backend, "")
        if config.backend != "auto"
        else _auto_backend(options.device, options.dtype, options.quantize, options.remote)
    )
    if why:
        from jobs.backends.device import warn_once

        warn_once(f"--backend auto: {why}")
        options = dataclasses.replace(options, why=why)
    return backend_class(name)(spec, role, options)


def open_backend(spec: ModelSpec, role: str, config: JobConfig, *, translation: bool):
    """The backend for one model on the configured engine: local, or generation on Ray actors."""
    backend = make_backend(spec, role, config, translation=translation)
    if config.engine == "ray":
        from jobs.backends.ray import RayBackend

        return RayBackend(backend, config, translation=translation)
    return backend


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
