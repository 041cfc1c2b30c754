"""What editorial control did, where publishers look: the record's `editorial` field, its counts
in each feed entry, and the manifest's `editorial` entry (docs/editorial.md).

The stages make each article's account (jobs.stages.translate.editorial_accounts); these helpers
only carry it into records, feeds and the manifest, so those modules change by one line each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

COUNTS = ("units_total", "human", "repaired", "glossary_checked", "flagged")
ATOM_NS = "urn:jobs:editorial"  # the Atom extension element's namespace (RFC 4287 section 6)


def editorial_field(translated: Mapping[str, Any] | None) -> dict[str, Any]:
    """The record's `editorial` field, from the article's translated content; nothing for the
    source language (no translation, nothing to account for)."""
    account = translated.get("editorial") if translated else None
    return {"editorial": account} if account is not None else {}


def editorial_counts(record: Mapping[str, Any]) -> dict[str, int] | None:
    """A record's counts (units, human, repaired, glossary-checked, still flagged), or None."""
    account = record.get("editorial")
    return {name: account[name] for name in COUNTS} if account else None


def origin(record: Mapping[str, Any]) -> str:
    """`human` when every unit is an editor's, `mixed` when some are, else `machine`."""
    counts = editorial_counts(record)
    if not counts or not counts["human"]:
        return "machine"
    return "human" if counts["human"] == counts["units_total"] else "mixed"


def feed_entry_editorial(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a JSON Feed item's `_jobs` carries: {"editorial": counts + origin} (nothing without an account)."""
    counts = editorial_counts(record)
    return {"editorial": {"origin": origin(record), **counts}} if counts else {}


def atom_entry_editorial(record: Mapping[str, Any]) -> dict[str, str] | None:
    """The attributes of an Atom entry's <editorial xmlns="urn:jobs:editorial"/> element, or None."""
    counts = editorial_counts(record)
    if not counts:
        return None
    return {"origin": origin(record), **{name: str(value) for name, value in counts.items()}}


def editorial_manifest(records: Iterable[Mapping[str, Any]], run: Mapping[str, Any] | None) -> dict[str, Any]:
    """The manifest's `editorial` entry: the run's glossary, corrections and repair accounts plus
    the units counted over the bundle's records; nothing when the language was not translated."""
    if run is None:
        return {}
    totals = dict.fromkeys(COUNTS, 0)
    for record in records:
        for name, value in (editorial_counts(record) or {}).items():
            totals[name] += value
    return {"editorial": {**run, "units": totals}}


def editorial_marks(record: Mapping[str, Any]) -> dict[tuple[str, int], str]:
    """The review page's badges per row (part, paragraph): which units are human, repaired, or hold
    glossary terms (HTML, escaped)."""
    from html import escape

    marks: dict[tuple[str, int], list[str]] = {}
    for unit in (record.get("editorial") or {}).get("units", []):
        where = "whole" if unit.get("sentence") is None else f"sentence {int(unit['sentence']) + 1}"
        badges = []
        if unit["origin"] == "human":
            badges.append(("human", f"human ({where}): an editor's correction"))
        elif unit.get("repair"):
            repair = unit["repair"]
            kept = "repaired" if unit["origin"] == "repaired" else "repair tried, first kept"
            badges.append(("repaired", f"{kept} ({where}): {', '.join(repair['why'])}"))
        if unit.get("glossary"):
            badges.append(("glossary", f"glossary ({where}): {', '.join(unit['glossary'])}"))
        row = (unit["part"], int(unit.get("paragraph") or 0) if unit["part"] == "body" else 0)
        marks.setdefault(row, []).extend(
            f'<span class="unit {kind}" data-origin="{escape(kind)}">{escape(text)}</span>' for kind, text in badges
        )
    return {row: f'<div class="units">{"".join(items)}</div>' for row, items in marks.items()}


def editorial_line(record: Mapping[str, Any]) -> str:
    """The review page's line of an article's editorial counts, and how to correct a unit."""
    from html import escape

    counts = editorial_counts(record)
    if not counts:
        return ""
    text = " · ".join(f"{name.replace('_', '-')} {value}" for name, value in counts.items())
    fix = (
        f"correct a unit: jobs correct --lang {record['lang']} --article {record['id']} "
        "--part body --paragraph N [--sentence N] --text '...'"
    )
    return f'<div class="meta editorial">{escape(text)} · <code>{escape(fix)}</code></div>'
