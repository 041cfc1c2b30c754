"""Tests for reading real-world pages faithfully: wrong charsets, mojibake and compressed files."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobs.config import build_config
from jobs.errors import InputError
from jobs.inputs import FetchSettings, read_articles
from jobs.inputs.article import ContentError
from jobs.inputs.boilerplate import is_teaser, strip_boilerplate
from jobs.inputs.bylines import plausible_byline
from jobs.inputs.decoding import decode_html
from jobs.inputs.headlines import clean_title, drop_repeated_headlines
from jobs.inputs.html import extract_page
from jobs.inputs.pagekind import (
    PageFacts,
    front_address,
    not_article_reason,
    teaser_blocks,
    teaser_key,
    teaser_prose_share,
)
from jobs.inputs.pagemeta import read_date
from jobs.inputs.prose import prose_words
from jobs.outputs.names import public_path
from jobs.quality.language import looks_mojibake
from jobs.stages.screen import screen_articles

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "web"
# A UTF-8 page: English text with dashes and curly quotes, and a Cyrillic byline.
PAGE = (FIXTURES / "utf8-cyrillic-byline.html").read_text(encoding="utf-8")
DECLARED = 'charset="utf-8"'
OFFLINE = FetchSettings(allow_network=False)


@pytest.fixture
def charset_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The charset choices logged; captured on the logger itself, whatever the CLI did to "jobs"."""
    logger = logging.getLogger("jobs.inputs.charsets")
    logger.addHandler(caplog.handler)
    with caplog.at_level(logging.INFO, logger=logger.name):
        yield caplog
    logger.removeHandler(caplog.handler)


