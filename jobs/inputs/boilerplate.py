"""Boilerplate lines ("Continue reading...", "Related: ...", "The post ... appeared first on ...") and teasers.

Feeds and pages add lines to a story that are about the feed or the site, not the story; they
never become paragraphs. A description that ends in such a "read more" link, or is too short to be a whole
story, is a teaser: it stands for the article instead of being it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from jobs.inputs.prose import prose_words

# A whole paragraph that is only about the feed or the site, not the story: "read more" links,
# related-story lines, newsletter and app prompts, copyright lines, a bare URL.
_BOILERPLATE_PARAGRAPH = re.compile(
    r"^(?:"
    r"(?:continue|keep) reading\b.*"
    r"|(?:read|see) (?:more|also|the (?:full|whole|rest)\b).*"
    r"|related(?: (?:post|posts|stories|story|articles|article|coverage|reading|content))?\s*[:\-–—].*"
    r"|(?:you )?(?:may|might) also (?:like|be interested)\b.*"
    r"|the post\b.+\bappeared first on\b.*"
    r"|.{0,200}\bwas (?:originally|first) published\b.{0,200}"
    r"|.{0,120}\b(?:by )?click(?:ing)? here\b.{0,80}"
    r"|follow .{0,80}\b(?:full coverage|on twitter|on facebook|on instagram)\b.*"
    r"|thanks? (?:you )?for signing up\b.*|sign up (?:for|to) (?:our|the) .{0,40}newsletter\b.*"
    r"|keep an eye on your inbox\b.*|there was an error processing your subscription\b.*"
    r"|(?:copyright\b|©|\(c\) ).{0,150}|.{0,150}\ball rights reserved\b.{0,40}"
    r"|leggi anche\b.*|lire aussi\b.*|lesen sie auch\b.*|читайте также\b.*|.{0,80}무단\s*전재.{0,40}"
    # the same pointers to other stories in the languages of the pages read so far
    r"|(?:à )?(?:lire|voir) (?:aussi|également)\b.*|sur le même sujet\b.{0,80}"
    r"|(?:schon gelesen|auch interessant|das könnte sie auch interessieren|lust auf mehr)\b.{0,80}"
    # (these open sentences too, "Weitere Nachrichten gab es nicht.": a pointer ends without a full stop)
    r"|(?:mehr|weitere) (?:zum thema|themen|beiträge|artikel|nachrichten)\b.{0,80}(?<!\.)"
    r"|empfohlene (?:beiträge|artikel)\b.{0,80}(?<!\.)|más (?:sobre|noticias)\b.{0,80}(?<!\.)"
    r"|(?:te|le) puede(?:n)? interesar\b.*|(?:lee|lea) también\b.*"
    r"|leia (?:também|mais)\b.*|potrebbe interessarti\b.*|смотрите также\b.*|по теме\s*:.*"
    r"|(?:share|teilen|partager|compartir|condividi)(?: (?:this|on|mit|via|sur|en))?\s*:?"
    r"|(?:rate|bewerten|bewertung)(?: this(?: article)?)?\s*:"
    # picture credits ("Foto: dpa", "Titelbild: Flickr, CC BY 2.0", "Crédits photos : Bestimage")
    r"|(?:images?|photos?|pictures?|bild|bilder|fotos?|titelbild|bildquelle|bildnachweis|fotonachweis"
    r"|crédits? photos?|crédit|credits?|photo credits?|image credits?|illustration)"
    r"(?: illustrative| de couverture| oben| unten)?\s*[:©].{0,200}"
    r"|https?://\S+"
    # credits, contact lines and prompts that close a story rather than tell it
    r"|\(?(?:additional |with )?(?:reporting|writing|editing|research) by\b.{0,300}"
    r"|.{0,200}\bcontributed (?:reporting|to this (?:report|story|article))\b.{0,80}"
    r"|(?:write to|email|e-mail|contact|reach) .{0,80}(?:\S+@\S+|\bon twitter\b).{0,120}"
    r"|.{0,200}\bfollow (?:him|her|them|us|me) (?:on|@)\b.{0,200}"
    r"|.{0,300}\(\S+@\S+\.\w+\).{0,300}|\S+@\S+\.\w+"
    r"|have a (?:news )?tip\b.*|like this (?:story|article)\b.*|if you (?:enjoyed|liked) this\b.*"
    r"|(?:get|sign up for) (?:the latest|our|the day's)\b.{0,80}\b(?:inbox|newsletters?)\b.*"
    r"|subscribe (?:to|for|now)\b.*|this copy is for your personal\b.*|an error has occurred\b.*"
    r"|this article has been sent to\b.*|if you (?:buy|purchase) something through\b.*"
    r"|(?:how to )?listen(?: to| back| here| now| live)\b.{0,60}|(?:listen|download|itunes|spotify|podcast)\s*:.*"
    r"|(?:filed under|tags?|topics?)\s*:.{0,100}|(?:source|quelle|fuente|fonte)\s*:\s*\S+(?:\s+\S+){0,4}"
    r"|(?:most read|most popular|trending|recommended|popular)(?: in| on| stories| now| articles)?\b.{0,40}"
    r"|(?:updated|published|posted|last updated)(?: at| on)?\s*:?\s*[\d\w,:. ]{0,40}"
    r"|(?:reading time|tempo de leitura|lesezeit|temps de lecture|tiempo de lectura)\b.{0,30}"
    r"|\d+\s*(?:comments?|kommentare|comentarios|commenti)"
    r"|[=*_~#\-–—.·•]{3,}"
    r"|(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.)"
    r")$",
    re.IGNORECASE,
)
# A "read more" link or a bracketed ellipsis at the end of a paragraph of story text.
_BOILERPLATE_TAIL = re.compile(
    r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]|(?:continue|keep) reading\b.{0,80}|read more\b.{0,40})$",
    re.IGNORECASE,
)
_MAX_BOILERPLATE_WORDS = 40  # longer paragraphs are story text, whatever words they hold
# A label that introduces what follows it ("More topics:", "Image source:", "Lue seuraavaksi:"):
# as the story's last paragraph it introduces nothing the reader gets (a link list, a widget, a
# credit the page cut off), in any language, so it goes.
_LABEL = re.compile(r"^[^\W\d_][^:：.!?。！？]{0,40}[:：]$")
_LABEL_MAX_WORDS = 4
# A description shorter than this, or in fewer paragraphs, is a teaser rather than a story.
TEASER_MAX_WORDS = 100
TEASER_MAX_PARAGRAPHS = 2


@dataclass(frozen=True)
class Stripped:
    """An item's paragraphs without feed boilerplate, and whether they were cut off ("read more")."""

    paragraphs: tuple[str, ...]
    truncated: bool


