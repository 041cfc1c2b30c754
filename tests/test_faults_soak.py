"""Issue 13, the soak test: 200 simulated hourly runs with changing inputs on a 20 MB filesystem
with the default retention. Every run succeeds, disk use stays flat, the cache keeps its hits.

Takes a few minutes on 2 shared cores (tiny models; after the first hours almost everything is
cached, which is the point). Needs root for the tmpfs, as CI runs; skipped with a reason otherwise.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from jobs import pipeline
from jobs.config import build_config
from jobs.inputs import read_articles
from jobs.outputs.bundle import kept_bundles, latest_bundle
from jobs.outputs.retention import disk_used
from jobs.outputs.verify import verify_bundle
from tests.conftest import SEED_PAGE
from tests.faults import small_disk

HOURS = 200
NEW_STORY_EVERY = 50  # hours; in between, the hour's input is a different pick of known stories


def hour_input(path, pool, hour, rng) -> None:
    """The hour's input: four of the known stories in a new order, and now and then a new one."""
    stories = rng.sample(pool, 4)
    if hour % NEW_STORY_EVERY == 0:
        base = rng.choice(pool)
        stories[0] = {
            "id": f"story-{hour}",
            "title": f"{base['title']} (update {hour})",
            "paragraphs": [f"Officials said on day {hour} that talks would go on.", *base["paragraphs"][1:]],
        }
    path.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in stories), encoding="utf-8")


@pytest.mark.soak
def test_soak_200_hourly_runs_on_a_20_mb_disk(tmp_path, tiny_models, tiny_config, monkeypatch):
    pool = [
        {"id": a["id"], "title": a["title"], "paragraphs": a["paragraphs"][:3]}
        for a in read_articles([str(SEED_PAGE)]).articles
    ]
    start = datetime(2027, 1, 1, tzinfo=timezone.utc)
    clock = {"hour": 0}
    real_run_id = pipeline.new_run_id
    monkeypatch.setattr(pipeline, "new_run_id", lambda now=None: real_run_id(start + timedelta(hours=clock["hour"])))
    rng = random.Random(13)
    with small_disk(tmp_path / "disk", "20m") as disk:
        out, inputs = disk / "out", tmp_path / "hour.jsonl"
        config = build_config(
            config_file=tiny_config,
            langs=["en", "ru"],
            inputs=[inputs],
            out=out,
            model_overrides=[f"ru={tiny_models['ru']}"],
            summary_model=str(tiny_models["summary"]),
        )
        assert config.keep == 24  # the default retention
        used, cached_hours = [], []
        for hour in range(HOURS):
            clock["hour"] = hour
            hour_input(inputs, pool, hour, rng)
            report = pipeline.run_job(config)
            assert report.exit_code == 0, (hour, report.failures)
            assert set(report.bundles) == {"en", "ru"}, hour  # the pick changed: both published
            used.append(disk_used(out))
            if hour >= 12 and hour % NEW_STORY_EVERY:
                cached_hours.append((report.cache_hits, report.cache_misses))
        for lang in ("en", "ru"):
            assert len(kept_bundles(out / lang)) == 24
            assert not verify_bundle(latest_bundle(out, lang))
        assert not list((out / ".cache").glob("*.corrupt-*"))
    settled = used[30:]
    assert max(settled) <= 1.25 * min(settled), (min(settled), max(settled))  # flat, not growing
    assert max(used) < 20e6 * 0.5
    assert all(hits > 0 and misses == 0 for hits, misses in cached_hours), cached_hours
