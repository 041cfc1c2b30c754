"""English summaries, one per article, by map-reduce over chunks that fit the model's window.

An article longer than the window is split on sentence boundaries into chunks; every chunk of
every article is summarized in one batched pass, then each article's chunk summaries are packed
into window-sized texts and summarized again, level by level, until one summary is left. The
first level is not truncated: every sentence reaches the model.

Every level strictly reduces an article's number of texts, so the loop always ends:

- the summaries are packed (`pack_texts`) and the packed texts go on when they are fewer;
- when they are not (each summary re-tokenizes to more than half the window: a model whose
  outputs re-tokenize longer than they were generated does this), adjacent summaries are merged
  in pairs, each cut to its leading words so that a pair fits the window (fallback `trimmed`);
- after MAX_LEVELS - 1 levels whatever is left is merged into one text the same way (each summary
  cut to its share of the window) for the last pass (fallback `level_cap`).

So an article takes at most MAX_LEVELS passes; the record's `qa` says how many
(`summary_levels`) and which fallback, if any, shortened summaries (`summary_fallback`).

Decoding is spent where it is published. A pass whose text is an article's only one makes its
summary: it runs at the registry's summary settings (beam search, 30-142 tokens). The passes
of an article that still has several texts make intermediate summaries, read only by the next
level: they run at `summary_intermediate`'s settings (greedy and shorter by default), in a call
of their own. An article that fits one window therefore has exactly one pass, at exactly the
summary settings. The cost of each level and kind is kept in `SummaryStats.passes`.

An article's intermediate texts are batched with each other only, never with another
article's (`groups` of generate()): how a batch is made changes int8 outputs and the batch's
length limits, so a long article's summary would otherwise depend on which other long articles
the run (or an archive shard) holds. The streams still decode several articles' batches at
once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from jobs.backends.base import Generated
from jobs.stages.cache import Cached
from jobs.stages.generation import Made, generate_cached
from jobs.stages.segment import head_within, pack_texts, split_sentences

MAX_LEVELS = 4  # summarization passes per article at most, the chunk level included
TRIMMED = "trimmed"  # summaries were cut to their leading words so that a level could merge them
LEVEL_CAP = "level_cap"  # the level cap merged every summary left into one last pass


@dataclass
class SummaryResult:
    """One article's summary and how it was reached."""

    text: str
    chunks: int  # chunks at the first level
    levels: int  # summarization passes (1 when the article fits the window)
    hit_limit: bool = False
    error: str | None = None  # why there is no summary (a model batch kept failing)
    fallback: str | None = None  # None | TRIMMED | LEVEL_CAP: how a level was made to shrink


@dataclass
class SummaryStats:
    input_tokens: int = 0
    output_tokens: int = 0
    batches: int = 0
    calls: list[int] = field(default_factory=list)  # texts per level
    # One entry per generate() call: level (1 = the chunks), kind (final | intermediate), texts,
    # input and output tokens, seconds.
    passes: list[dict] = field(default_factory=list)


