"""An article laid out in sibling sections of one kind, of which extraction kept one (sections.py)."""

from __future__ import annotations

from lxml import html

from jobs.inputs.sections import section_groups, with_sibling_sections

FIRST = "The harbour board met on Monday to discuss the new pay offer for dock workers."
SECOND = "Union leaders said the offer was a first step but asked for a shorter working week."
THIRD = "The strike ended on Thursday after both sides signed the agreement at the town hall."


def _modules(*texts: str, kind: str = "module module--text", around: str = "div") -> str:
    picture = "<div class='module module--picture'><img src='a.jpg' alt=''></div>"
    modules = picture.join(f"<div class='{kind}'><div class='text'><p>{text}</p></div></div>" for text in texts)
    return f"<html><body><h1>Port strike ends</h1><{around}>{modules}</{around}></body></html>"


def test_the_other_sections_of_the_kind_extraction_kept_one_of_come_back_in_page_order() -> None:
    """A page builder's text modules between picture modules: extraction kept the middle one."""
    groups = section_groups(html.fromstring(_modules(FIRST, SECOND, THIRD)))
    assert with_sibling_sections(["Port strike ends", SECOND, "Photo: Harbour Times"], groups) == [
        "Port strike ends",
        FIRST,
        SECOND,
        THIRD,
        "Photo: Harbour Times",
    ]


def test_a_paragraph_that_holds_several_blocks_holds_them_all() -> None:
    """Extraction may join a module's blocks into one paragraph: those blocks are not added again."""
    groups = section_groups(html.fromstring(_modules(FIRST, SECOND, THIRD)))
    assert with_sibling_sections([f"{FIRST} {SECOND}"], groups) == [f"{FIRST} {SECOND}", THIRD]


def test_sections_that_are_links_labels_or_page_furniture_add_nothing() -> None:
    teasers = _modules(FIRST, f"<a href='/other'>{SECOND}</a>", "More stories")
    assert with_sibling_sections([FIRST], section_groups(html.fromstring(teasers))) == [FIRST]
    for around in ("aside", "footer", "nav"):
        furniture = html.fromstring(_modules(FIRST, SECOND, around=around))
        assert with_sibling_sections([FIRST], section_groups(furniture)) == [FIRST]
    unclassed = html.fromstring(_modules(FIRST, SECOND, kind=""))
    assert with_sibling_sections([FIRST], section_groups(unclassed)) == [FIRST]


def test_paragraphs_the_group_does_not_hold_in_one_run_leave_it_alone() -> None:
    """Ours out of the page's order, or with one of ours between them the group lacks: no merge."""
    groups = section_groups(html.fromstring(_modules(FIRST, SECOND, THIRD)))
    assert with_sibling_sections([THIRD, FIRST], groups) == [THIRD, FIRST]
    assert with_sibling_sections([FIRST, "An unrelated line of text here.", THIRD], groups) == [
        FIRST,
        "An unrelated line of text here.",
        THIRD,
    ]


def test_page_areas_and_listings_of_posts_are_no_sections_of_a_story() -> None:
    """Two columns of the page, one with the headline and story, one with the comment form's notes;
    a blog's front page of posts, each headed by a link to itself."""
    notes = "By submitting this form you agree to the use of your data for publishing your comment."
    areas = (
        f"<html><body><div class='container main'><h1>Port strike ends</h1><p>{FIRST}</p></div>"
        f"<div class='container main'><p>{notes}</p></div></body></html>"
    )
    assert with_sibling_sections([FIRST], section_groups(html.fromstring(areas))) == [FIRST]
    posts = "".join(
        f"<div class='post'><h2><a href='/post-{n}'>Post {n}</a></h2><p>{text}</p></div>"
        for n, text in enumerate((FIRST, SECOND))
    )
    listing = html.fromstring(f"<html><body>{posts}</body></html>")
    assert with_sibling_sections([FIRST], section_groups(listing)) == [FIRST]
