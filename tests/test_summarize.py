"""Summaries by map-reduce: every sentence of a long article reaches the model, nothing is cut."""

from __future__ import annotations

import re

import pytest

from jobs.backends.base import BackendOptions
from jobs.backends.torch import TorchBackend
from jobs.config import GenerationSettings, ModelSpec
from jobs.inputs import read_articles
from jobs.stages.segment import head_within, pack_texts, split_sentences
from jobs.stages.summarize import LEVEL_CAP, MAX_LEVELS, TRIMMED, next_level, summarize_texts
from tests.conftest import SEED_PAGE


class RecordingBackend:
    """Wraps the real backend and keeps every text sent to generate(), level by level."""

    def __init__(self, backend):
        self.backend = backend
        self.calls: list[list[str]] = []
        self.settings: list = []  # the settings each call asked for (None: the backend's own)
        self.groups: list = []  # the groups each call asked for (None: any text may share a batch)
        self.max_input_tokens = backend.max_input_tokens

    def counter(self):
        return self.backend.counter()

    def count_tokens(self, texts):
        return self.backend.count_tokens(texts)

    @property
    def intermediate_settings(self):
        return getattr(self.backend, "intermediate_settings", None)

    def generate(self, texts, on_progress=None, settings=None, groups=None):
        self.calls.append(list(texts))
        self.settings.append(settings)
        self.groups.append(list(groups) if groups is not None else None)
        return self.backend.generate(texts, on_progress, settings=settings, groups=groups)


@pytest.fixture(scope="module")
def summarizer(tiny_models):
    settings = GenerationSettings(num_beams=1, max_new_tokens=24, min_new_tokens=4)
    return TorchBackend(
        ModelSpec(model=str(tiny_models["summary"])),
        "summary",
        BackendOptions(device="cpu", batch_tokens=2048, settings=settings, translation=False),
    )


@pytest.fixture(scope="module")
def longest_article():
    articles = read_articles([SEED_PAGE]).articles
    return max(articles, key=lambda a: sum(len(p.split()) for p in a["paragraphs"]))


def words(text: str) -> list[str]:
    return re.findall(r"\S+", text)


def test_longest_seed_article_is_far_over_the_window(longest_article, summarizer):
    text = " ".join(longest_article["paragraphs"])
    assert len(words(longest_article["title"] + " " + text)) == 1948  # as `wc -w` counts it on the page
    assert summarizer.count_tokens([text])[0] > 4 * summarizer.max_input_tokens


def test_every_sentence_of_the_longest_article_reaches_the_model(longest_article, summarizer):
    recorder = RecordingBackend(summarizer)
    (result,), _ = summarize_texts([longest_article["paragraphs"]], recorder)
    first_level = recorder.calls[0]
    # Every chunk fits the window, so the model never truncates (the tiny BART would raise).
    assert max(summarizer.count_tokens(first_level)) <= summarizer.max_input_tokens
    # The chunks, in order, hold every word of the article: nothing dropped, nothing cut.
    assert words(" ".join(first_level)) == words(" ".join(longest_article["paragraphs"]))
    sentences = [s for p in longest_article["paragraphs"] for s in split_sentences(p)]
    joined = " ".join(first_level)
    position = 0
    for sentence in sentences:
        position = joined.index(sentence, position)
    assert result.chunks == len(first_level) > 4
    assert result.levels == len(recorder.calls) >= 2
    assert result.text
    # Each reduce level sees exactly the previous level's outputs and fits the window too.
    for later in recorder.calls[1:]:
        assert max(summarizer.count_tokens(later)) <= summarizer.max_input_tokens


def test_all_articles_are_summarized_together_level_by_level(summarizer):
    articles = read_articles([SEED_PAGE]).articles
    recorder = RecordingBackend(summarizer)
    results, stats = summarize_texts(articles["paragraphs"], recorder)
    assert len(results) == len(articles)
    assert stats.calls == [len(c) for c in recorder.calls]
    # The first call carries the chunks of all six articles at once.
    assert len(recorder.calls[0]) == sum(r.chunks for r in results)
    assert all(r.text for r in results)


def test_short_article_is_one_chunk_one_level(summarizer):
    (result,), stats = summarize_texts([["A short article.", "It has two paragraphs."]], summarizer)
    assert (result.chunks, result.levels) == (1, 1)
    assert stats.calls == [1]


def test_empty_document_gives_an_empty_summary_without_calling_the_model(summarizer):
    recorder = RecordingBackend(summarizer)
    (result,), _ = summarize_texts([[]], recorder)
    assert result.text == "" and recorder.calls == []


