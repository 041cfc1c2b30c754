"""Finding, checking and loading seq2seq models: hub ids (optionally @revision) or local folders.

Checks here run before any output is written, and without importing torch, so that a missing
model fails a cron run at once with a message that says how to fix it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobs.config import ModelSpec
from jobs.errors import ConfigError, ModelNotAvailable

# Target-language codes by tokenizer family; the registry's `lang_code` wins over these.
NLLB_CODES = {
    "ar": "arb_Arab", "de": "deu_Latn", "en": "eng_Latn", "es": "spa_Latn", "fa": "pes_Arab",
    "fr": "fra_Latn", "hi": "hin_Deva", "it": "ita_Latn", "ja": "jpn_Jpan", "kk": "kaz_Cyrl",
    "ko": "kor_Hang", "ky": "kir_Cyrl", "pt": "por_Latn", "ru": "rus_Cyrl", "tr": "tur_Latn",
    "uk": "ukr_Cyrl", "uz": "uzn_Latn", "zh": "zho_Hans",
}
_TRUE = {"1", "on", "yes", "true"}
_WEIGHTS = ("*.safetensors", "*.bin")
_SMALL_FILES = ["*.json", "*.model", "*.spm", "*.txt"]


def hub_offline() -> bool:
    """HF_HUB_OFFLINE as huggingface_hub reads it, read afresh (its own constant is import-time)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE


def pull_hint(role: str) -> str:
    return "jobs models pull --summary" if role == "summary" else f"jobs models pull --lang {role}"


def cached_snapshot(spec: ModelSpec) -> Path | None:
    """The local cache folder of a hub model's snapshot, or None when it is not cached."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(spec.repo_id, "config.json", revision=spec.revision)
    return Path(found).parent if isinstance(found, str) else None


def check_available(spec: ModelSpec, role: str) -> None:
    """Fail early, before anything is written, when a model cannot possibly load."""
    if spec.is_local:
        if not spec.path.is_dir():
            raise ModelNotAvailable(
                f"Model folder {spec.path} for {role} does not exist. Pass a folder written by "
                f"save_pretrained() (with config.json and the tokenizer files) or a hub id."
            )
        if not (spec.path / "config.json").is_file():
            raise ModelNotAvailable(
                f"Model folder {spec.path} for {role} has no config.json, so it is not a saved "
                f"Hugging Face model. Point --model at the folder save_pretrained() wrote."
            )
        return
    if hub_offline() and cached_snapshot(spec) is None:
        pinned = f" at revision {spec.revision}" if spec.revision else ""
        raise ModelNotAvailable(
            f"Model {spec.repo_id}{pinned} (for {role}) is not in the local Hugging Face cache, "
            f"and HF_HUB_OFFLINE=1 forbids downloading it. Fix: on a machine with network access "
            f"and the same HF_HOME, run `{pull_hint(role)}` once, then run this job again; or pass "
            f"--model {role}=/path/to/a/saved/model."
        )


def model_revision(spec: ModelSpec) -> str:
    """What exactly ran: the hub commit hash, or a content hash of a local folder."""
    if spec.is_local:
        return folder_content_hash(spec.path)
    snapshot = cached_snapshot(spec)
    if snapshot is not None:
        return snapshot.name
    return spec.revision or "main"


MEMO_ENTRIES = 256


def _memo_file() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser()
    return base / "jobs" / "folder-revisions.json"


def folder_content_hash(folder: Path) -> str:
    """sha256 over every file's relative path and bytes, as "sha256:" + 16 hex digits.

    Reading a model's weights takes seconds (1.2 GB for distilbart), so the result is kept in
    ~/.cache/jobs/folder-revisions.json under the folder's path and each file's size, mtime
    and inode; a file rewritten in any way changes that stamp and the folder is hashed again.
    """
    import json

    files = sorted(p for p in folder.rglob("*") if p.is_file())
    stamps = []
    for path in files:
        st = path.stat()
        stamps.append([path.relative_to(folder).as_posix(), st.st_size, st.st_mtime_ns, st.st_ino])
    key = hashlib.sha256(json.dumps([str(folder.resolve()), stamps]).encode()).hexdigest()
    memo_path = _memo_file()
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    if isinstance(memo, dict) and isinstance(memo.get(key), str):
        return memo[key]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    revision = "sha256:" + digest.hexdigest()[:16]
    memo = {k: v for k, v in (memo.items() if isinstance(memo, dict) else []) if k != key}
    memo = dict(list(memo.items())[-(MEMO_ENTRIES - 1):])
    memo[key] = revision
    try:  # a memo that cannot be written only costs the next run the hashing
        memo_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo_path.with_name(f".{memo_path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(memo), encoding="utf-8")
        os.replace(tmp, memo_path)
    except OSError:
        pass
    return revision


def pull_model(spec: ModelSpec) -> Path:
    """Download a hub model's PyTorch weights and tokenizer into the HF cache (for offline runs)."""
    if spec.is_local:
        check_available(spec, "local")
        return spec.path
    from huggingface_hub import HfApi, snapshot_download

    files = HfApi().list_repo_files(spec.repo_id, revision=spec.revision)
    # Fetch one weights format only: safetensors where the repo has it, else the .bin files.
    weights = ["*.safetensors"] if any(f.endswith(".safetensors") for f in files) else ["*.bin"]
    folder = snapshot_download(
        spec.repo_id,
        revision=spec.revision,
        allow_patterns=_SMALL_FILES + weights,
        ignore_patterns=["onnx/*", "*.onnx", "*.msgpack", "*.h5", "*.ot"],
    )
    return Path(folder)