def merge_heads(texts: list[str], count: Callable[[str], int], window: int, groups: int) -> list[str]:
    """`texts` merged, in order, into `groups` texts of at most `window` tokens each: consecutive
    texts are joined after each is cut to its leading words within its share of the window."""
    size = math.ceil(len(texts) / groups)
    merged = []
    for start in range(0, len(texts), size):
        members = texts[start : start + size]
        share = max(1, window // len(members))
        joined = " ".join(head_within(t, count, share) for t in members)
        merged.append(head_within(joined, count, window))
    return merged


def next_level(
    outputs: list[str], count: Callable[[str], int], window: int, levels: int
) -> tuple[list[str], str | None]:
    """The texts an article's next pass summarizes (always fewer than `outputs`), and the
    fallback used to get there, if any."""
    packed = pack_texts(outputs, count, window) or [""]
    if len(packed) == 1 or (len(packed) < len(outputs) and levels < MAX_LEVELS - 1):
        return packed, None
    if levels >= MAX_LEVELS - 1:
        return merge_heads(outputs, count, window, 1), LEVEL_CAP
    return merge_heads(outputs, count, window, math.ceil(len(outputs) / 2)), TRIMMED


@dataclass
class _Article:
    """One article on its way through the levels."""

    pending: list[str]  # texts the next pass summarizes
    chunks: int
    levels: int = 0
    fallback: str | None = None
    result: SummaryResult | None = None


def _start(document: list[str], count: Callable[[str], int], window: int) -> _Article:
    chunks = pack_texts([s for p in document for s in split_sentences(p)], count, window)
    article = _Article(chunks, len(chunks))
    if not chunks:
        article.result = SummaryResult("", 0, 0)
    return article


def _advance(article: _Article, outputs: list[tuple[str, bool]], count: Callable[[str], int], window: int) -> None:
    """Take one pass's outputs for an article: its summary when one is left, else its next texts."""
    article.levels += 1
    if len(outputs) == 1:
        text, limited = outputs[0]
        article.result = SummaryResult(text, article.chunks, article.levels, limited, fallback=article.fallback)
        return
    texts = [text for text, _ in outputs if text] or [""]
    if len(texts) == 1:
        article.pending = texts
        return
    article.pending, fallback = next_level(texts, count, window, article.levels)
    if fallback and article.fallback != LEVEL_CAP:
        article.fallback = fallback


def summarize_texts(
    documents: list[list[str]], backend, on_progress: Callable[[int], None] | None = None
) -> tuple[list[SummaryResult], SummaryStats]:
    """Summarize documents given as lists of paragraphs; all texts at one level go in one
    generate() call per kind (intermediate, final: see the module's docstring)."""
    count = backend.counter()
    window = backend.max_input_tokens
    intermediate = getattr(backend, "intermediate_settings", None)  # None: every pass at the summary settings
    stats = SummaryStats()
    articles = [_start(doc, count, window) for doc in documents]
    progress = _ArticleProgress(on_progress, articles)
    while any(a.result is None for a in articles):
        flat = [(a, text) for a in articles if a.result is None for text in a.pending]
        texts, limits, errors = [""] * len(flat), [False] * len(flat), {}
        tick = progress.level(len(flat))
        for kind, rows in _passes(flat, intermediate is not None):
            options = {}
            if kind == "intermediate":  # each article's texts in batches of their own (module docstring)
                options = {"settings": intermediate, "groups": [id(flat[r][0]) for r in rows]}
            generated: Generated = backend.generate([flat[r][1] for r in rows], tick, **options)
            for row, text, limited in zip(rows, generated.texts, generated.hit_limit):
                texts[row], limits[row] = text, limited
            errors.update({rows[i]: why for i, why in generated.errors.items()})
            stats.input_tokens += generated.input_tokens
            stats.output_tokens += generated.output_tokens
            stats.batches += generated.batches
            stats.passes.append(
                {
                    "level": len(stats.calls) + 1,
                    "kind": kind,
                    "texts": len(rows),
                    "input_tokens": generated.input_tokens,
                    "output_tokens": generated.output_tokens,
                    "seconds": round(generated.seconds, 3),
                }
            )
        stats.calls.append(len(flat))
        by_article: dict[int, list[tuple[str, bool]]] = {}
        for index, ((article, _), text, limited) in enumerate(zip(flat, texts, limits)):
            by_article.setdefault(id(article), []).append((text, limited))
            if index in errors and article.result is None:
                article.result = SummaryResult("", article.chunks, article.levels, error=errors[index])
        for article in articles:
            if article.result is None and id(article) in by_article:
                _advance(article, by_article[id(article)], count, window)
        progress.level_done()
    return [a.result for a in articles if a.result is not None], stats


def _passes(flat: list[tuple[_Article, str]], split: bool) -> list[tuple[str, list[int]]]:
    """The level's generate() calls as (kind, rows of `flat`): `intermediate` for the texts of
    articles that have several (their outputs are read only by the next level), then `final`
    for each article's last text. Unsplit: one `final` call for all, as before."""
    if not split:
        return [("final", list(range(len(flat))))]
    final = [r for r, (article, _) in enumerate(flat) if len(article.pending) == 1]
    last = set(final)
    intermediate = [r for r in range(len(flat)) if r not in last]
    return [(kind, rows) for kind, rows in (("intermediate", intermediate), ("final", final)) if rows]


class _ArticleProgress:
    """Progress in articles, not chunks: a level's chunks move the unfinished articles halfway to
    done; an article whose summary is final (or failed) gets the rest when its level ends."""

    def __init__(self, on_progress: Callable[[int], None] | None, articles: list) -> None:
        self.on_progress, self.articles = on_progress, articles  # each with its `result` (None: not done)
        self.share = 0.0  # what each unfinished article has been credited so far
        self.open = [d for d, a in enumerate(articles) if a.result is None]

    def level(self, texts: int) -> Callable[[int], None] | None:
        if self.on_progress is None or not texts:
            return None
        step = len(self.open) * (1 - self.share) / 2 / texts
        return lambda n: self.on_progress(n * step)  # type: ignore[misc]

    def level_done(self) -> None:
        finished = [d for d in self.open if self.articles[d].result is not None]
        if self.on_progress and finished:
            self.on_progress(len(finished) * (1 - self.share) / 2)  # type: ignore[arg-type]
        self.open = [d for d in self.open if self.articles[d].result is None]
        self.share += (1 - self.share) / 2


def document_text(paragraphs: list[str]) -> str:
    """The text a summary is made from, and cached under."""
    return "\n\n".join(paragraphs)


def summarize_articles(
    documents: list[list[str]], backend, cache=None, on_progress: Callable[[int], None] | None = None
) -> tuple[list[SummaryResult], SummaryStats]:
    """Summaries of documents, taken from the cache where this summarizer made them before."""
    texts = [document_text(doc) for doc in documents]
    by_text = dict(zip(texts, documents))
    stats = SummaryStats()

    def make(todo: list[str]) -> Made:
        nonlocal stats
        if on_progress:  # articles whose summary is cached count as done
            waiting = set(todo)
            if len(waiting) < len(set(texts)):
                on_progress(sum(1 for t in texts if t not in waiting))
        fresh, stats = summarize_texts([by_text[t] for t in todo], backend, on_progress)
        return {
            t: r.error
            or Cached(r.text, r.hit_limit, json.dumps({"chunks": r.chunks, "levels": r.levels, "fallback": r.fallback}))
            for t, r in zip(todo, fresh)
        }

    plan = getattr(on_progress, "plan", None)  # jobs.progress.Task: the "to do" line; the bar counts articles
    run = generate_cached(
        texts,
        make,
        cache=cache,
        key=backend.identity.key() if cache is not None else "",
        on_plan=(lambda todo, cached: plan(todo, cached, resize=False)) if plan else None,
    )
    results = []
    for text in texts:
        if text in run.failed:
            results.append(SummaryResult("", 0, 0, error=run.failed[text]))
            continue
        entry = run.outputs[text]
        shape = json.loads(entry.meta or "{}")
        results.append(
            SummaryResult(
                entry.output,
                shape.get("chunks", 0),
                shape.get("levels", 0),
                entry.hit_limit,
                fallback=shape.get("fallback"),
            )
        )
    return results, stats
