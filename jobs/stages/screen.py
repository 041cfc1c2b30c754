"""Screening: set aside articles the models must not get, each a listed problem naming the article."""

from __future__ import annotations

import logging

import datasets

from jobs.config import JobConfig, environment
from jobs.errors import InputProblem
from jobs.quality import rules_version
from jobs.stages.cache import Cache, remembered

MIN_LANGUAGE_CONFIDENCE = 0.5
log = logging.getLogger("jobs")


def screen_articles(
    articles: datasets.Dataset, config: JobConfig, cache: Cache | None = None
) -> tuple[datasets.Dataset, list[InputProblem]]:
    """Set aside articles the models must not get: far too long or too short, or not in the source language.

    The detected languages are kept in the cache (filed under the QA code's version): an hourly
    run detects only the articles it has not seen before. JOBS_LANGUAGE_CHECK=0 skips the language
    check (lingua and its language models need not be installed: the GPU benchmark sets it)."""
    from jobs.quality.language import detect_language, language_name

    rows = articles.select_columns(["id", "source_file", "source_line", "title", "paragraphs"]).to_list()
    problems: dict[int, InputProblem] = {}
    for index, article in enumerate(rows):
        words = sum(len(p.split()) for p in article["paragraphs"])
        if words > config.max_article_words:
            problems[index] = _problem(
                article,
                f"has {words:,} words, over the limit of {config.max_article_words:,} (max_article_words in the config)",
            )
        elif words < config.min_article_words:
            problems[index] = _problem(
                article,
                f"has {words:,} words, under the minimum of {config.min_article_words:,} "
                "(--min-words, min_article_words in the config)",
            )
    sized = [i for i in range(len(rows)) if i not in problems]
    samples = [rows[i]["title"] + "\n" + "\n".join(rows[i]["paragraphs"][:5]) for i in sized]
    if not environment().language_check:  # JOBS_LANGUAGE_CHECK=0: every article taken as the source language
        log.warning("JOBS_LANGUAGE_CHECK=0: the articles' language is not checked")
        samples = []
    detected = remembered(cache, f"screen-language:{rules_version()}", samples, lambda i: detect_language(samples[i]))
    for index, (lang, confidence) in zip(sized, detected):
        if lang != config.source_lang and confidence >= MIN_LANGUAGE_CONFIDENCE:
            problems[index] = _problem(
                rows[index],
                f"looks like {language_name(lang)} ({lang}, confidence {confidence:.2f}), "
                f"not the source language {config.source_lang!r}",
            )
    keep = [i for i in range(len(rows)) if i not in problems]
    listed = [problems[i] for i in sorted(problems)]
    return (articles if len(keep) == len(rows) else articles.select(keep)), listed


def _problem(article: dict, what: str) -> InputProblem:
    return InputProblem(
        file=article["source_file"],
        line=article["source_line"],
        article_id=article["id"],
        message=f"article {article['id']!r} {what}; skipped",
    )
