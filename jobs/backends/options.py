"""The part of a run's config a backend needs for one model (BackendOptions.of)."""

from __future__ import annotations

from dataclasses import dataclass, field

from jobs.config import GenerationSettings, JobConfig


@dataclass(frozen=True)
class BackendOptions:
    """The part of the run config a backend needs for one model."""

    settings: GenerationSettings = field(default_factory=GenerationSettings)
    translation: bool = True  # False: summaries (output length kept under half the window)
    source_lang: str = "en"
    device: str = "auto"
    dtype: str = "auto"
    quantize: str = "none"
    backend: str = ""  # the --backend asked for (auto | torch | ctranslate2), for the manifest
    batch_tokens: int | None = None  # None: chosen for the device when first needed
    why: str = ""  # what `--backend auto` passed over and why (the manifest says it)
    remote: bool = False  # the device is Ray actors' (GPU share given): a driver without a card takes it as given
    gpu_share: float = 1.0  # the part of a card one Ray actor gets: its batch budget is scaled by it
    # Summaries: the settings of the map-reduce levels below the last (None: as `settings`)
    intermediate: GenerationSettings | None = None

    @classmethod
    def of(cls, config: JobConfig, *, translation: bool) -> BackendOptions:
        """The options of a run, for its translation or its summary model.

        On the Ray engine `auto` means what the actors get, not what the driver has: CUDA when
        each actor is given a GPU share, else CPU (Ray hides GPUs from actors without one).
        """
        device = config.device
        gpus = config.ray_gpus_per_actor if config.engine == "ray" else 0
        if config.engine == "ray" and device == "auto":
            device = "cuda" if gpus > 0 else "cpu"
        return cls(
            remote=gpus > 0,
            gpu_share=min(1.0, gpus) if gpus > 0 else 1.0,
            settings=config.translation if translation else config.summary,
            translation=translation,
            source_lang=config.source_lang,
            device=device,
            dtype=config.dtype,
            quantize=config.quantize,
            backend=config.backend,
            batch_tokens=config.batch_tokens or None,
            intermediate=None if translation else config.summary_intermediate,
        )
