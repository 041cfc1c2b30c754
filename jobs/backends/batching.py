"""Batches by a token budget, output length limits, and out-of-memory detection.

Batches are built from texts sorted by token length so that little padding is computed, under a
budget of padded input tokens per batch; a backend puts results back in input order.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobs.errors import JobError

if TYPE_CHECKING:
    from jobs.config import GenerationSettings

MAX_BATCH_SENTENCES = 256  # default cap of plan_batches
# Sentences per batch on CPU, measured on 2 cores (opus-mt-en-ru shape, docs/benchmarks.md):
# with the job's greedy loop torch peaks at 64 rows (int8 and bf16), CTranslate2 at 32; both
# lose a fifth to a third at 128-160 rows (per-step logits and caches leave the CPU caches).
CPU_BATCH_ROWS = 64
MAX_BATCH_SENTENCES_GPU = 1024
OUTPUT_RATIO = 1.6  # translation output tokens allowed per input token (plus a margin)
OUTPUT_MARGIN = 10
CPU_BATCH_TOKENS = 4096  # measured on 2 cores: larger batches gain nothing on CPU (docs/benchmarks.md)
MIN_BATCH_TOKENS = 64
log = logging.getLogger("jobs")


@dataclass
class Generated:
    """Outputs in input order, with what it cost and whether an output hit the length limit."""

    texts: list[str]
    hit_limit: list[bool]
    input_tokens: int = 0
    output_tokens: int = 0
    batches: int = 0
    seconds: float = 0.0  # wall time spent generating (tokenizing and decoding included)
    oom_retries: int = 0  # batches halved after running out of device memory
    errors: dict[int, str] = field(default_factory=dict)  # input index -> why it has no output (failed batch)


class DeviceOutOfMemory(JobError):
    """A single text does not fit the device's memory even in a batch of its own."""


class NonFiniteOutputs(JobError):
    """A batch's logits or scores held NaN/inf even in fp32: the weights are broken."""


def plan_batches(
    lengths: Sequence[int], batch_tokens: int, max_sentences: int = MAX_BATCH_SENTENCES
) -> list[list[int]]:
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


def plan_within(
    groups: Sequence[Hashable], lengths: Sequence[int], plan: Callable[[list[int]], list[list[int]]]
) -> list[list[int]]:
    """Batches that never mix groups: `plan` (lengths -> batches of their indices) applied to each
    group's texts alone, so a group's batches depend only on its own texts, never on what else a
    call holds (CTranslate2 int8 outputs, and every batch's length limits, depend on a batch's
    rows). Indices into `lengths`; the batches longest first, as `plan_batches` orders them."""
    members: dict[Hashable, list[int]] = {}
    for index, group in enumerate(groups):
        members.setdefault(group, []).append(index)
    batches = [[own[i] for i in batch] for own in members.values() for batch in plan([lengths[i] for i in own])]
    return sorted(batches, key=lambda batch: (-max(lengths[i] for i in batch), batch[0]))


def spread_batches(plan: list[list[int]], streams: int) -> list[list[int]]:
    """The plan split so that there are at least `streams` batches where there are that many texts.

    With fewer batches than decoding streams a stream sits idle: one batch of 9 long texts (a
    summary level) would run on one core of two. The largest batch is split in two, alternate
    rows to each half, so both halves keep the longest-first order and a like padded size."""
    plan = [list(batch) for batch in plan]
    while len(plan) < streams:
        largest = max(range(len(plan)), key=lambda i: len(plan[i]), default=None)
        if largest is None or len(plan[largest]) < 2:
            break
        batch = plan.pop(largest)
        plan[largest:largest] = [batch[0::2], batch[1::2]]
    return plan


def max_batch_rows(device: str, cpu_rows: int = CPU_BATCH_ROWS) -> int:
    """Most texts in one batch: large on a GPU, small on CPU (see CPU_BATCH_ROWS)."""
    if device.startswith("cuda"):
        return MAX_BATCH_SENTENCES_GPU
    if device == "cpu":
        return cpu_rows
    return MAX_BATCH_SENTENCES


# What device memory running out looks like in an error message: torch's "CUDA out of memory",
# "CUDA error: out of memory" (an AcceleratorError raised by a kernel launch), MPS's "MPS backend
# out of memory", CTranslate2's "CUDA failed with error out of memory", and cuBLAS failing to
# allocate its workspace or handle ("CUBLAS_STATUS_ALLOC_FAILED", from torch and CTranslate2 alike).
OUT_OF_MEMORY_MARKERS = ("out of memory", "cublas_status_alloc_failed", "cudnn_status_alloc_failed")


