"""Text generation backends: texts in, texts out, batched by a token budget.

Backends are registered here by name and imported only when used, so neither torch nor
ctranslate2 loads for `jobs --help` or a fully cached run. Adding one is a new module with a
`BaseBackend` subclass (jobs.backends.base) and one line in `BACKENDS`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from importlib import import_module
from typing import TYPE_CHECKING

from jobs.config import JobConfig, ModelSpec, environment
from jobs.errors import ConfigError, ModelNotAvailable

if TYPE_CHECKING:
    from jobs.backends.base import BaseBackend

log = logging.getLogger("jobs")

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
    """(backend, why): the device's choice (backend_choice), then on CPU the requested
    --dtype/--quantize (CTranslate2 has no bf16 on CPU, for one: then torch runs it)."""
    from jobs.backends.device import backend_choice, predict_device

    name, why = backend_choice(device, dtype, quantize, remote)
    if name == "ctranslate2" and (dtype, quantize) != ("auto", "none"):
        predicted = predict_device(device)
        if not predicted.startswith("cuda"):
            why_not = _ctranslate2_cannot(predicted, dtype, quantize)
            if why_not is not None:
                log.debug("--backend auto: torch, as %s", why_not)
                return "torch", ""
    return name, why


def _ctranslate2_cannot(device: str, dtype: str, quantize: str) -> str | None:
    """Why CTranslate2 cannot run --dtype/--quantize on this device kind, or None when it can."""
    from jobs.backends.ctranslate2 import compute_type, require_ctranslate2

    kind = "cuda" if device.startswith("cuda") else "cpu"
    try:
        chosen = compute_type(kind, dtype, quantize)
        supported = require_ctranslate2().get_supported_compute_types(kind)
    except ConfigError as exc:
        return str(exc)
    except Exception as exc:  # a CPU-only CTranslate2 asked about CUDA raises (RuntimeError)
        return f"CTranslate2 cannot tell its compute types on {kind} ({exc})"
    if chosen not in supported:
        return f"CTranslate2 cannot run {chosen} on this {kind} (it supports {', '.join(sorted(supported))})"
    return None


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
    """The backend for one model in this process (jobs.engines.open_model puts it on the engine).

    A CTranslate2 model is converted and loaded here the first time it is used (later runs find
    it marked as loaded once and load it only when they have something to generate). When that
    fails, `--backend auto` falls back to torch with one warning naming the model and the reason,
    recorded in the manifest (`fallback`); an explicit `--backend ctranslate2` is exit 4 naming
    the model and the alternative."""
    backend = make_backend(spec, role, config, translation=translation)
    if backend.name == "ctranslate2":
        reason = _first_use_fails(backend, load=config.engine == "local")
        if reason is not None:
            model = backend.label.split("@")[0]
            if config.backend != "auto":
                raise ModelNotAvailable(
                    f"{role}: CTranslate2 cannot run {model}: {reason}; run it with --backend torch "
                    f"(or --backend auto, which falls back to torch)"
                )
            log.warning("%s: %s cannot run on CTranslate2 (%s); using torch for it", role, model, reason)
            config = config.model_copy(update={"backend": "torch"})
            backend = backend_class("torch")(spec, role, backend.options)  # asked: still `auto`
            backend.fallback = {"from": "ctranslate2", "reason": reason}
    if log.isEnabledFor(logging.DEBUG):
        device, dtype = backend.precision
        log.debug(
            "%s: %s (asked: --backend %s) on %s, dtype %s, quantize %s; batches of at most %d tokens and %d rows, "
            "%d at a time",
            role,
            backend.name,
            config.backend,
            device,
            dtype,
            backend.quantization,
            backend.batch_tokens,
            backend.max_batch_rows,
            backend.streams,
        )
    return backend


LOADED_MARK = ".jobs-loaded"  # in a converted model's folder: it converted and loaded once
FAILED_SUFFIX = ".failed"  # beside it: why conversion failed (the same model and CTranslate2 fail again)


def _first_use_fails(backend, *, load: bool) -> str | None:
    """Convert (and with `load`, load) a CTranslate2 model not used before; why that failed, or None.

    A conversion error is remembered beside the cache folder (its name holds model, revision,
    compute type and CTranslate2 version), so an hourly run does not convert again to fail again."""
    from jobs.backends.ctranslate2 import ConversionFailed

    folder = backend.converted_dir()
    failed = folder.with_name(folder.name + FAILED_SUFFIX)
    if (folder / LOADED_MARK).is_file():
        return None
    if failed.is_file():
        return failed.read_text(encoding="utf-8").strip() or "conversion failed before"
    try:
        if load:
            backend.loaded  # noqa: B018 - converts if needed, then loads
        else:
            backend.convert()
    except ConversionFailed as exc:
        reason = _one_line(exc.__cause__ or exc)
        if isinstance(exc.__cause__, ValueError):  # the model's shape or type: it fails every time
            _write_quietly(failed, reason)
        return reason
    except (RuntimeError, ValueError, OSError) as exc:  # CTranslate2's loader: not remembered, may be passing
        return _one_line(exc)
    if load:
        _write_quietly(folder / LOADED_MARK, "")
    return None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _write_quietly(path, text: str) -> None:
    with contextlib.suppress(OSError):  # a read-only shared cache only costs the next run the same check
        path.write_text(text, encoding="utf-8")


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
