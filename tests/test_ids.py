"""Article ids depend only on the article: not on input order, not on the other articles."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from jobs.errors import InputProblem
from jobs.inputs import ids as ids_module
from jobs.inputs import read_articles
from jobs.inputs.article import Article
from jobs.inputs.ids import assign_ids, make_article_id


def article(title: str, body: str, given_id: str | None = None, line: int = 1) -> Article:
    return Article(title, (body,), "", "in.jsonl", line, given_id)


def read_ids(tmp_path: Path, name: str, records: list[dict]) -> dict[tuple[str, str], str]:
    """(title, first paragraph) -> id, as the reader gives them for these JSONL records."""
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    result = read_articles([path])
    return {(row["title"], row["paragraphs"][0]): row["id"] for row in result.articles}


CASE_PAIR = [
    {"title": "Storm hits the coast", "body": "Winds reached 120 km/h."},
    {"title": "STORM HITS THE COAST", "body": "Ferries stopped running."},
]


def test_case_only_title_difference_keeps_ids_when_order_flips(tmp_path: Path) -> None:
    forward = read_ids(tmp_path, "a.jsonl", CASE_PAIR)
    backward = read_ids(tmp_path, "b.jsonl", CASE_PAIR[::-1])
    assert forward == backward
    assert len(set(forward.values())) == 2


def test_same_titled_items_keep_their_own_ids_across_hours(tmp_path: Path) -> None:
    """Hour 1 has two same-titled stories; hour 2 only the second: it keeps its id."""
    stories = [{"title": "Live updates", "body": f"Update number {n}."} for n in (1, 2)]
    hour1 = read_ids(tmp_path, "h1.jsonl", stories)
    hour2 = read_ids(tmp_path, "h2.jsonl", stories[1:])
    assert hour2 == {key: hour1[key] for key in hour2}
    assert len(set(hour1.values())) == 2


def test_an_article_id_does_not_depend_on_the_other_articles(tmp_path: Path) -> None:
    others = [{"title": f"Other story {n}", "body": f"Text {n}."} for n in range(5)]
    story = {"title": "The story", "body": "Its text."}
    alone = read_ids(tmp_path, "alone.jsonl", [story])
    mixed = read_ids(tmp_path, "mixed.jsonl", [*others[:3], story, *others[3:]])
    assert mixed[("The story", "Its text.")] == alone[("The story", "Its text.")]


def test_cyrillic_only_title_gets_a_readable_slug() -> None:
    article_id = make_article_id("Путин встретился с делегацией", None, ["Текст."])
    assert article_id.startswith("putin-vstretilsya-s-delegatsiey-")
    assert make_article_id("Қазақстан жаңалықтары", None, ["Мәтін."]).startswith("qazaqstan-zhangalyqtary-")


def test_source_id_wins_over_title_and_body() -> None:
    first = make_article_id("Title one", "guid-7", ["Body one."])
    assert first == make_article_id("Title two, edited", "guid-7", ["Body two."])
    assert first.startswith("guid-7-")


def test_identical_articles_are_one_article_whatever_the_order() -> None:
    items = [article("Same", "Body.", line=1), article("Other", "Text.", line=2), article("Same", "Body.", line=3)]
    outcome = assign_ids(items)
    assert isinstance(outcome[2], InputProblem) and "duplicate of article" in outcome[2].message
    assert outcome[0] == make_article_id("Same", None, ["Body."])
    flipped = assign_ids(items[::-1])
    assert flipped[0] == outcome[0] and isinstance(flipped[2], InputProblem)


@pytest.mark.parametrize("given_id", [None, "shared-guid"])
def test_a_clash_gives_every_party_a_longer_id_independent_of_order(
    given_id: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a one-digit hash, many same-titled articles clash; a given id clashes by itself."""
    if given_id is None:
        monkeypatch.setattr(ids_module, "HASH_LENGTH", 1)
    items = [article("Live updates", f"Update {n}.", given_id, line=n) for n in range(40)]
    reference = dict(zip(items, assign_ids(items)))
    assert len(set(reference.values())) == len(items)  # all different, none a problem
    assert all(isinstance(i, str) for i in reference.values())
    rng = random.Random(13)
    for _ in range(5):
        shuffled = rng.sample(items, len(items))
        assert dict(zip(shuffled, assign_ids(shuffled))) == reference
    suffixes = [i.rsplit("-", 1)[1] for i in reference.values()]
    if given_id is None:  # the unclashed keep one digit; the clashed all have 16
        assert {len(s) for s in suffixes} == {1, 16}
    else:  # every one clashed on the bare guid: each has a content suffix
        assert {len(s) for s in suffixes} == {6}
        assert all(i.startswith(make_article_id("", given_id) + "-") for i in reference.values())


def test_ids_are_unique_and_stable_for_every_order_of_a_small_set() -> None:
    items = [
        article("A", "x."),
        article("a", "x."),
        article("A", "y."),
        article("A", "x.", "g-1"),
        article("B", "z.", "g-1"),
    ]
    expected = dict(zip(items, assign_ids(items)))
    assert len(set(expected.values())) == len(items)
    for order in itertools.permutations(items):
        assert dict(zip(order, assign_ids(list(order)))) == expected