def test_pack_texts_splits_a_sentence_longer_than_the_window():
    count = lambda text: len(text.split())
    long_sentence = " ".join(f"w{i}" for i in range(25))
    chunks = pack_texts(["One two three.", long_sentence, "Last one."], count, 10)
    assert all(count(c) <= 10 for c in chunks)
    assert " ".join(chunks).split() == ("One two three. " + long_sentence + " Last one.").split()


@pytest.fixture(scope="module")
def long_summarizer(tiny_models):
    """Summaries as long as a summary may get (half the window): the tiny random-weight BART's
    outputs re-tokenize longer than the tokens it generated, so two never pack into one window."""
    settings = GenerationSettings(num_beams=1, max_new_tokens=400, min_new_tokens=400)
    return TorchBackend(
        ModelSpec(model=str(tiny_models["summary"])),
        "summary",
        BackendOptions(device="cpu", batch_tokens=4096, settings=settings, translation=False),
    )


def test_map_reduce_finishes_when_summaries_re_tokenize_longer(longest_article, long_summarizer):
    recorder = RecordingBackend(long_summarizer)
    (result,), stats = summarize_texts([longest_article["paragraphs"]], recorder)
    window = long_summarizer.max_input_tokens
    first = long_summarizer.generate(recorder.calls[0])
    # The premise: packing alone would not shrink the level (the old loop never ended).
    assert min(long_summarizer.count_tokens(first.texts)) > window // 2
    assert len(pack_texts(first.texts, long_summarizer.counter(), window)) >= len(first.texts)
    # Every level has fewer texts than the one before, each fits the window, and it ends.
    assert stats.calls == [len(c) for c in recorder.calls]
    assert all(later < earlier for earlier, later in zip(stats.calls, stats.calls[1:]))
    assert stats.calls[-1] == 1
    for call in recorder.calls:
        assert max(long_summarizer.count_tokens(call)) <= window
    assert result.levels == len(recorder.calls) <= MAX_LEVELS
    assert result.fallback in (TRIMMED, LEVEL_CAP)
    assert result.text


def test_level_cap_merges_what_is_left_into_one_last_pass():
    count = lambda text: len(text.split())
    outputs = [" ".join(f"s{i}w{j}" for j in range(8)) for i in range(5)]
    texts, fallback = next_level(outputs, count, 10, MAX_LEVELS - 1)
    assert fallback == LEVEL_CAP and len(texts) == 1 and count(texts[0]) <= 10
    # Summaries that fit one window together are joined whole, cap or not.
    assert next_level(["a b", "c d"], count, 10, MAX_LEVELS - 1) == (["a b c d"], None)
    # Every summary keeps its leading words, in order.
    assert texts[0].split() == ["s0w0", "s0w1", "s1w0", "s1w1", "s2w0", "s2w1", "s3w0", "s3w1", "s4w0", "s4w1"]


@pytest.mark.parametrize(
    ("lengths", "expected", "fallback"),
    [
        ([3, 3, 3, 3], 2, None),  # packing shrinks the level: no fallback
        ([7, 7, 7], 2, TRIMMED),  # no two fit one window of 10: merged in pairs, cut to 5 words each
        ([7, 7], 1, TRIMMED),
    ],
)
def test_next_level_always_has_fewer_texts(lengths, expected, fallback):
    count = lambda text: len(text.split())
    outputs = [" ".join(f"w{j}" for j in range(n)) for n in lengths]
    texts, used = next_level(outputs, count, 10, 1)
    assert (len(texts), used) == (expected, fallback)
    assert all(count(t) <= 10 for t in texts)


@pytest.mark.parametrize("limit", [0, 1, 3, 6, 50])
def test_head_within_keeps_the_longest_fitting_head(limit):
    count = lambda text: len(text.split())
    text = "one two three four five six"
    head = head_within(text, count, limit)
    assert text.startswith(head) and count(head) == min(limit, 6)


def test_head_within_cuts_one_long_word_by_characters():
    assert head_within("abcdefghij", len, 4) == "abcd"


FINAL = GenerationSettings(num_beams=2, max_new_tokens=24, min_new_tokens=4)
INTERMEDIATE = GenerationSettings(num_beams=1, max_new_tokens=10, min_new_tokens=4)


def summary_backend(tiny_models, intermediate):
    options = BackendOptions(
        device="cpu", batch_tokens=2048, settings=FINAL, translation=False, intermediate=intermediate, dtype="fp32"
    )
    return TorchBackend(ModelSpec(model=str(tiny_models["summary"])), "summary", options)


