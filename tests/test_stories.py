"""The story identity rule (jobs/inputs/stories.py): which article is which known story."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from jobs.inputs.ids import article_sha256, make_article_id
from jobs.inputs.stories import REGISTER_FILE, StoryRegister, sentence_keys, title_key

T0, T1, T2 = "2027-01-01T00:00:00+00:00", "2027-01-01T01:00:00+00:00", "2027-01-01T02:00:00+00:00"


def body(topic: str, count: int = 4) -> list[str]:
    return [f"Officials in the {topic} office confirmed detail number {n} of the plan today." for n in range(count)]


def article(title: str, paragraphs: list[str], given: str | None = None) -> dict:
    return {
        "id": make_article_id(title, given, paragraphs),
        "title": title,
        "paragraphs": paragraphs,
        "sha256": article_sha256(title, paragraphs),
    }


def published(*articles: dict) -> tuple[StoryRegister, list[str]]:
    """The register after a first run of these articles, and their ids."""
    done = StoryRegister().assign(list(articles), T0)
    return done.register, done.ids


def test_an_unchanged_story_keeps_its_id_and_first_seen():
    register, ids = published(article("Rail link opens", body("rail")))
    again = register.assign([article("Rail link opens", body("rail"))], T1)
    assert again.ids == ids and again.first_seen[ids[0]] == T0 and not again.inherited


@pytest.mark.parametrize(
    ("title", "paragraphs"),
    [
        ("Rail link opens", [*body("rail")[:3], "A new closing sentence was added by the editor today."]),  # edited
        ("Rail link opens on time", body("rail")),  # retitled
        ("Rail link opens", body("harbour", 6)),  # heavily rewritten, title kept
        ("rail link OPENS!", [*body("rail")[1:], "One more line of text for the readers here."]),  # case, edit
    ],
    ids=["lightly-edited", "retitled", "rewritten-same-title", "title-case-and-edit"],
)
def test_an_edited_story_keeps_its_id(title, paragraphs):
    register, ids = published(article("Rail link opens", body("rail")), article("Harvest record", body("wheat")))
    edited = article(title, paragraphs)
    again = register.assign([article("Harvest record", body("wheat")), edited], T1)
    assert again.ids == [ids[1], ids[0]]
    assert again.inherited == {edited["id"]: ids[0]} and again.first_seen[ids[0]] == T0


def test_retitled_and_rewritten_is_a_new_story():
    register, ids = published(article("Rail link opens", body("rail")))
    again = register.assign([article("Storm hits the coast", body("storm"))], T1)
    assert again.ids[0] != ids[0] and again.first_seen[again.ids[0]] == T1


def test_two_stories_of_one_title_keep_their_own_ids_when_one_is_edited():
    a, b = article("Live updates", body("election")), article("Live updates", body("football"))
    register, ids = published(a, b)
    assert ids[0] != ids[1]
    edited_b = article("Live updates", [*body("football")[:3], "The match ended in a draw after extra time."])
    for order in ([a, edited_b], [edited_b, a]):  # whatever the input order
        again = register.assign(order, T1)
        assert dict(zip((x["sha256"] for x in order), again.ids)) == {a["sha256"]: ids[0], edited_b["sha256"]: ids[1]}


def test_two_stories_of_one_title_both_edited_go_to_the_closer_past():
    a, b = article("Live updates", body("election")), article("Live updates", body("football"))
    register, ids = published(a, b)
    a2 = article("Live updates", [*body("election")[1:], "Turnout was higher than expected this year."])
    b2 = article("Live updates", [*body("football")[2:], "The second half started late because of rain."])
    again = register.assign([b2, a2], T1)
    assert again.ids == [ids[1], ids[0]]


def test_a_new_story_with_a_known_title_does_not_take_a_present_story_id():
    register, ids = published(article("Weather", body("sun")))
    again = register.assign([article("Weather", body("sun")), article("Weather", body("snow"))], T1)
    assert again.ids[0] == ids[0] and again.ids[1] != ids[0]


def test_a_story_that_leaves_and_comes_back_keeps_its_id():
    register, ids = published(article("Museum reopens", body("museum")), article("Rail link", body("rail")))
    gone = register.assign([article("Rail link", body("rail"))], T1).register
    back = gone.assign([article("Museum reopens", [*body("museum"), "Entry is free this month."])], T2)
    assert back.ids == [ids[0]] and back.first_seen[ids[0]] == T0


def test_a_story_forgotten_after_the_keep_period_is_new_again():
    register, ids = published(article("Museum reopens", body("museum")))
    assert register.forget_older_than(datetime(2027, 6, 1, tzinfo=timezone.utc)) == 1
    again = register.assign([article("Museum reopens", [*body("museum"), "Entry is free."])], T1)
    assert again.ids[0] != ids[0]


def test_source_ids_are_never_matched_by_text():
    given = article("Rail link opens", body("rail"), given="cms-42")
    register, ids = published(given)
    other = article("Rail link opens", body("rail")[:3])  # same title, no source id
    again = register.assign([other], T1)
    assert again.ids[0] != ids[0]
    edited = article("Rail link closes", body("tram"), given="cms-42")
    assert register.assign([edited], T1).ids == ids  # the source's id decides, whatever the text


def test_a_new_story_never_takes_an_id_a_known_story_holds():
    original = article("Rail link opens", body("rail"))
    register, ids = published(original)
    edited = article("Rail link opens", [*body("rail")[:3], "Edited closing line for the story here."])
    after_edit = register.assign([edited], T1).register
    # The original text comes back beside the edited one: it is not the known story (the edited one is).
    again = after_edit.assign([edited, original], T2)
    assert again.ids[0] == ids[0] and again.ids[1] != ids[0] and len(set(again.ids)) == 2


def test_sentences_under_four_words_do_not_count():
    assert sentence_keys(["Reuters. Read more. The council met on Monday to vote."]) == sentence_keys(
        ["The council met on Monday to vote."]
    )
    assert title_key("  Rail-link: OPENS!! ") == "rail link opens"


def test_the_register_survives_a_save_and_is_rebuilt_from_records_when_lost(tmp_path):
    register, ids = published(article("Rail link opens", body("rail")))
    register.save(tmp_path)
    lines = (tmp_path / REGISTER_FILE).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ids
    assert StoryRegister.load(tmp_path).stories == register.stories
    (tmp_path / REGISTER_FILE).unlink()
    record = {
        "id": ids[0],
        "first_seen": T0,
        "updated": T0,
        "source": {"title": "Rail link opens", "sha256": article_sha256("Rail link opens", body("rail"))},
    }
    rebuilt = StoryRegister.load(tmp_path, [record])
    retitled_later = rebuilt.assign([article("Rail link opens", body("rail", 2))], T1)
    assert retitled_later.ids == ids and retitled_later.first_seen[ids[0]] == T0
    (tmp_path / REGISTER_FILE).write_text("{not json", encoding="utf-8")
    assert StoryRegister.load(tmp_path, [record]).stories.keys() == {ids[0]}
