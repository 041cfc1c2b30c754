"""feed.atom (RFC 4287) and feed.json (JSON Feed 1.1): one entry per article of a bundle.

Both are built from the bundle's records with a library (lxml for Atom, json for JSON Feed),
never by pasting strings, and carry the same facts: ids that are stable (derived from the
language and the article id), `updated` = the record's `updated` (when its published content
last changed, records.date_records: a rerun of the same input gives byte-identical feeds), the
byline as author, review status, QA flag counts and the models. In Atom those are categories
with these schemes (documented in README):

    tag:jobs.invalid,2026:review              term: ok | needs_review
    tag:jobs.invalid,2026:qa                  term: a QA flag that fired; label: "<flag>: <count>"
    tag:jobs.invalid,2026:model:translation   term: MODEL@REVISION (also :model:summary)

Links are relative to the feed's own place (OUT/<lang>/<run_id>/): `articles/<id>.md`, and the
same article in the other languages through their `latest`; `rel="self"` is absolute when the
registry's `publication.base_url` says where OUT is served.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jobs.outputs.editorial import ATOM_NS as EDITORIAL_NS
from jobs.outputs.editorial import atom_entry_editorial, feed_entry_editorial
from jobs.outputs.markdown import article_path
from jobs.outputs.records import record_sha256
from jobs.versions import package_versions

if TYPE_CHECKING:
    from jobs.config import JobConfig

ATOM_FILE = "feed.atom"
JSON_FEED_FILE = "feed.json"
ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "jobs"
SCHEME = "tag:jobs.invalid,2026:"
# Characters XML 1.0 cannot carry at all; lxml refuses them, so they are dropped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def feed_id(lang: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'jobs:feed:{lang}')}"


def entry_id(lang: str, article_id: str) -> str:
    """The Atom id of an article in one language: the same in every run."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'jobs:article:{lang}:{article_id}')}"


@dataclass(frozen=True)
class FeedSettings:
    """What a language's feeds say about themselves: title, author, language, where they are served."""

    lang: str
    lang_tag: str
    title: str
    author: str = GENERATOR
    base_url: str | None = None

    @classmethod
    def for_language(cls, config: JobConfig, lang: str) -> FeedSettings:
        return cls(
            lang=lang,
            lang_tag=config.lang_tags.get(lang, lang),
            title=config.feed_titles.get(lang) or f"{config.publication.title} ({lang})",
            author=config.publication.author,
            base_url=config.publication.base_url,
        )

    def self_url(self, name: str) -> str:
        """The feed file's own address: absolute under base_url, else relative to the feed."""
        if not self.base_url:
            return name
        return f"{self.base_url.rstrip('/')}/{self.lang}/latest/{name}"


def feed_files(
    records: list[dict[str, Any]], feed: FeedSettings, *, now: str, hashes: dict[str, str] | None = None
) -> dict[str, bytes]:
    """feed.atom and feed.json of a bundle; the feed's `updated` is its newest entry's (`now` for none).
    `hashes`: the records' content hashes (records.content_hashes) when computed already."""
    updated = max((r.get("updated") or now for r in records), default=now)
    feeds = {ATOM_FILE: atom_feed(records, feed, updated=updated)}
    return {**feeds, JSON_FEED_FILE: json_feed(records, feed, hashes=hashes)}


