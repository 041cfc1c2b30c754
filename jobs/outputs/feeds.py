"""feed.atom (RFC 4287) and feed.json (JSON Feed 1.1): one entry per article of a bundle.

Both are built from the bundle's records with a library (lxml for Atom, json for JSON Feed),
never by pasting strings. Ids are stable (derived from the language and the article id), and an
entry's `updated` is when its content hash first appeared, not when the run happened: a rerun
of the same input gives byte-identical feeds. That time is carried from bundle to bundle in
feed.json (`_jobs.content_sha256` beside `date_modified`), so no other state is kept.

Links are relative to the feed's own place (OUT/<lang>/<run_id>/): `articles/<id>.md`, and the
same article in the other languages of the run through their `latest`.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any

from jobs.outputs.editorial import ATOM_NS as EDITORIAL_NS
from jobs.outputs.editorial import atom_entry_editorial, feed_entry_editorial
from jobs.outputs.markdown import article_path
from jobs.outputs.records import record_sha256

log = logging.getLogger("jobs")
ATOM_FILE = "feed.atom"
JSON_FEED_FILE = "feed.json"
ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "jobs"
# Characters XML 1.0 cannot carry at all; lxml refuses them, so they are dropped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def feed_id(lang: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'jobs:feed:{lang}')}"


def entry_id(lang: str, article_id: str) -> str:
    """The Atom id of an article in one language: the same in every run."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'jobs:article:{lang}:{article_id}')}"


def previous_times(bundle: Path | None) -> dict[str, tuple[str, str]]:
    """Article id -> (content hash, date_modified) from a previous bundle's feed.json ({} if none)."""
    if bundle is None or not (bundle / JSON_FEED_FILE).is_file():
        return {}
    try:
        items = json.loads((bundle / JSON_FEED_FILE).read_text(encoding="utf-8"))["items"]
        return {i["id"]: (i["_jobs"]["content_sha256"], i["date_modified"]) for i in items if "_jobs" in i}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("cannot read %s/%s (%s): every entry counts as updated now", bundle, JSON_FEED_FILE, exc)
        return {}


def entry_times(records: list[dict[str, Any]], previous: Path | None, now: str) -> dict[str, tuple[str, str]]:
    """Article id -> (content hash, updated): the previous bundle's time while the hash is the same."""
    known = previous_times(previous)
    times = {}
    for record in records:
        digest = record_sha256(record)
        before = known.get(record["id"])
        times[record["id"]] = (digest, before[1] if before and before[0] == digest else now)
    return times


def feed_files(
    records: list[dict[str, Any]], *, lang: str, lang_tag: str, now: str, previous: Path | None
) -> dict[str, bytes]:
    """feed.atom and feed.json of a bundle; `now` (RFC 3339) dates entries whose content is new."""
    times = entry_times(records, previous, now)
    updated = max((t for _, t in times.values()), default=now)
    return {
        ATOM_FILE: atom_feed(records, times, lang=lang, lang_tag=lang_tag, updated=updated),
        JSON_FEED_FILE: json_feed(records, times, lang=lang, lang_tag=lang_tag),
    }


def feed_title(lang_tag: str) -> str:
    return f"Articles ({lang_tag})"


def rfc3339(published: str) -> str:
    """A record's `published` (a date, or a date-time with offset) as an RFC 3339 date-time."""
    return published if "T" in published else f"{published}T00:00:00+00:00"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def atom_feed(
    records: list[dict[str, Any]], times: dict[str, tuple[str, str]], *, lang: str, lang_tag: str, updated: str
) -> bytes:
    """An RFC 4287 feed document, xml:lang set to the bundle's BCP 47 tag."""
    from lxml import etree

    def add(parent, name: str, text: str | None = None, **attrs: str):
        element = etree.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
        if text is not None:
            element.text = _text(text)
        return element

    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    feed.set(XML_LANG, lang_tag)
    add(feed, "id", feed_id(lang))
    add(feed, "title", feed_title(lang_tag))
    add(feed, "updated", updated)
    add(add(feed, "author"), "name", GENERATOR)
    add(feed, "generator", GENERATOR)
    for record in records:
        entry = add(feed, "entry")
        add(entry, "id", entry_id(lang, record["id"]))
        add(entry, "title", record["title"], type="text")
        add(entry, "updated", times[record["id"]][1])
        if record.get("published"):
            add(entry, "published", rfc3339(record["published"]))
        if record["source"].get("byline"):
            add(add(entry, "author"), "name", record["source"]["byline"])
        if record["source"].get("tag"):
            add(entry, "category", term=_text(record["source"]["tag"]))
        for link in _links(record, lang_tag):
            add(entry, "link", **link)
        add(entry, "summary", record["summary"], type="text")
        editorial = atom_entry_editorial(record)
        if editorial:  # an extension element in its own namespace (RFC 4287 section 6.4)
            etree.SubElement(entry, f"{{{EDITORIAL_NS}}}editorial", editorial, nsmap={None: EDITORIAL_NS})
        div = etree.SubElement(add(entry, "content", type="xhtml"), f"{{{XHTML}}}div", nsmap={None: XHTML})
        for paragraph in record["paragraphs"]:
            etree.SubElement(div, f"{{{XHTML}}}p").text = _text(paragraph)
    return etree.tostring(feed, encoding="utf-8", xml_declaration=True, pretty_print=True)


def _links(record: dict[str, Any], lang_tag: str) -> list[dict[str, str]]:
    """The entry's Markdown, its versions in the other languages, and the source article."""
    links = [{"rel": "alternate", "type": "text/markdown", "hreflang": lang_tag, "href": f"articles/{record['id']}.md"}]
    for other in record.get("translations", []):
        href = "../../" + article_path(other["lang"], record["id"])
        links.append({"rel": "alternate", "type": "text/markdown", "hreflang": other["lang_tag"], "href": href})
    if record.get("url"):
        links.append({"rel": "via", "href": record["url"]})
    return links


def json_feed(records: list[dict[str, Any]], times: dict[str, tuple[str, str]], *, lang: str, lang_tag: str) -> bytes:
    """A JSON Feed 1.1 document; `_jobs` (an extension, as the spec allows) carries what the next
    bundle needs: the content hash behind date_modified."""
    items = []
    for record in records:
        digest, updated = times[record["id"]]
        item: dict[str, Any] = {"id": record["id"], "title": record["title"], "summary": record["summary"]}
        item["content_text"] = "\n\n".join(record["paragraphs"])
        if record.get("url"):
            item["external_url"] = record["url"]
        if record.get("published"):
            item["date_published"] = rfc3339(record["published"])
        item["date_modified"] = updated
        if record["source"].get("byline"):
            item["authors"] = [{"name": record["source"]["byline"]}]
        if record["source"].get("tag"):
            item["tags"] = [record["source"]["tag"]]
        item["language"] = lang_tag
        item["_jobs"] = {
            "content_sha256": digest,
            "markdown": f"articles/{record['id']}.md",
            "review": record.get("review", {}).get("status"),
            "translations": record.get("translations", []),
            **feed_entry_editorial(record),
        }
        items.append(item)
    feed = {
        "version": JSON_FEED_VERSION,
        "title": feed_title(lang_tag),
        "language": lang_tag,
        "authors": [{"name": GENERATOR}],
        "_jobs": {"lang": lang, "atom_id": feed_id(lang)},
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
