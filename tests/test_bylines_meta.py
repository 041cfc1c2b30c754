"""Bylines from meta tags that list authors in more than one way: a meta name given once for each
author, a meta author listing more authors than the JSON-LD one."""

from __future__ import annotations

from tests.test_bylines import byline, json_ld, page

ONE = json_ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Maria Lopez"}})


def test_a_meta_name_given_once_for_each_author_gives_them_all() -> None:
    head = "".join(f"<meta name='dc.creator' content='{name}'>" for name in ("Maria Lopez", "Tom Hardy", "Ana Silva"))
    shown = "<p class='authors'>Maria Lopez, Tom Hardy and Ana Silva</p>"
    assert byline(page(head, shown)) == "Maria Lopez; Tom Hardy; Ana Silva"
    assert byline(page(head, "<p>Maria Lopez</p>")) == "Maria Lopez"  # the others are not shown


def test_a_meta_author_listing_the_json_ld_author_and_more_gives_them_all() -> None:
    head = ONE + "<meta name='author' content='Maria Lopez, Tom Hardy'>"
    assert byline(page(head, "<p>By Maria Lopez, Tom Hardy</p>")) == "Maria Lopez; Tom Hardy"
    other = ONE + "<meta name='author' content='Harbour Media'><meta name='parsely-author' content='Maria Lopez'>"
    assert byline(page(other, "<p>By Maria Lopez</p><p>Harbour Media</p>")) == "Maria Lopez"
    credited = ONE + "<meta name='author' content='Maria Lopez, Tom Hardy'>"
    assert byline(page(credited, "<p>By Maria Lopez</p>", "<p>Translated by Tom Hardy</p>")) == "Maria Lopez"


def test_a_json_ld_name_with_a_word_in_lower_case_used_only_in_the_name_is_capitalized() -> None:
    def stated(name: str) -> str:
        return json_ld({"@type": "BlogPosting", "author": {"@type": "Person", "name": name}})

    assert byline(page(stated("Maria lopez"), "<p>Maria lopez</p>")) == "Maria Lopez"
    assert byline(page(stated("Maria de lopez"), "<p>Maria de lopez</p>")) == "Maria de Lopez"
    more = "<p>Catch more fish</p><p>Read more about the port.</p>"
    assert byline(page(stated("Catch more fish"), more)) == ""  # words of the language: an account's name