def is_out_of_memory(exc: BaseException) -> bool:
    """CUDA's OutOfMemoryError, or a RuntimeError whose message says device memory ran out
    (`OUT_OF_MEMORY_MARKERS`: MPS, older torch, cuBLAS, CTranslate2)."""
    try:
        import torch

        oom_types = tuple(
            t
            for t in (getattr(torch, "OutOfMemoryError", None), getattr(torch.cuda, "OutOfMemoryError", None))
            if t is not None
        )
    except ImportError:  # pragma: no cover - torch is a dependency
        oom_types = ()
    if oom_types and isinstance(exc, oom_types):
        return True
    message = str(exc).lower()
    return isinstance(exc, RuntimeError) and any(marker in message for marker in OUT_OF_MEMORY_MARKERS)


def back_off(error: BaseException, lengths: list[int], budget: int, name: str) -> tuple[int, int]:
    """After out-of-memory in a batch of texts of these token `lengths`: the halved token budget
    and the batch rows to retry with. Other errors are re-raised; a text that does not fit even
    alone is DeviceOutOfMemory naming the model (`name`: "LABEL on DEVICE") and the fix."""
    if not is_out_of_memory(error):
        raise error
    longest = max(lengths)
    if len(lengths) == 1:
        raise DeviceOutOfMemory(
            f"{name}: one text of {longest} tokens does not fit the device memory even alone (batch budget "
            f"now {budget} tokens); free the device, use a larger one, or run on CPU"
        ) from error
    budget = max(MIN_BATCH_TOKENS, min(budget, longest * len(lengths)) // 2)
    forget_frames(error)  # its frames hold the failed batch's tensors
    log.warning(
        "%s: out of memory with %d texts x %d tokens; retrying with batches of at most %d tokens",
        name,
        len(lengths),
        longest,
        budget,
    )
    return budget, max(1, len(lengths) // 2)


def forget_frames(error: BaseException) -> None:
    """Drop the tracebacks of `error` and what it chains: their frames hold a failed batch's
    tensors, which device memory cannot be freed of while they live."""
    chained: BaseException | None = error
    for _ in range(8):  # a chain is short; a cycle would not end
        if chained is None:
            return
        chained.__traceback__ = None
        chained = chained.__cause__ or chained.__context__


def max_new_tokens(settings: GenerationSettings, translation: bool, window: int, longest_input: int) -> int:
    """The length limit of a batch's outputs: the configured one, else a multiple of the input."""
    if settings.max_new_tokens:
        cap = settings.max_new_tokens
    else:
        cap = math.ceil(longest_input * OUTPUT_RATIO) + OUTPUT_MARGIN
    if not translation:
        # A summary must be short enough that two of them fit one window, or map-reduce
        # over chunk summaries would never converge.
        cap = min(cap, max(8, window // 2 - 2))
    return max(1, min(cap, window))


def min_new_tokens(settings: GenerationSettings, translation: bool, shortest_input: int, max_new: int) -> int | None:
    """The least a batch's outputs must have, if the settings ask for a minimum."""
    wanted = settings.min_new_tokens
    if not wanted:
        return None
    if not translation:
        # Never ask for a summary longer than half its (shortest) input.
        wanted = min(wanted, max(0, shortest_input // 2))
    return min(wanted, max_new)


def map_batches(
    run: Callable[[list[int]], Any],
    plan: list[list[int]],
    streams: int,
    scope: Callable[[], contextlib.AbstractContextManager],
) -> Iterator[tuple[list[int], Any]]:
    """(batch, outcome or the exception it raised), in plan order.

    With `streams` > 1, that many batches run at a time in worker threads (torch and CTranslate2
    release the GIL while they compute), inside `scope()`; outcomes still come in plan order. When
    the caller stops (out-of-memory, an interrupt) no further batch is started and the running
    ones are waited for.
    """

    def guarded(positions: list[int]) -> Any:
        try:
            return run(positions)
        except Exception as exc:  # handed to the caller, which re-raises all but out-of-memory
            return exc

    if streams <= 1 or len(plan) <= 1:
        for positions in plan:
            yield positions, guarded(positions)
        return
    from concurrent.futures import ThreadPoolExecutor

    with scope():
        pool = ThreadPoolExecutor(max_workers=streams, thread_name_prefix="jobs-decode")
        try:
            futures = [pool.submit(guarded, positions) for positions in plan]
            for positions, future in zip(plan, futures):
                yield positions, future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
