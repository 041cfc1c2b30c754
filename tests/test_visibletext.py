"""visibletext.visible_text: the page's visible text, one walk instead of an XPath that tested every
text node's ancestors against the comments' class (the reference below, which the job used until
2026-12-04; on trafilatura's 691 annotated pages and the corpus both gave the same text)."""

import pytest
from trafilatura.utils import load_html

from jobs.inputs import visibletext
from jobs.inputs.bylinemarks import body_path
from jobs.inputs.unseen import hidden_class

_NS = {"re": "http://exslt.org/regular-expressions"}


def reference(tree) -> str:
    body = body_path(tree)
    texts = tree.xpath(
        f"{body}//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::head "
        f"or ancestor::title or ancestor::nav or ancestor::{visibletext.COMMENTS})]",
        namespaces=_NS,
    )
    hidden = set(tree.xpath(f"{body}//{visibletext._HIDDEN}", namespaces=_NS))
    hidden |= {
        e for e in tree.xpath(f"{body}//*[not(self::body or self::html)][@class]") if hidden_class(e.get("class"))
    }
    boxes = set(tree.xpath(f"{body}//{visibletext._AUTHOR_ASIDE} | {body}//{visibletext._AUTHOR_BOX}", namespaces=_NS))
    other = set(tree.xpath(f"{body}//aside | {body}//{visibletext._SITE_PARTS}", namespaces=_NS)) - boxes

    def seen(text) -> bool:
        element = text.getparent()
        if element is not None and text.is_tail:
            element = element.getparent()
        boxed = False
        while element is not None:
            if element in hidden:
                return False
            boxed = boxed or element in boxes
            if element in other and not boxed:
                return False
            element = element.getparent()
        return True

    return f" {visibletext.folded(' '.join(t for t in texts if seen(t)))} "


PAGES = {
    "parts left out": """<html><head><title>T</title><script>var a = 1;</script></head><body>
        <h1>Headline</h1><p class="byline">By <b>Jane Doe</b> and <i>Ann Lee</i></p>
        <nav><a href="/">Home</a> <span>Nav Person</span></nav> after nav
        <script>var b = 2;</script> after script <style>p {}</style><noscript>Enable JS</noscript>
        <!-- zzz --> after a remark
        <aside class="related"><h2>More</h2><p>Other story by Max Muster</p>
          <div class="author-box"><p>Inner box</p></div></aside> after aside
        <aside class="author"><p>Jane Doe writes about weather.</p>
          <div class="sidebar"><p>Widget note</p><aside class="byline"><p>Deep author box</p></aside></div>
        </aside>
        <div id="comments"><div class="comment"><span>Reader Name</span></div> tail in comments</div>
        <div class="commentary"><p>Columnist Name</p></div>
        <p hidden>Hidden one</p><p style="display: none">Hidden two</p><p class="d-none">Hidden three</p>
        <p class="d-none d-md-block">Shown on desktop</p><span class="sr-only">Read aloud</span>
        <div class="popular-posts"><h2>Popular</h2><p>Popular teaser</p></div>
        <div class="has-recommendations"><h1>Second h1</h1><p>Kept with its h1</p></div>
        <p>Text of the story.</p></body></html>""",
    "no body": "Warning: something<html><head><title>T</title></head><p>By Jane Doe</p><nav>x</nav><p>Story.</p></html>",
    "nested asides": """<html><body><aside><aside class="author"><p>Box</p><aside><p>Inner</p></aside></aside>
        tail of box</aside><div class="sidebar"><aside><section class="author">Author box</section></aside></div>
        <p>Story</p></body></html>""",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_walk_gives_the_reference_text(name: str) -> None:
    tree = load_html(PAGES[name])
    assert visibletext.visible_text(tree) == reference(tree)


def test_what_the_walk_keeps_and_leaves_out() -> None:
    text = visibletext.visible_text(load_html(PAGES["parts left out"]))
    for kept in (
        "jane doe",
        "ann lee",
        "after nav",
        "after script",
        "after a remark",
        "after aside",
        "jane doe writes about weather",
        "deep author box",
        "columnist name",
        "shown on desktop",
        "read aloud",
        "kept with its h1",
        "text of the story",
    ):
        assert f" {kept} " in text, kept
    for left_out in (
        "home",
        "nav person",
        "var",
        "enable js",
        "zzz",
        "inner box",
        "max muster",
        "widget note",
        "reader name",
        "tail in comments",
        "hidden",
        "popular teaser",
        " t ",
    ):
        assert left_out not in text, left_out
