"""Text a reader does not see, one definition for every reader of the page (jobs/inputs/unseen.py):
hidden from everyone, or given to screen readers only; a class that hides only at some screen
sizes or clips an overflow hides nothing."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from jobs.inputs.unseen import hidden_class, screen_reader_only, unseen_class


@pytest.mark.parametrize(
    ("classes", "hidden"),
    [
        ("hidden", True),
        ("box is-hidden", True),
        ("d-none", True),
        ("invisible", True),
        ("rich-snippet-hidden", True),
        ("Hidden", True),
        ("hidden-xs", False),  # hidden on phones only
        ("d-none d-md-block", False),  # shown from medium screens on
        ("overflow-hidden", False),  # clips, hides no text
        ("field-label-hidden", False),  # Drupal: the label is hidden, not the field
        ("visually-hidden", False),  # read out: for screen readers only
        ("", False),
    ],
)
def test_hidden_class(classes: str, hidden: bool) -> None:
    assert hidden_class(classes) is hidden


@pytest.mark.parametrize(
    ("classes", "reader_only"),
    [
        ("sr-only", True),
        ("screen-reader-text", True),
        ("visually-hidden-focusable", True),
        ("u-visually-hidden", True),
        ("element-invisible", True),
        ("aural", True),
        ("hidden", False),
        ("byline", False),
    ],
)
def test_screen_reader_only(classes: str, reader_only: bool) -> None:
    assert screen_reader_only(classes) is reader_only
    assert unseen_class(classes) is (reader_only or hidden_class(classes))


def test_a_heading_in_a_box_that_clips_its_overflow_is_shown() -> None:
    from jobs.inputs.pagemeta import first_heading

    page = (
        '<html><body><h2 class="hidden">Menu</h2><div class="card overflow-hidden">'
        "<h2>Council approves the budget</h2></div></body></html>"
    )
    assert first_heading(lxml_html.fromstring(page)) == "Council approves the budget"


def test_text_shown_from_medium_screens_on_is_visible() -> None:
    from jobs.inputs.visibletext import visible_text

    page = (
        '<html><body><p class="d-none d-md-block">By Jane Doe</p>'
        '<p class="d-none">Sign in</p><p>The council met.</p></body></html>'
    )
    text = visible_text(lxml_html.fromstring(page))
    assert " jane doe " in text
    assert "sign in" not in text


def test_a_byline_block_leaves_out_what_only_screen_readers_hear() -> None:
    from jobs.inputs.bylinemarks import block_text

    element = lxml_html.fromstring(
        '<div class="byline">By <a href="/jane">Jane Doe<span class="visually-hidden-focusable"> '
        "(opens author page)</span></a></div>"
    )
    assert block_text(element) == "By Jane Doe"


def test_a_separator_the_page_does_not_show_splits_kicker_and_headline() -> None:
    from jobs.inputs.headlines import headline_text

    h1 = (
        '<h1><span class="fake-h5">Energy price cap</span><span class="invisible">: </span>'
        '<span class="headline">Government curbs bioenergy, industry protests</span></h1>'
    )
    assert headline_text(lxml_html.fromstring(h1)) == "Government curbs bioenergy, industry protests"
