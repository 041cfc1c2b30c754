"""Story identity across runs: an edited, retitled or moved story keeps the id it was published under.

An article with the source's own id (a JSONL/CSV `id`, a feed guid, a canonical URL) is always
the same story (ids.py). Every other article gets an id made from its title and text, which an
edit would change; so before a run publishes, its articles are matched against the stories the
outputs folder has published (the story register, `OUT/.stories.jsonl`), and an article that is
a known story takes that story's id. The rule, in order, one story per article at most:

1. the same text (title and paragraphs, sha256) as a known story's last version: that story;
2. else a known story with the same normalized title (case, punctuation and spacing ignored),
   or with mostly the same sentences (at least half of the shorter one's sentences of four or
   more words, and at least two of them, or its only one), best first: the same title, then the
   larger share of sentences, then the story seen last;
3. else a new story, with the id its title and text give (made longer if a known story holds it).

So a lightly or heavily edited story with its title kept, and a retitled story whose text stays
mostly the same, keep their id; a story both retitled and rewritten is a new story. Two stories
of one title each keep their own id while their texts stay closer to their own past than to each
other's. A story that leaves the input and comes back within `KEEP_DAYS` keeps its id.

The register is state of the outputs folder, written after a run published (atomically), and
rebuilt from the latest bundles' records when it is missing (their titles and text hashes).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jobs.fsutil import atomic_write
from jobs.inputs.ids import id_forms

log = logging.getLogger("jobs")
REGISTER_FILE = ".stories.jsonl"
KEEP_DAYS = 90  # a story not seen for this long is forgotten: if it comes back, it is a new story
MIN_SENTENCE_WORDS = 4  # shorter sentences ("Reuters.", "Read more.") say nothing about a story
MIN_SHARE = 0.5  # of the shorter text's sentences, for two texts to be one story
MIN_SHARED = 2

_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])\s+")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass
class Story:
    """One story as the register keeps it: enough to recognize its next version."""

    id: str
    first_seen: str  # ISO 8601 time of the run that first published it
    last_seen: str
    sha256: str  # of its latest title and paragraphs
    title_key: str
    sentences: list[str] = field(default_factory=list)  # short hashes of its normalized sentences
    given: bool = False  # its id is the source's own (never matched by text)


def title_key(title: str) -> str:
    """A title as matching compares it: NFKC, case-folded, punctuation and spacing ignored."""
    return " ".join(_NOT_WORD.sub(" ", unicodedata.normalize("NFKC", title).casefold()).split())


def sentence_keys(paragraphs: Iterable[str]) -> list[str]:
    """Short hashes of an article's sentences of MIN_SENTENCE_WORDS words or more, normalized
    like titles, sorted and without repeats."""
    keys = set()
    for paragraph in paragraphs:
        for sentence in _SENTENCE_END.split(paragraph):
            words = title_key(sentence)
            if len(words.split()) >= MIN_SENTENCE_WORDS:
                keys.add(hashlib.blake2b(words.encode("utf-8"), digest_size=6).hexdigest())
    return sorted(keys)


@dataclass
class Assignment:
    """What matching decided for a run: each article's final id and its story's first_seen."""

    ids: list[str]
    first_seen: dict[str, str]
    inherited: dict[str, str]  # the article's own (text-made) id -> the known story's id it took
    register: StoryRegister


class StoryRegister:
    """The stories an outputs folder has published, by id."""

    def __init__(self, stories: dict[str, Story] | None = None):
        self.stories: dict[str, Story] = stories or {}

    @classmethod
    def load(cls, out: Path, fallback: Iterable[dict[str, Any]] = ()) -> StoryRegister:
        """The register of an outputs folder; without one (or unreadable), built from `fallback`:
        records of the latest bundles (id, source title and sha256, first_seen)."""
        path = out / REGISTER_FILE
        stories: dict[str, Story] = {}
        try:
            with path.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        story = Story(**json.loads(line))
                        stories[story.id] = story
            return cls(stories)
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError) as exc:
            log.warning("cannot read %s (%s); rebuilt from the latest bundles", path, exc)
            stories = {}
        for record in fallback:
            if record.get("id") in stories or "source" not in record:
                continue
            when = record.get("first_seen") or record.get("updated") or ""
            stories[record["id"]] = Story(
                id=record["id"],
                first_seen=when,
                last_seen=record.get("updated") or when,
                sha256=record["source"].get("sha256", ""),
                title_key=title_key(record["source"].get("title", "")),
            )
        return cls(stories)

    def assign(self, articles: Sequence[dict[str, Any]], now: str) -> Assignment:
        """Match a run's articles (rows with id, title, paragraphs, sha256) to known stories
        (the rule in the module's docstring); return the final ids in article order and the
        updated register (this one is left as it was)."""
        given = [is_given_id(a) for a in articles]
        final: list[str | None] = [a["id"] if g else None for a, g in zip(articles, given)]
        claimed = {a["id"] for a, g in zip(articles, given) if g}
        index = _Index([s for s in self.stories.values() if not s.given])
        for i in (i for i, g in enumerate(given) if not g):  # 1. the same text as a known story's last version
            final[i] = next(
                (sid for sid in sorted(index.by_sha.get(articles[i]["sha256"], [])) if sid not in claimed), None
            )
            claimed.update([final[i]] if final[i] else [])
        for _, i, sid in sorted(index.near(articles, [i for i, f in enumerate(final) if f is None], claimed)):
            if final[i] is None and sid not in claimed:  # 2. the same title, or mostly the same sentences
                final[i] = sid
                claimed.add(sid)
        taken = set(self.stories) | claimed
        for i, article in enumerate(articles):  # 3. new stories: their own id, unless a known story holds it
            if final[i] is None:
                forms = [article["id"], *id_forms(article["title"], None, article["sha256"])[1:]]
                final[i] = next((form for form in forms if form not in taken), forms[-1])
                taken.add(final[i])
        ids = [str(i) for i in final]
        register = self._updated(articles, ids, given, now)
        inherited = {a["id"]: sid for a, sid in zip(articles, ids) if a["id"] != sid}
        first_seen = {sid: register.stories[sid].first_seen for sid in ids}
        return Assignment(ids=ids, first_seen=first_seen, inherited=inherited, register=register)

    def _updated(
        self, articles: Sequence[dict[str, Any]], ids: list[str], given: list[bool], now: str
    ) -> StoryRegister:
        """A copy of the register with this run's stories as they are now."""
        register = StoryRegister(dict(self.stories))
        for article, story_id, is_given in zip(articles, ids, given):
            known = self.stories.get(story_id)
            register.stories[story_id] = Story(
                id=story_id,
                first_seen=known.first_seen if known and known.first_seen else now,
                last_seen=now,
                sha256=article["sha256"],
                title_key=title_key(article["title"]),
                sentences=sentence_keys(article["paragraphs"]),
                given=is_given,
            )
        return register

    def forget_older_than(self, now: datetime, days: float = KEEP_DAYS) -> int:
        """Drop stories not seen for `days`; return how many."""
        limit = (now - timedelta(days=days)).isoformat(timespec="seconds")
        old = [sid for sid, story in self.stories.items() if story.last_seen and story.last_seen < limit]
        for sid in old:
            del self.stories[sid]
        return len(old)

    def save(self, out: Path) -> None:
        """Write the register in one step (fsutil.atomic_write), stories by id, one JSON line each."""
        lines = [
            json.dumps(asdict(self.stories[sid]), ensure_ascii=False, sort_keys=True) for sid in sorted(self.stories)
        ]
        atomic_write(out / REGISTER_FILE, "".join(line + "\n" for line in lines))


class _Index:
    """Known stories by text hash, title and sentence, so matching looks only at likely ones."""

    def __init__(self, stories: Iterable[Story]):
        self.stories = {story.id: story for story in stories}
        self.by_sha: dict[str, list[str]] = {}
        self.by_title: dict[str, list[str]] = {}
        self.by_sentence: dict[str, list[str]] = {}
        for story in self.stories.values():
            self.by_sha.setdefault(story.sha256, []).append(story.id)
            self.by_title.setdefault(story.title_key, []).append(story.id)
            for key in story.sentences:
                self.by_sentence.setdefault(key, []).append(story.id)

    def near(self, articles: Sequence[dict[str, Any]], rows: list[int], claimed: set[str]) -> list[tuple]:
        """(rank, row, story id) for every known story an article may be: the same title, or
        mostly the same sentences; the best rank sorts first."""
        candidates = []
        for i in rows:
            title, sentences = title_key(articles[i]["title"]), set(sentence_keys(articles[i]["paragraphs"]))
            near = set(self.by_title.get(title, []) if title else [])
            for key in sentences:
                near.update(self.by_sentence.get(key, []))
            for sid in near - claimed:
                story = self.stories[sid]
                same_title = bool(title) and title == story.title_key
                share, shared = _overlap(sentences, set(story.sentences))
                if same_title or _mostly_same(share, shared, len(sentences), len(story.sentences)):
                    rank = (-int(same_title), -share, _negated(story.last_seen), story.id, articles[i]["sha256"])
                    candidates.append((rank, i, sid))
        return candidates


def is_given_id(article: dict[str, Any]) -> bool:
    """Whether an article's id is the source's own (not one of the forms its title and text give)."""
    return article["id"] not in id_forms(article["title"], None, article["sha256"])


def _overlap(a: set[str], b: set[str]) -> tuple[float, int]:
    """The share of the shorter set found in the other, and how many are shared."""
    if not a or not b:
        return 0.0, 0
    shared = len(a & b)
    return shared / min(len(a), len(b)), shared


def _mostly_same(share: float, shared: int, size_a: int, size_b: int) -> bool:
    needed = min(MIN_SHARED, size_a, size_b)
    return share >= MIN_SHARE and shared >= max(needed, 1)


def _negated(when: str) -> tuple[int, ...]:
    """Sort key that puts later ISO times first."""
    return tuple(-ord(c) for c in when)