def wrong_charset(encoding: str, declared: str) -> bytes:
    """The page encoded in `encoding` while it declares `declared`."""
    return PAGE.replace(DECLARED, f'charset="{declared}"').encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "declared", "reason"),
    [
        ("windows-1251", "utf-8", "invalid in utf-8"),
        ("utf-8", "windows-1251", "invalid in cp1251"),
        ("windows-1251", "iso-8859-1", "reads as mojibake in cp1252"),
    ],
)
def test_wrong_declared_charset_is_overruled(
    encoding: str, declared: str, reason: str, tmp_path: Path, charset_log: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(wrong_charset(encoding, declared))
    [row] = read_articles([path]).articles.to_list()
    text = "\n".join(row["paragraphs"])
    assert row["byline"] == "Иван Петров"
    assert "on Tuesday night — a month earlier" in text
    assert "“Such frosts normally come only at the end of November,”" in text
    assert "\ufffd" not in text and not looks_mojibake(text)
    [message] = {r.getMessage() for r in charset_log.records if "decoded as" in r.getMessage()}
    assert message.startswith(f"{path.as_posix()}: decoded as ")
    assert reason in message


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1251"])
def test_right_declared_charset_is_kept_quietly(encoding: str, charset_log: pytest.LogCaptureFixture) -> None:
    page = PAGE.replace(DECLARED, f'charset="{encoding}"').encode(encoding)
    text = decode_html(page)
    assert "Иван Петров" in text and "—" in text
    assert charset_log.records == []


def test_utf8_page_with_a_stray_byte_stays_utf8() -> None:
    page = PAGE.encode("utf-8").replace(b"Schools", b"Sch\xffools")
    text = decode_html(page)
    assert "Иван Петров" in text and "Sch\ufffdools" in text


def test_a_replacement_character_the_page_holds_is_no_invalid_byte(charset_log: pytest.LogCaptureFixture) -> None:
    # A valid UTF-8 page that holds a U+FFFD of its own (a CMS once mis-decoded it) and few other
    # non-ASCII characters was read as a legacy codec (all its umlauts mojibake): only the bytes a
    # codec cannot decode count against it.
    page = '<html><head><meta charset="utf-8"></head><body><!-- Bl\ufffdtterfunktion -->\n<p>Der Pfarrer Jürgen'
    page += " Schmidt sprach am Sonntag in der Kirche vor der Gemeinde.</p></body></html>"
    text = decode_html(page.encode("utf-8"))
    assert "Jürgen Schmidt" in text and "Bl\ufffdtterfunktion" in text
    assert charset_log.records == []


def test_cp1252_page_declared_latin1_is_kept() -> None:
    page = PAGE.replace(DECLARED, 'charset="iso-8859-1"').replace("Иван Петров", "Hélène Dupré")
    assert "Hélène Dupré" in decode_html(page.encode("cp1252"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The city’s utilities — “ready”.", False),
        ("Морозы пришли в Сибирь раньше срока", False),
        ("Café déjà vu, naïve façade", False),
        ("The cityâ€™s utilities â€” â€œreadyâ€\x9d.", True),
        ("CafÃ© dÃ©jÃ  vu", True),
        ("on Tuesday night вЂ” a month earlier, РРІР°РЅ", True),
    ],
)
def test_looks_mojibake(text: str, expected: bool) -> None:
    assert looks_mojibake(text) is expected


# --------------------------------------------------------------------------- compressed inputs

JSONL = '{"title": "Port reopens", "body": "The port reopened on Monday after the storm."}\n'


def _compress(data: bytes, suffix: str) -> bytes:
    import bz2
    import gzip
    import lzma

    return {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[suffix](data)


@pytest.mark.parametrize("compression", [".gz", ".bz2", ".xz"])
@pytest.mark.parametrize("name", ["article.jsonl", "page.html", "atom.xml"])
def test_compressed_file_reads_like_its_plain_form(name: str, compression: str, tmp_path: Path) -> None:
    data = JSONL.encode() if name.endswith(".jsonl") else (FIXTURES / _fixture(name)).read_bytes()
    plain = tmp_path / "plain" / name
    packed = tmp_path / "packed" / f"{name}{compression}"
    for path, content in ((plain, data), (packed, _compress(data, compression))):
        path.parent.mkdir()
        path.write_bytes(content)
    expected = read_articles([plain]).articles.to_list()
    for given in (packed, packed.parent):  # named, and found in a folder
        got = read_articles([given]).articles.to_list()
        assert [_without_file(row) for row in got] == [_without_file(row) for row in expected]
        assert all(row["source_file"].endswith(packed.name) for row in got)


def _fixture(name: str) -> str:
    return {"page.html": "wire-article.html", "atom.xml": "atom.xml"}[name]


def _without_file(row: dict) -> dict:
    return {key: value for key, value in row.items() if key not in ("source_file", "feed")}


def test_corrupt_compressed_file_is_a_listed_problem(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(JSONL, encoding="utf-8")
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00broken")
    result = read_articles([good, bad])
    assert len(result.articles) == 1
    [problem] = result.errors
    assert problem.file.endswith("bad.jsonl.gz")
    assert problem.message.startswith("not a valid .gz file (") and problem.message.endswith("decompress it")


# --------------------------------------------------------------------------- teasers and feed boilerplate


@pytest.mark.parametrize(
    ("paragraphs", "kept", "truncated"),
    [
        (["The building will reopen.", "Read more"], ["The building will reopen."], True),
        (["Dock workers ended a strike. Continue reading..."], ["Dock workers ended a strike."], True),
        (["Story text.", "Related: Port strike enters day five"], ["Story text."], False),
        (["Story text.", "The post Port deal appeared first on Example News."], ["Story text."], False),
        (["Story text.", "This article was originally published on The Conversation."], ["Story text."], False),
        (["A long story [...]"], ["A long story"], True),
        (["He said: “We will see...”", "Related reading is on page two of the paper, he added."], None, False),
        # pointers to other stories, in the languages of the pages read so far
        (
            ["Story text.", "À lire aussi » Ballonnements : quel est votre profil ?", "More."],
            ["Story text.", "More."],
            False,
        ),
        (
            ["Story text.", "Le puede interesar: JEP abrirá tres nuevos macrocasos", "More."],
            ["Story text.", "More."],
            False,
        ),
        (["Story text.", "Schon gelesen?", "Mehr zum Thema auf der Website", "Teilen:"], ["Story text."], False),
        (["Weitere Nachrichten gab es am Montag nicht.", "Más sobre el caso se sabrá el martes."], None, False),
        (
            [
                "Mehr zum Thema Rente lesen Sie im Bericht des Ministers, der am Montag erschien und viel zu lang ist, "
                "um ihn hier ganz wiederzugeben, aber wir fassen ihn zusammen, und zwar ausführlich und mit Quellen, "
                "so wie es sich gehört."
            ],
            None,
            False,
        ),
        # picture credits; a sentence about a photo is story text
        (["Story text.", "Foto: dpa / Pixabay (Symbolbild)", "Crédits photos : Bestimage"], ["Story text."], False),
        (["The photo: a man in the rain, taken the day before the flood reached the town."], None, False),
        # labels left dangling at the end introduce nothing (a link list or widget the page cut off)
        (["Story text.", "Mehr Themen:", "Image source:"], ["Story text."], False),
        (["Story text.", "Lue seuraavaksi:"], ["Story text."], False),
        (["故事。", "相关阅读："], ["故事。"], False),
        # a label the story goes on after, a sentence ending in a colon, a number: kept
        (["Ingredients:", "Two eggs and flour, mixed well."], None, False),
        (["The minister listed three reasons for the delay in the report:"], None, False),
        (["Story text.", "2023:"], None, False),
    ],
)
def test_feed_boilerplate_never_becomes_a_paragraph(paragraphs, kept, truncated) -> None:
    stripped = strip_boilerplate(paragraphs)
    assert stripped.paragraphs == tuple(paragraphs if kept is None else kept)
    assert stripped.truncated is truncated


def test_teaser_or_whole_story() -> None:
    story = ["One paragraph of a whole story, told at length. " * 5] * 3
    assert not is_teaser(strip_boilerplate(story))
    assert is_teaser(strip_boilerplate([*story, "Continue reading..."]))
    assert is_teaser(strip_boilerplate(story[:2]))  # two paragraphs: a teaser, however long
    assert is_teaser(strip_boilerplate(["This is the first item."]))


FEED = """<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>T</title>
<item><title>Whole story</title><link>https://x.example/a</link>
<content:encoded><![CDATA[<p>{story}</p><p>{story}</p><p>Related: Another story</p>
<p>The post Whole story appeared first on T.</p>]]></content:encoded></item>
<item><title>Teaser</title><link>https://x.example/b</link>
<description><![CDATA[<p>{story}</p><p>Continue reading...</p>]]></description></item>
</channel></rss>"""


def test_offline_feed_publishes_whole_stories_and_lists_teasers(tmp_path: Path) -> None:
    story = "The port reopened on Monday after the storm. " * 4
    path = tmp_path / "feed.rss"
    path.write_text(FEED.format(story=story), encoding="utf-8")
    result = read_articles([path], fetch=OFFLINE)
    [row] = result.articles.to_list()
    assert row["title"] == "Whole story" and row["paragraphs"] == [story.strip()] * 2
    [problem] = result.errors
    assert (problem.line, problem.message) == (
        2,
        "item 2: 'Teaser' is only a teaser in the feed (32 words) and its page is not fetched with --offline; skipped",
    )


def test_min_words_sets_short_articles_aside(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("A long one\n\n" + "word " * 60 + "\n", encoding="utf-8")
    (tmp_path / "short.txt").write_text("A short one\n\nOnly these six words are here.\n", encoding="utf-8")
    read = read_articles([tmp_path])
    kept, problems = screen_articles(read.articles, build_config(inputs=[tmp_path], min_article_words=50))
    assert kept["title"] == ["A long one"]
    [problem] = problems
    assert problem.file.endswith("short.txt")
    assert problem.message.endswith(
        "has 6 words, under the minimum of 50 (--min-words, min_article_words in the config); skipped"
    )
    kept, problems = screen_articles(read.articles, build_config(inputs=[tmp_path]))
    assert len(kept) == 2 and problems == []


# --------------------------------------------------------------------------- page metadata and kind


def test_decorated_opinion_page_reads_clean(tmp_path: Path) -> None:
    [row] = read_articles([FIXTURES / "opinion-decorated.html"]).articles.to_list()
    assert row["title"] == "The tram depot library is worth every penny"  # no "Opinion |", no site name
    assert row["url"] == "https://chronicle.example/opinion/2024/05/03/tram-depot-library"  # the canonical link
    assert row["byline"] == ""  # "Username" is no author
    assert row["paragraphs"][0].startswith("The council's plan")  # both headline variants dropped
    assert row["paragraphs"][-3:] == [  # lines separated by <br> stay separate
        "The council promises these opening hours for the new library:",
        "Monday to Friday, nine in the morning to eight in the evening",
        "Saturday and Sunday, ten in the morning to five in the afternoon",
    ]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "front-page.html",
            "not a news article: too little running text (1 paragraph(s), 120 words, readability score 0 <= 20)",
        ),
        ("product-page.html", "not a news article: the page declares itself a product, not an article"),
    ],
)
def test_front_and_product_pages_are_listed_problems(name: str, reason: str) -> None:
    result = read_articles([FIXTURES / name, FIXTURES / "wire-article.html"])
    assert [row["title"] for row in result.articles.to_list()] == ["Port workers end strike after pay deal"]
    [problem] = result.errors
    assert problem.file.endswith(name) and problem.message == reason


def test_list_of_links_is_not_an_article() -> None:
    facts = PageFacts("", "", (), og_type="website", schema_types=frozenset(), readerable_score=0.0)
    assert "a list of links (80% of its text blocks are links)" in not_article_reason(facts, 5, 200, 0.8)
    assert "too little running text (1 paragraph(s), 40 words" in not_article_reason(facts, 1, 40, 0.1)
    assert not_article_reason(facts, 1, 400, 0.1) is None  # one long paragraph: text without <p>s
    assert not_article_reason(facts, 4, 100, 0.1) is None
    article = PageFacts("", "", (), og_type="article", schema_types=frozenset({"product"}), readerable_score=0.0)
    assert not_article_reason(article, 1, 40, 0.1) is None  # an article that reviews a product


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Username", ""),
        ("Jane Doe is a reporter", ""),
        ("Jane Doe News reporter", "Jane Doe"),
        ("Jane Doe; JANE DOE", "Jane Doe"),
        ("JANE DOE; Jane Doe", "Jane Doe"),
        ("Jane Doe; The Daily Chronicle Business", "Jane Doe"),
        ("The Daily Chronicle", ""),
        ("By Aisha Khan and John O'Neill", "Aisha Khan; John O'Neill"),
        ("Автор: Ирина Соколова", "Ирина Соколова"),
        ("Ludwig van Beethoven", "Ludwig van Beethoven"),
        ("Reuters", ""),
        ("@janedoe", ""),
    ],
)
def test_only_plausible_bylines_are_published(byline: str, expected: str) -> None:
    assert plausible_byline(byline, ("The Daily Chronicle",)) == expected


