"""Sentence splitting, window fitting and the units table."""

from __future__ import annotations

import datasets
import pytest

from jobs.stages.segment import fit_to_window, segment_articles, split_sentences


def word_count(text: str) -> int:
    return len(text.split())


def test_split_sentences_keeps_every_character_but_edge_spaces():
    text = (
        "Mr. Xi said 2,000 years ago the U.S. was far. “Ode to the Motherland” was sung. He left at 3 p.m. and arrived."
    )
    sentences = split_sentences(text)
    assert len(sentences) == 3
    assert " ".join(sentences) == text


@pytest.mark.parametrize(
    "text",
    [
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho",
        "first clause here, second clause there; third clause — fourth clause: fifth clause, sixth one",
        "x" * 500,  # no space at all: cut between characters, never dropped
    ],
)
def test_fit_to_window_pieces_fit_and_lose_nothing(text):
    count = lambda t: max(word_count(t), len(t) // 40)
    pieces = fit_to_window(text, count, 4)
    assert all(count(p) <= 4 for p in pieces)
    if " " in text:
        assert " ".join(pieces).split() == text.split()
    else:
        assert "".join(pieces) == text


def test_fit_to_window_prefers_clause_boundaries():
    pieces = fit_to_window("one two three, four five six, seven eight", word_count, 3)
    assert pieces == ["one two three,", "four five six,", "seven eight"]


def test_text_that_fits_is_one_piece():
    assert fit_to_window("short text", word_count, 10) == ["short text"]


def test_segment_articles_has_a_unit_per_sentence_in_reading_order():
    articles = datasets.Dataset.from_list(
        [
            {
                "id": "a-1",
                "title": "Title one",
                "summary": "Sum one. Sum two.",
                "paragraphs": ["P one. P two.", "Q one."],
            },
            {"id": "b-2", "title": "Title two", "summary": "", "paragraphs": ["R one."]},
        ]
    )
    units = segment_articles(articles)
    assert list(zip(units["article_id"], units["part"], units["paragraph"], units["sentence"], units["text"])) == [
        ("a-1", "title", 0, 0, "Title one"),
        ("a-1", "summary", 0, 0, "Sum one."),
        ("a-1", "summary", 0, 1, "Sum two."),
        ("a-1", "body", 0, 0, "P one."),
        ("a-1", "body", 0, 1, "P two."),
        ("a-1", "body", 1, 0, "Q one."),
        ("b-2", "title", 0, 0, "Title two"),
        ("b-2", "body", 0, 0, "R one."),
    ]
