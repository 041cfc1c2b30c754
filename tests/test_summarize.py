"""Summaries by map-reduce: every sentence of a long article reaches the model, nothing is cut."""

from __future__ import annotations

import re

import pytest

from jobs.backends.base import BackendOptions
from jobs.backends.torch import TorchBackend
from jobs.config import GenerationSettings, ModelSpec
from jobs.inputs import read_articles
from jobs.stages.segment import pack_texts, split_sentences
from jobs.stages.summarize import summarize_texts
from tests.conftest import SEED_PAGE


class RecordingBackend:
    """Wraps the real backend and keeps every text sent to generate(), level by level."""

    def __init__(self, backend):
        self.backend = backend
        self.calls: list[list[str]] = []
        self.max_input_tokens = backend.max_input_tokens

    def counter(self):
        return self.backend.counter()

    def count_tokens(self, texts):
        return self.backend.count_tokens(texts)

    def generate(self, texts, on_progress=None):
        self.calls.append(list(texts))
        return self.backend.generate(texts, on_progress)


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
