"""Token-budget batching and the torch backend's ordering guarantees."""

from __future__ import annotations

import random

import pytest

from jobs.backends.base import BackendOptions
from jobs.backends.batching import plan_batches, plan_within, spread_batches
from jobs.backends.torch import TorchBackend
from jobs.config import GenerationSettings, ModelSpec
from tests.conftest import SAMPLE_SENTENCES


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


def test_fewer_batches_than_streams_are_split_so_no_stream_sits_idle():
    lengths = [900, 880, 870, 860, 850, 700, 650, 640, 600]  # one summary level: 9 long texts
    [one] = plan_batches(lengths, batch_tokens=16384)
    two = spread_batches([one], streams=2)
    assert two == [one[0::2], one[1::2]] and sorted(two[0] + two[1]) == sorted(one)
    assert [max(lengths[i] for i in b) for b in two] == [900, 880]  # still longest first
    assert spread_batches([[0], [1, 2, 3]], streams=3) == [[0], [1, 3], [2]]
    assert spread_batches([[0]], streams=2) == [[0]]  # one text: nothing to split
    assert spread_batches([[0, 1], [2], [3]], streams=2) == [[0, 1], [2], [3]]  # enough already


def test_grouped_batches_never_mix_groups_and_do_not_depend_on_the_other_groups(tiny_models):
    lengths = [30, 5, 28, 6, 40, 7, 31, 4]
    groups = ["a", "b", "a", "b", "c", "b", "a", "c"]
    planned = plan_within(groups, lengths, lambda own: plan_batches(own, batch_tokens=64))
    assert sorted(i for batch in planned for i in batch) == list(range(8))
    assert all(len({groups[i] for i in batch}) == 1 for batch in planned)
    assert [max(lengths[i] for i in b) for b in planned] == sorted(
        (max(lengths[i] for i in b) for b in planned), reverse=True
    )
    # Group a alone is batched exactly as it is beside b and c: by its own lengths only.
    alone = [0, 2, 6]
    by_itself = plan_within(["a"] * 3, [lengths[i] for i in alone], lambda own: plan_batches(own, batch_tokens=64))
    assert sorted([alone[i] for i in b] for b in by_itself) == sorted(b for b in planned if groups[b[0]] == "a")
    # A backend splits each group across its streams by the group's own batches, never by the
    # number of batches the whole call has.
    model = backend(ModelSpec(model=str(tiny_models["ru"])), "ru", batch_tokens=4096)
    model.streams = 2
    assert model.plan([9, 8, 7, 6]) == [[0, 2], [1, 3]]
    assert model.plan([9, 8, 7, 6], groups=["x"] * 4) == [[0, 2], [1, 3]]
    assert model.plan([9, 8, 7, 6], groups=["x", "x", "y", "y"]) == [[0], [1], [2], [3]]
    assert model.plan([9, 8, 7, 6], groups=[0, 1, 2, 3]) == [[0], [1], [2], [3]]


def test_a_single_batch_of_texts_is_decoded_by_every_stream(tiny_models):
    from jobs.config import ModelSpec as Spec

    model = backend(Spec(model=str(tiny_models["ru"])), "ru", batch_tokens=4096, max_new_tokens=4)
    model.streams = 2
    seen = []
    real = model._generate_batch

    def generate_batch(ids, max_new, min_new):
        seen.append(len(ids))
        return real(ids, max_new, min_new)

    model._generate_batch = generate_batch
    texts = [t for t in SAMPLE_SENTENCES if t.strip()]  # 4 texts, one batch by the budget
    result = model.generate(texts)
    assert seen == [2, 2] and all(result.texts)


def backend(spec: ModelSpec, lang: str, batch_tokens: int, **settings) -> TorchBackend:
    return TorchBackend(
        spec, lang, BackendOptions(device="cpu", batch_tokens=batch_tokens, settings=GenerationSettings(**settings))
    )


def test_outputs_come_back_in_input_order_whatever_the_batching(tiny_models):
    spec = ModelSpec(model=str(tiny_models["ru"]))
    texts = SAMPLE_SENTENCES
    single = backend(spec, "ru", 1, max_new_tokens=8)
    one_by_one = [single.generate([t]).texts[0] for t in texts]
    batched = backend(spec, "ru", 4096, max_new_tokens=8).generate(texts)
    assert batched.texts == one_by_one
    assert batched.texts[3] == "" and all(batched.texts[i] for i in (0, 1, 2, 4))
    assert batched.batches == 1
    # The tiny models never stop on their own, so every output reaches the limit and says so.
    assert batched.hit_limit == [True, True, True, False, True]
    assert batched.output_tokens == 4 * 8


def test_count_tokens_includes_the_target_token(tiny_models):
    zh = backend(ModelSpec(model=str(tiny_models["zh"]), target_token=">>cmn_Hans<<"), "zh", 1024)
    plain = len(zh.loaded.tokenizer("Hello there.")["input_ids"])
    assert zh.count_tokens(["Hello there."]) == [plain + 1]


def test_the_model_loads_only_when_needed_and_the_cache_key_is_known_before(tiny_models):
    ru = backend(ModelSpec(model=str(tiny_models["ru"])), "ru", 1024, max_new_tokens=8)
    key = ru.identity.key()
    assert not ru.is_loaded and ru.describe()["loaded"] is False
    assert ru.label.endswith("@" + ru.revision) and ru.revision.startswith("sha256:")
    ru.generate(["Hello there."])
    assert ru.is_loaded and ru.identity.key() == key
    assert key != backend(ModelSpec(model=str(tiny_models["ru"])), "ru", 1024, max_new_tokens=9).identity.key()


def test_counting_tokens_loads_the_tokenizer_but_not_the_weights(tiny_models):
    ru = backend(ModelSpec(model=str(tiny_models["ru"])), "ru", 1024, max_new_tokens=8)
    assert ru.count_tokens(["Hello there."]) and ru.max_input_tokens > 0
    assert not ru.is_loaded and ru.text.model is None
    tokenizer = ru.text.tokenizer
    ru.generate(["Hello there."])
    assert ru.is_loaded and ru.loaded.tokenizer is tokenizer  # the text side is reused, not loaded again
