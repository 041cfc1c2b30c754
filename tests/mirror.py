"""A publisher's mirror: it applies each new bundle's changes.json and nothing else.

What a downstream system that trusts `changes.json` would hold: per language, one copy of every
story (its record and Markdown), updated only where a bundle says added / changed / removed. It
refuses what such a system could not apply (adding an id it has, changing or removing one it
lacks, listing as changed a story whose content did not change), and `check` compares it with
the latest bundles, which is what it should equal after every run.
"""

from __future__ import annotations

import json
from pathlib import Path

from jobs.outputs.records import record_sha256


def read_bundle(bundle: Path) -> dict[str, dict]:
    """id -> {"record", "sha", "md"} of a published bundle."""
    stories = {}
    for line in (bundle / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        md = (bundle / "articles" / f"{record['id']}.md").read_bytes()
        stories[record["id"]] = {"record": record, "sha": record_sha256(record), "md": md}
    return stories


class Mirror:
    def __init__(self):
        self.langs: dict[str, dict[str, dict]] = {}
        self.applied: dict[str, str] = {}  # lang -> run id of the last bundle applied

    def apply(self, out: Path) -> dict[str, dict]:
        """Apply the changes.json of every language whose `latest` moved; return them by language."""
        seen = {}
        for lang_dir in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
            bundle = (lang_dir / "latest").resolve()
            if self.applied.get(lang_dir.name) == bundle.name:
                continue
            changes = json.loads((bundle / "changes.json").read_text(encoding="utf-8"))
            assert changes["previous_run_id"] == self.applied.get(lang_dir.name), (lang_dir.name, changes)
            self._apply(lang_dir.name, bundle, changes)
            self.applied[lang_dir.name] = bundle.name
            seen[lang_dir.name] = changes
        return seen

    def _apply(self, lang: str, bundle: Path, changes: dict) -> None:
        held = self.langs.setdefault(lang, {})
        fresh = read_bundle(bundle)
        for story_id in changes["removed"]:
            assert story_id in held, f"{lang}: removed {story_id}, which the mirror never had"
            del held[story_id]
        for story_id in changes["added"]:
            assert story_id not in held, f"{lang}: added {story_id}, which the mirror already has"
            held[story_id] = fresh[story_id]
        for story_id in changes["changed"]:
            assert story_id in held, f"{lang}: changed {story_id}, which the mirror does not have"
            assert held[story_id]["sha"] != fresh[story_id]["sha"], (
                f"{lang}: {story_id} listed as changed, same content"
            )
            held[story_id] = fresh[story_id]
        assert changes["unchanged"] == len(fresh) - len(changes["added"]) - len(changes["changed"])

    def check(self, out: Path) -> None:
        """The mirror equals the latest bundle of every language: same ids, content and Markdown."""
        langs = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
        assert sorted(self.langs) == langs
        for lang in langs:
            latest = read_bundle((out / lang / "latest").resolve())
            held = self.langs[lang]
            assert sorted(held) == sorted(latest), lang
            for story_id, story in latest.items():
                assert held[story_id]["sha"] == story["sha"], (lang, story_id, "content differs, never listed")
                assert held[story_id]["md"] == story["md"], (lang, story_id, "Markdown differs, never listed")
