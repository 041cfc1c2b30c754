"""Token-budget batching and the torch backend's ordering guarantees."""

from __future__ import annotations

import random

import pytest

from jobs.backends import TorchBackend, plan_batches
from jobs.config import GenerationSettings, ModelSpec
from jobs.models import load_model


@pytest.mark.parametrize("seed", range(5))
def test_plan_batches_covers_every_text_once_within_budget(seed):
    rng = random.Random(seed)
    lengths = [rng.randint(1, 120) for _ in range(300)]
    batches = plan_batches(lengths, batch_tokens=512, max_sentences=64)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(300))
    for batch in batches:
        assert len(batch) <= 64
        assert max(lengths[i] for i in batch) * len(batch) <= 512
    # Longest first: lengths never increase from one batch to the next.
    maxima = [max(lengths[i] for i in b) for b in batches]
    assert maxima == sorted(maxima, reverse=True)


def test_a_text_over_the_budget_gets_a_batch_of_its_own():
    assert plan_batches([1000, 5, 5], batch_tokens=100) == [[0], [1, 2]]


@pytest.fixture(scope="module")
def marian(tiny_models):
    loaded = load_model(ModelSpec(model=str(tiny_models["ru"])), "ru", source_lang="en", device="cpu")
    return loaded


def test_outputs_come_back_in_input_order_whatever_the_batching(marian):
    texts = [
        "Xi made the remarks in a written statement.",
        "China and Kazakhstan share a long tradition of friendship, Xi noted.",
        "Hi.",
        "",
        "More than 2,000 years ago, the ancient Silk Road closely connected the two countries.",
    ]
    settings = GenerationSettings(max_new_tokens=8)
    one_by_one = [TorchBackend(marian, batch_tokens=1, settings=settings, translation=True).generate([t]).texts[0] for t in texts]
    batched = TorchBackend(marian, batch_tokens=4096, settings=settings, translation=True).generate(texts)
    assert batched.texts == one_by_one
    assert batched.texts[3] == "" and all(batched.texts[i] for i in (0, 1, 2, 4))
    assert batched.batches == 1
    # The tiny models never stop on their own, so every output reaches the limit and says so.
    assert batched.hit_limit == [True, True, True, False, True]
    assert batched.output_tokens == 4 * 8


def test_count_tokens_includes_the_target_token(tiny_models):
    loaded = load_model(ModelSpec(model=str(tiny_models["zh"]), target_token=">>cmn_Hans<<"), "zh", source_lang="en", device="cpu")
    backend = TorchBackend(loaded, batch_tokens=1024, settings=GenerationSettings(), translation=True)
    plain = len(loaded.tokenizer("Hello there.")["input_ids"])
    assert backend.count_tokens(["Hello there."]) == [plain + 1]