@dataclass
class LoadedModel:
    """A tokenizer and model ready for generate(), with the language quirks resolved."""

    spec: ModelSpec
    role: str  # a target language code, or "summary"
    tokenizer: Any
    model: Any  # a transformers model, a ctranslate2.Translator, or None once closed
    family: str  # marian | nllb | m2m100 | bart | other
    revision: str
    device: str
    dtype: str  # torch: float32 | bfloat16 | float16; ctranslate2: its compute type
    max_input_tokens: int
    target_token: str | None = None  # prepended to every source text (Marian multi-target)
    forced_bos_token_id: int | None = None  # first generated token (NLLB / M2M100)
    lang_code: str | None = None
    backend: str = "torch"
    quantize: str = "none"  # torch: none | int8 (dynamic int8 Linear layers)
    generation_defaults: dict[str, Any] = field(default_factory=dict)  # the model's generation_config
    extra: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """The manifest's account of this model: enough to reproduce the run."""
        return {
            "id": self.spec.repo_id if not self.spec.is_local else str(self.spec.path),
            "revision": self.revision,
            "licence": self.spec.licence or "unknown: check the model card",
            "family": self.family,
            "backend": self.backend,
            "device": self.device,
            "dtype": self.dtype,
            "quantize": self.quantize,
            "max_input_tokens": self.max_input_tokens,
            "target_token": self.target_token,
            "lang_code": self.lang_code,
            "generation_defaults": self.generation_defaults,
            **self.extra,
        }


def tokenizer_family(tokenizer: Any, model_type: str) -> str:
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


def resolve_device(device: str) -> str:
    """`auto` becomes cuda, mps or cpu, whichever this machine has; an absent device is an error."""
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"--device {device}: this machine has no CUDA device (torch {torch.__version__})")
    if device == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ConfigError("--device mps: MPS is not available on this machine")
    return device


TORCH_DTYPES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}


def model_location(spec: ModelSpec) -> str:
    """What from_pretrained is given: the local folder, or the hub id."""
    return str(spec.path) if spec.is_local else spec.repo_id


def _not_loadable(spec: ModelSpec, role: str, exc: Exception) -> ModelNotAvailable:
    return ModelNotAvailable(
        f"Model {model_location(spec)} (for {role}) could not be loaded: {exc}. If it is a hub id, run "
        f"`{pull_hint(role)}` with network access; if it is a folder, check that "
        f"save_pretrained() wrote it completely."
    )


def load_text_side(spec: ModelSpec, role: str, *, source_lang: str, device: str, revision: str | None = None,
                   backend: str = "torch", dtype: str = "float32", quantize: str = "none") -> LoadedModel:
    """Tokenizer, config and language quirks of a model, without its weights (`model` is None).

    The ctranslate2 backend uses this and runs its own converted copy of the weights.
    """
    check_available(spec, role)
    from transformers import AutoConfig, AutoTokenizer, GenerationConfig

    where = model_location(spec)
    try:
        tokenizer = AutoTokenizer.from_pretrained(where, revision=spec.revision)
        config = AutoConfig.from_pretrained(where, revision=spec.revision)
    except OSError as exc:
        raise _not_loadable(spec, role, exc) from exc
    try:
        generation = GenerationConfig.from_pretrained(where, revision=spec.revision)
    except OSError:  # no generation_config.json: the defaults live in config.json
        generation = GenerationConfig.from_model_config(config)
    loaded = LoadedModel(
        spec=spec, role=role, tokenizer=tokenizer, model=None,
        family=tokenizer_family(tokenizer, config.model_type), revision=revision or model_revision(spec),
        device=device, dtype=dtype, max_input_tokens=input_window(spec, tokenizer, config),
        backend=backend, quantize=quantize, generation_defaults=generation.to_diff_dict(),
    )
    if role != "summary":
        _resolve_target_language(loaded, role, source_lang)
    return loaded


