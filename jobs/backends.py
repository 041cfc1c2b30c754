"""Text generation backends: texts in, texts out, batched by a token budget.

The torch backend runs transformers' `generate()`. Batches are built from texts sorted by
token length so that little padding is computed, and results are put back in input order.
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from jobs.config import GenerationSettings, JobConfig, ModelSpec
from jobs.models import LoadedModel, load_model, model_revision, resolve_device

MAX_BATCH_SENTENCES = 256  # bounds decoder memory when inputs are very short
OUTPUT_RATIO = 1.6  # translation output tokens allowed per input token (plus a margin)
OUTPUT_MARGIN = 10


@dataclass
class Generated:
    """Outputs in input order, with what it cost and whether an output hit the length limit."""

    texts: list[str]
    hit_limit: list[bool]
    input_tokens: int = 0
    output_tokens: int = 0
    batches: int = 0
    settings: dict[str, Any] = field(default_factory=dict)


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


def make_backend(spec: ModelSpec, role: str, config: JobConfig, *, translation: bool):
    """The backend the config asks for, for one model (translation or summary settings)."""
    settings = config.translation if translation else config.summary
    return TorchBackend(spec, role, source_lang=config.source_lang, device=config.device,
                        batch_tokens=config.batch_tokens, settings=settings, translation=translation)


class TorchBackend:
    """transformers `generate()` on CPU, CUDA or MPS for one model.

    The model loads on first use, so a run whose every output is cached loads nothing (and
    never imports torch).
    """

    name = "torch"

    def __init__(self, spec: ModelSpec, role: str, *, source_lang: str, device: str, batch_tokens: int,
                 settings: GenerationSettings, translation: bool):
        self.spec = spec
        self.role = role
        self.source_lang = source_lang
        self.device = device
        self.batch_tokens = batch_tokens
        self.settings = settings
        self.translation = translation
        self._loaded: LoadedModel | None = None

    @property
    def loaded(self) -> LoadedModel:
        if self._loaded is None:
            device = resolve_device(self.device)
            self._loaded = load_model(self.spec, self.role, source_lang=self.source_lang, device=device,
                                      revision=self.revision)
        return self._loaded

    @cached_property
    def revision(self) -> str:
        """Hub commit or local content hash, worked out once (hashing a folder reads the weights)."""
        return model_revision(self.spec)

    @property
    def is_loaded(self) -> bool:
        return self._loaded is not None

    def close(self) -> None:
        """Free the model's memory before the next one loads."""
        if self._loaded is None:
            return
        device = self._loaded.device
        self._loaded.model = None
        gc.collect()
        if device.startswith("cuda"):
            import torch

            torch.cuda.empty_cache()

    def cache_key(self) -> str:
        """What decides the outputs: model, exact revision, language quirks, generation settings.

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
        }
        return json.dumps(key, sort_keys=True)

    def describe(self) -> dict[str, Any]:
        """The manifest's account of this model; `loaded: false` when every output came from the cache."""
        if self._loaded is None:
            return {"id": self.spec.model, "revision": self.revision, "licence": self.spec.licence,
                    "backend": self.name, "loaded": False, "generation": self.signature()}
        return {**self._loaded.describe(), "loaded": True, "generation": self.signature()}

    @property
    def label(self) -> str:
        """MODEL@REVISION, as each record names its models."""
        model = self.spec.repo_id if not self.spec.is_local else str(self.spec.path)
        return f"{model}@{self.revision}"

    @property
    def max_input_tokens(self) -> int:
        return self.loaded.max_input_tokens

    def _prepare(self, text: str) -> str:
        token = self.loaded.target_token
        return f"{token} {text}" if token else text

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input length of each text in tokens, special and target-language tokens included."""
        if not texts:
            return []
        encoded = self.loaded.tokenizer([self._prepare(t) for t in texts], add_special_tokens=True)
        return [len(ids) for ids in encoded["input_ids"]]

    def counter(self) -> Callable[[str], int]:
        return lambda text: self.count_tokens([text])[0]

    def generate(self, texts: Sequence[str], on_progress: Callable[[int], None] | None = None) -> Generated:
        """Generate one output per text, in input order; empty texts give empty outputs."""
        import torch

        outputs = [""] * len(texts)
        hit_limit = [False] * len(texts)
        result = Generated(outputs, hit_limit, settings=self.signature())
        todo = [i for i, t in enumerate(texts) if t.strip()]
        lengths = self.count_tokens([texts[i] for i in todo])
        tok, model = self.loaded.tokenizer, self.loaded.model
        for batch in plan_batches(lengths, self.batch_tokens):
            indices = [todo[b] for b in batch]
            longest = max(lengths[b] for b in batch)
            max_new = self._max_new_tokens(longest)
            kwargs = self._generate_kwargs(max_new, min(lengths[b] for b in batch))
            enc = tok([self._prepare(texts[i]) for i in indices], return_tensors="pt", padding=True)
            enc = {k: v.to(self.loaded.device) for k, v in enc.items()}
            with torch.inference_mode():
                out = model.generate(**enc, **kwargs)
            decoded = tok.batch_decode(out, skip_special_tokens=True)
            for row, index in enumerate(indices):
                outputs[index] = decoded[row].strip()
                generated = out[row][1:]  # the decoder start token is not generated
                n_out = int((generated != tok.pad_token_id).sum()) if tok.pad_token_id is not None else len(generated)
                # Reaching the limit counts even when it ends in EOS: Marian and BART configs
                # force an EOS at the last step, which hides a cut-off output.
                hit_limit[index] = n_out >= max_new
                result.output_tokens += n_out
            result.input_tokens += sum(lengths[b] for b in batch)
            result.batches += 1
            if on_progress:
                on_progress(len(indices))
        return result

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

    def _generate_kwargs(self, max_new_tokens: int, shortest_input: int) -> dict[str, Any]:
        s = self.settings
        kwargs: dict[str, Any] = {"max_new_tokens": max_new_tokens, "num_beams": s.num_beams, "do_sample": False}
        if s.min_new_tokens:
            # Never ask for a summary longer than half its (shortest) input.
            kwargs["min_new_tokens"] = min(s.min_new_tokens, max(0, shortest_input // 2), max_new_tokens)
        if s.no_repeat_ngram_size is not None:
            kwargs["no_repeat_ngram_size"] = s.no_repeat_ngram_size
        if s.length_penalty is not None:
            kwargs["length_penalty"] = s.length_penalty
        if self.loaded.forced_bos_token_id is not None:
            kwargs["forced_bos_token_id"] = self.loaded.forced_bos_token_id
        return kwargs

    def signature(self) -> dict[str, Any]:
        """Generation settings as recorded in the manifest (and, later, as a cache key)."""
        return {
            "backend": self.name,
            "batch_tokens": self.batch_tokens,
            "max_new_tokens": self.settings.max_new_tokens
            or f"ceil({OUTPUT_RATIO} x input) + {OUTPUT_MARGIN}, at most the window",
            **self.settings.model_dump(exclude={"max_new_tokens"}, exclude_none=True),
        }
