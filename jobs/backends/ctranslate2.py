"""The CTranslate2 backend: the same model, converted once, run by CTranslate2's C++ engine.

`pip install -e '.[ct2]'` (ctranslate2>=4.5) adds it; it is imported only when
`--backend ctranslate2` is used, and a missing package is a clear error before any work.

The Hugging Face model (hub id at its revision, or local folder) is converted with CTranslate2's
own `TransformersConverter` into a cache folder keyed by model id, revision, weight type and
CTranslate2 version, once; later runs load the converted copy. Tokenizing, the target-language
quirks (Marian `>>cmn_Hans<<` source token, NLLB/M2M100 target code as the first target token),
batching, length limits and outputs are the job's own, as with the torch backend, so the bundles
are the same units in the same order.

Compute types (`--dtype` / `--quantize`):

| device | auto            | --quantize int8 | --dtype fp32 | --dtype fp16 | --dtype bf16 |
| ------ | --------------- | --------------- | ------------ | ------------ | ------------ |
| cpu    | int8            | int8            | float32      | error        | bfloat16 (if the CPU has it) |
| cuda   | bfloat16 / float16 | int8_bfloat16 / int8_float16 | float32 | float16 | bfloat16 |

(On CUDA `auto` is bfloat16 on cards with compute capability 8.0+, float16 on older ones;
`--quantize int8` with `--dtype bf16`/`fp16`/`fp32`: int8_bfloat16 / int8_float16 / int8_float32.)
CUDA is used only once a test translation has run on the card (jobs.backends.cuda
.ctranslate2_cuda_problem): CTranslate2 4.x needs CUDA 12's cuBLAS, which a CUDA 13 machine lacks.
In half precision on CUDA each batch's scores are checked; NaN/inf means the batch is generated
again in float32 (counted as `fp32_reruns` in the manifest).

The cache folder: $JOBS_CT2_CACHE, else $XDG_CACHE_HOME/jobs/ctranslate2 (~/.cache/...).
"""

from __future__ import annotations

import importlib.util
import logging
import math
import re
import shutil
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any

from jobs.backends.base import BackendOptions, BaseBackend
from jobs.backends.batching import NonFiniteOutputs
from jobs.backends.device import (
    compute_type,
    cpu_count,
    cpu_streams,
    ctranslate2_device,
    unseen_here,
    warn_once,
)
from jobs.backends.shortlist import vocabulary_map
from jobs.config import ModelSpec, environment
from jobs.errors import ConfigError, JobError
from jobs.models.families import forced_eos_at_limit, forced_first_token, patch_config_for_ctranslate2
from jobs.models.hub import model_location
from jobs.models.text_side import LoadedModel, load_text_side

log = logging.getLogger("jobs")

INSTALL_HINT = "pip install 'ctranslate2>=4.5' (or pip install -e '.[ct2]')"


class ConversionFailed(JobError):
    """CTranslate2 could not convert the model."""


def require_ctranslate2():
    """Import ctranslate2, or say how to install it."""
    if importlib.util.find_spec("ctranslate2") is None:
        raise ConfigError(
            f"--backend ctranslate2 needs the ctranslate2 package, which is not installed: {INSTALL_HINT}"
        )
    import ctranslate2

    return ctranslate2


def cache_root() -> Path:
    """Where converted models are kept (JOBS_CT2_CACHE, see jobs.config.environment)."""
    return environment().ct2_cache


def _converter_class():
    from ctranslate2.converters import TransformersConverter

    class Converter(TransformersConverter):
        """CTranslate2's converter, with what transformers 5 no longer puts in a config (jobs.models.families)."""

        def load_model(self, model_class, model_name_or_path, **kwargs):
            model = super().load_model(model_class, model_name_or_path, **kwargs)
            patch_config_for_ctranslate2(model.config)
            return model

    return Converter


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[-80:]


