"""The Ray engine: the same stages, with model batches decoded by a Ray Data actor pool.

The driver plans batches as the local engine does, with the tokenizer and config only (it never
loads a model's weights): on CPU exactly the batches the local engine would decode on the
driver's machine (`BaseBackend.plan`: token budget, rows cap, the split across decoding
streams). It sends each planned batch as one row of a Ray Dataset through `map_batches` to a
pool of actors that each load the model once and decode the batch as it is (never re-planned),
and puts the outputs back in order. CTranslate2 int8 results depend on batch composition, so
sending the same batches is what makes the bundles byte-identical to the local engine's (a call
that asks for `groups`, QA repair's and a summary's intermediate levels, is planned per group
on both engines alike). The manifest's model entries are the actors' own (what loading found),
as the local engine's are.
A batch that fails is retried by Ray; one that keeps failing leaves its texts without output,
marked as errors, and their articles become listed failures.

The planning budget is the actors' device's, not the driver's: `auto` means CUDA when each actor
gets a GPU share and CPU otherwise (jobs.backends.base.BackendOptions.of). For CUDA actors the
driver cannot measure their cards, so it plans with RAY_GPU_BATCH_TOKENS (what a 10 GiB card
gets) unless --batch-tokens is given; each actor re-batches a planned batch under its own card's
budget and halves it on out-of-memory, so the plan only sets how much work one Ray task carries
(the same batches as the local engine only with --batch-tokens).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from jobs.backends import backend_class
from jobs.backends.base import BackendOptions, BaseBackend, Generated
from jobs.backends.batching import max_batch_rows, plan_batches, plan_within
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


def start_ray(config: JobConfig, actor_pools: int = 1) -> None:
    """Connect to the cluster at --ray-address, or start a local Ray without a dashboard, with a
    CPU slot for every actor of `actor_pools` pools. The driver's JOBS_* knobs (caches, streams)
    are set on every worker of this job too; a Ray the caller started itself is used as it is.
    Then the GPUs the actors ask for are checked against the cluster's (`check_gpu_request`)."""
    ray = import_ray()
    if not ray.is_initialized():
        runtime_env = {"env_vars": job_environment()}
        kept = _signal_handlers()
        if config.ray_address:
            ray.init(address=config.ray_address, log_to_driver=False, runtime_env=runtime_env)
        else:
            cpus = max(config.ray_actors * actor_pools + 1, os.cpu_count() or 1)
            ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, runtime_env=runtime_env)
        for signum, handler in kept.items():  # ray.init installs its own: SIGTERM would exit 15, not 130
            signal.signal(signum, handler)
        log.info("ray: %s", ray.cluster_resources())
    check_gpu_request(config.ray_actors, config.ray_gpus_per_actor, ray.cluster_resources().get("GPU", 0))


def _signal_handlers() -> dict:
    """The process's SIGTERM and SIGINT handlers (the CLI's: a clean stop), where they can be set."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}


def job_environment() -> dict[str, str]:
    """The driver's JOBS_* knobs, as they are."""
    return {name: value for name, value in os.environ.items() if name.startswith("JOBS_")}


def actor_backend(spec: ModelSpec, role: str, config: JobConfig, translation: bool, backend: str) -> BaseBackend:
    """The model in an actor: the backend the driver resolved `auto` to (whatever this node has
    installed or set), with the run's options for the actors' device."""
    return backend_class(backend)(spec, role, BackendOptions.of(config, translation=translation))


class BatchWorker:
    """A Ray actor: loads one model once, then generates planned batches."""

    def __init__(
        self,
        spec: dict[str, Any],
        role: str,
        config: dict[str, Any],
        translation: bool,
        backend: str,
        settings: dict | None = None,
    ):
        job = JobConfig.model_validate(config)
        self.backend = actor_backend(ModelSpec.model_validate(spec), role, job, translation, backend)
        self.settings = GenerationSettings.model_validate(settings) if settings else None

    def __call__(self, rows: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, list] = {"batch": [], "texts": [], "hit_limit": [], "output_tokens": [], "input_tokens": []}
        # On CPU a planned batch is decoded as it is (the local engine's composition); a GPU
        # actor re-batches it under its own card's budget (see the module's docstring).
        as_planned = not self.backend.resolved_device.startswith("cuda")
        _ = self.backend.batch_tokens  # the budget the driver planned with, for the manifest entry
        for batch, texts in zip(rows["batch"], rows["texts"]):
            generated = self.backend.generate(list(texts), settings=self.settings, one_batch=as_planned)
            out["batch"].append(int(batch))
            out["texts"].append(generated.texts)
            out["hit_limit"].append(generated.hit_limit)
            out["output_tokens"].append(generated.output_tokens)
            out["input_tokens"].append(generated.input_tokens)
        out["model"] = [json.dumps(self.backend.describe(), default=str)] * len(out["batch"])
        return out


