"""bylinemarks.byline_scope: the elements a byline is looked for in, one walk instead of an XPath
that tested every element's ancestors (the reference below, which the job used until 2026-12-04;
on trafilatura's 691 annotated pages and the corpus both gave the same elements, in the same order)."""

import pytest
from trafilatura.utils import load_html

from jobs.inputs.bylinemarks import body_path, byline_scope

REFERENCE = (
    "ancestor-or-self::aside[not(re:test(concat(@class, ' ', @id), 'author|byline|autor|auteur', 'i'))] "
    "or ancestor-or-self::nav or ancestor-or-self::footer or ancestor-or-self::figure "
    "or ancestor-or-self::figcaption or ancestor-or-self::blockquote "
    "or ancestor::*[not(self::body or self::html)][re:test(concat(@class, ' ', @id), "
    "'comment(?!ary)|related|teaser|recommend|popular|trending|quote|testimonial|(^|\\s)(sidebar|newsletter|footer|menu|carousel|widget)', "
    "'i')][not(.//h1)]"
)


def reference(tree):
    return tree.xpath(
        f"{body_path(tree)}//*[not({REFERENCE} or ancestor::head)]",
        namespaces={"re": "http://exslt.org/regular-expressions"},
    )


PAGES = {
    "parts left out": """<html><head><title>T</title></head><body class="page-comments">
        <header><h1>Headline</h1><p class="byline">By Jane Doe</p></header>
        <nav><a href="/">Home</a><span class="author">Nav Author</span></nav>
        <aside class="related"><p class="byline">By Other Writer</p></aside>
        <aside class="author-box"><p>Jane Doe writes about <b>weather</b>.</p><aside><i>x</i></aside></aside>
        <figure><img src="a.jpg"><figcaption>Photo: <span>Someone</span></figcaption></figure>
        <blockquote><p>A quote <cite>Person</cite></p></blockquote>
        <div class="teaser-list"><article><p class="author">Teaser Author</p></article></div>
        <div id="comments"><div class="comment"><span class="author">Reader</span></div></div>
        <div class="commentary"><p class="author">Columnist Name</p></div>
        <div class="x sidebar"><p>side</p></div><div class="mysidebar"><p>kept</p></div>
        <!-- a comment --><p>Text of the story.</p>
        <footer><p class="author">Footer Person</p></footer></body></html>""",
    "headline inside a teaser-classed wrapper": """<html><body>
        <div class="article teaser"><h1>Headline</h1><p class="byline">By Jane Doe</p>
        <div class="related"><p>Other</p></div></div></body></html>""",
    "parsed without a body": """Warning: something<br>
        <html><head><title>T</title><meta name="author" content="X"></head>
        <div class="main"><h1>Headline</h1><p>By Jane Doe</p></div>
        <div class="popular"><p class="byline">By Other</p></div></html>""",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_walk_gives_what_the_xpath_gave(name):
    tree = load_html(PAGES[name])
    expected = reference(tree)
    assert expected, "the page has elements in scope"
    assert byline_scope(tree) == expected


def test_what_is_left_out():
    tree = load_html(PAGES["parts left out"])
    # the elements' own texts: an element of other stories is itself in scope, what it holds is not
    texts = {" ".join(e.text_content().split()) for e in byline_scope(tree) if e.tag in ("p", "span")}
    assert "By Jane Doe" in texts and "Text of the story." in texts
    assert "Jane Doe writes about weather." in texts  # an author box is no aside left out
    assert "kept" in texts  # "mysidebar" is not the word sidebar
    for other in ("Nav Author", "By Other Writer", "Someone", "Teaser Author", "Reader", "Footer Person", "side"):
        assert other not in texts
    assert "Columnist Name" in texts  # commentary is no comment
