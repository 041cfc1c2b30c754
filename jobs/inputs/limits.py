"""Size limits of one read, applied before a text is split, parsed or tokenized, so that memory
stays bounded by the input's size and not by what it decompresses or parses to."""

from __future__ import annotations

from dataclasses import dataclass

CHARS_PER_WORD = 25  # an article's characters allowed per word of max_article_words: far over any real text


@dataclass(frozen=True)
class ReadLimits:
    """The defaults suit an hourly news job; tests shrink them."""

    max_input_bytes: int = 100 * 1000**2  # one file, once decompressed (max_input_mb in the config)
    max_article_chars: int = 20_000 * CHARS_PER_WORD  # one article, before it is split into paragraphs
    max_feed_items: int = 200  # the newest entries of one feed read (--max-feed-items)

    @classmethod
    def for_words(cls, max_article_words: int, **limits: int) -> ReadLimits:
        """Limits whose article size follows the config's max_article_words."""
        return cls(max_article_chars=max_article_words * CHARS_PER_WORD, **limits)


def size_text(count: int) -> str:
    """A byte count for messages, e.g. '100 MB'."""
    return f"{count / 1000**2:.4g} MB" if count >= 1000**2 else f"{count:,} bytes"


def article_too_long(title: str, chars: int, limit: int) -> str:
    """The message for an article over the size limit, shared by every parser that checks early."""
    shown = title if len(title) <= 80 else title[:77] + "..."
    return (
        f"article {shown!r} is {chars:,} characters long, over the limit of {limit:,} "
        "(25 per word of max_article_words in the config); skipped unread"
    )
