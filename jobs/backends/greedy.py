"""Greedy search in the job's own loop: the tokens generate() would give, faster on CPU.

`TorchBackend` uses it where `fast_greedy_possible` says the model's generation config asks
for nothing the loop does not implement; otherwise it calls generate().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jobs.config import GenerationSettings
from jobs.models.families import GREEDY_HEAD_MODEL_TYPES

# generate() options that change greedy outputs and that `greedy_decode` does not implement: with
# any of them set (to other than the neutral value), the backend calls generate() instead.
_GREEDY_BLOCKERS = {
    "no_repeat_ngram_size": (None, 0),
    "encoder_no_repeat_ngram_size": (None, 0),
    "repetition_penalty": (None, 1.0),
    "encoder_repetition_penalty": (None, 1.0),
    "suppress_tokens": (None, []),
    "begin_suppress_tokens": (None, []),
    "forced_decoder_ids": (None, []),
    "sequence_bias": (None, {}),
    "exponential_decay_length_penalty": (None,),
    "force_words_ids": (None, []),
    "constraints": (None, []),
    "stop_strings": (None, [], ""),
    "max_time": (None,),
    "watermarking_config": (None,),
    "min_length": (None, 0),
    "max_length": (None,),
}


def fast_greedy_possible(model: Any, settings: GenerationSettings) -> bool:
    """Greedy search on an encoder-decoder model with only the logit rules `greedy_decode` applies."""
    if settings.num_beams != 1 or settings.no_repeat_ngram_size:
        return False
    config = getattr(model, "config", None)
    gen = getattr(model, "generation_config", None)
    if config is None or gen is None or not getattr(config, "is_encoder_decoder", False):
        return False
    for name, neutral in _GREEDY_BLOCKERS.items():
        value = getattr(gen, name, None)
        if name == "max_length":
            continue  # load_model clears it; max_new_tokens is always passed
        if value not in neutral:
            return False
    if any(len(words) != 1 for words in gen.bad_words_ids or []):
        return False
    return _cache_argument(model) is not None and gen.decoder_start_token_id is not None


def _cache_argument(model: Any) -> str | None:
    import inspect

    parameters = inspect.signature(model.forward).parameters
    for name in ("cache", "past_key_values"):
        if name in parameters:
            return name
    return None


def _as_list(value: Any) -> list[int]:
    if value is None:
        return []
    return [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)]


def greedy_decode(
    model: Any,
    enc: dict[str, Any],
    max_new: int,
    min_new: int | None,
    forced_bos: int | None,
    watch: Callable[[Any], Any] = lambda tensor: tensor,
) -> Any:
    """Greedy search for an encoder-decoder model: the tokens generate() would give, faster.

    The same rules as generate()'s greedy search with the model's generation config: the
    decoder start token, a forced first token (NLLB/M2M100 language code, BART BOS), a forced
    EOS as the last of max_new tokens (Marian, BART), single-token bad words (Marian's pad), EOS
    barred before min_new tokens, finished rows padded, stop when every row has finished. What
    it saves: generate()'s generic logits-processor passes over the (rows x vocabulary) scores at
    every step (they make batches above 32 rows slower on CPU), torch's slow CPU argmax, and for
    the model types of `GreedyHead` the output layer at forced steps and the separate passes
    over the logits (see there). Returns the generated tokens (rows x steps), without the decoder start token.
    `watch` sees the encoder output and each step's output before barring (torch.FiniteWatch).
    """
    import torch

    gen = model.generation_config
    eos = _as_list(gen.eos_token_id)
    pad = gen.pad_token_id if gen.pad_token_id is not None else (eos[0] if eos else 0)
    forced_bos = forced_bos if forced_bos is not None else gen.forced_bos_token_id
    forced_eos = _as_list(gen.forced_eos_token_id)
    banned = [int(words[0]) for words in gen.bad_words_ids or []]
    head = GreedyHead.of(model, banned, eos)
    mask = enc["attention_mask"]
    rows = mask.shape[0]
    device = mask.device
    encoder_outputs = model.get_encoder()(input_ids=enc["input_ids"], attention_mask=mask)
    watch(encoder_outputs[0])
    if head is not None:  # the decoder only; the head computes what is needed of the logits
        step_fn = _stepper(
            model.get_decoder(),
            "input_ids",
            "last_hidden_state",
            encoder_hidden_states=encoder_outputs[0],
            encoder_attention_mask=mask,
        )
    else:
        step_fn = _stepper(model, "decoder_input_ids", "logits", encoder_outputs=encoder_outputs, attention_mask=mask)
    current = torch.full((rows, 1), int(gen.decoder_start_token_id), dtype=torch.long, device=device)
    finished = torch.zeros(rows, dtype=torch.bool, device=device)
    eos_tensor = torch.tensor(eos, dtype=torch.long, device=device)
    steps: list[Any] = []
    for step in range(max_new):
        last = step_fn(current)  # decoder output (GreedyHead) or logits of the last position
        watch(last)
        chosen = _next_tokens(step, last, max_new, min_new, forced_bos, forced_eos, head, banned, eos)
        if eos:
            chosen = torch.where(finished, torch.full_like(chosen, pad), chosen)
            finished |= torch.isin(chosen, eos_tensor)
        steps.append(chosen)
        if eos and bool(finished.all()):
            break
        current = chosen[:, None]
    return torch.stack(steps, dim=1)


def _next_tokens(
    step: int,
    last: Any,
    max_new: int,
    min_new: int | None,
    forced_bos: int | None,
    forced_eos: list[int],
    head: GreedyHead | None,
    banned: list[int],
    eos: list[int],
) -> Any:
    """The tokens of one greedy step: forced EOS at the last step, forced BOS at the first, else argmax."""
    import torch

    rows, device = last.shape[0], last.device
    if step == max_new - 1 and forced_eos:
        if len(forced_eos) == 1:
            return torch.full((rows,), forced_eos[0], dtype=torch.long, device=device)
        logits = head.logits(last) if head is not None else last
        columns = head.positions(forced_eos) if head is not None else forced_eos
        return torch.tensor(forced_eos, device=device)[logits[:, columns].float().argmax(-1)]
    if step == 0 and forced_bos is not None:
        return torch.full((rows,), int(forced_bos), dtype=torch.long, device=device)
    bar_eos = bool(min_new and step < min_new)
    if head is not None:
        return head.choose(last, bar_eos)
    return _argmax(_barred(last, banned, eos if bar_eos else []))


def _stepper(module: Any, ids_arg: str, output: str, **inputs: Any) -> Callable[[Any], Any]:
    """Steps through `module` (the whole model, or its decoder) one token at a time, the key/value
    cache carried from step to step; each step returns `output` at the last position (the
    logits, or the decoder's hidden state)."""
    cache_arg = _cache_argument(module)
    state: dict[str, Any] = {"cache": None}

    def step(current: Any) -> Any:
        out = module(**inputs, **{ids_arg: current, cache_arg: state["cache"]}, use_cache=True)
        state["cache"] = getattr(out, cache_arg, None)
        return getattr(out, output)[:, -1, :]

    return step


class GreedyHead:
    """The output layer of a greedy step, with every per-vocabulary addition inside one product.

    The (rows x vocabulary) logits are the largest tensor of a decoding step (16 MB for 64 rows
    of opus-mt's 62,518 entries in fp32), and on CPU each pass over them goes through main
    memory. Here the output layer's bias, Marian/BART's `final_logits_bias` (moved into it at
    load, jobs.backends.torch.fold_logits_bias), the bad words and the min-length EOS bar (as -inf) are
    one bias vector added inside the matrix product, instead of separate passes. The greedy loop
    also skips the output layer at forced steps. A packed bf16 output layer (jobs.backends.packed_linear)
    takes the same bias; a quantized one keeps its own and gets the -inf entries written in place.
    """

    def __init__(self, model: Any, banned: list[int], eos: list[int]):
        import torch

        from jobs.backends.packed_linear import PackedLinear

        full = model.get_output_embeddings()
        # A shortlist (jobs.backends.torch.attach_shortlist): the output layer of its rows only;
        # logits are then over those rows, and `ids` maps a row back to its token.
        sub = getattr(model, "jobs_shortlist_head", None)
        self.ids = getattr(model, "jobs_shortlist_ids", None) if sub is not None else None
        self.layer = layer = sub if sub is not None else full
        self.banned, self.eos = self.positions(banned), self.positions(eos)
        extra = getattr(model, "final_logits_bias", None)
        self.extra = extra.reshape(-1) if isinstance(extra, torch.Tensor) and bool(extra.any()) else None
        if self.extra is not None and self.ids is not None:
            self.extra = self.extra[self.ids]
        self.product: Callable[[Any, Any], Any] | None = None  # hidden, bias -> logits
        if type(layer) is PackedLinear:
            self.product = layer.product
        elif type(layer) is torch.nn.Linear:
            self.product = lambda hidden, bias: torch.nn.functional.linear(hidden, layer.weight, bias)
        if self.product is not None:
            bias = torch.zeros(layer.out_features, dtype=layer.weight.dtype, device=layer.weight.device)
            if layer.bias is not None:
                bias += layer.bias
            if self.extra is not None:
                bias += self.extra.to(bias.dtype)
            bias[self.banned] = float("-inf")
            self.bias = bias
            self.bias_no_eos = bias.clone()
            self.bias_no_eos[self.eos] = float("-inf")

    def positions(self, tokens: list[int]) -> list[int]:
        """The logits columns of token ids (their rows in a shortlist; ids not in it are left out)."""
        if self.ids is None:
            return list(tokens)
        where = {int(t): p for p, t in enumerate(self.ids.tolist())}
        return [where[t] for t in tokens if t in where]

    def choose(self, hidden: Any, bar_eos: bool = False) -> Any:
        """The greedy step's token ids: the argmax of the logits, mapped back from shortlist rows."""
        chosen = _argmax(self.logits(hidden, bar_eos))
        return chosen if self.ids is None else self.ids[chosen.to(self.ids.device)]

    @classmethod
    def of(cls, model: Any, banned: list[int], eos: list[int]) -> GreedyHead | None:
        """The head of a model of GREEDY_HEAD_MODEL_TYPES (built once per model), else None."""
        if (
            getattr(model.config, "model_type", None) not in GREEDY_HEAD_MODEL_TYPES
            or model.get_output_embeddings() is None
        ):
            return None
        key = (tuple(banned), tuple(eos), id(getattr(model, "jobs_shortlist_head", None)))
        cached = getattr(model, "_jobs_greedy_head", None)
        if cached is None or cached[0] != key:
            cached = (key, cls(model, banned, eos))
            model._jobs_greedy_head = cached
        return cached[1]

    def logits(self, hidden: Any, bar_eos: bool = False) -> Any:
        """(rows x vocabulary) logits, bad words and (if asked) EOS at -inf."""
        if self.product is not None:
            return self.product(hidden, self.bias_no_eos if bar_eos else self.bias)
        logits = self.layer(hidden)
        if self.extra is not None:
            logits = logits + self.extra
        return _barred(logits, self.banned, self.eos if bar_eos else [])


def _barred(logits: Any, *barred: list[int]) -> Any:
    """The logits with the given token ids set to -inf (in place): bad words, EOS before min length."""
    for ids in barred:
        if ids:
            logits[:, ids] = float("-inf")
    return logits


def _argmax(logits: Any) -> Any:
    """Row-wise argmax, first maximum on ties; numpy's is about 4x faster than torch's on CPU.

    bf16/fp16 logits (numpy has no bf16) go to float32 a few rows at a time: a chunk of about a
    megabyte stays in cache for numpy's pass, where the whole (rows x vocabulary) copy would go
    out to main memory and back (16 MB for 64 rows of opus-mt; measured 1-3 ms a step instead
    of 4-6).
    """
    import numpy as np
    import torch

    if logits.device.type != "cpu":
        return logits.argmax(dim=-1)
    logits = logits.contiguous()
    if logits.dtype == torch.float32:
        return torch.from_numpy(logits.numpy().argmax(axis=-1)).to(torch.long)
    rows = logits.shape[0]
    chunk = max(1, _ARGMAX_CHUNK_VALUES // max(1, logits.shape[-1]))
    chosen = np.empty(rows, dtype=np.int64)
    for start in range(0, rows, chunk):
        chosen[start : start + chunk] = logits[start : start + chunk].float().numpy().argmax(axis=-1)
    return torch.from_numpy(chosen)


# float32 values converted per chunk by `_argmax` (1 MiB).
_ARGMAX_CHUNK_VALUES = 2**18