class RayBackend:
    """Wraps a local backend: tokenizing and planning stay on the driver (the text side only, no
    weights), generation goes to Ray actors."""

    worker = BatchWorker

    def __init__(self, inner: BaseBackend, config: JobConfig, *, translation: bool):
        self.inner = inner
        self.config = config
        self.translation = translation
        self.described: dict[str, Any] | None = None  # an actor's account of the model it loaded

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

    def plan(self, lengths: list[int], groups: Sequence[Hashable] | None = None) -> list[list[int]]:
        """Batches for the actors' device (see the module's docstring), not the driver's; with
        `groups`, never mixing groups (BaseBackend.plan)."""
        inner = self.inner
        if not inner.resolved_device.startswith("cuda"):
            return inner.plan(lengths, groups=groups)
        budget = self.config.batch_tokens or gpu_batch_tokens(RAY_GPU_CARD_GIB, inner.settings.num_beams)
        rows = max_batch_rows(inner.resolved_device)
        if groups is not None:
            return plan_within(groups, lengths, lambda own: plan_batches(own, budget, rows))
        return plan_batches(lengths, budget, rows)

    def describe(self) -> dict[str, Any]:
        """The model's manifest entry: as an actor that loaded it tells it (the local engine's
        entry), else the driver's (nothing generated: every output came from the cache). The
        engine itself (actors, GPUs) is the manifest's `engine` field."""
        return dict(self.described) if self.described is not None else self.inner.describe()

    def generate(
        self,
        texts: Sequence[str],
        on_progress: Callable[[int], None] | None = None,
        settings: GenerationSettings | None = None,
        *,
        groups: Sequence[Hashable] | None = None,
    ) -> Generated:
        """Outputs in input order; texts of batches that kept failing are listed in `errors`.
        `settings`: other generation settings for this call; `groups`: texts of different groups
        never share a batch (BaseBackend.generate)."""
        ray = import_ray()
        start_ray(self.config)
        result = Generated([""] * len(texts), [False] * len(texts))
        todo = [i for i, t in enumerate(texts) if t.strip()]
        if not todo:
            return result
        lengths = self.inner.count_tokens([texts[i] for i in todo])
        own = [groups[i] for i in todo] if groups is not None else None
        batches = [[todo[b] for b in batch] for batch in self.plan(lengths, own)]
        rows = [{"batch": n, "texts": [texts[i] for i in batch]} for n, batch in enumerate(batches)]
        returned = set()
        for row in self._dataset(ray, rows, settings).iter_rows():
            number = int(row["batch"])
            returned.add(number)
            for index, text, limited in zip(batches[number], row["texts"], row["hit_limit"]):
                result.texts[index] = str(text)
                result.hit_limit[index] = bool(limited)
            result.output_tokens += int(row["output_tokens"])
            result.input_tokens += int(row["input_tokens"])
            result.batches += 1
            if self.described is None:
                self.described = json.loads(str(row["model"]))
            if on_progress:
                on_progress(len(batches[number]))
        for number, batch in enumerate(batches):
            if number not in returned:
                log.error("ray: batch %d (%d texts) failed after %d retries", number, len(batch), TASK_RETRIES)
                for index in batch:
                    result.errors[index] = f"model batch failed after {TASK_RETRIES} retries on Ray"
        return result

    def _dataset(self, ray, rows: list[dict[str, Any]], settings: GenerationSettings | None = None):
        """The planned batches, one per row and block, through a pool of actors of this model
        (at `settings` when given: BaseBackend.generate)."""
        context = ray.data.DataContext.get_current()
        context.actor_task_retry_on_errors = True  # retry a batch whose model call raised
        context.max_errored_blocks = -1  # a batch that keeps failing is dropped here and reported
        context.enable_progress_bars = False
        return ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
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
                "backend": self.inner.name,
            },
            max_task_retries=TASK_RETRIES,
        )