@pytest.mark.parametrize(
    ("title", "headline", "expected"),
    [
        ("Opinion | Libraries matter more than roads", "", "Libraries matter more than roads"),
        ("Libraries matter more than roads | Editorial", "", "Libraries matter more than roads"),
        ("Libraries matter more than roads - The Daily Chronicle", "", "Libraries matter more than roads"),
        ("Libraries | Roads | The Daily Chronicle", "Roads", "Roads"),
        ("Port workers end strike: what it means", "", "Port workers end strike: what it means"),
    ],
)
def test_titles_lose_site_decorations(title: str, headline: str, expected: str) -> None:
    assert clean_title(title, ("The Daily Chronicle",), headline) == expected


def test_repeated_headline_is_dropped_from_the_first_three_paragraphs() -> None:
    paragraphs = [
        "By Jane Doe",
        "Port Workers End Strike After Pay Deal.",
        "Body.",
        "Port workers end strike after pay deal",
    ]
    assert drop_repeated_headlines(paragraphs, ["Port workers end strike after pay deal"]) == [
        "By Jane Doe",
        "Body.",
        "Port workers end strike after pay deal",  # the fourth paragraph is text, whatever it says
    ]


def test_double_decoded_page_is_logged_as_mojibake(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    doubled = PAGE.encode("utf-8").decode("cp1252", errors="replace")  # a UTF-8 page once mis-decoded
    path = tmp_path / "doubled.html"
    path.write_text(doubled, encoding="utf-8")
    logger = logging.getLogger("jobs.inputs.html")
    logger.addHandler(caplog.handler)
    try:
        read_articles([path])
    finally:
        logger.removeHandler(caplog.handler)
    assert any(
        r.getMessage().startswith(f"{path.as_posix()}: the text still looks double-decoded") for r in caplog.records
    )


def test_offline_run_lists_teasers_in_the_manifest_and_exits_5(
    tmp_path: Path, tiny_config: Path, tiny_models: dict[str, Path]
) -> None:

    from typer.testing import CliRunner

    from jobs.cli import app

    teasers = tmp_path / "teasers.xml"
    teasers.write_text(
        (FIXTURES / "rss-links.xml").read_text(encoding="utf-8").replace("__BASE__", "https://news.example"),
        encoding="utf-8",
    )
    full = tmp_path / "full.xml.gz"
    full.write_bytes(_compress((FIXTURES / "rss-full.xml").read_bytes(), ".gz"))
    out = tmp_path / "out"
    models = ["--model", f"ru={tiny_models['ru']}", "--summary-model", str(tiny_models["summary"])]
    inputs = ["--input", str(full), "--input", str(teasers)]
    args = ["run", "--config", str(tiny_config), "--lang", "ru", *models, *inputs, "--out", str(out), "--offline"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 5, result.output
    bundle = (out / "ru" / "latest").resolve()
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["articles"] == 3  # the three whole stories of the compressed feed
    failures = [(f["file"], f["line"]) for f in manifest["failures"]]
    named = public_path(teasers.as_posix())  # as the manifest names files: never an absolute path
    assert failures == [(named, 1), (named, 2), (named, 3)]
    assert all("is only a teaser in the feed" in f["message"] for f in manifest["failures"])


# --------------------------------------------------------------------------- real inputs that are not articles

NOT_ARTICLES = Path(__file__).resolve().parent / "fixtures" / "notarticles"


LOGIN_DIALOG = """<div id="login-dialog" class="b-dialog"><form><h2>Sign in to your account</h2>
<p>You will receive an e-mail from us shortly with a link to confirm your registration with us.</p>
<p>Your new password must be at least eight characters long and contain a capital letter and a digit.</p>
<input type="password" name="password"><button type="submit">Sign in</button></form></div>"""


def test_dialogs_go_and_an_article_shown_in_a_modal_stays(tmp_path: Path) -> None:
    # A login dialog beside a whole article is left out (trafilatura's own reading drops forms too);
    # what overlays.drop_panels must not do is take an article that a site shows in a modal.
    page = (FIXTURES / "wire-article.html").read_text(encoding="utf-8")
    path = tmp_path / "with-dialog.html"
    path.write_text(page.replace("<footer", LOGIN_DIALOG + "<footer"), encoding="utf-8")
    [row] = read_articles([path], fetch=OFFLINE).articles.to_list()
    assert row["title"] == "Port workers end strike after pay deal"
    assert not [p for p in row["paragraphs"] if "password" in p or "e-mail" in p]
    # an article a site shows in a modal (its headline inside) is the page, and is read
    modal = page.replace('<article class="article-body">', '<div class="modal"><article class="article-body">')
    path.write_text(modal.replace("</article>", "<button>Close</button></article></div>"), encoding="utf-8")
    [row] = read_articles([path], fetch=OFFLINE).articles.to_list()
    assert row["paragraphs"][0].startswith("ROTTERDAM, March 14")
    # so is a page whose layout wrapper is named "popup-..." and holds a search field and <main>
    wrapped = page.replace("<body>", '<body><div class="popup-layer"><input type="search">').replace(
        "</body>", "</div></body>"
    )
    path.write_text(wrapped.replace("<h1 ", "<h2 ").replace("</h1>", "</h2>"), encoding="utf-8")
    [row] = read_articles([path], fetch=OFFLINE).articles.to_list()
    assert row["paragraphs"][0].startswith("ROTTERDAM, March 14")


def test_a_video_page_with_a_login_dialog_is_no_article() -> None:
    # A real video page: a two-line description, and a login dialog's sentences that were published
    # as the article before dialogs were taken out of the reading.
    name = "video-page-login-dialog.html.gz"
    with pytest.raises(InputError) as raised:
        read_articles([NOT_ARTICLES / name], fetch=OFFLINE)
    [problem] = raised.value.problems
    assert problem.file.endswith(name) and problem.message.startswith("not a news article: too little running prose")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("front-page-company.html.gz", "a front page (https://sass-ag.de/)"),
        ("front-page-photo-agency.html.gz", "a front page (/)"),
        ("section-page-blog-index.html.gz", "a section page (http://www.echte-demokratie-jetzt.de/blog/)"),
    ],
)
def test_real_front_and_section_pages_are_listed_problems(name: str, reason: str) -> None:
    result = read_articles([NOT_ARTICLES / name, FIXTURES / "wire-article.html"], fetch=OFFLINE)
    assert [row["title"] for row in result.articles.to_list()] == ["Port workers end strike after pay deal"]
    [problem] = result.errors
    assert problem.file.endswith(name)
    assert problem.message == f"not a news article: {reason} that does not declare itself an article"


