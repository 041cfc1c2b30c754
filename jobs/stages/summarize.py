"""English summaries, one per article, by map-reduce over chunks that fit the model's window.

An article longer than the window is split on sentence boundaries into chunks; every chunk of
every article is summarized in one batched pass, then each article's chunk summaries are joined
and summarized again, level by level, until one summary is left. Nothing is truncated.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from jobs.backends.base import Generated
from jobs.stages.cache import Cached
from jobs.stages.generation import Made, generate_cached
from jobs.stages.segment import pack_texts, split_sentences


@dataclass
class SummaryResult:
    """One article's summary and how it was reached."""

    text: str
    chunks: int  # chunks at the first level
    levels: int  # summarization passes (1 when the article fits the window)
    hit_limit: bool = False
    error: str | None = None  # why there is no summary (a model batch kept failing)


@dataclass
class SummaryStats:
    input_tokens: int = 0
    output_tokens: int = 0
    batches: int = 0
    calls: list[int] = field(default_factory=list)  # texts per level


def summarize_texts(
    documents: list[list[str]], backend, on_progress: Callable[[int], None] | None = None
) -> tuple[list[SummaryResult], SummaryStats]:
    """Summarize documents given as lists of paragraphs; all chunks at one level go in one batch."""
    count = backend.counter()
    window = backend.max_input_tokens
    stats = SummaryStats()
    # Each document is a list of texts still to summarize; one text left after a pass = done.
    pending = [pack_texts([s for p in doc for s in split_sentences(p)], count, window) for doc in documents]
    first_chunks = [len(chunks) for chunks in pending]
    levels = [0] * len(documents)
    results: list[SummaryResult | None] = [None if chunks else SummaryResult("", 0, 0) for chunks in pending]
    progress = _ArticleProgress(on_progress, results)
    while any(r is None for r in results):
        flat = [(d, text) for d, chunks in enumerate(pending) if results[d] is None for text in chunks]
        generated: Generated = backend.generate([text for _, text in flat], progress.level(len(flat)))
        stats.input_tokens += generated.input_tokens
        stats.output_tokens += generated.output_tokens
        stats.batches += generated.batches
        stats.calls.append(len(flat))
        by_doc: dict[int, list[tuple[str, bool]]] = {}
        for index, ((d, _), text, limited) in enumerate(zip(flat, generated.texts, generated.hit_limit)):
            by_doc.setdefault(d, []).append((text, limited))
            if index in generated.errors and results[d] is None:
                results[d] = SummaryResult("", first_chunks[d], levels[d], error=generated.errors[index])
        for d, outputs in by_doc.items():
            if results[d] is not None:  # failed at this level
                continue
            levels[d] += 1
            if len(outputs) == 1:
                text, limited = outputs[0]
                results[d] = SummaryResult(text, first_chunks[d], levels[d], limited)
            else:
                pending[d] = pack_texts([text for text, _ in outputs if text], count, window) or [""]
        progress.level_done()
    return [r for r in results if r is not None], stats


class _ArticleProgress:
    """Progress in articles, not chunks: a level's chunks move the unfinished articles halfway to
    done; an article whose summary is final (or failed) gets the rest when its level ends."""

    def __init__(self, on_progress: Callable[[int], None] | None, results: list) -> None:
        self.on_progress, self.results = on_progress, results
        self.share = 0.0  # what each unfinished article has been credited so far
        self.open = [d for d, r in enumerate(results) if r is None]

    def level(self, texts: int) -> Callable[[int], None] | None:
        if self.on_progress is None or not texts:
            return None
        step = len(self.open) * (1 - self.share) / 2 / texts
        return lambda n: self.on_progress(n * step)  # type: ignore[misc]

    def level_done(self) -> None:
        finished = [d for d in self.open if self.results[d] is not None]
        if self.on_progress and finished:
            self.on_progress(len(finished) * (1 - self.share) / 2)  # type: ignore[arg-type]
        self.open = [d for d in self.open if self.results[d] is None]
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
            t: r.error or Cached(r.text, r.hit_limit, json.dumps({"chunks": r.chunks, "levels": r.levels}))
            for t, r in zip(todo, fresh)
        }

    run = generate_cached(texts, make, cache=cache, key=backend.identity.key() if cache is not None else "")
    results = []
    for text in texts:
        if text in run.failed:
            results.append(SummaryResult("", 0, 0, error=run.failed[text]))
            continue
        entry = run.outputs[text]
        shape = json.loads(entry.meta or "{}")
        results.append(SummaryResult(entry.output, shape.get("chunks", 0), shape.get("levels", 0), entry.hit_limit))
    return results, stats
