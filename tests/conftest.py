"""Session fixtures: tiny real-architecture models built once, and a config sized for them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from tests.tiny_models import build_all

REPO = Path(__file__).resolve().parents[1]
SEED_PAGE = REPO / "seeds" / "international-news.txt"
# Sentences of different lengths, one empty: what the backend tests generate from.
SAMPLE_SENTENCES = [
    "Xi made the remarks in a written statement upon his arrival in Astana.",
    "China and Kazakhstan share a long tradition of friendship, Xi noted.",
    "Hi.",
    "",
    "More than 2,000 years ago, the ancient Silk Road closely connected the two countries.",
]


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """The tiny models are too small for intra-op threads; on 2 shared cores threads only slow them."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(autouse=True, scope="session")
def _exact_auto():
    """`--backend auto --dtype auto` as torch in the weights' own dtype (JOBS_FAST_AUTO=0, inherited
    by subprocesses and Ray actors): the tiny random models' outputs are what the tests compare,
    and the fast choice itself is tested with the knob on (tests/test_speed_options.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JOBS_FAST_AUTO", "0")
        yield


@pytest.fixture(autouse=True, scope="session")
def _no_proxies():
    """A developer's HTTP_PROXY... would send the loopback test servers' requests to that proxy;
    tests/test_proxies.py sets the variables it means to test."""
    names = [n for n in os.environ if n.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")]
    with pytest.MonkeyPatch.context() as patch:
        for name in names:
            patch.delenv(name)
        yield


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    return build_all(tmp_path_factory.mktemp("tiny-models"))


@pytest.fixture(scope="session")
def tiny_config(tmp_path_factory) -> Path:
    """configs/models.yaml with short generation lengths: random models never stop on their own."""
    registry = yaml.safe_load((REPO / "configs" / "models.yaml").read_text(encoding="utf-8"))
    registry["defaults"]["translation"] = {"num_beams": 1, "max_new_tokens": 12}
    registry["defaults"]["summary"] = {"num_beams": 1, "max_new_tokens": 24, "min_new_tokens": 4}
    registry["defaults"]["summary_intermediate"] = {"num_beams": 1, "max_new_tokens": 16, "min_new_tokens": 4}
    path = tmp_path_factory.mktemp("config") / "models.yaml"
    path.write_text(yaml.safe_dump(registry, sort_keys=False), encoding="utf-8")
    return path