NEWS_FRONT_PAGES = ["front-page-news-cnn.html.gz", "front-page-news-wired.html.gz", "front-page-news-yahoo.html.gz"]


def _without_address(name: str) -> bytes:
    """A real page as saved without its address or declared type: canonical link, og:url,
    og:type and JSON-LD removed, so only its own text and structure can tell what it is."""
    from lxml import html

    tree = html.fromstring(gzip.decompress((NOT_ARTICLES / name).read_bytes()))
    for element in tree.xpath(
        "//link[@rel='canonical'] | //meta[@property='og:url' or @property='og:type']"
        " | //script[@type='application/ld+json']"
    ):
        element.drop_tree()
    return html.tostring(tree, encoding="utf-8")


def test_a_real_section_page_without_an_address_is_refused_by_its_listed_headlines() -> None:
    name = "section-page-regional-news.html.gz"  # no canonical link, no og:url, no declared type
    result = read_articles([NOT_ARTICLES / name, FIXTURES / "wire-article.html"], fetch=OFFLINE)
    assert [row["title"] for row in result.articles.to_list()] == ["Port workers end strike after pay deal"]
    [problem] = result.errors
    assert problem.message.startswith("not a news article: a front or section page: its text lists 9 linked headlines")


@pytest.mark.parametrize("name", NEWS_FRONT_PAGES)
def test_real_news_front_pages_are_listed_problems(name: str) -> None:
    result = read_articles([NOT_ARTICLES / name, FIXTURES / "wire-article.html"], fetch=OFFLINE)
    assert [row["title"] for row in result.articles.to_list()] == ["Port workers end strike after pay deal"]
    [problem] = result.errors
    assert problem.file.endswith(name)
    assert problem.message.startswith("not a news article: ")


