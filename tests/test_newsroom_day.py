"""Issue 22's newsroom day: 26 hourly runs over evolving inputs, read as a publisher reads them.

A mirror (tests/mirror.py) applies each new bundle's changes.json and nothing else. After every
run: the mirror equals the latest bundle of every language (ids, content, Markdown bytes); every
story keeps the one id it was first published under (edited, retitled, moved, renamed file, left
and came back); an edited story is listed as changed, never removed + added; an hour whose
published content did not change lists nothing. In between: a one-off run for one language, a
`--force` run, a renamed input file, two stories with one title.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from jobs import pipeline
from jobs.config import build_config
from jobs.inputs.ids import article_sha256
from tests.mirror import Mirror, read_bundle

LANGS = ["en", "ru", "zh"]


def sentences(topic: str, count: int, salt: str = "") -> list[str]:
    """Paragraphs of plain English sentences about a topic (four or more words each)."""
    return [
        f"The {topic} report says officials met on day {n}{salt} to discuss the plan in detail. "
        f"Residents of the {topic} district asked for more information about item {n}{salt}."
        for n in range(1, count + 1)
    ]


def initial_stories() -> dict[str, dict]:
    """Logical stories by key; `where` is the input file that carries them."""
    return {
        "P1": {"where": "page", "title": "Rail link opens across the steppe", "paragraphs": sentences("rail", 3)},
        "P2": {"where": "page", "title": "Harvest report shows record wheat", "paragraphs": sentences("harvest", 3)},
        "P3": {"where": "page", "title": "Museum reopens after renovation", "paragraphs": sentences("museum", 2)},
        "D1": {"where": "desk", "title": "Council approves new budget", "paragraphs": sentences("budget", 2)},
        "D2": {"where": "desk", "title": "Bridge repairs finish early", "paragraphs": sentences("bridge", 2)},
        "D3": {"where": "desk", "title": "School year starts on Monday", "paragraphs": sentences("school", 2)},
        "W1": {
            "where": "wire",
            "id": "wire-1001",
            "title": "Central bank holds rates",
            "paragraphs": sentences("bank", 2),
            "published": "2026-12-01T08:00:00Z",
            "url": "https://example.com/wire/1001",
            "author": "Aigerim Nurlanovna",
        },
        "W2": {
            "where": "wire",
            "id": "wire-1002",
            "title": "Airport adds new routes",
            "paragraphs": sentences("airport", 2),
            "published": "2026-12-01",
            "url": "https://example.com/wire/1002",
        },
    }


def write_inputs(inbox, stories: dict[str, dict], wire_name: str) -> None:
    for old in inbox.iterdir():
        old.unlink()
    page = ["Tag: World", ""]
    for story in (s for s in stories.values() if s["where"] == "page"):
        page += [f"  • {story['title']}", ""]
        for paragraph in story["paragraphs"]:
            page += [f"    {paragraph}", ""]
    (inbox / "world.txt").write_text("\n".join(page), encoding="utf-8")
    for name, where in (("desk.jsonl", "desk"), (wire_name, "wire")):
        rows = [{k: v for k, v in s.items() if k not in ("where",)} for s in stories.values() if s["where"] == where]
        (inbox / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def edit(story: dict, paragraph: int, text: str) -> None:
    story["paragraphs"] = [*story["paragraphs"]]
    story["paragraphs"][paragraph] = text


# Each hour: (what happens, languages of the run, --force, stories edited in place this hour)
def plan_day():
    hours = []

    def hour(what, langs=LANGS, force=False, edited=(), quiet=False):
        hours.append({"what": what, "langs": langs, "force": force, "edited": set(edited), "quiet": quiet})

    hour(lambda s, w: None)  # 0: first run
    hour(lambda s, w: None, quiet=True)  # 1: nothing new
    hour(
        lambda s, w: edit(s["P1"], 1, "An engineer said the first train ran two hours late on Tuesday."), edited={"P1"}
    )
    hour(lambda s, w: s["P2"].update(title="Wheat harvest breaks a record"), edited={"P2"})  # 3: retitled
    hour(
        lambda s, w: s.update(
            P4={"where": "page", "title": "Storm warning for the north", "paragraphs": sentences("storm", 2)}
        )
    )
    hour(lambda s, w: w.update(P3=s.pop("P3")))  # 5: P3 leaves
    hour(lambda s, w: s["P1"].update(paragraphs=sentences("railway", 4, salt="b")), edited={"P1"})  # 6: rewritten
    hour(lambda s, w: s.update(P3=w.pop("P3")))  # 7: P3 comes back as it was
    hour(lambda s, w: w.update(D1=s.pop("D1")))  # 8: the first row of desk.jsonl goes: the others move up
    hour(lambda s, w: None, langs=["ru"], quiet=True)  # 9: a one-off run for Russian alone
    hour(lambda s, w: None, quiet=True)  # 10: the hourly run after it
    hour(lambda s, w: w.update(wire_name="wire-export.jsonl"), quiet=True)  # 11: the export is renamed
    hour(
        lambda s, w: s.update(
            P5={"where": "page", "title": "Storm warning for the north", "paragraphs": sentences("gale", 2)}
        )
    )
    hour(
        lambda s, w: edit(s["P4"], 0, "Forecasters said the storm would reach the northern towns by night."),
        edited={"P4"},
    )
    hour(lambda s, w: None, force=True, quiet=True)  # 14: --force: every model runs again
    hour(lambda s, w: edit(s["W1"], 1, "The bank said inflation slowed for a third month in a row."), edited={"W1"})
    hour(lambda s, w: s.update(D1={**w.pop("D1"), "paragraphs": sentences("budget", 3)}))  # 16: back, edited
    hour(
        lambda s, w: (
            s["P2"].update(title="Record wheat harvest reported"),
            edit(s["P2"], 2, "Farmers said prices fell."),
        ),
        edited={"P2"},
    )
    for n in range(18, 26):
        if n == 20:
            hour(lambda s, w: None, langs=["zh"], quiet=True)
        elif n % 2:
            hour(lambda s, w: None, quiet=True)
        else:
            key = ["D2", "P3", "D3", "W2"][n % 4]
            hour(
                lambda s, w, key=key, n=n: edit(s[key], 0, f"Officials updated the {key} story at hour {n} today."),
                edited={key},
            )
    return hours


def latest_ids_by_sha(out) -> dict[str, str]:
    """source sha256 -> id in the latest English bundle."""
    return {s["record"]["source"]["sha256"]: i for i, s in read_bundle((out / "en" / "latest").resolve()).items()}


def test_a_newsroom_day_applied_as_a_stream(tmp_path, tiny_models, tiny_config, monkeypatch):
    start = datetime(2027, 3, 1, tzinfo=timezone.utc)
    clock = {"hour": 0}
    real_run_id = pipeline.new_run_id
    monkeypatch.setattr(pipeline, "new_run_id", lambda now=None: real_run_id(start + timedelta(hours=clock["hour"])))
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    stories, away = initial_stories(), {"wire_name": "wire.jsonl"}
    mirror, story_ids, counts = Mirror(), {}, {"runs": 0, "changed": 0, "added": 0, "removed": 0}
    hours = plan_day()
    assert len(hours) >= 24
    for number, hour in enumerate(hours):
        clock["hour"] = number
        hour["what"](stories, away)
        write_inputs(inbox, stories, away["wire_name"])
        config = build_config(
            config_file=tiny_config,
            langs=hour["langs"],
            inputs=[inbox],
            out=out,
            model_overrides=[f"ru={tiny_models['ru']}", f"zh={tiny_models['zh']}"],
            summary_model=str(tiny_models["summary"]),
            force=hour["force"],
        )
        report = pipeline.run_job(config)
        assert report.exit_code == 0, (number, report.failures)
        counts["runs"] += 1
        seen = mirror.apply(out)
        assert sorted(seen) == sorted(hour["langs"]), number  # a partial run moves its languages only
        mirror.check(out)
        index = json.loads((out / "index.json").read_text(encoding="utf-8"))
        assert sorted(index["languages"]) == sorted(LANGS), number  # every language with a latest bundle
        by_sha = latest_ids_by_sha(out)
        for key, story in stories.items():
            story_id = by_sha[article_sha256(story["title"], story["paragraphs"])]
            assert story_ids.setdefault(key, story_id) == story_id, (number, key, "a story changed its id")
        assert len(set(story_ids.values())) == len(story_ids), (number, "two stories share an id")
        for lang, changes in seen.items():
            for key in hour["edited"]:
                sid = story_ids[key]
                assert sid in changes["changed"], (number, lang, key, changes)
                assert sid not in changes["added"] and sid not in changes["removed"], (number, lang, key)
            if hour["quiet"]:
                assert changes["changed"] == changes["added"] == changes["removed"] == [], (number, lang, changes)
            for kind in ("changed", "added", "removed"):
                counts[kind] += len(changes[kind])
            records = read_bundle((out / lang / "latest").resolve())
            assert len(records) == len(stories), (number, lang, "a story is missing or duplicated")
            for story in records.values():
                others = {t["lang"] for t in story["record"]["translations"]}
                assert others == set(LANGS) - {lang}, (number, lang, "links to every other language's latest")
    assert story_ids["P3"] and story_ids["D1"]  # left and came back under their own ids
    wire = read_bundle((out / "en" / "latest").resolve())[story_ids["W1"]]["record"]
    assert wire["published"] == "2026-12-01T08:00:00+00:00" and wire["url"] == "https://example.com/wire/1001"
    assert wire["source"]["byline"] == "Aigerim Nurlanovna"
    assert wire["first_seen"] <= wire["updated"]
    print("newsroom day:", counts, "stories:", len(story_ids))