def test_intermediate_levels_are_greedy_and_shorter_the_last_keeps_the_summary_settings(tiny_models, longest_article):
    short = [["A short article.", "It has two paragraphs about Astana and Beijing."]]
    documents = [longest_article["paragraphs"], *short]
    new = RecordingBackend(summary_backend(tiny_models, INTERMEDIATE))
    (long_new, short_new), stats = summarize_texts(documents, new)
    old = RecordingBackend(summary_backend(tiny_models, None))
    (long_old, short_old), old_stats = summarize_texts(documents, old)
    # Today's behaviour without intermediate settings: one call per level at the summary settings.
    assert old.settings == [None] * len(old.calls) and old_stats.calls == [len(c) for c in old.calls]
    # With them: the long article's chunks go in an intermediate call, the short article alone in
    # the final one, and the long article's last pass is final too.
    assert new.settings[0] == INTERMEDIATE and new.settings[-1] is None
    assert [p["kind"] for p in stats.passes][:2] == ["intermediate", "final"] and stats.passes[-1]["kind"] == "final"
    assert new.calls[0] == [c for c in old.calls[0] if c not in new.calls[1]] and len(new.calls[1]) == 1
    assert sum(p["texts"] for p in stats.passes if p["level"] == 1) == old_stats.calls[0] == long_new.chunks + 1
    # An article that fits one window: exactly today's summary, byte for byte, alone or not.
    assert short_new.text.encode() == short_old.text.encode()
    assert short_new.text == summarize_texts(short, summary_backend(tiny_models, None))[0][0].text
    # Shorter intermediate summaries pack into fewer texts: never more levels than before.
    assert short_new.levels == 1 and 2 <= long_new.levels <= long_old.levels
    # Intermediate summaries are cheaper: fewer tokens generated at level 1 than at full settings.
    level_one = [p for p in stats.passes if p["level"] == 1 and p["kind"] == "intermediate"][0]
    assert level_one["output_tokens"] <= INTERMEDIATE.max_new_tokens * level_one["texts"]
    assert stats.output_tokens < old_stats.output_tokens and long_new.text


def test_a_long_articles_intermediate_texts_never_share_a_batch_with_another_articles(tiny_models, longest_article):
    """How a batch is made changes int8 outputs and the batch's length limits: a long article's
    summary must not depend on which other long articles a run (or an archive shard) holds."""
    model = summary_backend(tiny_models, INTERMEDIATE)
    recorder = RecordingBackend(model)
    decoded: list[tuple[int, list[list[int]]]] = []  # (generate() call, the batch's token ids)
    real = model._generate_batch

    def generate_batch(ids, max_new, min_new):
        decoded.append((len(recorder.calls), ids))
        return real(ids, max_new, min_new)

    def first_level(documents: list[list[str]]) -> list[list[list[int]]]:
        """The batches of the chunk level (the first generate() call) of summarizing `documents`."""
        decoded.clear()
        recorder.calls.clear()
        summarize_texts(documents, recorder)
        return [ids for call, ids in decoded if call == 1]

    model._generate_batch = generate_batch
    other = [p.upper() for p in reversed(longest_article["paragraphs"])]  # a second long article: no chunk alike
    alone = [first_level([longest_article["paragraphs"]]), first_level([other])]
    owner = {tuple(row): n for n, batches in enumerate(alone) for batch in batches for row in batch}
    together = first_level([longest_article["paragraphs"], other])
    assert recorder.settings[0] == INTERMEDIATE and len(together) >= 2
    for batch in together:
        assert len({owner[tuple(row)] for row in batch}) == 1, "two articles' texts in one batch"
    # Each article's chunks are batched as when the article is summarized alone.
    assert sorted(together) == sorted(alone[0] + alone[1])


def test_intermediate_settings_are_part_of_the_summary_identity(tiny_models, tiny_config):
    assert (
        summary_backend(tiny_models, INTERMEDIATE).identity.key() != summary_backend(tiny_models, None).identity.key()
    )
    key = summary_backend(tiny_models, INTERMEDIATE).identity.key()
    assert '"intermediate": {' in key and "intermediate" not in summary_backend(tiny_models, None).identity.key()
    from jobs.backends import make_backend
    from jobs.config import build_config

    config = build_config(config_file=tiny_config, langs=["ru"])
    backend = make_backend(config.summary_model, "summary", config, translation=False)
    assert backend.intermediate_settings == config.summary_intermediate is not None
    assert backend.describe()["generation"]["intermediate"] == config.summary_intermediate.model_dump()
    translator = make_backend(config.models["ru"], "ru", config, translation=True)
    assert translator.intermediate_settings is None
