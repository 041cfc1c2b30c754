"""articles/<id>.md: one article as Markdown with YAML front matter.

The front matter carries `article_fields(record)`, the same fields the review page shows, and
nothing that changes from run to run (no run id, no time of the run): the same record gives
byte-identical Markdown, so a git- or rsync-based publisher sees only the articles that changed.
"""

from __future__ import annotations

import html
import re
from typing import Any

import yaml

_MD_LINE_START = re.compile(r"^(\s*)([#>+\-*=|`~]|\d+[.)])")


def markdown_text(text: str) -> str:
    """Text safe to drop into Markdown: HTML escaped, and no accidental heading/list/quote."""
    escaped = html.escape(text, quote=False)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


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
    fields: dict[str, Any] = {
        "id": record["id"],
        "lang": record["lang"],
        "lang_tag": record.get("lang_tag", record["lang"]),
        "title": record["title"],
        "summary": record["summary"],
    }
    for optional in ("published", "url"):
        if record.get(optional):
            fields[optional] = record[optional]
    if "review" in record:
        fields["review"] = record["review"]["status"]
        fields["review_flags"] = record["review"]["flags"]
    fields["qa_flags"] = len(record["qa"]["flags"])
    fields["source"] = record["source"]
    fields["models"] = record["models"]
    fields["alternates"] = alternates(record)
    return fields


def render_markdown(record: dict[str, Any]) -> str:
    """An article as Markdown with YAML front matter (article_fields) and every paragraph."""
    # libyaml's emitter where PyYAML has it: the pure-Python one costs milliseconds per article.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    front = yaml.dump(article_fields(record), Dumper=dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    lines = ["---", front.rstrip(), "---", ""]
    lines += [f"# {markdown_text(record['title'])}", ""]
    if record["summary"]:
        lines += [f"> {markdown_text(record['summary'])}", ""]
    for paragraph in record["paragraphs"]:
        lines += [markdown_text(paragraph), ""]
    return "\n".join(lines)
