"""The text side of a model: tokenizer, config and language quirks, without the weights.

Torch-free: the driver of a Ray run tokenizes and plans batches with this alone, and the
backends add their own weights to it (jobs.backends).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jobs.config import ModelSpec
from jobs.errors import ConfigError, ModelNotAvailable
from jobs.models.families import (
    LANGUAGE_CODE_FAMILIES,
    language_codes,
    language_token,
    target_markers,
    tokenizer_family,
)
from jobs.models.hub import check_available, model_location, model_revision, pull_hint


@dataclass
class LoadedModel:
    """A tokenizer (and, once a backend loaded them, weights) with the language quirks resolved."""

    spec: ModelSpec
    role: str  # a target language code, or "summary"
    tokenizer: Any
    model: Any  # a transformers model, a ctranslate2.Translator, or None (text side only, or closed)
    family: str  # marian | nllb | m2m100 | bart | other (jobs.models.families)
    revision: str
    max_input_tokens: int
    target_token: str | None = None  # prepended to every source text (Marian multi-target)
    forced_bos_token_id: int | None = None  # first generated token (NLLB / M2M100)
    lang_code: str | None = None
    dtype: str | None = None  # as the weights loaded: torch float32 | bfloat16 | float16, or a CT2 compute type
    generation_defaults: dict[str, Any] = field(default_factory=dict)  # the model's generation_config
    extra: dict[str, Any] = field(default_factory=dict)

    def facts(self) -> dict[str, Any]:
        """What loading found out, for the manifest (the options that decided it are in the identity)."""
        return {
            "family": self.family,
            "max_input_tokens": self.max_input_tokens,
            "target_token": self.target_token,
            "lang_code": self.lang_code,
            "generation_defaults": self.generation_defaults,
            **self.extra,
        }


def not_loadable(spec: ModelSpec, role: str, exc: Exception) -> ModelNotAvailable:
    """The error for a model whose files are there but do not load."""
    return ModelNotAvailable(
        f"Model {model_location(spec)} (for {role}) could not be loaded: {exc}. If it is a hub id, run "
        f"`{pull_hint(spec)}` with network access; if it is a folder, check that "
        f"save_pretrained() wrote it completely."
    )


def load_text_side(spec: ModelSpec, role: str, *, source_lang: str, revision: str | None = None) -> LoadedModel:
    """Tokenizer, config and language quirks of a model, without its weights (`model` is None)."""
    check_available(spec, role)
    from transformers import AutoConfig, AutoTokenizer, GenerationConfig

    where = model_location(spec)
    try:
        tokenizer = AutoTokenizer.from_pretrained(where, revision=spec.revision)
        config = AutoConfig.from_pretrained(where, revision=spec.revision)
    except OSError as exc:
        raise not_loadable(spec, role, exc) from exc
    # The job measures every text against the window and splits what is longer before it reaches
    # the model, so the tokenizer's "will result in indexing errors" warning never applies.
    tokenizer.deprecation_warnings["sequence-length-is-longer-than-the-specified-maximum"] = True
    try:
        generation = GenerationConfig.from_pretrained(where, revision=spec.revision)
    except OSError:  # no generation_config.json: the defaults live in config.json
        generation = GenerationConfig.from_model_config(config)
    loaded = LoadedModel(
        spec=spec,
        role=role,
        tokenizer=tokenizer,
        model=None,
        family=tokenizer_family(tokenizer, config.model_type),
        revision=revision or model_revision(spec),
        max_input_tokens=input_window(spec, tokenizer, config),
        generation_defaults=generation.to_diff_dict(),
    )
    if role != "summary":
        resolve_target_language(loaded, role, source_lang)
    return loaded


def input_window(spec: ModelSpec, tokenizer: Any, config: Any) -> int:
    """The most input tokens the model takes: registry value, else tokenizer and position limits."""
    config = getattr(config, "config", config)  # a model is accepted too
    limits = [spec.max_input_tokens, getattr(config, "max_position_embeddings", None)]
    tok_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(tok_max, int) and tok_max < 1_000_000:  # "no limit" is stored as a huge int
        limits.append(tok_max)
    known = [n for n in limits if n]
    return min(known) if known else 512


def resolve_target_language(loaded: LoadedModel, lang: str, source_lang: str) -> None:
    """Set how the model is told to write `lang`: a forced language code, or a Marian target token."""
    tok, spec = loaded.tokenizer, loaded.spec
    if loaded.family in LANGUAGE_CODE_FAMILIES:
        code, src = language_codes(loaded.family, lang, source_lang, spec.lang_code)
        token = language_token(tok, loaded.family, code)
        token_id = tok.convert_tokens_to_ids(token) if token else None
        if token_id is None or token_id == tok.unk_token_id:
            raise ConfigError(
                f"Model {spec.model} ({loaded.family}) has no language code for {lang!r} "
                f"(tried {code!r}); set lang_code for {lang} in the config."
            )
        tok.src_lang = src
        loaded.lang_code = code
        loaded.forced_bos_token_id = token_id
        return
    markers = target_markers(tok)
    if spec.target_token and spec.target_token in markers:
        loaded.target_token = spec.target_token
    elif markers:
        shown = ", ".join(markers[:8]) + (" ..." if len(markers) > 8 else "")
        raise ConfigError(
            f"Model {spec.model} translates into several languages and needs a target token "
            f"for {lang!r} ({shown}); set target_token for {lang} in the config."
        )
