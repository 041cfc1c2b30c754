"""Engines: what executes the model stages' generation, as datatrove's executors run its steps.

- local (the default): the backend itself, in this process. Its `generate` plans batches by the
  token budget and decodes them on the machine's decoding streams (jobs.backends.base).
- ray (jobs.engines.ray): the same plan, made on the driver, decoded batch for batch by a pool of
  Ray actors that each load the model once; the driver loads no weights.
- archive (jobs.engines.archive, `jobs archive`): a whole archive streamed through Ray Data in
  shards, resumable; the final bundles assembled shard by shard (jobs.engines.assemble).

An engine is not a backend: a backend turns texts into texts for one model (jobs.backends); an
engine decides where that runs. Ray is imported only when the ray engine is used.
"""

from __future__ import annotations

from jobs.backends import open_backend
from jobs.config import JobConfig, ModelSpec


def open_model(spec: ModelSpec, role: str, config: JobConfig, *, translation: bool):
    """One model on the configured engine: the local backend (with `auto`'s fallback,
    jobs.backends.open_backend), or its generation on Ray actors."""
    backend = open_backend(spec, role, config, translation=translation)
    if config.engine == "ray":
        from jobs.engines.ray import RayBackend

        return RayBackend(backend, config, translation=translation)
    return backend