def strip_boilerplate(paragraphs: Sequence[str]) -> Stripped:
    """The paragraphs without feed boilerplate lines, trailing "read more" links or ellipses, and
    labels left dangling at the end."""
    kept: list[str] = []
    truncated = False
    for paragraph in paragraphs:
        if len(paragraph.split()) <= _MAX_BOILERPLATE_WORDS and _BOILERPLATE_PARAGRAPH.match(paragraph):
            truncated = truncated or _is_read_more(paragraph)
            continue
        tail = _BOILERPLATE_TAIL.search(paragraph)
        if tail:
            truncated = True
            paragraph = paragraph[: tail.start()].rstrip()
        if paragraph:
            kept.append(paragraph)
    return Stripped(_without_trailing_labels(kept), truncated)


def _without_trailing_labels(kept: list[str]) -> tuple[str, ...]:
    """`kept` without the labels (_LABEL) after its last paragraph of running prose: "Kontakt:",
    "Weitere Informationen:" over the contact lines and links that close a story label no part of it."""
    last = max((i for i, paragraph in enumerate(kept) if prose_words([paragraph])), default=-1)
    tail = [p for p in kept[last + 1 :] if not (len(p.split()) <= _LABEL_MAX_WORDS and _LABEL.match(p))]
    return (*kept[: last + 1], *tail)


def is_teaser(stripped: Stripped) -> bool:
    """Whether a feed description stands for its story rather than holding it."""
    words = sum(len(p.split()) for p in stripped.paragraphs)
    cut_off = bool(stripped.paragraphs) and stripped.paragraphs[-1].endswith(("…", "..."))
    return (
        stripped.truncated or cut_off or words < TEASER_MAX_WORDS or len(stripped.paragraphs) <= TEASER_MAX_PARAGRAPHS
    )


def _is_read_more(paragraph: str) -> bool:
    lowered = paragraph.casefold()
    return lowered.startswith(("continue reading", "keep reading", "read more", "read the")) or lowered in (
        "…",
        "...",
    )
