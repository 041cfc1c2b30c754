"""Running prose: how many words of a text read as sentences, and the minimum each input kind needs.

The one "is this an article" test that pages, feed items and text files share (not_prose_reason):
a front page's labels and one teaser, a release feed's version number or a list of links is not
an article's text, whatever the input kind.
"""

from __future__ import annotations

from collections.abc import Sequence

# The least running prose an article page has: a news brief has more; a front page's labels and
# one teaser, a release feed's version number, a link list have less. Measured: the shortest real
# articles seen (the corpus and 250 other pages of trafilatura's evaluation set) have 45, 49 and 57
# words of it; CNN's front page (labels and two standfirsts) 31, a page announcing a download 29.
MIN_PROSE_WORDS = 40
# A feed item's own content needs at least one real sentence: items are often briefs, and their
# page is the article; "2.0.1" or "Format fixing." is not one.
MIN_ITEM_PROSE_WORDS = 12
PROSE_MIN_PARAGRAPH_WORDS = 6
# A text file's article (plain, Markdown or a news page's) needs one sentence of prose: it is the
# article's text as someone chose to give it, with no site chrome that extraction could pick up;
# "2.0.1", a row of labels or a list of links is not one.
MIN_TEXT_PROSE_WORDS = PROSE_MIN_PARAGRAPH_WORDS
PROSE_MIN_LETTER_SHARE = 0.6
PROSE_RUN_ON_WORDS = 25
# A paragraph with this many separators ("|", "·", "•"), one or more every LABEL_RUN_WORDS words, is
# a row of labels or links.
_LABEL_SEPARATORS = frozenset("|·•¦")
MIN_LABEL_SEPARATORS = 3
LABEL_RUN_WORDS = 6


def prose_words(paragraphs: Sequence[str]) -> int:
    """Words of running prose: paragraphs that read as sentences, not labels, numbers or link lists.

    A paragraph is prose when it has PROSE_MIN_PARAGRAPH_WORDS words or more, at least
    PROSE_MIN_LETTER_SHARE of them made of letters (not "2.0.1", dates, prices), is not a row of
    labels ("News | Sport | Weather | ..."), and it ends a sentence or runs on for
    PROSE_RUN_ON_WORDS words. A sentence broken over two paragraphs (a line break in the page)
    counts when its first part is such a paragraph and its second ends it. Scripts without spaces
    between words count by characters (_unspaced_words).
    """
    total = 0
    carried = 0  # the words of a paragraph that may be the first part of a broken sentence
    for paragraph in paragraphs:
        words, sentence_like, ends = _prose_shape(paragraph)
        if carried and ends:
            total += carried + words
            carried = 0
        elif sentence_like and (ends or words >= PROSE_RUN_ON_WORDS):
            total += words
            carried = 0
        else:
            carried = words if sentence_like else 0
    return total


# Sentence ends: Latin and CJK, the Devanagari danda (Hindi), Urdu, Arabic, Armenian, Ethiopic,
# Burmese, Khmer and Tibetan full stops. Thai and Lao mark none: their paragraphs count by length.
_SENTENCE_ENDS = (".", "!", "?", "…", "。", "！", "？", "।", "॥", "۔", "؟", "։", "።", "፧", "။", "។", "៕", "།")


def _unspaced_words(paragraph: str) -> int:
    """Words of scripts written without spaces between words: Chinese and Japanese two characters a
    word, Korean syllables likewise; Thai, Lao, Burmese, Khmer and Tibetan four characters (vowel
    marks included) a word."""
    cjk = sum(1 for ch in paragraph if "\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")
    southeast = sum(
        1 for ch in paragraph if "\u0e00" <= ch <= "\u0fff" or "\u1000" <= ch <= "\u109f" or "\u1780" <= ch <= "\u17ff"
    )
    return cjk // 2 + southeast // 4


def word_count(paragraph: str) -> int:
    """A paragraph's words, in scripts with spaces between words and without (_unspaced_words)."""
    return max(len(paragraph.split()), _unspaced_words(paragraph))


def _prose_shape(paragraph: str) -> tuple[int, bool, bool]:
    """A paragraph's words, whether it is shaped like a sentence (long enough, of letters, not a
    row of labels) and whether it ends like one."""
    tokens = paragraph.split()
    unspaced = _unspaced_words(paragraph)
    words = word_count(paragraph)
    lettered = sum(1 for token in tokens if any(ch.isalpha() for ch in token)) + unspaced
    separators = sum(1 for token in tokens if token in _LABEL_SEPARATORS)
    labels = separators >= MIN_LABEL_SEPARATORS and separators * LABEL_RUN_WORDS >= words
    sentence_like = words >= PROSE_MIN_PARAGRAPH_WORDS and lettered >= PROSE_MIN_LETTER_SHARE * words and not labels
    ends = paragraph.rstrip("\"'”’»)] ").endswith(_SENTENCE_ENDS)
    return words, sentence_like, ends


def not_prose_reason(paragraphs: Sequence[str], minimum: int = MIN_PROSE_WORDS) -> str | None:
    """Why a text is not an article's (too little running prose), or None when it has enough.

    The one test every input kind shares, with the minimum of its kind: pages MIN_PROSE_WORDS (a
    front page's labels and one teaser), a feed item's own content MIN_ITEM_PROSE_WORDS (a release
    feed's "2.0.1"; the item's page is read instead), text files MIN_TEXT_PROSE_WORDS.
    """
    found = prose_words(paragraphs)
    if found < minimum:
        return f"too little running prose ({found} words in sentences, under {minimum})"
    return None
