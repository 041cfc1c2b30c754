"""articles/<id>.md: one article as Markdown with YAML front matter, as site generators read it.

The front matter carries `article_fields(record)`, the same fields the review page shows: the
title once (the body has no `#` heading, so Hugo and pandoc render one h1), `date` (the source's
published date, else when the story was first published), `lastmod` (when its content last
changed), `lang` as the BCP 47 tag, the byline as `author`. Nothing changes from run to run (no
run id, no time of the run, not where the article was read from): the same content gives
byte-identical Markdown, so a git- or rsync-based publisher sees only the articles that changed.

Text from inputs and models is inert for any renderer: in the body, HTML is escaped and link,
emphasis-free structure and template syntax (`[x](javascript:...)`, `{{ ... }}`, `{% ... %}`) are
backslash-escaped; in the front matter (data, but pandoc parses it as Markdown), the same
syntax is broken apart with a zero-width space, so titles still read as written.
"""

from __future__ import annotations

import html
import re
from typing import Any

import yaml

_MD_LINE_START = re.compile(r"^(\s*)([#>+\-*=|`~]|\d+[.)])")
# Link, image, autolink, reference and template syntax, wherever it stands in a line.
_MD_INLINE = re.compile(r"([\[\]`])|(?<=\{)(?=[{%])")
_FRONT_LINKISH = re.compile(r"(\])(?=[(:\[])|(<)(?=[A-Za-z][A-Za-z0-9+.\-]*:)|(\{)(?=[{%<])|(!)(?=\[)")
ZWSP = "\u200b"
PROVENANCE = ("file", "line", "feed")


def markdown_text(text: str) -> str:
    """Text safe to drop into a Markdown body: HTML escaped, link and template syntax escaped, no
    accidental heading/list/quote."""
    escaped = html.escape(text, quote=False)
    escaped = _MD_INLINE.sub(lambda m: "\\" + (m.group(1) or ""), escaped)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def front_matter_text(value: Any) -> Any:
    """A front matter value with link, autolink and template syntax broken apart (a zero-width
    space after `]`, `<`, `{`, `!`), recursively through lists and maps; other values as they are."""
    if isinstance(value, str):
        return _FRONT_LINKISH.sub(lambda m: next(g for g in m.groups() if g) + ZWSP, value)
    if isinstance(value, list):
        return [front_matter_text(item) for item in value]
    if isinstance(value, dict):
        return {key: front_matter_text(item) for key, item in value.items()}
    return value


def article_path(lang: str, article_id: str) -> str:
    """Where an article's Markdown lies, relative to the outputs folder (through `latest`)."""
    return f"{lang}/latest/articles/{article_id}.md"


def alternates(record: dict[str, Any]) -> list[dict[str, str]]:
    """hreflang-style links to the same article in the other languages of its run.

    `href` is relative to the Markdown file (OUT/<lang>/<run_id>/articles/<id>.md), through each
    language's `latest`, so it carries no run id and needs no base URL."""
    return [
        {
            "hreflang": other["lang_tag"],
            "lang": other["lang"],
            "href": "../../../" + article_path(other["lang"], record["id"]),
        }
        for other in record.get("translations", [])
    ]


def article_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The metadata of one article, in order: the Markdown front matter and the review page's fields."""
    fields: dict[str, Any] = {"title": record["title"]}
    when = record.get("published") or record.get("first_seen")
    if when:
        fields["date"] = when
    if record.get("updated"):
        fields["lastmod"] = record["updated"]
    fields["lang"] = record.get("lang_tag", record["lang"])
    fields["id"] = record["id"]
    fields["language"] = record["lang"]
    fields["summary"] = record["summary"]
    if record["source"].get("byline"):
        fields["author"] = record["source"]["byline"]
    for optional in ("published", "first_seen"):
        if record.get(optional):
            fields[optional] = record[optional]
    if "review" in record:
        fields["review"] = record["review"]["status"]
        fields["review_flags"] = record["review"]["flags"]
    fields["qa_flags"] = len(record["qa"]["flags"])
    fields["source"] = {k: v for k, v in record["source"].items() if k not in PROVENANCE}
    fields["models"] = record["models"]
    fields["alternates"] = alternates(record)
    return fields


def render_markdown(record: dict[str, Any]) -> str:
    """An article as Markdown with YAML front matter (article_fields) and every paragraph; the
    title is in the front matter only."""
    # libyaml's emitter where PyYAML has it: the pure-Python one costs milliseconds per article.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    fields = front_matter_text(article_fields(record))
    front = yaml.dump(fields, Dumper=dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    lines = ["---", front.rstrip(), "---", ""]
    if record["summary"]:
        lines += [f"> {markdown_text(record['summary'])}", ""]
    for paragraph in record["paragraphs"]:
        lines += [markdown_text(paragraph), ""]
    return "\n".join(lines)
