"""Labels in the lines that close a story, after its last paragraph of running prose (boilerplate.py)."""

from __future__ import annotations

from jobs.inputs.boilerplate import strip_boilerplate

STORY = "The institute's model now couples the ocean, the air and the land for the first time."
LAST = "Its results will be shown at the climate conference in Hamburg next spring."


def test_labels_over_the_closing_contact_lines_and_links_go() -> None:
    given = [STORY, LAST, "Weitere Informationen:", "Kontakt:", "Dr. Jane Doe", "Tel. 040 41173 0"]
    assert strip_boilerplate(given).paragraphs == (STORY, LAST, "Dr. Jane Doe", "Tel. 040 41173 0")


def test_labels_the_story_goes_on_after_stay() -> None:
    given = [STORY, "Die Ergebnisse:", LAST, "Dr. Jane Doe"]
    assert strip_boilerplate(given).paragraphs == tuple(given)