@pytest.mark.parametrize(
    ("name", "share"), [(NEWS_FRONT_PAGES[0], 100), (NEWS_FRONT_PAGES[1], 100), (NEWS_FRONT_PAGES[2], 87)]
)
def test_real_news_front_pages_without_their_address_are_refused_by_their_teasers(
    tmp_path: Path, name: str, share: int
) -> None:
    saved = tmp_path / name.removesuffix(".gz")
    saved.write_bytes(_without_address(name))
    result = read_articles([saved, FIXTURES / "wire-article.html"], fetch=OFFLINE)
    assert [row["title"] for row in result.articles.to_list()] == ["Port workers end strike after pay deal"]
    [problem] = result.errors
    assert problem.message.startswith(
        f"not a news article: a front or section page: {share}% of its running prose is standfirsts of linked headlines"
    )


@pytest.mark.parametrize(
    ("head", "refused"),
    [
        ('<meta property="og:url" content="https://news.example/">', False),  # a template's og:url on every page
        ('<link rel="canonical" href="https://news.example/">', True),
    ],
)
def test_a_front_page_address_counts_from_the_canonical_link_not_og_url(
    tmp_path: Path, head: str, refused: bool
) -> None:
    page = tmp_path / "story.html"
    html = (FIXTURES / "wire-article.html").read_text(encoding="utf-8").replace("<head>", "<head>" + head, 1)
    page.write_text(html.replace('"@type": "NewsArticle"', '"@type": "WebPage"'))  # declares no article
    if refused:
        with pytest.raises(InputError, match="a front page"):
            read_articles([page], fetch=OFFLINE)
    else:
        assert read_articles([page], fetch=OFFLINE).articles["title"] == ["Port workers end strike after pay deal"]


