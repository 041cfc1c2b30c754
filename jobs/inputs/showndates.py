"""The days a page shows for its article: where a reader sees the article's date.

- the article's own `<time>` elements (never a comment's, a teaser's or a list item's);
- its dateline: the text right after the headline (DATELINE_CHARS); further before it than its
  kicker line (below), a site's header shows today's date; a date in running prose there (a sentence that mentions a day: "the
  centre was opened on 18 October 2021") is not a dateline unless it opens the paragraph; the
  opening of one of the first OPENING_PARAGRAPHS paragraphs of prose is, further on too ("29.11.2022
  – Mehrfach ..." after a standfirst);
- the first element after the headline marked as a date (its class: "date", "datum",
  "published", ...), within MARKED_DATE_CHARS;
- a date shown in the headline element itself (`<h1>Headline <small>02.02.2022</small></h1>`);
- its kicker line: a date right before the headline (KICKER_CHARS: "19.11.2021 Lockdown: ..."), in
  its article, never in a site's <header> or <nav> that does not hold the headline (today's date)
  nor in running prose, read only in an order certain in every locale;
- anywhere on the page, a date labelled as the publication's ("Veröffentlicht am 5. April 2017",
  "Posted by Ann Lee on May 3, 2020", "Mise en ligne le 23 mai 2019"), outside comments, teasers,
  lists of other stories, figures and asides (labelled_publication_days).

A date labelled as something else is not the article's: "Updated: ...", "Deadline: ...",
"Stand: ..." (any "Label:" other than a publication's); nor is a date followed by a range of
hours: an event's ("30. März 2020, 13:15 Uhr - 19:00 Uhr").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from jobs.inputs.writtendates import dated_spans, fold

# What marks a <time> (its class, or its text's first word) as an update's, not the publication's.
UPDATE = re.compile(r"updated|modified|aktualisiert|actualiza|mis à jour|geändert|lastupdate|last-updated", re.I)
PUBLISHED_MARK = re.compile(r"publish|entry-date|pubdate|posted", re.I)
# Containers whose <time> belongs to something other than the article: comments, teasers, lists.
_FOREIGN = re.compile(r"comment|teaser|related|recommend|widget|list-?item|promo|more-?stories", re.I)
_PROMOTED = re.compile(r"(?<![\w-])(?:node-{1,2})?promoted(?![\w-])", re.I)  # Drupal's full story "node--promoted"
DATELINE_CHARS = 160  # how far after the headline's end a shown date is its dateline (not the standfirst's)
KICKER_CHARS = 60  # how far before the headline a shown date is its kicker's ("19.11.2021 Lockdown: ...")
OPENING_PARAGRAPHS = 2  # of the first paragraphs of prose after the headline, an opening date is its dateline
MARKED_DATE_CHARS = 1000  # how far after the headline an element marked as a date is the article's
# Class or id words that mark an element as showing a date.
_DATE_MARKS = frozenset({"date", "datum", "dateline", "pubdate", "publishdate", "published", "publish", "fecha"})
HEADER_WORDS = 60  # a headline's block of this many words or fewer is its header (kicker, date, source)
MARKED_DATE_WORDS = 12  # a longer element marked as a date is a container, not the date
_WORDS = re.compile(r"[\s_-]+")
PROSE_WORDS = 10  # a paragraph of this many words is running prose, not a date line
# The paragraph a text belongs to: a <p>, or a list item or quotation holding no blocks of its own
# (a forum post's <li> holding its author's box and its text is no paragraph).
_PARAGRAPH = (
    "ancestor-or-self::*[self::p or ((self::li or self::blockquote)"
    " and not(.//div or .//p or .//ul or .//ol or .//dl or .//table))][1]"
)
# Labels before a date that say it is the publication's ("Veröffentlicht am: 5. Juni 2023"),
# accents folded; any other "Label:" dates something else ("Deadline: 15. März 2020").
_PUBLISHED_LABELS_WORDS = (
    "published publish publication posted date dated datum veroffentlicht publiziert erschienen "
    "erstellt created written publie publicado publicada publicacion pubblicato pubblicata "
    "pubblicazione gepubliceerd geplaatst fecha stand am on le el il op"
)
_PUBLISHED_LABELS = frozenset(_PUBLISHED_LABELS_WORDS.split())
_LABEL = re.compile(r"([^\W\d_]+)\s*:\s*$")
# Weekdays that may stand between a label and its date ("Erstellt am Dienstag 6. Mai 2014"), accents folded.
_WEEKDAYS = (
    "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|monday|tuesday|wednesday|thursday|"
    "friday|saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miercoles|jueves|"
    "viernes|sabado|domingo"
)
# Labels before a date anywhere on the page that say it is the article's publication (accents
# folded, lower case): "veroffentlicht am", "erstellt von anna am", "posted by ann on", "mise en ligne",
# "gespeichert von anna am" (not "zuletzt gespeichert am": a save's).
_PUBLICATION_LABEL = re.compile(
    r"\b(?:veroffentlicht|publiziert|erschienen|erstellt|geschrieben|erscheinungsdatum|published|posted|written|"
    r"publie|publiee|mise en ligne|publicado|publicada|postado|pubblicato|pubblicata|gepubliceerd|geplaatst|"
    r"(?:submitted|gespeichert)(?=\s+(?:by|von)\s))\b"  # a CMS's "Submitted by Ann on", "Gespeichert von Ann am"
    r"(?:\s+(?:am|on|le|el|em|il|op|von\s+\S+(?:\s+\S+)?\s+am|by\s+\S+(?:\s+\S+)?\s+on))?\s*:?"
    rf"(?:\s*(?:{_WEEKDAYS}),?)?\s*$"
)
# A byline right before a date: "Von Julia Müller 28. Dezember 2022", "By Ann Lee | May 3, 2020",
# "Von Leonora Holling (21. November 2022)"
# (capital "Von", "By": the byline's first word, not a German noun after "von" in a teaser's title).
_BYLINE_BEFORE = re.compile(r"\b(?:Von|By|BY|Por|Par)(?:\s+(?:[A-Z][\w'-]*|[A-Z]\.)){1,3}\s*[|,•·–(-]?\s*$")
# A date followed by a range of hours: an event's ("30. März 2020, 13:15 Uhr - 19:00 Uhr", "May 3, 2020, 7-9 pm").
_TIME_RANGE = re.compile(
    r"[^\n]{6,30}?\b\d{1,2}(?:[:.]\d{2})?\s*(?:uhr|h|am|pm|a\.\s?m\.|p\.\s?m\.)?\s*(?:-|–|—|bis|to|until)\s*\d{1,2}(?:[:.]\d{2})?\s*(?:uhr|h|am|pm)?\b",
    re.I,
)
_NOT_TEXT = ("script", "style", "noscript", "template", "head", "title", "blockquote")
_UPDATE_BEFORE = re.compile(rf"(?:{UPDATE.pattern})\w*:?[^0-9]{{0,25}}$", re.I)


def labelled_as_update(element: Any) -> bool:
    """Whether the text just before an element in its parent labels it as an update's date
    ("<span>Updated <time datetime=...>Jul 24, 2018</time></span>")."""
    parent = element.getparent()
    if parent is None:
        return False
    before = [parent.text or ""]
    for sibling in parent:
        if sibling is element:
            break
        before += [sibling.text_content() if isinstance(sibling.tag, str) else "", sibling.tail or ""]
    return bool(_UPDATE_BEFORE.search(fold(" ".join("".join(before).split())[-40:])))


def foreign(element: Any, itself: bool = False, around: Any = None) -> bool:
    """Whether an element lies in a comment, a teaser, a list of other stories, a figure or an aside;
    `around`: the headline, whose own containers are the article's whatever their class (a blog's
    post in its "widget Blog")."""
    own = {around, *around.iterancestors()} if around is not None else set()  # the headline's containers
    for ancestor in [element, *element.iterancestors()] if itself else element.iterancestors():
        if ancestor.tag in ("body", "html"):  # their classes describe the whole page's layout
            break
        if ancestor in own:
            break
        if _foreign_itself(ancestor):
            return True
    return False


def _foreign_itself(element: Any, labelled: bool = False) -> bool:
    """Whether an element is itself a comment, a teaser, a list of other stories, a figure or an
    aside; `labelled`: for a label's text, where a content system's "node-promoted" (a story
    promoted to the front page, the full story's own class) is no promo."""
    if element.tag in ("aside", "nav", "figure", "figcaption"):
        return True
    marks = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(_FOREIGN.search(_PROMOTED.sub(" ", marks) if labelled else marks))


def labelled_publication_days(tree: Any, locale: str = "", headline: Any = None) -> set[str]:
    """The days the page labels, anywhere, as its article's publication ("Veröffentlicht am 5.
    April 2017", "Erstellt von Anna am Dienstag ...", "Posted by Ann on May 3, 2020", "Mise en
    ligne le ..."; not "By Ann Updated May 6, 2019"), outside comments, teasers, lists of other
    stories, figures, asides and quotations; the <article> that holds the `headline` is the story's
    whatever its class ("single-promotion")."""
    own = set(headline.iterancestors("article")) if headline is not None else set()
    text = " ".join(" ".join(_page_texts(tree, own)).split())
    days = set()
    for day, start in dated_spans(text, locale):
        before = fold(text[max(0, start - 40) : start])
        if _UPDATE_BEFORE.search(before):
            continue  # "By Ann Lee Updated May 6, 2019": the update's day
        if _PUBLICATION_LABEL.search(before.lower()) or _BYLINE_BEFORE.search(before):
            days.add(day)
    return days


def _page_texts(tree: Any, own: set[Any]) -> list[str]:
    """The texts of the page's body in reading order, without scripts and foreign containers other
    than the headline's `own` <article>; of the whole document when it has no <body> (text printed above <!DOCTYPE>)."""
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    body = next(iter(tree.xpath("//body")), root)
    texts: list[str] = []
    walk = etree.iterwalk(body, events=("start", "end"))
    for event, element in walk:  # a skipped element still ends: its tail is its parent's text
        if event == "end":
            texts.append(element.tail or "" if element is not body else "")
        elif element is not body and element not in own and _not_text(element):
            walk.skip_subtree()
            texts.append(" ")
        else:
            texts.append(element.text or "")
    return texts


def _not_text(element: Any) -> bool:
    """Whether an element holds no text of the article's own: a script, a foreign container, a
    quotation (an embedded post's "Posted by Ann on Monday, February 7, 2022" dates the post)."""
    return not isinstance(element.tag, str) or element.tag in _NOT_TEXT or _foreign_itself(element, labelled=True)


def article_times(tree: Any, headline: Any = None) -> list[Any]:
    """The article's own <time> elements: the first marked pubdate or datePublished, else those in the headline's
    <article> (or, with no such article, outside every <article>), never in a list item, a comment,
    a teaser or a related block; the first of them, and any marked as the publication's."""
    marked = [t for t in tree.xpath("//time[@pubdate or @itemprop='datePublished']") if not foreign(t)]
    if marked:
        return marked[:1]
    scope = headline.xpath("ancestor::article[1]") if headline is not None else []
    if scope:
        candidates = [t for t in scope[0].iter("time") if t.xpath("ancestor::article[1]")[0] is scope[0]]
    else:
        candidates = tree.xpath("//time[not(ancestor::article)]")
        if not candidates and len(tree.xpath("//article")) == 1:
            candidates = tree.xpath("//article//time")
    own = [t for t in candidates if not foreign(t)]
    return own[:1] + [
        t for t in own[1:] if PUBLISHED_MARK.search(t.get("class", "")) or UPDATE.search(t.get("class", ""))
    ]


def shown_days(headline: Any, locale: str = "") -> set[str]:
    """The days the page shows around its headline: its dateline, its first element marked as a
    date, and a date in the headline element itself; set() without a headline."""
    if headline is None:
        return set()
    line, marked = _after_headline(headline)
    days = labelled_days(" ".join(line), locale) | labelled_days(marked, locale)
    days |= _marked_before(headline, locale)
    kicker = _before_headline(headline)
    days |= {day for day, start in labelled_spans(kicker) if start >= len(kicker) - KICKER_CHARS}  # order certain
    for child in headline:  # "Headline<br><small>02.02.2022 • Press</small>": not the headline's words
        if isinstance(child.tag, str):
            days |= labelled_days(" ".join(child.text_content().split()), locale)
    return days


def labelled_days(text: str, locale: str = "") -> set[str]:
    """The days written in a text, without those labelled as something else than the publication's
    ("Updated: 11.04.2020", "Deadline: 15. März 2020")."""
    return {day for day, _start in labelled_spans(text, locale)}


def labelled_spans(text: str, locale: str = "") -> list[tuple[str, int]]:
    """The days of labelled_days, each with where it starts in the text."""
    spans = []
    for day, start in dated_spans(text, locale):
        before = fold(text[max(0, start - 40) : start])
        label = _LABEL.search(before)
        if _UPDATE_BEFORE.search(before) or (label and label.group(1).lower() not in _PUBLISHED_LABELS):
            continue
        if _TIME_RANGE.match(text, start):
            continue  # "30. März 2020, 13:15 - 19:00 Uhr": an event's day
        spans.append((day, start))
    return spans


def dateline(headline: Any = None) -> str:
    """The text right after the headline element (DATELINE_CHARS), where pages print the
    article's date; not before it, where a site's header shows today's."""
    return " ".join(_after_headline(headline)[0]) if headline is not None else ""


def _in_scope(headline: Any, nodes: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
    """The text nodes of `nodes` (with their elements) in the headline's <article> (_scope), outside
    scripts, styles and foreign containers (comments, teasers, asides)."""
    scope, lenient = _scope(headline)
    for node in nodes:
        parent = node.getparent()
        if parent is None or parent.tag in ("script", "style", "noscript"):
            continue
        nearest = next(iter(parent.xpath("ancestor-or-self::article[1]")), None)
        if nearest is not scope and not (lenient and nearest is None):
            continue
        if foreign(parent, True, scope if lenient and nearest is scope else headline):  # the story's article: its own
            continue
        yield node, parent


def _after_headline(headline: Any) -> tuple[list[str], str]:
    """The texts after the headline up to DATELINE_CHARS (scripts, styles, comments, teasers, other
    <article>s than the headline's left out; of a paragraph of running prose only its opening), and
    the text of the first element marked as a date within MARKED_DATE_CHARS."""
    line: list[str] = []
    size, prose, found = 0, set(), ""
    for node, parent in _in_scope(headline, headline.xpath("following::text()")):
        if size >= (DATELINE_CHARS if found else MARKED_DATE_CHARS):
            break
        marked = None if found else _date_marked(parent)
        if marked is not None and dated_spans(marked.text_content()):
            found = " ".join(marked.text_content().split())
        text = " ".join(str(node).split())
        if not text:
            continue
        advance = len(text) + 1
        block = next(iter(parent.xpath(_PARAGRAPH)), None)
        whole = " ".join(block.text_content().split()) if block is not None else text  # prose outside a <p>
        if len(whole.split()) >= PROSE_WORDS:  # running prose: only its opening can be a dateline
            if block is not None and block in prose:
                continue
            prose.add(block)
            text, advance = _opening(whole), len(whole) + 1
            if size >= DATELINE_CHARS and len(prose) <= OPENING_PARAGRAPHS and dated_spans(text):
                line.append(text)  # "29.11.2022 – Mehrfach ...", after a standfirst: a press release's dateline
        if text and size < DATELINE_CHARS:
            line.append(text)
        size += advance
    return line, found


def _before_headline(headline: Any) -> str:
    """The texts right before the headline, whole, until they hold KICKER_CHARS: in the headline's
    <article> (as _after_headline), never in a site's <header> or <nav> that does not hold the
    headline, a foreign container or a paragraph of running prose (a teaser's, the page's last story's)."""
    own = set(headline.iterancestors())
    texts: list[str] = []
    for node, parent in _in_scope(headline, reversed(headline.xpath("preceding::text()"))):
        if any(e.tag in ("header", "nav") and e not in own for e in (parent, *parent.iterancestors())):
            break  # the site's header: its date is today's
        text = " ".join(str(node).split())
        if not text:
            continue
        block = next(iter(parent.xpath(_PARAGRAPH)), None)
        if block is not None and len(block.text_content().split()) >= PROSE_WORDS:
            break
        texts.insert(0, text)
        if sum(len(t) + 1 for t in texts) >= KICKER_CHARS:
            break
    return " ".join(texts)


def _marked_before(headline: Any, locale: str = "") -> set[str]:
    """The days of the elements marked as a date before the headline in its header block: the
    nearest of its three containers that holds more than the headline, of HEADER_WORDS words or
    fewer ("<div class=heading><span class=date>12.12.2022</span> - Empa <h1>...</h1></div>"); never a
    site's <header> or <nav> outside every <article> (today's date over a site's name)."""
    wrapped = " ".join(headline.text_content().split())
    block = next((c for c in list(headline.iterancestors())[:3] if " ".join(c.text_content().split()) != wrapped), None)
    if block is None or len(block.text_content().split()) > HEADER_WORDS or block.tag in ("body", "html"):
        return set()
    if block.xpath("not(ancestor-or-self::article) and (ancestor-or-self::header or ancestor-or-self::nav)"):
        return set()
    days: set[str] = set()
    holders = set(headline.iterancestors())
    for element in block.iterdescendants():
        if element is headline:
            break
        if element in holders or not isinstance(element.tag, str) or foreign(element, True, headline):
            continue
        if _marked_as_date(element):
            text = " ".join(element.text_content().split())
            days |= labelled_days(text, locale) if len(text.split()) <= MARKED_DATE_WORDS else set()
    return days


def _scope(headline: Any) -> tuple[Any, bool]:
    """The <article> the headline's dateline lies in: its own; else the page's only one, or the first
    after the headline when it has no heading of its own (the story under a page's title), whose
    text counts as well as that outside every article (lenient); else None: outside every article."""
    own = headline.xpath("ancestor::article[1]")
    if own:
        return own[0], False
    articles = headline.xpath("//article")
    if len(articles) == 1:
        return articles[0], True
    story = headline.xpath("following::article[1][not(.//h1 or .//h2 or .//h3)]")
    if not story or any(_foreign_itself(e, labelled=True) for e in (story[0], *story[0].iterancestors())):
        return None, False  # a comment's, a teaser's (a content system's "node-promoted" is its full story)
    return story[0], True


def _date_marked(element: Any) -> Any:
    """The element (or one of its three nearest ancestors) marked as showing a date, not an update's."""
    for candidate in [element, *element.iterancestors()][:4]:
        if candidate.tag in ("body", "html"):
            break
        if _marked_as_date(candidate):
            return candidate if len(candidate.text_content().split()) <= MARKED_DATE_WORDS else None
    return None


def _marked_as_date(element: Any) -> bool:
    """Whether an element's class or id marks it as showing a date (_DATE_MARKS), not an update's."""
    marks = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(_DATE_MARKS & set(_WORDS.split(marks.lower()))) and not UPDATE.search(marks)


def _opening(paragraph: str) -> str:
    """A paragraph's opening up to its first word in lower case: "BERLIN, 3. Mai 2022 (ots) - Die
    ..." gives "BERLIN, 3. Mai 2022"; "Laut der am 28.01.2022 ..." gives "Laut"."""
    kept = []
    for word in paragraph.split():
        letters = [ch for ch in word if ch.isalpha()]
        if letters and letters[0].islower():
            break
        kept.append(word)
    return " ".join(kept)
