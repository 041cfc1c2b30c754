"""An article the page lays out in sibling sections of one kind, of which extraction kept one.

Page builders cut a story into modules ("text module, picture module, table module, text
module..."): sibling elements that share a tag and a class. Extraction scores each on its own and
may keep only one of them. Read before extraction, the page's groups of such siblings tell where
the rest of the story is: the prose paragraphs of the group that holds the extracted paragraphs,
in the page's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jobs.inputs.pagekind import normal_text
from jobs.inputs.prose import prose_words

# Where no story goes: a group inside these is the page's furniture.
_OUTSIDE = "ancestor-or-self::*[self::nav or self::aside or self::footer or self::header or self::form]"
# A section headed by a link to another page is a post or a teaser of a listing, not a story's part.
_LINKED_HEADING = (
    ".//*[self::h1 or self::h2 or self::h3 or self::h4][.//a[@href and not(starts-with(normalize-space(@href), '#'))]]"
)
_ITEMS = "p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"
MIN_SECTIONS = 2  # siblings of one kind that make a group
MIN_HELD_CHARS = 20  # a shorter block inside a paragraph of ours may be there by chance
MOSTLY_LINKED = 0.5  # a paragraph this much in links is a teaser's or a list's, not the story's
MIN_ADDED_WORDS = 5  # "Did you know...?" opens a box; a question of an interview says more


@dataclass(frozen=True)
class Item:
    """A block of a section: its text, its comparison key (normal_text), and whether it may be
    added (a paragraph of running prose, not mostly links)."""

    text: str
    key: str
    addable: bool


def section_groups(tree: Any) -> list[tuple[Item, ...]]:
    """The page's groups of sibling sections (same tag, same non-empty class, MIN_SECTIONS or more),
    each as its blocks in document order; innermost groups first. Read before extraction prunes the tree."""
    groups: list[tuple[int, tuple[Item, ...]]] = []
    for parent in tree.iter():
        kinds: dict[tuple[str, str], list[Any]] = {}
        for child in parent:
            if isinstance(child.tag, str) and " ".join((child.get("class") or "").split()):
                kinds.setdefault((child.tag, " ".join(child.get("class").split())), []).append(child)
        for members in kinds.values():
            if len(members) < MIN_SECTIONS or members[0].xpath(_OUTSIDE):
                continue
            if sum(bool(member.xpath(_LINKED_HEADING)) for member in members) >= MIN_SECTIONS:
                continue  # a listing of posts or teasers
            if any(member.find(".//h1") is not None for member in members):
                continue  # the page's columns or areas (headline, story, comments), not a story's parts
            items = tuple(item for member in members for item in _items(member))
            if items:
                groups.append((len(list(parent.iterancestors())), items))
    groups.sort(key=lambda group: -group[0])
    return [items for _, items in groups]


def _items(member: Any) -> list[Item]:
    items = []
    for block in member.iter(*_ITEMS):
        if any(ancestor.tag in _ITEMS for ancestor in block.iterancestors()) or block.xpath(_OUTSIDE):
            continue
        text = " ".join(block.text_content().split())
        if not text:
            continue
        linked = sum(len(a.text_content().split()) for a in block.iter("a"))
        addable = (
            block.tag == "p"
            and not block.xpath("ancestor::a")
            and linked < MOSTLY_LINKED * len(text.split())
            and len(text.split()) >= MIN_ADDED_WORDS
            and prose_words([text]) > 0
        )
        items.append(Item(text, normal_text(text), addable))
    return items


def with_sibling_sections(paragraphs: Sequence[str], groups: Sequence[tuple[Item, ...]]) -> list[str]:
    """The paragraphs, with the prose of the sibling sections they were extracted from.

    The group is the innermost one whose blocks hold extracted paragraphs (one paragraph may hold
    several blocks) as one run in the same order, none of ours between them missing from it, and
    that adds prose. Its paragraphs of running prose that none of ours holds go in where the page
    has them, between the paragraphs before and after the run.
    """
    keys = [normal_text(p) for p in paragraphs]
    for items in groups:
        holder = [_holder(item.key, keys) for item in items]
        matched = sorted({index for index in holder if index is not None})
        if not matched or matched != list(range(matched[0], matched[-1] + 1)):
            continue
        order = [index for index in holder if index is not None]
        if order != sorted(order) or not any(item.addable and index is None for item, index in zip(items, holder)):
            continue
        merged = list(paragraphs[: matched[0]])
        for item, index in zip(items, holder):
            if index is None:
                if item.addable and item.key not in keys and all(item.key not in key for key in keys):
                    merged.append(item.text)
            elif paragraphs[index] not in merged[matched[0] :] or index == 0:
                merged.append(paragraphs[index])
        return _unique(merged) + list(paragraphs[matched[-1] + 1 :])
    return list(paragraphs)


def _holder(key: str, keys: Sequence[str]) -> int | None:
    """The index of the extracted paragraph that is this block or holds it whole, if any."""
    for index, ours in enumerate(keys):
        if key == ours or (len(key) >= MIN_HELD_CHARS and key in ours):
            return index
    return None


def _unique(paragraphs: list[str]) -> list[str]:
    seen: set[str] = set()
    return [p for p in paragraphs if not (p in seen or seen.add(p))]
