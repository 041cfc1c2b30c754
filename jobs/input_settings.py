"""The run's fetching and input-size settings: under `defaults:` in configs/models.yaml and as
`jobs run` options (README: inputs). Kept apart from jobs.config, which reaches its size limit."""

from __future__ import annotations

from pydantic import BaseModel, Field


class InputSettings(BaseModel):
    """Shared by the registry's `defaults:` and the run's JobConfig (jobs.inputs.netpolicy, limits)."""

    allow_hosts: list[str] = []  # --allow-host: fetched although not public (an internal CMS)
    proxy_resolves: bool = False  # --proxy-resolves: names that do not resolve here are left to the proxy
    fetch_budget: float = Field(300.0, gt=0)  # --fetch-budget: seconds for all the fetching of a run
    max_feed_items: int = Field(200, ge=1)  # --max-feed-items: the newest entries read per feed
    max_input_mb: float = Field(100.0, gt=0)  # one input file, once decompressed (max_input_mb:)