def test_a_page_whose_canonical_link_is_no_address_is_read(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    html = (FIXTURES / "wire-article.html").read_text(encoding="utf-8")
    page.write_text(html.replace("<head>", '<head><link rel="canonical" href="http://[not-a-host]/">', 1))
    assert read_articles([page], fetch=OFFLINE).articles["title"] == ["Port workers end strike after pay deal"]


def test_teasers_are_linked_headlines_followed_by_prose() -> None:
    from trafilatura.utils import load_html

    page = """<html><head><link rel="canonical" href="https://news.example/story"></head><body>
    <h1><a href="/story/">Port workers end strike</a></h1>
    <p>The port reopened on Monday after workers accepted a new pay deal.</p>
    <div><h3><a href="/a">Council approves library budget</a></h3><span>Politics</span>
    <p>The council approved the budget after a long debate on Monday.</p></div>
    <div><h3><a href="#top">Back to the top of page</a></h3>
    <p>This paragraph follows a link to the page itself, not another page.</p></div>
    <p>As <a href="/b">the mayor said last week</a>, the vote was close and the debate was long.</p>
    <div><a href="http://[ccpa-preferences]/">Your privacy choices here</a></div>
    </body></html>"""
    keys, announced = teaser_blocks(load_html(page))
    assert (
        announced == 1
    )  # the headline linked to the page itself, a fragment and a link inside a sentence are not teasers
    assert keys == {teaser_key("The council approved the budget after a long debate on Monday.")}
    paragraphs = [
        "The port reopened on Monday after workers accepted a new pay deal.",
        "The council approved the budget after a long debate on Monday.",
    ]
    assert teaser_prose_share(paragraphs, keys) == pytest.approx(11 / 23)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("https://news.example/", "front page"),
        ("https://news.example/index.html", "front page"),
        ("https://news.example/politik/", "section page"),
        ("https://news.example/2024/05/03/port-deal", ""),
        ("https://news.example/port-workers-end-strike", ""),
        ("https://news.example/?p=5031", ""),  # an id in the query
        ("index.html", ""),  # relative to an unknown address
        ("http://[not-a-host]/", ""),  # no address at all
        ("", ""),
    ],
)
def test_front_and_section_addresses(address: str, kind: str) -> None:
    assert front_address(address) == kind


def test_real_release_feed_items_are_teasers_skipped_and_listed() -> None:
    feed = NOT_ARTICLES / "io7m-jaffirm-releases.atom"
    result = read_articles([feed, FIXTURES / "wire-article.html"], fetch=OFFLINE)
    assert [row["title"] for row in result.articles.to_list()] == ["Port workers end strike after pay deal"]
    assert [problem.line for problem in result.errors] == [1, 2, 3, 4, 5]
    assert all("is only a teaser in the feed (3 words)" in p.message for p in result.errors)


LONG_TITLE = "The project publishes a new major release with many changes to its public interfaces"


