"""Screening: set aside articles the models must not get, each a listed problem naming the article."""

from __future__ import annotations

import datasets

from jobs.config import JobConfig
from jobs.errors import InputProblem

MIN_LANGUAGE_CONFIDENCE = 0.5


def screen_articles(articles: datasets.Dataset, config: JobConfig) -> tuple[datasets.Dataset, list[InputProblem]]:
    """Set aside articles the models must not get: far too long or too short, or not in the source language."""
    from jobs.quality.language import detect_language, language_name

    keep: list[int] = []
    problems: list[InputProblem] = []
    for index, article in enumerate(articles):
        where = {"file": article["source_file"], "line": article["source_line"], "article_id": article["id"]}
        words = sum(len(p.split()) for p in article["paragraphs"])
        if words > config.max_article_words:
            problems.append(
                InputProblem(
                    **where,
                    message=(
                        f"article {article['id']!r} has {words:,} words, over the limit of {config.max_article_words:,} "
                        f"(max_article_words in the config); skipped"
                    ),
                )
            )
            continue
        if words < config.min_article_words:
            message = (
                f"article {article['id']!r} has {words:,} words, under the minimum of {config.min_article_words:,} "
                f"(--min-words, min_article_words in the config); skipped"
            )
            problems.append(InputProblem(**where, message=message))
            continue
        lang, confidence = detect_language(article["title"] + "\n" + "\n".join(article["paragraphs"][:5]))
        if lang != config.source_lang and confidence >= MIN_LANGUAGE_CONFIDENCE:
            problems.append(
                InputProblem(
                    **where,
                    message=(
                        f"article {article['id']!r} looks like {language_name(lang)} ({lang}, confidence {confidence:.2f}), "
                        f"not the source language {config.source_lang!r}; skipped"
                    ),
                )
            )
            continue
        keep.append(index)
    return (articles if len(keep) == len(articles) else articles.select(keep)), problems
