"""The Ray engine: the same stages, with model batches spread over a Ray Data actor pool.

The driver plans batches as the local engine does (same length order), with the tokenizer and
config only: it never loads a model's weights. It sends each planned batch as one row of a Ray Dataset through `map_batches` to a pool
of actors that each load the model once, and puts the outputs back in order. Greedy outputs
are therefore the same as the local engine's, and the driver assembles and publishes bundles
with the same code. A batch that fails is retried by Ray; one that keeps failing leaves its
texts without output, marked as errors, and their articles become listed failures.

The planning budget is the actors' device's, not the driver's: `auto` means CUDA when each actor
gets a GPU share and CPU otherwise (jobs.backends.base.BackendOptions.of). On CPU the plan is the
local engine's (CPU_BATCH_TOKENS, the backend's CPU rows). For CUDA actors the driver cannot
measure their cards, so it plans with RAY_GPU_BATCH_TOKENS (what a 10 GiB card gets) unless
--batch-tokens is given; each actor re-batches a planned batch under its own card's budget and
halves it on out-of-memory, so the plan only sets how much work one Ray task carries.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

from jobs.backends import make_backend
from jobs.backends.base import BaseBackend, Generated
from jobs.backends.batching import max_batch_rows, plan_batches
from jobs.backends.device import check_gpu_request, gpu_batch_tokens, pinned_options
from jobs.config import GenerationSettings, JobConfig, ModelSpec
from jobs.errors import ConfigError

log = logging.getLogger("jobs")
TASK_RETRIES = 2  # Ray retries a failing batch this many times before giving up on it
RAY_GPU_CARD_GIB = 10  # the card size the driver plans CUDA actors' batches for (see above)


def import_ray():
    """Ray, or a clear error naming the extra to install."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--engine ray needs Ray: pip install -e '.[ray]' (or pip install 'ray[data]')") from None
    return ray


def start_ray(config: JobConfig) -> None:
    """Connect to the cluster at --ray-address, or start a local Ray without a dashboard; then
    check the GPUs the actors ask for against the cluster's (`check_gpu_request`)."""
    ray = import_ray()
    if not ray.is_initialized():
        if config.ray_address:
            ray.init(address=config.ray_address, log_to_driver=False)
        else:
            ray.init(num_cpus=max(config.ray_actors, os.cpu_count() or 1), include_dashboard=False, log_to_driver=False)
        log.info("ray: %s", ray.cluster_resources())
    check_gpu_request(config.ray_actors, config.ray_gpus_per_actor, ray.cluster_resources().get("GPU", 0))


class BatchWorker:
    """A Ray actor: loads one model once, then generates planned batches."""

    def __init__(
        self, spec: dict[str, Any], role: str, config: dict[str, Any], translation: bool, settings: dict | None = None
    ):
        job = JobConfig.model_validate(config)
        self.backend = make_backend(ModelSpec.model_validate(spec), role, job, translation=translation)
        self.settings = GenerationSettings.model_validate(settings) if settings else None

    def __call__(self, rows: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, list] = {"batch": [], "texts": [], "hit_limit": [], "output_tokens": [], "input_tokens": []}
        for batch, texts in zip(rows["batch"], rows["texts"]):
            generated = self.backend.generate(list(texts), settings=self.settings)
            out["batch"].append(int(batch))
            out["texts"].append(generated.texts)
            out["hit_limit"].append(generated.hit_limit)
            out["output_tokens"].append(generated.output_tokens)
            out["input_tokens"].append(generated.input_tokens)
        return out