def rfc3339(published: str) -> str:
    """A record's `published` (a date, or a date-time with offset) as an RFC 3339 date-time."""
    return published if "T" in published else f"{published}T00:00:00+00:00"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def atom_feed(records: list[dict[str, Any]], feed: FeedSettings, *, updated: str) -> bytes:
    """An RFC 4287 feed document, xml:lang set to the bundle's BCP 47 tag."""
    from lxml import etree

    def add(parent, name: str, text: str | None = None, **attrs: str):
        element = etree.SubElement(parent, f"{{{ATOM}}}{name}", {k: _text(v) for k, v in attrs.items()})
        if text is not None:
            element.text = _text(text)
        return element

    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    root.set(XML_LANG, feed.lang_tag)
    add(root, "id", feed_id(feed.lang))
    add(root, "title", feed.title, type="text")
    add(root, "updated", updated)
    add(add(root, "author"), "name", feed.author)
    add(root, "link", rel="self", type="application/atom+xml", href=feed.self_url(ATOM_FILE))
    add(root, "generator", GENERATOR, version=package_versions().get("jobs", ""))
    for record in records:
        entry = add(root, "entry")
        add(entry, "id", entry_id(feed.lang, record["id"]))
        add(entry, "title", record["title"], type="text")
        add(entry, "updated", record.get("updated") or updated)
        if record.get("published"):
            add(entry, "published", rfc3339(record["published"]))
        if record["source"].get("byline"):
            add(add(entry, "author"), "name", record["source"]["byline"])
        if record["source"].get("tag"):
            add(entry, "category", term=record["source"]["tag"])
        for category in categories(record):
            add(entry, "category", **category)
        for link in _links(record, feed.lang_tag):
            add(entry, "link", **link)
        if record["summary"] is not None:
            add(entry, "summary", record["summary"], type="text")
        editorial = atom_entry_editorial(record)
        if editorial:  # an extension element in its own namespace (RFC 4287 section 6.4)
            etree.SubElement(entry, f"{{{EDITORIAL_NS}}}editorial", editorial, nsmap={None: EDITORIAL_NS})
        div = etree.SubElement(add(entry, "content", type="xhtml"), f"{{{XHTML}}}div", nsmap={None: XHTML})
        for paragraph in record["paragraphs"]:
            etree.SubElement(div, f"{{{XHTML}}}p").text = _text(paragraph)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


def qa_counts(record: dict[str, Any]) -> dict[str, int]:
    """QA flags that fired on a record, by name, with how many times (sorted by name)."""
    return dict(sorted(Counter(flag["flag"] for flag in record.get("qa", {}).get("flags", [])).items()))


def categories(record: dict[str, Any]) -> list[dict[str, str]]:
    """An entry's review status, QA flag counts and models as Atom categories (schemes above)."""
    found = []
    if record.get("review"):
        found.append({"scheme": SCHEME + "review", "term": record["review"]["status"]})
    for flag, count in qa_counts(record).items():
        found.append({"scheme": SCHEME + "qa", "term": flag, "label": f"{flag}: {count}"})
    for role, label in record.get("models", {}).items():
        if label:
            found.append({"scheme": f"{SCHEME}model:{role}", "term": label})
    return found


def _links(record: dict[str, Any], lang_tag: str) -> list[dict[str, str]]:
    """The entry's Markdown, its versions in the other languages, and the source article."""
    links = [{"rel": "alternate", "type": "text/markdown", "hreflang": lang_tag, "href": f"articles/{record['id']}.md"}]
    for other in record.get("translations", []):
        href = "../../" + article_path(other["lang"], record["id"])
        links.append({"rel": "alternate", "type": "text/markdown", "hreflang": other["lang_tag"], "href": href})
    if record.get("url"):
        links.append({"rel": "via", "href": record["url"]})
    return links


def json_feed(records: list[dict[str, Any]], feed: FeedSettings, *, hashes: dict[str, str] | None = None) -> bytes:
    """A JSON Feed 1.1 document; `_jobs` (an extension, as the spec allows) carries the review
    status, QA flag counts, models, first_seen and the content hash behind date_modified."""
    items = []
    for record in records:
        item: dict[str, Any] = {"id": record["id"], "title": record["title"], "summary": record["summary"]}
        item["content_text"] = "\n\n".join(record["paragraphs"])
        if record.get("url"):
            item["external_url"] = record["url"]
        if record.get("published"):
            item["date_published"] = rfc3339(record["published"])
        if record.get("updated"):
            item["date_modified"] = record["updated"]
        if record["source"].get("byline"):
            item["authors"] = [{"name": record["source"]["byline"]}]
        if record["source"].get("tag"):
            item["tags"] = [record["source"]["tag"]]
        item["language"] = feed.lang_tag
        item["_jobs"] = {
            "content_sha256": hashes[record["id"]] if hashes else record_sha256(record),
            "first_seen": record.get("first_seen"),
            "markdown": f"articles/{record['id']}.md",
            "review": record.get("review", {}).get("status"),
            "qa": qa_counts(record),
            "models": record.get("models", {}),
            "translations": record.get("translations", []),
            **feed_entry_editorial(record),
        }
        items.append(item)
    document: dict[str, Any] = {"version": JSON_FEED_VERSION, "title": feed.title}
    if feed.base_url:
        document["feed_url"] = feed.self_url(JSON_FEED_FILE)
    document.update(
        language=feed.lang_tag,
        authors=[{"name": feed.author}],
        _jobs={"lang": feed.lang, "atom_id": feed_id(feed.lang)},
        items=items,
    )
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