def load_model(spec: ModelSpec, role: str, *, source_lang: str, device: str, revision: str | None = None,
               dtype: str | None = None, quantize: str = "none") -> LoadedModel:
    """Load tokenizer and model through `from_pretrained`, and work out the language quirks.

    dtype: fp32 | bf16 | fp16 (None: fp16 on CUDA, else fp32). quantize="int8" replaces every
    Linear layer by torch's dynamic int8 one (CPU only; weights int8, activations quantized per
    batch), after loading in fp32. bf16 on CPU: every Linear layer's weight is packed for oneDNN
    once (jobs.backends.packed_linear; same outputs, faster).
    """
    check_available(spec, role)
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from jobs.backends.packed_linear import pack_linear_layers, packing_wanted

    where = model_location(spec)
    if dtype is None:
        dtype = "fp16" if device.startswith("cuda") else "fp32"
    torch_dtype = getattr(torch, TORCH_DTYPES[dtype])
    try:
        tokenizer = AutoTokenizer.from_pretrained(where, revision=spec.revision)
        model = AutoModelForSeq2SeqLM.from_pretrained(where, revision=spec.revision, dtype=torch_dtype)
    except OSError as exc:
        raise _not_loadable(spec, role, exc) from exc
    model.to(device).eval()
    fold_logits_bias(model)
    if quantize == "int8":
        model = quantize_dynamic_int8(model)
    elif packing_wanted(device, dtype):
        pack_linear_layers(model)  # bf16 on CPU: weights in oneDNN's layout once, not at every call
    # The job passes max_new_tokens for every batch; a length in the model's own generation
    # config would only clash with it (transformers warns on every call).
    model.generation_config.max_length = None
    model.generation_config.min_length = None
    family = tokenizer_family(tokenizer, model.config.model_type)
    loaded = LoadedModel(
        spec=spec,
        role=role,
        tokenizer=tokenizer,
        model=model,
        family=family,
        revision=revision or model_revision(spec),
        device=device,
        dtype=str(torch_dtype).removeprefix("torch."),
        max_input_tokens=input_window(spec, tokenizer, model.config),
        quantize=quantize,
        generation_defaults=model.generation_config.to_diff_dict(),
    )
    if role != "summary":
        _resolve_target_language(loaded, role, source_lang)
    return loaded


# Model types whose logits are exactly `lm_head(decoder output) + final_logits_bias`.
LOGITS_BIAS_MODEL_TYPES = {"marian", "bart", "mbart", "pegasus"}


def fold_logits_bias(model: Any) -> None:
    """Move `final_logits_bias` into the output layer's own bias (the buffer becomes zeros).

    Marian and BART add the bias as a separate pass over the (rows x vocabulary) logits at every
    decoding step; inside the output layer it is part of the matrix product (one pass less over
    the largest tensor of a step, which on CPU is memory-bound). The logits are the same sums.
    """
    import torch

    bias = getattr(model, "final_logits_bias", None)
    head = model.get_output_embeddings()
    if (getattr(model.config, "model_type", None) not in LOGITS_BIAS_MODEL_TYPES or not isinstance(bias, torch.Tensor)
            or type(head) is not torch.nn.Linear or not bool(bias.any())):
        return
    with torch.no_grad():
        row = bias.reshape(-1).to(head.weight.dtype)
        head.bias = torch.nn.Parameter(row.clone() if head.bias is None else head.bias + row, requires_grad=False)
        bias.zero_()


def quantize_dynamic_int8(model: Any) -> Any:
    """torch's dynamic int8 quantization of every nn.Linear (CPU): int8 weights, fp32 activations.

    `torch.ao.quantization.quantize_dynamic` warns that torch.ao.quantization is deprecated in
    favour of torchao; in torch 2.13 it still works and needs no extra package, so the warning
    is silenced here.
    """
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=UserWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        from torch.ao.quantization import quantize_dynamic

        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def input_window(spec: ModelSpec, tokenizer: Any, config: Any) -> int:
    """The most input tokens the model takes: registry value, else tokenizer and position limits."""
    config = getattr(config, "config", config)  # a model is accepted too
    limits = [spec.max_input_tokens, getattr(config, "max_position_embeddings", None)]
    tok_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(tok_max, int) and tok_max < 1_000_000:  # "no limit" is stored as a huge int
        limits.append(tok_max)
    known = [n for n in limits if n]
    return min(known) if known else 512


def _resolve_target_language(loaded: LoadedModel, lang: str, source_lang: str) -> None:
    tok, spec = loaded.tokenizer, loaded.spec
    unk = tok.unk_token_id
    if loaded.family in ("nllb", "m2m100"):
        code = spec.lang_code or (NLLB_CODES.get(lang) if loaded.family == "nllb" else lang)
        src = NLLB_CODES.get(source_lang) if loaded.family == "nllb" else source_lang
        if loaded.family == "m2m100":
            token = tok.lang_code_to_token.get(code) if hasattr(tok, "lang_code_to_token") else f"__{code}__"
        else:
            token = code
        token_id = tok.convert_tokens_to_ids(token) if token else None
        if token_id is None or token_id == unk:
            raise ConfigError(
                f"Model {spec.model} ({loaded.family}) has no language code for {lang!r} "
                f"(tried {code!r}); set lang_code for {lang} in the config."
            )
        tok.src_lang = src
        loaded.lang_code = code
        loaded.forced_bos_token_id = token_id
        return
    markers = sorted(t for t in tok.get_vocab() if t.startswith(">>") and t.endswith("<<"))
    if spec.target_token and spec.target_token in markers:
        loaded.target_token = spec.target_token
    elif markers:
        shown = ", ".join(markers[:8]) + (" ..." if len(markers) > 8 else "")
        raise ConfigError(
            f"Model {spec.model} translates into several languages and needs a target token "
            f"for {lang!r} ({shown}); set target_token for {lang} in the config."
        )
