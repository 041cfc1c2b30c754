"""Every model-family quirk the job knows, in one place.

A family is what decides how a model is told the target language and how its generation starts
and ends: Marian takes a `>>xxx<<` source token when it translates into several languages,
NLLB and M2M100 force the target language code as the first generated token, Marian and BART
force EOS as the last token of the length limit and add `final_logits_bias` to their logits.
"""

from __future__ import annotations

from typing import Any

# Target-language codes of NLLB tokenizers; the registry's `lang_code` wins over these.
NLLB_CODES = {
    "ar": "arb_Arab",
    "de": "deu_Latn",
    "en": "eng_Latn",
    "es": "spa_Latn",
    "fa": "pes_Arab",
    "fr": "fra_Latn",
    "hi": "hin_Deva",
    "it": "ita_Latn",
    "ja": "jpn_Jpan",
    "kk": "kaz_Cyrl",
    "ko": "kor_Hang",
    "ky": "kir_Cyrl",
    "pt": "por_Latn",
    "ru": "rus_Cyrl",
    "tr": "tur_Latn",
    "uk": "ukr_Cyrl",
    "uz": "uzn_Latn",
    "zh": "zho_Hans",
}

# Families told the target language as a forced first generated token (a language code).
LANGUAGE_CODE_FAMILIES = frozenset({"nllb", "m2m100"})

# Model types whose logits are exactly `lm_head(decoder output) + final_logits_bias`.
LOGITS_BIAS_MODEL_TYPES = frozenset({"marian", "bart", "mbart", "pegasus"})

# Model types whose logits are exactly output_layer(decoder output) (+ final_logits_bias): the
# greedy loop computes them itself (jobs.backends.greedy.GreedyHead).
GREEDY_HEAD_MODEL_TYPES = LOGITS_BIAS_MODEL_TYPES | {"m2m_100"}


def tokenizer_family(tokenizer: Any, model_type: str) -> str:
    """marian | nllb | m2m100 | bart | other, from the tokenizer class and the config's model type."""
    name = type(tokenizer).__name__.lower()
    if "nllb" in name:
        return "nllb"
    if "m2m100" in name or model_type == "m2m_100":
        return "m2m100"
    if "marian" in name or model_type == "marian":
        return "marian"
    if model_type == "bart":
        return "bart"
    return "other"


def language_codes(family: str, lang: str, source_lang: str, lang_code: str | None) -> tuple[str | None, str | None]:
    """(target code, source code) of a LANGUAGE_CODE_FAMILIES model; the registry's code wins."""
    if family == "nllb":
        return lang_code or NLLB_CODES.get(lang), NLLB_CODES.get(source_lang)
    return lang_code or lang, source_lang


def language_token(tokenizer: Any, family: str, code: str | None) -> str | None:
    """The vocabulary token of a language code (M2M100 wraps it as `__xx__`)."""
    if family == "m2m100":
        return tokenizer.lang_code_to_token.get(code) if hasattr(tokenizer, "lang_code_to_token") else f"__{code}__"
    return code


def target_markers(tokenizer: Any) -> list[str]:
    """Marian's `>>xxx<<` target-language tokens: a multi-target model needs one on every input."""
    return sorted(t for t in tokenizer.get_vocab() if t.startswith(">>") and t.endswith("<<"))


def forced_eos_at_limit(generation_defaults: dict[str, Any]) -> bool:
    """Whether generate() forces EOS as the last of max_new tokens (Marian, BART configs)."""
    return generation_defaults.get("forced_eos_token_id") is not None


def forced_first_token(forced_bos_token_id: int | None, generation_defaults: dict[str, Any]) -> int | None:
    """The first generated token: the language code (NLLB/M2M100), else the config's forced BOS (BART)."""
    if forced_bos_token_id is not None:
        return forced_bos_token_id
    return generation_defaults.get("forced_bos_token_id")


def patch_config_for_ctranslate2(config: Any) -> None:
    """What CTranslate2's converter reads and transformers 5 no longer puts in a config.

    ctranslate2 4.x reads BART's `normalize_before`, gone from BartConfig in transformers 5;
    BART is post-norm (layer norms after each block).
    """
    if config.model_type == "bart" and not hasattr(config, "normalize_before"):
        config.normalize_before = False
