"""Translating the units table and reassembling articles with their paragraph structure."""

from __future__ import annotations

import datasets
import pytest

from jobs.backends.base import Generated
from jobs.stages.segment import segment_articles
from jobs.stages.translate import assemble_articles, joiner, translate_units


class EchoBackend:
    """A stand-in model: 'translates' by upper-casing, counts tokens as words, window of 6."""

    max_input_tokens = 6

    def __init__(self):
        self.seen: list[str] = []

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    def counter(self):
        return lambda t: len(t.split())

    def generate(self, texts, on_progress=None):
        self.seen.extend(texts)
        assert all(len(t.split()) <= self.max_input_tokens for t in texts), "a text over the window reached the model"
        return Generated([t.upper() for t in texts], [False] * len(texts))


@pytest.fixture()
def articles():
    return datasets.Dataset.from_list(
        [
            {
                "id": "a-1",
                "title": "A title",
                "summary": "A summary.",
                "paragraphs": [
                    "First sentence. Second sentence.",
                    "one two three four five six seven eight nine ten eleven.",
                ],
            },
            {"id": "b-2", "title": "Another", "summary": "", "paragraphs": ["First sentence."]},
        ]
    )


def test_every_unit_is_translated_and_articles_keep_their_paragraphs(articles):
    units = segment_articles(articles)
    backend = EchoBackend()
    outputs = translate_units(units, backend, "ru")
    assert len(outputs.texts) == len(units)
    assert outputs.split_units == 1
    # Identical sentences ("First sentence.") are translated once.
    assert backend.seen.count("First sentence.") == 1
    assembled = assemble_articles(units, outputs, "ru")
    assert assembled["a-1"]["paragraphs"] == [
        "FIRST SENTENCE. SECOND SENTENCE.",
        "ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE TEN ELEVEN.",
    ]
    assert assembled["a-1"]["title"] == "A TITLE" and assembled["a-1"]["summary"] == "A SUMMARY."
    assert assembled["b-2"]["paragraphs"] == ["FIRST SENTENCE."]
    assert not {f["flag"] for f in assembled["b-2"]["qa_flags"]} & {"empty_output", "length_limit"}


def test_empty_and_cut_outputs_are_flagged(articles):
    units = segment_articles(articles)

    class Flaky(EchoBackend):
        def generate(self, texts, on_progress=None):
            out = super().generate(texts)
            out.texts = ["" if t.startswith("Another") else x for t, x in zip(texts, out.texts)]
            out.hit_limit = [t.startswith("First") for t in texts]
            return out

    assembled = assemble_articles(units, translate_units(units, Flaky(), "ru"), "ru")
    where = lambda flag: {(f["flag"], f["part"], f.get("paragraph"), f.get("sentence")) for f in flag}
    assert ("empty_output", "title", 0, 0) in where(assembled["b-2"]["qa_flags"])
    assert ("length_limit", "body", 0, 0) in where(assembled["a-1"]["qa_flags"])


@pytest.mark.parametrize(("lang", "glue"), [("ru", " "), ("kk", " "), ("zh", ""), ("ja", ""), ("zh-Hant", "")])
def test_sentences_are_joined_the_way_the_language_writes(lang, glue):
    assert joiner(lang) == glue
