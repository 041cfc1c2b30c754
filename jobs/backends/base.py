"""What every backend shares: options, identity, lazy loading, tokenizing, batching, length limits.

A backend turns texts into texts for one model. Subclasses say how `auto` resolves for them
(torch-free), how the weights load and how one batch of token ids is generated; the rest is
here. On CUDA out-of-memory a batch is halved and retried, and the budget halved for the rest
of the run.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from functools import cached_property
from typing import Any

from jobs.backends.batching import (
    CPU_BATCH_ROWS,
    Generated,
    back_off,
    map_batches,
    max_batch_rows,
    max_new_tokens,
    min_new_tokens,
    plan_batches,
    plan_within,
    spread_batches,
)
from jobs.backends.device import auto_batch_tokens
from jobs.backends.identity import ModelIdentity
from jobs.backends.options import BackendOptions
from jobs.backends.shortlist import Shortlist
from jobs.config import GenerationSettings, ModelSpec
from jobs.models.hub import model_revision
from jobs.models.text_side import LoadedModel, load_text_side

log = logging.getLogger("jobs")


class BaseBackend:
    """One model behind the job's interface: `identity`, `describe`, `count_tokens`, `counter`,
    `max_input_tokens`, `generate`, `is_loaded`, `close`. The model loads on first use, so a run
    whose every output is cached loads nothing."""

    name = "base"
    cpu_batch_rows = CPU_BATCH_ROWS
    streams = 1  # batches generated at the same time (see jobs.backends.device.cpu_streams)
    device_note = ""  # why the device that runs is not the one `auto` would want (a card passed over)
    fp32_reruns = 0  # batches whose half-precision outputs held NaN/inf, generated again in fp32
    fallback: dict[str, str] | None = None  # {from, reason}: the faster backend that could not run it

    def __init__(self, spec: ModelSpec, role: str, options: BackendOptions):
        self.spec = spec
        self.role = role
        self.options = options
        self.settings = options.settings
        self.translation = options.translation
        self._batch_tokens = options.batch_tokens
        self._text: LoadedModel | None = None
        self._loaded: LoadedModel | None = None
        self._ids: dict[str, list[int]] = {}  # token ids of texts seen, so each is tokenized once
        self._tokenizer_lock = threading.Lock()

    # ---- what subclasses provide

    def _resolve_precision(self) -> tuple[str, str]:
        """(device, dtype) that will run, `auto` resolved, told without importing torch."""
        raise NotImplementedError

    def _load(self) -> LoadedModel:
        """The text side with the weights loaded (a ConfigError where the device is not as predicted)."""
        raise NotImplementedError

    def _generate_batch(self, ids: list[list[int]], max_new: int, min_new: int | None) -> tuple[list[str], list[int]]:
        """Outputs and generated-token counts of one batch (token ids in, texts out)."""
        raise NotImplementedError

    def _free_device_memory(self) -> None:
        pass

    # ---- identity

    @cached_property
    def precision(self) -> tuple[str, str]:
        """(device, dtype) that will run; a ConfigError for options that cannot run here."""
        return self._resolve_precision()

    @property
    def quantization(self) -> str:
        """The quantization that will run (`--quantize`, or what `--dtype auto` chose)."""
        return self.options.quantize

    @property
    def resolved_device(self) -> str:
        return self.precision[0]

    @cached_property
    def revision(self) -> str:
        """Hub commit or local content hash, worked out once (hashing a folder reads the weights)."""
        return model_revision(self.spec)

    @cached_property
    def identity(self) -> ModelIdentity:
        """What decides this model's outputs; known without loading it (a cache is consulted first)."""
        spec = self.spec
        device, dtype = self.precision
        generation = self.options.settings.model_dump()  # not `settings`: a call may have swapped it
        if self.intermediate_settings is not None:
            generation["intermediate"] = self.intermediate_settings.model_dump()
        return ModelIdentity(
            backend=self.name,
            model=str(spec.path) if spec.is_local else spec.repo_id,
            folder=str(spec.path.resolve()) if spec.is_local else None,
            revision=self.revision,
            role=self.role,
            source_lang=self.options.source_lang,
            target_token=spec.target_token,
            lang_code=spec.lang_code,
            max_input_tokens=spec.max_input_tokens,
            generation=generation,
            device=device,
            dtype=dtype,
            quantize=self.quantization,
            licence=spec.licence,
            shortlist=self.shortlist.describe() if self.shortlist else None,
        )

    @property
    def intermediate_settings(self) -> GenerationSettings | None:
        """Summaries: the settings of map-reduce levels whose outputs only the next level reads."""
        return None if self.translation else self.options.intermediate

    @cached_property
    def shortlist(self) -> Shortlist | None:
        """The output-vocabulary shortlist the registry asks for (jobs.backends.shortlist), or None."""
        return Shortlist.of(self.spec.shortlist, self.role)

    @cached_property
    def shortlist_ids(self) -> list[int] | None:
        """The token ids the shortlist keeps, from the tokenizer's vocabulary (None: no shortlist)."""
        if self.shortlist is None:
            return None
        return self.shortlist.token_ids(self.text.tokenizer)

    @property
    def label(self) -> str:
        """MODEL@REVISION, as each record names its models."""
        return self.identity.label

    def describe(self) -> dict[str, Any]:
        """The manifest's account of this model: its identity, and what loading found (`loaded: false`
        when every output came from the cache)."""
        facts = self._loaded.facts() if self._loaded is not None else {}
        o = self.options
        return {
            **self.identity.manifest(),
            "loaded": self.is_loaded,
            "asked": {"backend": self.options.backend or self.name, "dtype": o.dtype, "quantize": o.quantize},
            "batch_tokens": self._batch_tokens or "auto",
            **({"why": o.why or self.device_note} if o.why or self.device_note else {}),
            **({"fp32_reruns": self.fp32_reruns} if self.fp32_reruns else {}),
            **({"fallback": self.fallback} if self.fallback else {}),
            **facts,
        }

    # ---- loading

    @property
    def text(self) -> LoadedModel:
        """Tokenizer, config and language quirks: loaded alone (no weights) until the model loads."""
        if self._loaded is not None:
            return self._loaded
        if self._text is None:
            self._text = load_text_side(
                self.spec, self.role, source_lang=self.options.source_lang, revision=self.revision
            )
        return self._text

    @property
    def loaded(self) -> LoadedModel:
        if self._loaded is None:
            twin_of = getattr(self, "_twin_of", None)
            self._loaded = twin_of.loaded if twin_of is not None else self._load()
        return self._loaded

    def with_settings(self, settings: GenerationSettings) -> BaseBackend:
        """The same model with other generation settings, the weights shared (jobs.backends.variant)."""
        from jobs.backends.variant import with_settings

        return with_settings(self, settings)

    @property
    def is_loaded(self) -> bool:
        """Whether this process loaded the model's weights."""
        return self._loaded is not None

    @property
    def batch_tokens(self) -> int:
        if self._batch_tokens is None:
            self._batch_tokens = auto_batch_tokens(
                self.resolved_device, self.options.settings.num_beams, self.options.gpu_share
            )
        return self._batch_tokens

    @batch_tokens.setter
    def batch_tokens(self, value: int) -> None:
        self._batch_tokens = value

    @property
    def max_batch_rows(self) -> int:
        """Most texts in one batch: large on a GPU, small on CPU (see CPU_BATCH_ROWS)."""
        return max_batch_rows(self.resolved_device, self.cpu_batch_rows)

    def close(self) -> None:
        """Free the model's memory before the next one loads."""
        if self._loaded is None:
            return
        self._loaded.model = None  # reference counting frees it now (measured: no cycles keep it)
        self._ids.clear()
        self._free_device_memory()

    # ---- tokens

    @property
    def max_input_tokens(self) -> int:
        return self.text.max_input_tokens

    def _prepare(self, text: str) -> str:
        token = self.text.target_token
        return f"{token} {text}" if token else text

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Input ids of each text (special and target-language tokens included), tokenized once."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._ids))
        if missing:
            if len(self._ids) > 200_000:
                self._ids.clear()
            encoded = self.text.tokenizer([self._prepare(t) for t in missing], add_special_tokens=True)
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

    def plan(
        self, lengths: Sequence[int], cap: int | None = None, groups: Sequence[Hashable] | None = None
    ) -> list[list[int]]:
        """The batches texts of these lengths are decoded in (budget, `cap` rows, split across the
        streams); an engine that must give the same int8 outputs sends exactly these.

        With `groups` (one label per text) texts of different groups never share a batch and each
        group is planned, and split across the streams, from its own texts alone: a group's
        outputs are the same whatever else the call holds."""
        rows = cap or self.max_batch_rows

        def planned(own: Sequence[int]) -> list[list[int]]:
            return spread_batches(plan_batches(own, self.batch_tokens, rows), self.streams)

        return planned(lengths) if groups is None else plan_within(groups, lengths, planned)

    def generate(
        self,
        texts: Sequence[str],
        on_progress: Callable[[int], None] | None = None,
        settings: GenerationSettings | None = None,
        *,
        one_batch: bool = False,
        groups: Sequence[Hashable] | None = None,
    ) -> Generated:
        """Generate one output per text, in input order; empty texts give empty outputs.

        `settings`: other generation settings for this call (a summary's intermediate levels);
        None: the backend's own. Calls with other settings must not run at the same time.

        Batched by `plan` (longest first under the token budget; with `groups`, one label per
        text, never mixing groups: see `plan`), or (`one_batch`) the non-empty texts are one batch
        an engine planned. On out-of-memory a batch is split in two and
        retried and the budget halved for the rest; a text that alone does not fit is a
        DeviceOutOfMemory error.
        """
        if settings is not None and settings != self.settings:
            own = self.settings
            self.settings = settings
            try:
                return self.generate(texts, on_progress, one_batch=one_batch, groups=groups)
            finally:
                self.settings = own
        started = time.perf_counter()
        result = Generated([""] * len(texts), [False] * len(texts))
        todo = [i for i, t in enumerate(texts) if t.strip()]
        ids = self._token_ids([texts[i] for i in todo])
        lengths = [len(x) for x in ids]
        pending = list(range(len(todo)))  # positions in todo not generated yet
        if todo:
            self.loaded  # noqa: B018 - loaded here, not by two worker threads at once
            if on_progress:
                on_progress(0)  # the model is loaded: generation starts (a progress bar says so)
        cap = self.max_batch_rows
        first = [pending] if one_batch and pending else None  # then planned again only after OOM
        labels = [groups[i] for i in todo] if groups is not None else None
        with self._generation_scope():
            while pending:
                pending, cap = self._generate_pending(
                    ids, lengths, todo, pending, cap, result, on_progress, first, labels
                )
                first = None
        result.seconds = time.perf_counter() - started
        return result

    def _generation_scope(self) -> contextlib.AbstractContextManager:
        """What generation runs inside (the torch backend keeps freed memory on CPU)."""
        return contextlib.nullcontext()

    def _generate_pending(
        self,
        ids: list[list[int]],
        lengths: list[int],
        todo: list[int],
        pending: list[int],
        cap: int,
        result: Generated,
        on_progress: Callable[[int], None] | None,
        given: list[list[int]] | None = None,
        labels: list[Hashable] | None = None,
    ) -> tuple[list[int], int]:
        """Generate what is pending in planned batches of at most `cap` texts (or the `given`
        batches; `labels`: each todo position's group, see `plan`); what is left to retry after
        out-of-memory, and the smaller cap to retry with."""

        def run(positions: list[int]) -> tuple[list[str], list[int], int]:
            window = self.max_input_tokens
            max_new = max_new_tokens(self.settings, self.translation, window, max(lengths[p] for p in positions))
            min_new = min_new_tokens(self.settings, self.translation, min(lengths[p] for p in positions), max_new)
            decoded, counts = self._generate_batch([ids[p] for p in positions], max_new, min_new)
            return decoded, counts, max_new

        own = [labels[p] for p in pending] if labels is not None else None
        plan = given or [[pending[b] for b in batch] for batch in self.plan([lengths[p] for p in pending], cap, own)]
        log.debug(
            "%s: %d texts in %d batches (longest %d tokens; at most %d tokens, %d rows per batch; %d at a time)",
            self.role,
            len(pending),
            len(plan),
            max(lengths[p] for p in pending),
            self.batch_tokens,
            cap,
            self.streams,
        )
        done: set[int] = set()
        outcomes = self._map_batches(run, plan)
        for positions, outcome in outcomes:
            if isinstance(outcome, BaseException):  # only out-of-memory is handled, the rest re-raised
                cap = self._back_off(outcome, positions, lengths, result)
                outcome = None
                outcomes.close()  # the running streams finish; their futures go
                self._free_device_memory()  # only now is there memory to give back
                return [p for p in pending if p not in done], cap
            decoded, counts, max_new = outcome
            for row, p in enumerate(positions):
                index = todo[p]
                result.texts[index] = decoded[row].strip()
                # Reaching the limit counts even when it ends in EOS: Marian and BART configs
                # force an EOS at the last step, which hides a cut-off output.
                result.hit_limit[index] = counts[row] >= max_new
                result.output_tokens += counts[row]
            result.input_tokens += sum(lengths[p] for p in positions)
            result.batches += 1
            done.update(positions)
            if on_progress:
                on_progress(len(positions))
        return [], cap

    def _back_off(self, error: BaseException, positions: list[int], lengths: list[int], result: Generated) -> int:
        """After out-of-memory: halve the budget; the batch rows to retry with (batching.back_off)."""
        name = f"{self.label} on {self.resolved_device}"
        self.batch_tokens, rows = back_off(error, [lengths[p] for p in positions], self.batch_tokens, name)
        result.oom_retries += 1
        return rows

    def _map_batches(self, run: Callable[[list[int]], Any], plan: list[list[int]]):
        """(batch, outcome or the exception it raised), in plan order, `streams` at a time (batching.map_batches)."""
        return map_batches(run, plan, self.streams, self._streams_scope)

    def _streams_scope(self) -> contextlib.AbstractContextManager:
        """What batches run inside when several run at once (torch: each stream's share of threads)."""
        return contextlib.nullcontext()