@pytest.mark.parametrize(
    ("content", "published"),
    [
        ("2.0.1", False),
        ("Released.", False),
        ("<a href='https://example.com/a'>Changes</a> <a href='https://example.com/b'>Download</a>", False),
        ("The council approved the new library budget on Monday after a long debate.", True),
    ],
)
def test_a_feed_item_is_judged_by_its_content_not_its_long_title(tmp_path: Path, content: str, published: bool) -> None:
    feed = tmp_path / "feed.atom"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Releases</title>'
        f"<id>urn:feed</id><updated>2024-05-03T10:00:00Z</updated><entry><title>{LONG_TITLE}</title>"
        "<id>urn:item:1</id><updated>2024-05-03T10:00:00Z</updated><link href='https://example.com/release'/>"
        f'<content type="html"><![CDATA[{content}]]></content></entry></feed>',
        encoding="utf-8",
    )
    result = read_articles([feed, FIXTURES / "wire-article.html"], fetch=OFFLINE)
    titles = [row["title"] for row in result.articles.to_list()]
    assert titles == [LONG_TITLE, "Port workers end strike after pay deal"][0 if published else 1 :]
    if not published:
        [problem] = result.errors
        assert problem.line == 1 and "is only a teaser in the feed" in problem.message
        assert problem.message.endswith("and its page is not fetched with --offline; skipped")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("release.txt", "jaffirm 4.0.0\n\n4.0.0\n"),
        ("links.md", "# Links of the week\n\nhttps://example.com/a\n\nhttps://example.com/b\n"),
        ("labels.txt", "Front page\n\nNews | Sport | Weather | Culture | Business | Travel\n"),
        ("page.txt", "Tag: Releases\n\n• A long title for a release that says little at all\n\n  Version 2.0.1\n"),
    ],
)
def test_text_files_without_running_prose_are_not_articles(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = read_articles([tmp_path / name, FIXTURES / "wire-article.html"], fetch=OFFLINE)
    assert [row["title"] for row in result.articles.to_list()] == ["Port workers end strike after pay deal"]
    [problem] = result.errors
    assert problem.file.endswith(name) and problem.article_id
    assert "is not a news article: too little running prose (0 words in sentences, under 6); skipped" in problem.message


def test_a_text_file_that_is_not_an_article_is_listed_with_the_exit_code_of_a_teaser(
    tmp_path: Path, tiny_models: dict[str, Path], tiny_config: Path
) -> None:
    from typer.testing import CliRunner

    from jobs.cli import app

    release = tmp_path / "release.txt"
    release.write_text("jaffirm 4.0.0\n\n4.0.0\n", encoding="utf-8")
    models = ["--model", f"ru={tiny_models['ru']}", "--summary-model", str(tiny_models["summary"])]
    run = ["run", "--config", str(tiny_config), "--lang", "ru", *models, "--out", str(tmp_path / "out"), "--offline"]
    alone = CliRunner().invoke(app, [*run, "--input", str(release)])
    assert alone.exit_code == 3, alone.output  # nothing to publish
    assert "release.txt:1: article 'jaffirm 4.0.0' is not a news article" in alone.output
    beside = CliRunner().invoke(app, [*run, "--input", str(release), "--input", str(FIXTURES / "wire-article.html")])
    assert beside.exit_code == 5, beside.output  # the article published, the release listed
    bundle = (tmp_path / "out" / "ru" / "latest").resolve()
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["articles"] == 1
    [failure] = manifest["failures"]
    assert failure["line"] == 1 and "is not a news article" in failure["message"]


def test_short_news_briefs_in_text_files_are_articles(tmp_path: Path) -> None:
    page = "Tag: World\n\n• Harbour reopens\n\n  The harbour reopened on Monday after two months of repairs.\n"
    (tmp_path / "briefs.txt").write_text(page, encoding="utf-8")
    (tmp_path / "brief.md").write_text("# Comet seen\n\nAmateur astronomers shared photos of the comet.\n")
    result = read_articles([tmp_path])
    assert sorted(result.articles["title"]) == ["Comet seen", "Harbour reopens"] and result.errors == []


@pytest.mark.parametrize(
    ("paragraphs", "prose"),
    [
        (["2.0.1"], 0),
        (["com.io7m.jaffirm 2.0.0 released"], 0),
        (["News", "Sport", "Loading weather data ..."], 0),
        (["The council approved the new library budget on Monday after a long debate."], 13),
        (["Home | World | Business | Culture | Sport | Weather | More sections here"], 0),
        (
            [
                "Tools & Widgets | RSS | Podcasts | Blogs | CNN Mobile | My Profile | E-mail Alerts | CNN Shop | Site map"
            ],
            0,
        ),
        (["Make your own poster and send it by 3 April to", "the people of Berlin and their guests."], 18),
        (["OPINION", "MIDEAST CONFLICT", "Loading weather data ..."], 0),
        # Hindi ends its sentences with a danda; Thai writes no spaces between words and no full stop
        (["बंदरगाह के कर्मचारियों ने गुरुवार को नए वेतन समझौते के बाद अपनी हड़ताल समाप्त कर दी।"], 16),
        (["คนงานท่าเรือยุติการนัดหยุดงานในวันพฤหัสบดีหลังจากท่าเรือตกลงเรื่องค่าจ้างใหม่กับสหภาพแรงงาน" * 2], 45),
        (["ข่าว กีฬา บันเทิง"], 0),
    ],
)
def test_prose_words_count_sentences_not_labels_or_versions(paragraphs: list[str], prose: int) -> None:
    assert prose_words(paragraphs) == prose


@pytest.mark.parametrize(
    ("written", "locale", "day"),
    [
        ("2022-05-03T23:10:00-03:00", "", "2022-05-03"),  # the page's own day, not UTC's
        ("Sat, 19 Oct 2019 00:04:00 +0200", "de", "2019-10-19"),
        ("03.05.2022", "de", "2022-05-03"),
        ("05/03/2022", "en-us", "2022-05-03"),
        ("05/03/2022", "en-gb", "2022-03-05"),
        ("05/03/2022", "en", ""),  # ambiguous and no region: left out, never guessed
        ("25/03/2022", "en", "2022-03-25"),
        ("soon", "en", ""),
    ],
)
def test_written_dates_are_read_in_a_certain_order_or_left_out(written: str, locale: str, day: str) -> None:
    assert read_date(written, locale) == day


PAGE_WITH_METADATA = """<html lang="en-GB"><head><title>Port deal | The Daily Chronicle</title>
<meta property="og:title" content="Port deal">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Port deal",
"datePublished": "{published}", "author": {author}}}</script></head><body><h1>Port deal</h1>
<p>By Maria Lopez and Tom Hardy, Staff Share</p>{body}</body></html>"""


@pytest.mark.parametrize(
    ("published", "author", "byline", "day"),
    [
        (
            "2024-03-14T09:30:00+01:00",
            '[{"@type": "Person", "name": "Maria Lopez"}, {"@type": "Person", "name": "Tom Hardy"}]',
            "Maria Lopez; Tom Hardy",
            "2024-03-14",
        ),
        ("2024-03-14T23:30:00Z", '{"@type": "Organization", "name": "The Daily Chronicle"}', "", ""),
    ],
)
def test_structured_data_gives_bylines_and_dates_first(
    tmp_path: Path, published: str, author: str, byline: str, day: str
) -> None:
    body = "<p>" + "Dock workers ended their strike on Thursday after a pay deal was agreed. " * 6 + "</p>"
    path = tmp_path / "page.html"
    path.write_text(PAGE_WITH_METADATA.format(published=published, author=author, body=body * 3), encoding="utf-8")
    [row] = read_articles([path], fetch=OFFLINE).articles.to_list()
    assert (row["title"], row["byline"], row["published"]) == ("Port deal", byline, day)


def test_headings_that_link_to_themselves_are_no_headlines_of_other_pages() -> None:
    """A long post's section headings carry bookmark links to themselves ("#"): the post lists
    no other pages (v8.dev's blog marks every <h2> so; a front page's headings link away)."""
    sections = "".join(
        f"<h2 id='part-{n}'>Part {n} of the story <a href='#part-{n}' class='bookmark'>#</a></h2>"
        f"<p>{'Dock workers ended their strike on Thursday after the port agreed to a new pay deal. ' * 3}</p>"
        for n in range(1, 10)
    )
    html = f"<html><head><title>Port strike ends</title></head><body><article><h1>Port strike ends</h1>{sections}"
    page = extract_page(html + "</article></body></html>")
    assert len(page.paragraphs) >= 9
    away = sections.replace("href='#part-", "href='/news/part-")
    with pytest.raises(ContentError, match="linked headlines of other pages"):
        extract_page(f"<html><head><title>Port news</title></head><body><h1>Port news</h1>{away}</body></html>")


def test_a_page_saved_while_a_browser_translated_it_keeps_no_translator_ui() -> None:
    """Google Translate's tooltip holds an <h1>Original text</h1>, which was read as the headline."""
    tooltip = (
        "<div id='goog-gt-tt' class='skiptranslate' dir='ltr'><div class='top'><h1 class='title gray'>Original text"
        "</h1></div><div class='original-text'></div></div>"
    )
    html = (
        "<html><head><title>Port strike ends - Harbour Times</title></head><body><div><p>"
        + "Dock workers ended their strike on Thursday after the port agreed to a new pay deal. " * 8
        + f"</p></div>{tooltip}</body></html>"
    )
    assert extract_page(html).title == "Port strike ends"


def test_a_short_article_in_a_script_without_spaces_counts_its_words() -> None:
    """A Chinese or Japanese brief has no spaces between words: it was refused as "1 words"."""
    first = (
        "码头工人周四在港口同意新的工资协议后结束了罢工，工会表示将在下周举行投票，港口管理局也承诺改善工作条件。" * 4
    )
    second = "据当地媒体报道，这次罢工持续了两个星期，导致数百艘货船在港外等待卸货，许多商店的货架出现了空缺。" * 4
    html = (
        "<html><head><title>港口罢工结束</title></head><body><div><h1>港口罢工结束</h1>"
        f"<p>{first}</p><p>{second}</p></div></body></html>"
    )
    assert extract_page(html).paragraphs == (first, second)