class CT2Backend(BaseBackend):
    """CTranslate2 `Translator.translate_batch` for one model (Marian, M2M100, NLLB, BART)."""

    name = "ctranslate2"
    cpu_batch_rows = 32  # measured: CTranslate2 int8 on 2 cores peaks at 32 sentences per batch (and stream)

    def __init__(self, spec: ModelSpec, role: str, options: BackendOptions):
        super().__init__(spec, role, options)
        self.ct2 = require_ctranslate2()

    # ---- device and precision

    def _resolve_precision(self) -> tuple[str, str]:
        device = self._device()
        return device, self._compute_type(device)

    def _device(self) -> str:
        """cpu or cuda[:N], as CTranslate2 can run on this machine (it has no MPS): on CUDA only
        once a test translation passed (`ctranslate2_device`); `auto` falls back to CPU with one
        warning line and the reason in the manifest. Ray actors' device is taken as given here."""
        asked = self.options.device
        if unseen_here(asked, self.options.remote):
            return asked
        device, why = ctranslate2_device(
            asked, lambda target: compute_type(target, self.options.dtype, self.options.quantize)
        )
        if why and not self.options.why:  # `--backend auto` has said it already
            warn_once(f"--backend ctranslate2: {why}; running on CPU")
            self.device_note = why
        return device

    @property
    def _device_kind(self) -> str:
        return "cuda" if self.resolved_device.startswith("cuda") else "cpu"

    def _compute_type(self, device: str) -> str:
        chosen = compute_type(device, self.options.dtype, self.options.quantize)
        if unseen_here(device, self.options.remote):
            return chosen  # the Ray actors' card: they check it when they load
        kind = "cuda" if device.startswith("cuda") else "cpu"
        supported = self.ct2.get_supported_compute_types(kind)
        if chosen not in supported:
            raise ConfigError(
                f"CTranslate2 cannot run {chosen} on this {kind} "
                f"(it supports {', '.join(sorted(supported))}); choose another --dtype/--quantize"
            )
        return chosen

    @property
    def compute_type(self) -> str:
        """CTranslate2's compute type (the weight type of the converted copy): the identity's dtype."""
        return self.precision[1]

    @cached_property
    def streams(self) -> int:
        """Batches translated at the same time: on CPU as the torch backend (`cpu_streams`), each
        by one of the Translator's `inter_threads` workers on its share of the cores; one on a GPU."""
        return cpu_streams(cpu_count()) if self._device_kind == "cpu" else 1

    # ---- conversion and loading

    def converted_dir(self) -> Path:
        model = self.spec.repo_id if not self.spec.is_local else self.spec.path.resolve().name
        version = ".".join(self.ct2.__version__.split(".")[:2])
        name = f"{_slug(model)}--{_slug(self.revision)}--{self.compute_type}--ct2-{version}"
        return cache_root() / name

    def convert(self) -> Path:
        """The converted model folder, converting the HF model first if it is not cached yet."""
        target = self.converted_dir()
        if (target / "model.bin").is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        where = model_location(self.spec)
        log.info("converting %s to CTranslate2 (%s) into %s, once", where, self.compute_type, target)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            _converter_class()(where, revision=self.spec.revision, low_cpu_mem_usage=True).convert(
                str(staging / "model"), quantization=self.compute_type, force=True
            )
            try:
                (staging / "model").rename(target)
            except OSError:  # another run converted it meanwhile
                if not (target / "model.bin").is_file():
                    raise
        except (ValueError, OSError, RuntimeError) as exc:
            raise ConversionFailed(f"CTranslate2 could not convert {where}: {exc}") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def with_vocabulary_map(self, folder: Path, ids: list[int]) -> Path:
        """The converted model with the shortlist as its vocabulary map (CTranslate2 reads `vmap.txt`
        from the model folder; `use_vmap` then cuts the output layer to those tokens): a folder
        beside the converted one, named by the token set, whose files link to the converted ones."""
        assert self.shortlist is not None
        target = folder.with_name(f"{folder.name}--vmap-{self.shortlist.digest(ids)}")
        if (target / "vmap.txt").is_file():
            return target
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        staging.chmod(folder.stat().st_mode & 0o777)  # as readable as the converted folder
        try:
            for file in folder.iterdir():
                try:
                    (staging / file.name).symlink_to(file.resolve())
                except OSError:  # no symbolic links on this file system
                    shutil.copy2(file, staging / file.name)
            tokens = self.text.tokenizer.convert_ids_to_tokens(ids)
            (staging / "vmap.txt").write_text(vocabulary_map(tokens), encoding="utf-8")
            try:
                staging.rename(target)
            except OSError:  # another run made it meanwhile
                if not (target / "vmap.txt").is_file():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def _load(self) -> LoadedModel:
        ids = self.shortlist_ids
        loaded = self._text or load_text_side(
            self.spec, self.role, source_lang=self.options.source_lang, revision=self.revision
        )
        folder = self.convert()
        if ids is not None:
            folder = self.with_vocabulary_map(folder, ids)
        device, _, index = self.resolved_device.partition(":")
        loaded.model = self.ct2.Translator(
            str(folder),
            device=device,
            device_index=int(index or 0),
            compute_type=self.compute_type,
            inter_threads=self.streams,
            intra_threads=max(1, cpu_count() // self.streams) if device == "cpu" else 0,
        )
        loaded.dtype = self.compute_type
        loaded.extra = {"converted": str(folder), "ctranslate2": self.ct2.__version__}
        if ids is not None:
            loaded.extra["shortlist_tokens"] = len(ids)
        return loaded

    def _free_device_memory(self) -> None:
        pass  # CTranslate2 frees its own cache when the Translator goes

    # ---- generation

    @cached_property
    def _target_prefix(self) -> str | None:
        """The first target token: the language code (NLLB/M2M100) or the forced BOS (BART)."""
        loaded = self.loaded
        forced = forced_first_token(loaded.forced_bos_token_id, loaded.generation_defaults)
        return loaded.tokenizer.convert_ids_to_tokens(forced) if forced is not None else None

    def _generation_default(self, name: str, setting: Any, neutral: Any) -> Any:
        """A job setting, else the model's own generation default (as generate() applies it)."""
        if setting is not None:
            return setting
        value = self.loaded.generation_defaults.get(name)
        return neutral if value is None else value

    def _generate_batch(self, ids: list[list[int]], max_new: int, min_new: int | None) -> tuple[list[str], list[int]]:
        tok = self.loaded.tokenizer
        with self._tokenizer_lock:
            source = [tok.convert_ids_to_tokens(x) for x in ids]
        # generate() counts a forced first token among the new tokens; CTranslate2 counts the
        # prefix in its decoding length too, so the limits are the same numbers. Marian and
        # BART configs force EOS as the last of max_new tokens: leave it room, as generate() does.
        forced_eos = forced_eos_at_limit(self.loaded.generation_defaults)
        limit = max(1, max_new - 1) if forced_eos and max_new > 1 else max_new
        hypotheses = self._translate(self.loaded.model, source, limit, min_new)
        if hypotheses is None:  # NaN/inf in half precision: this batch again in float32
            self.fp32_reruns += 1
            log.warning(
                "%s: non-finite scores in %s on %s; batch of %d generated again in float32",
                self.label,
                self.compute_type,
                self.resolved_device,
                len(source),
            )
            hypotheses = self._translate(self._float32_translator, source, limit, min_new)
            if hypotheses is None:
                raise NonFiniteOutputs(f"{self.label}: non-finite scores even in float32; the weights are broken")
        with self._tokenizer_lock:
            decoded = tok.batch_decode([tok.convert_tokens_to_ids(h) for h in hypotheses], skip_special_tokens=True)
        eos = tok.eos_token
        counts = [
            len(h) + (1 if limit < max_new and len(h) >= limit and (not h or h[-1] != eos) else 0) for h in hypotheses
        ]  # the EOS generate() would have forced at the limit
        return decoded, counts

    @property
    def _watch_scores(self) -> bool:
        """Whether outputs are checked for NaN/inf: half precision on a GPU (fp16 overflows past
        65,504; CTranslate2 has no clamp). On CPU the activations are float32: nothing to check."""
        return self._device_kind == "cuda" and "float32" not in self.compute_type

    @cached_property
    def _float32_translator(self) -> Any:
        """The same converted model in float32, loaded the first time a batch needs it."""
        device, _, index = self.resolved_device.partition(":")
        folder = self.loaded.extra["converted"]
        return self.ct2.Translator(folder, device=device, device_index=int(index or 0), compute_type="float32")

    def _translate(
        self, model: Any, source: list[list[str]], limit: int, min_new: int | None
    ) -> list[list[str]] | None:
        """The best hypothesis of each source; None when a score came out NaN/inf (`_watch_scores`)."""
        watch = self._watch_scores
        results = model.translate_batch(
            source,
            target_prefix=[[self._target_prefix]] * len(source) if self._target_prefix else None,
            beam_size=self.settings.num_beams,
            max_batch_size=0,
            max_input_length=0,  # the job fits every text to the window: nothing may be cut here
            max_decoding_length=limit,
            min_decoding_length=min(min_new or 0, limit),
            no_repeat_ngram_size=self._generation_default(
                "no_repeat_ngram_size", self.settings.no_repeat_ngram_size, 0
            ),
            length_penalty=self._generation_default("length_penalty", self.settings.length_penalty, 1.0),
            return_end_token=True,
            return_scores=watch,
            use_vmap=self.shortlist_ids is not None,
        )
        if watch and not all(math.isfinite(r.scores[0]) for r in results):
            return None
        return [r.hypotheses[0] for r in results]
