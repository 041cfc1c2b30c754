"""What decides a model's outputs, as one value: the cache key, the manifest entry and the label.

Like sacrebleu's Signature: one object per model use, built without loading the model or
importing torch, holding the device and precision that will actually run (`auto` resolved).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from jobs.backends.batching import OUTPUT_MARGIN, OUTPUT_RATIO


@dataclass(frozen=True)
class ModelIdentity:
    """One model use: which model at which revision, for what, with which settings, on what."""

    backend: str  # torch | ctranslate2
    model: str  # hub id, or the local folder as given
    folder: str | None  # the local folder resolved (None for a hub id): where the weights are
    revision: str  # hub commit, or "sha256:..." content hash of a local folder
    role: str  # a target language, or "summary"
    source_lang: str
    target_token: str | None
    lang_code: str | None
    max_input_tokens: int | None  # the registry's limit (None: the model's own)
    generation: dict[str, Any] = field(default_factory=dict)  # the generation settings of the run
    device: str = "cpu"  # resolved: cpu | cuda[:N] | mps
    dtype: str = "fp32"  # resolved: torch fp32 | bf16 | fp16, or the CTranslate2 compute type
    quantize: str = "none"
    licence: str | None = None  # for the manifest; does not decide outputs
    shortlist: dict[str, Any] | None = None  # the output-vocabulary shortlist (jobs.backends.shortlist)

    @property
    def label(self) -> str:
        """MODEL@REVISION, as each record names its models."""
        return f"{self.model}@{self.revision}"

    @property
    def output_rule(self) -> str:
        """How long an output may get when max_new_tokens is not set."""
        return f"ceil({OUTPUT_RATIO} x input) + {OUTPUT_MARGIN}, at most the window"

    def key(self) -> str:
        """The cache key: everything that decides the outputs, as sorted JSON."""
        key = {
            "backend": self.backend,
            "model": self.folder or self.model,
            "revision": self.revision,
            "role": self.role,
            "source_lang": self.source_lang,
            "target_token": self.target_token,
            "lang_code": self.lang_code,
            "max_input_tokens": self.max_input_tokens,
            "generation": self.generation,
            "output_ratio": [OUTPUT_RATIO, OUTPUT_MARGIN],
            "device": self.device,
            "dtype": self.dtype,
            "quantize": self.quantize,
        }
        if self.shortlist is not None:  # absent, not null, without one: earlier keys stay valid
            key["shortlist"] = self.shortlist
        return json.dumps(key, sort_keys=True)

    def manifest(self) -> dict[str, Any]:
        """The manifest's models entry: enough to reproduce the outputs."""
        settings = {k: v for k, v in self.generation.items() if v is not None and k != "max_new_tokens"}
        return {
            "id": self.model,
            "revision": self.revision,
            "licence": self.licence or "unknown: check the model card",
            "backend": self.backend,
            "device": self.device,
            "dtype": self.dtype,
            "quantize": self.quantize,
            "max_input_tokens": self.max_input_tokens,
            "target_token": self.target_token,
            "lang_code": self.lang_code,
            "shortlist": self.shortlist,
            "generation": {"max_new_tokens": self.generation.get("max_new_tokens") or self.output_rule, **settings},
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
