"""The torch backend: transformers' models on CPU, CUDA or MPS, in fp32, bf16 or fp16, or on CPU
with dynamic int8 quantization of the Linear layers; and how their weights load.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from functools import cached_property
from typing import Any

from jobs.backends.base import BaseBackend
from jobs.backends.batching import NonFiniteOutputs
from jobs.backends.device import (
    check_torch_cuda,
    confirm_device,
    cpu_streams,
    predict_device,
    resolve_precision,
    torch_cuda_problem,
    torch_threads,
    unseen_here,
    warn_once,
)
from jobs.backends.greedy import fast_greedy_possible, greedy_decode
from jobs.config import ModelSpec
from jobs.models.families import LOGITS_BIAS_MODEL_TYPES
from jobs.models.hub import check_available, model_location
from jobs.models.text_side import LoadedModel, load_text_side, not_loadable

log = logging.getLogger("jobs")
TORCH_DTYPES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}


class TorchBackend(BaseBackend):
    """transformers `generate()` on CPU, CUDA or MPS for one model.

    dtype: auto | fp32 | bf16 | fp16; quantize: none | int8 (CPU: torch dynamic int8 Linear
    layers). auto: fp16 on CUDA; on CPU bf16 where it has bf16 instructions, else int8
    (`resolve_precision`). On CPU two batches run at a time, each on its share
    of the cores (`cpu_streams`).
    """

    name = "torch"

    @cached_property
    def _plan(self) -> tuple[str, str, str]:
        """(device, dtype, quantize) that will run, `auto` resolved torch-free (`resolve_precision`).

        A CUDA card that this torch cannot use (a CPU build): `auto` runs on CPU, said once and
        in the manifest; an explicit CUDA device is a ConfigError naming why. Ray actors' device
        is taken as given (they check it when they load)."""
        asked = self.options.device
        device = predict_device(asked)
        if device.startswith("cuda") and not unseen_here(device, self.options.remote):
            check_torch_cuda(asked, device)
        problem = torch_cuda_problem()
        if asked == "auto" and device == "cpu" and problem:
            self.device_note = f"CUDA card found, but {problem}: torch runs on CPU"
            if not self.options.why:  # `--backend auto` has said it already
                warn_once(self.device_note)
        return (device, *resolve_precision(self.options.dtype, device, self.options.quantize))

    def _resolve_precision(self) -> tuple[str, str]:
        return self._plan[:2]

    @property
    def quantization(self) -> str:
        return self._plan[2]

    def _load(self) -> LoadedModel:
        device, dtype = self.precision
        confirm_device(self.options.device, device)
        return load_model(
            self.spec,
            self.role,
            source_lang=self.options.source_lang,
            device=device,
            revision=self.revision,
            dtype=dtype,
            quantize=self.quantization,
            text=self._text,
            shortlist_ids=self.shortlist_ids,
        )

    @cached_property
    def cpu_threads(self) -> int:
        """torch's intra-op threads when generation first ran, shared out between the streams."""
        import torch

        return torch.get_num_threads()

    @cached_property
    def streams(self) -> int:
        """Batches decoded at the same time: `cpu_streams()` on CPU, one on a GPU."""
        return cpu_streams(self.cpu_threads) if self.resolved_device == "cpu" else 1

    def _generation_scope(self) -> contextlib.AbstractContextManager:
        """On CPU: freed memory kept for reuse while decoding (jobs.backends.malloc)."""
        if self.resolved_device != "cpu":
            return contextlib.nullcontext()
        from jobs.backends.malloc import reuse_freed_memory

        return reuse_freed_memory()

    def _streams_scope(self) -> contextlib.AbstractContextManager:
        """torch's threads shared out between the streams (one batch alone keeps them all)."""
        return torch_threads(max(1, self.cpu_threads // self.streams))

    def _free_device_memory(self) -> None:
        if self.resolved_device.startswith("cuda"):  # on CPU a full collection only costs time
            import torch

            gc.collect()
            torch.cuda.empty_cache()

    @property
    def fast_greedy(self) -> bool:
        """Whether greedy decoding can run in the job's own loop (see `_greedy`) rather than generate()
        at the current settings; with a shortlist only where the loop has the shortlist's output layer."""
        if self._fast_greedy_set is not None:
            return self._fast_greedy_set
        model = self.loaded.model
        if self.shortlist_ids is not None and getattr(model, "jobs_shortlist_head", None) is None:
            return False
        key = (self.settings.num_beams, self.settings.no_repeat_ngram_size)
        if key not in self._fast_greedy:
            self._fast_greedy[key] = fast_greedy_possible(model, self.settings)
        return self._fast_greedy[key]

    @fast_greedy.setter
    def fast_greedy(self, value: bool) -> None:
        """Force the choice (tests compare the loop with generate())."""
        self._fast_greedy_set = value

    _fast_greedy_set: bool | None = None

    @cached_property
    def _fast_greedy(self) -> dict[tuple, bool]:
        return {}

    def _generate_batch(self, ids: list[list[int]], max_new: int, min_new: int | None) -> tuple[list[str], list[int]]:
        tok = self.loaded.tokenizer
        with self._tokenizer_lock:  # a (Rust) tokenizer is not to be used by two streams at once
            enc = tok.pad({"input_ids": ids}, padding=True, return_tensors="pt")
        enc = {k: v.to(self.resolved_device) for k, v in enc.items()}
        watch = FiniteWatch() if self.precision[1] in ("fp16", "bf16") else None
        generated, pad = self._decode(self.loaded.model, enc, max_new, min_new, watch)
        if watch is not None and watch.seen:  # overflow in half precision: this batch again in fp32
            self.fp32_reruns += 1
            log.warning(
                "%s: NaN/inf in %s on %s; batch of %d generated again in fp32",
                self.label,
                self.precision[1],
                self.resolved_device,
                len(ids),
            )
            again = FiniteWatch()
            generated, pad = self._decode(self._fp32_model, enc, max_new, min_new, again)
            if again.seen:
                raise NonFiniteOutputs(f"{self.label}: NaN/inf even in fp32; the weights are broken")
        with self._tokenizer_lock:
            decoded = tok.batch_decode(generated, skip_special_tokens=True)
        if pad is not None:
            counts = (generated != pad).sum(dim=1).tolist()
        else:
            counts = [generated.shape[1]] * len(ids)
        return decoded, [int(c) for c in counts]

    def _decode(
        self, model: Any, enc: dict[str, Any], max_new: int, min_new: int | None, watch: Any
    ) -> tuple[Any, Any]:
        """Generated tokens (rows x steps, no decoder start token) and the pad id they are padded with."""
        import torch

        if self.fast_greedy:
            with torch.inference_mode():
                watched = [watch] if watch is not None else []
                generated = greedy_decode(model, enc, max_new, min_new, self.loaded.forced_bos_token_id, *watched)
            return generated, model.generation_config.pad_token_id
        kwargs: dict[str, Any] = {"max_new_tokens": max_new, "num_beams": self.settings.num_beams, "do_sample": False}
        if min_new:
            kwargs["min_new_tokens"] = min_new
        if self.settings.no_repeat_ngram_size is not None:
            kwargs["no_repeat_ngram_size"] = self.settings.no_repeat_ngram_size
        if self.settings.length_penalty is not None:
            kwargs["length_penalty"] = self.settings.length_penalty
        if self.loaded.forced_bos_token_id is not None:
            kwargs["forced_bos_token_id"] = self.loaded.forced_bos_token_id
        processors = list(watch.processors()) if watch is not None else []
        mask = getattr(model, "jobs_shortlist_mask", None)
        if mask is not None:  # the shortlist as a mask: the same tokens, no work saved
            processors.insert(0, ShortlistMask(mask))
        if processors:
            from transformers import LogitsProcessorList

            kwargs["logits_processor"] = LogitsProcessorList(processors)
        with torch.inference_mode():
            out = model.generate(**enc, **kwargs)
        return out[:, 1:], self.loaded.tokenizer.pad_token_id  # the decoder start token is not generated

    @cached_property
    def _fp32_model(self) -> Any:
        """The same weights in fp32 on the same device, loaded the first time a batch needs them
        (from the checkpoint, not widened from the half-precision copy)."""
        model = load_weights(self.spec, self.role, self.resolved_device, "fp32")
        if self.shortlist_ids is not None:  # the same output vocabulary as the half-precision copy
            attach_shortlist(model, self.shortlist_ids)
        return model


class FiniteWatch:
    """Whether any tensor shown to it held NaN or inf, without a device sync per tensor: the
    flags stay on the device and are read once, by `seen`. Logits after generate()'s processors
    legitimately hold -inf (barred tokens), so for them only NaN and +inf count."""

    def __init__(self) -> None:
        self._flag: Any = None

    def __call__(self, tensor: Any, *, scores: bool = False) -> Any:
        import torch

        bad = (torch.isnan(tensor).any() | torch.isposinf(tensor).any()) if scores else ~torch.isfinite(tensor).all()
        self._flag = bad if self._flag is None else self._flag | bad
        return tensor

    @property
    def seen(self) -> bool:
        return self._flag is not None and bool(self._flag)

    def processors(self) -> Any:
        """A LogitsProcessorList that shows generate()'s scores at every step to this watch."""
        from transformers import LogitsProcessor, LogitsProcessorList

        watch = self

        class Watching(LogitsProcessor):
            def __call__(self, input_ids: Any, scores: Any) -> Any:
                return watch(scores, scores=True)

        return LogitsProcessorList([Watching()])


def load_model(
    spec: ModelSpec,
    role: str,
    *,
    source_lang: str,
    device: str,
    revision: str | None = None,
    dtype: str | None = None,
    quantize: str = "none",
    text: LoadedModel | None = None,
    shortlist_ids: list[int] | None = None,
) -> LoadedModel:
    """The text side (`text`, else loaded here) with the model's weights through `from_pretrained`.

    dtype: fp32 | bf16 | fp16 (None: fp16 on CUDA, else fp32). quantize="int8" replaces every
    Linear layer by torch's dynamic int8 one (CPU only; weights int8, activations quantized per
    batch), after loading in fp32. bf16 on CPU: every Linear layer's weight is packed for oneDNN
    once (jobs.backends.packed_linear; same outputs, faster). `shortlist_ids`: the output tokens
    allowed (jobs.backends.shortlist), given the model as an output layer of their own
    (`attach_shortlist`), quantized or packed like the rest.
    """
    check_available(spec, role)
    import torch

    from jobs.backends.packed_linear import pack_linear_layers, packing_wanted

    loaded = text or load_text_side(spec, role, source_lang=source_lang, revision=revision)
    if dtype is None:
        dtype = "fp16" if device.startswith("cuda") else "fp32"
    torch_dtype = getattr(torch, TORCH_DTYPES[dtype])
    model = load_weights(spec, role, device, dtype)
    if shortlist_ids is not None:
        loaded.extra["shortlist_tokens"] = attach_shortlist(model, shortlist_ids)
    if quantize == "int8":
        model = quantize_dynamic_int8(model)
    elif packing_wanted(device, dtype):
        pack_linear_layers(model)  # bf16 on CPU: weights in oneDNN's layout once, not at every call
    # The job passes max_new_tokens for every batch; a length in the model's own generation
    # config would only clash with it (transformers warns on every call).
    model.generation_config.max_length = None
    model.generation_config.min_length = None
    loaded.model = model
    loaded.dtype = str(torch_dtype).removeprefix("torch.")
    loaded.generation_defaults = model.generation_config.to_diff_dict()
    return loaded


def load_weights(spec: ModelSpec, role: str, device: str, dtype: str) -> Any:
    """The model's weights through `from_pretrained` in `dtype` on `device`, in eval mode, the
    logits bias folded into the output layer."""
    import torch
    from transformers import AutoModelForSeq2SeqLM

    try:
        model = AutoModelForSeq2SeqLM.from_pretrained(
            model_location(spec), revision=spec.revision, dtype=getattr(torch, TORCH_DTYPES[dtype])
        )
    except OSError as exc:
        raise not_loadable(spec, role, exc) from exc
    model.to(device).eval()
    fold_logits_bias(model)
    return model


def attach_shortlist(model: Any, ids: list[int]) -> int:
    """Give `model` the shortlist's output layer: `jobs_shortlist_head`, an nn.Linear of the output
    layer's rows `ids` (what the greedy loop multiplies by: the work of the other rows is saved),
    `jobs_shortlist_ids` (its rows' token ids) and `jobs_shortlist_mask` (True for the ids kept,
    for generate()). Returns the number of tokens kept. An output layer that is not a plain
    nn.Linear gets the mask only."""
    import torch

    head = model.get_output_embeddings()
    rows = head.weight.shape[0] if head is not None and hasattr(head, "weight") else model.config.vocab_size
    index = torch.tensor([i for i in ids if i < rows], dtype=torch.long)
    mask = torch.zeros(rows, dtype=torch.bool)
    mask[index] = True
    device = next(model.parameters()).device
    model.register_buffer("jobs_shortlist_mask", mask.to(device), persistent=False)
    if type(head) is torch.nn.Linear:
        index = index.to(head.weight.device)
        with torch.no_grad():
            sub = torch.nn.Linear(
                head.in_features,
                len(index),
                bias=head.bias is not None,
                dtype=head.weight.dtype,
                device=head.weight.device,
            )
            sub.weight.copy_(head.weight[index])
            if head.bias is not None:
                sub.bias.copy_(head.bias[index])
        sub.requires_grad_(False)
        model.jobs_shortlist_head = sub
        model.register_buffer("jobs_shortlist_ids", index, persistent=False)
    return len(index)


class ShortlistMask:
    """generate()'s logits processor for a shortlist: every token outside it at -inf."""

    def __init__(self, mask: Any):
        self.mask = mask

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        width = min(scores.shape[-1], self.mask.shape[0])
        scores[:, :width] = scores[:, :width].masked_fill(~self.mask[:width], float("-inf"))
        if scores.shape[-1] > width:
            scores[:, width:] = float("-inf")
        return scores


def fold_logits_bias(model: Any) -> None:
    """Move `final_logits_bias` into the output layer's own bias (the buffer becomes zeros).

    Marian and BART add the bias as a separate pass over the (rows x vocabulary) logits at every
    decoding step; inside the output layer it is part of the matrix product (one pass less over
    the largest tensor of a step, which on CPU is memory-bound). The logits are the same sums.
    """
    import torch

    bias = getattr(model, "final_logits_bias", None)
    head = model.get_output_embeddings()
    if (
        getattr(model.config, "model_type", None) not in LOGITS_BIAS_MODEL_TYPES
        or not isinstance(bias, torch.Tensor)
        or type(head) is not torch.nn.Linear
        or not bool(bias.any())
    ):
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