class RayBackend:
    """Wraps a local backend: tokenizing and planning stay on the driver (the text side only, no
    weights), generation goes to Ray actors."""

    worker = BatchWorker

    def __init__(self, inner: BaseBackend, config: JobConfig, *, translation: bool):
        self.inner = inner
        self.config = config
        self.translation = translation

    @property
    def identity(self):
        return self.inner.identity

    @property
    def label(self) -> str:
        return self.inner.label

    @property
    def max_input_tokens(self) -> int:
        return self.inner.max_input_tokens

    @property
    def intermediate_settings(self) -> GenerationSettings | None:
        return self.inner.intermediate_settings

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.inner.count_tokens(texts)

    def counter(self) -> Callable[[str], int]:
        return self.inner.counter()

    @property
    def is_loaded(self) -> bool:
        """Whether the driver loaded the weights (it does not: the actors do)."""
        return self.inner.is_loaded

    def close(self) -> None:
        self.inner.close()

    def with_settings(self, settings) -> RayBackend:
        """The same model with other translation settings (QA repair): actors built with them."""
        config = self.config.model_copy(update={"translation" if self.translation else "summary": settings})
        return RayBackend(self.inner.with_settings(settings), config, translation=self.translation)

    def plan(self, lengths: list[int]) -> list[list[int]]:
        """Batches for the actors' device (see the module's docstring), not the driver's."""
        inner = self.inner
        if not inner.resolved_device.startswith("cuda"):
            return plan_batches(lengths, inner.batch_tokens, inner.max_batch_rows)
        budget = self.config.batch_tokens or gpu_batch_tokens(RAY_GPU_CARD_GIB, inner.settings.num_beams)
        return plan_batches(lengths, budget, max_batch_rows(inner.resolved_device))

    def describe(self) -> dict[str, Any]:
        described = self.inner.describe()
        return {
            **described,
            "engine": "ray",
            "actors": self.config.ray_actors,
            "gpus_per_actor": self.config.ray_gpus_per_actor,
        }

    def generate(
        self,
        texts: Sequence[str],
        on_progress: Callable[[int], None] | None = None,
        settings: GenerationSettings | None = None,
    ) -> Generated:
        """Outputs in input order; texts of batches that kept failing are listed in `errors`.
        `settings`: other generation settings for this call (BaseBackend.generate)."""
        ray = import_ray()
        start_ray(self.config)
        outputs = [""] * len(texts)
        hit_limit = [False] * len(texts)
        result = Generated(outputs, hit_limit)
        todo = [i for i, t in enumerate(texts) if t.strip()]
        if not todo:
            return result
        lengths = self.inner.count_tokens([texts[i] for i in todo])
        batches = [[todo[b] for b in batch] for batch in self.plan(lengths)]
        context = ray.data.DataContext.get_current()
        context.actor_task_retry_on_errors = True  # retry a batch whose model call raised
        context.max_errored_blocks = -1  # a batch that keeps failing is dropped here and reported below
        context.enable_progress_bars = False
        rows = [{"batch": n, "texts": [texts[i] for i in batch]} for n, batch in enumerate(batches)]
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
            self.worker,
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=min(self.config.ray_actors, len(rows))),
            num_gpus=self.config.ray_gpus_per_actor or None,
            fn_constructor_kwargs={
                "spec": self.inner.spec.model_dump(mode="json"),
                "role": self.inner.role,
                "config": {**self.config.model_dump(mode="json"), **pinned_options(self.inner)},
                "translation": self.translation,
                "settings": settings.model_dump() if settings is not None else None,
            },
            max_task_retries=TASK_RETRIES,
        )
        returned = set()
        for row in dataset.iter_rows():
            batch = batches[int(row["batch"])]
            returned.add(int(row["batch"]))
            for index, text, limited in zip(batch, row["texts"], row["hit_limit"]):
                outputs[index] = str(text)
                hit_limit[index] = bool(limited)
            result.output_tokens += int(row["output_tokens"])
            result.input_tokens += int(row["input_tokens"])
            result.batches += 1
            if on_progress:
                on_progress(len(batch))
        for number, batch in enumerate(batches):
            if number not in returned:
                log.error("ray: batch %d (%d texts) failed after %d retries", number, len(batch), TASK_RETRIES)
                for index in batch:
                    result.errors[index] = f"model batch failed after {TASK_RETRIES} retries on Ray"
        return result
