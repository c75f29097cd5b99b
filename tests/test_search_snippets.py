"""Search snippets: the words readers see around the first match, escaped first and only then
marked, so no highlighting ever turns into markup; matching copes with the engines' stemming,
case and accents, in any script."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from markupsafe import Markup, escape

from portal.sanitize import plain_excerpt, plain_text, render_markdown
from portal.search import terms
from portal.search.snippets import (
    SNIPPET_CHARACTERS,
    best_snippet,
    crude_stem,
    highlight,
    matches,
    snippet,
)

from .helpers import select_all
from .hostile import CORPUS_DIR_VARIABLE, all_hostile_cases, assert_no_executable


def marked(markup: str) -> list[str]:
    return [mark.get_text() for mark in select_all(markup, "mark")]


def shown(markup: str) -> str:
    """What a reader sees of a snippet: its text, entities read."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(markup, "html.parser").get_text()


# --- plain text ------------------------------------------------------------------------------


def test_plain_text_is_what_readers_see_whole():
    html = "<p>One <strong>two</strong></p><ul><li>three</li><li>&lt;four&gt;</li></ul>"
    assert plain_text(html) == "One two three <four>"
    long = "<p>" + "word " * 100 + "</p>"
    assert plain_text(long) == ("word " * 100).strip()
    # plain_excerpt is plain_text cut short, as before.
    assert plain_excerpt(long, 20) == "word word word word…"
    assert plain_text("<script>alert(1)</script><p>after</p>") == "after"


# --- escaping, then marking ------------------------------------------------------------------


def test_a_snippet_is_markup_with_only_marks_as_elements():
    result = snippet("<p>A &lt;b&gt;thyroid&lt;/b&gt; <em>check</em></p>", ["thyroid"])
    assert isinstance(result, Markup)
    assert str(result) == "A &lt;b&gt;<mark>thyroid</mark>&lt;/b&gt; check"
    assert shown(result) == "A <b>thyroid</b> check"


def test_typed_tags_stay_text_even_when_searched_for():
    html = render_markdown('<script>alert("x")</script> and <img src=x onerror=alert(1)>')
    result = str(snippet(html, ["script", "img", "onerror", "alert"]))
    assert "<script" not in result and "<img" not in result
    assert marked(result) == ["script", "alert", "script", "img", "onerror", "alert"]
    assert_no_executable(result)


@pytest.mark.parametrize("word", ["amp", "lt", "gt", "quot", "39", "x27", "mark", "34"])
def test_a_match_never_splits_an_entity(word):
    result = str(snippet(render_markdown(f'Tom & Jerry\'s <"{word}"> 39 amp'), [word]))
    # Every "&" in the output starts a whole entity.
    for at in [index for index, char in enumerate(result) if char == "&"]:
        assert result[at:].split(";", 1)[0][1:] in ("amp", "lt", "gt", "#39", "#34", "quot")
    assert shown(result) == "Tom & Jerry's <\"" + word + '"> 39 amp'


def test_marks_never_nest_or_hold_markup():
    result = str(snippet("<p>mark &lt;mark&gt; marked</p>", ["mark"]))
    assert result == "<mark>mark</mark> &lt;<mark>mark</mark>&gt; <mark>marked</mark>"


def test_plain_text_is_passed_escaped_and_comes_back_as_typed():
    summary = "Why <b> & &amp; matter for thyroid"
    result = snippet(escape(summary), ["thyroid"])
    assert shown(result) == summary
    assert marked(result) == ["thyroid"]


def test_highlight_marks_a_whole_title_escaped():
    assert str(highlight("<i>Thyroid</i> & you", ["thyroid"])) == (
        "&lt;i&gt;<mark>Thyroid</mark>&lt;/i&gt; &amp; you"
    )
    assert str(highlight("Nothing here", ["thyroid"])) == "Nothing here"


# --- the window ------------------------------------------------------------------------------


def test_a_short_text_is_shown_whole():
    assert str(snippet("<p>Thyroid checks.</p>", ["thyroid"])) == "<mark>Thyroid</mark> checks."


def test_the_window_is_around_the_first_match_cut_at_words():
    before = " ".join(f"early{number}" for number in range(80))
    after = " ".join(f"late{number}" for number in range(80))
    result = str(snippet(f"<p>{before} thyroid problems {after}</p>", ["thyroid"]))
    text = shown(result)
    assert text.startswith("…early") and text.endswith("…")
    assert "thyroid problems" in text
    assert len(text) <= SNIPPET_CHARACTERS + 2
    # Cut between words: every word shown is whole.
    words = text.strip("…").split()
    assert all(word.startswith(("early", "late", "thyroid", "problems")) for word in words)
    assert all(word[len("early") :].isdigit() for word in words if word.startswith("early"))
    assert 40 <= text.index("thyroid") <= 80


def test_without_a_match_the_beginning_is_shown():
    text = " ".join(f"word{number}" for number in range(100))
    result = shown(snippet(f"<p>{text}</p>", ["absent"]))
    assert result.startswith("word0 word1") and result.endswith("…")
    assert select_all(str(snippet(f"<p>{text}</p>", ["absent"])), "mark") == []


def test_a_match_near_the_end_fills_the_window_before_it():
    text = " ".join(f"word{number}" for number in range(100)) + " thyroid"
    result = shown(snippet(text, ["thyroid"]))
    assert result.startswith("…") and result.endswith("thyroid")
    assert len(result) > SNIPPET_CHARACTERS - 20


def test_one_very_long_word_is_cut_but_not_inside_a_grapheme():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    text = family * 200
    result = shown(snippet(text, ["thyroid"]))
    body = result.removesuffix("…")
    assert body and body == text[: len(body)]
    assert not body.endswith("\u200d")
    accented = "e\u0301" * 400
    body = shown(snippet(accented, ["x"])).removesuffix("…")
    assert not body.endswith("e") or body.endswith("e\u0301")


def test_a_cut_never_leaves_an_entity_half_trimmed():
    text = "a " * 100 + "thyroid " + "x; " * 200
    result = str(snippet(escape(text), ["thyroid"]))
    assert result.endswith("…")
    assert "&" not in result or "&amp;" in result


# --- matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("searched", "text", "expected"),
    [
        (["treatments"], "One treatment, two treatments.", ["treatment", "treatments"]),
        (["infusions"], "The infusion day", ["infusion"]),
        (["infusion"], "Infusions are long", ["Infusions"]),
        (["therapy"], "Two therapies", ["therapies"]),
        (["relapses"], "A relapse", ["relapse"]),
        (["fatigued"], "Fatigue again", ["Fatigue"]),
        (["thyr"], "thyroid and Thyroxine", ["thyroid", "Thyroxine"]),
        (["thyroid"], "THYROID Thyroid tHyRoId", ["THYROID", "Thyroid", "tHyRoId"]),
        (["cafe"], "Café and cafe\u0301", ["Café", "cafe\u0301"]),
        (["thyroid"], "ＴＨＹＲＯＩＤ", ["ＴＨＹＲＯＩＤ"]),
        (["straße"], "STRASSE Straße", ["STRASSE", "Straße"]),
        (["χημειοθεραπεία"], "Η χημειοθεραπεία", ["χημειοθεραπεία"]),
        (["лечение"], "Моё ЛЕЧЕНИЕ", ["ЛЕЧЕНИЕ"]),
        (["علاج"], "هذا علاج جديد", ["علاج"]),
        (["a"], "a alemtuzumab and a", ["a", "a"]),
        (["in"], "in infusion", ["in"]),
        (["39"], "39 and 390", ["39"]),  # too short to be typed as a prefix
    ],
)
def test_words_match_by_stem_prefix_case_and_accent(searched, text, expected):
    assert marked(str(snippet(escape(text), searched))) == expected


def test_the_engine_s_words_are_the_ones_marked():
    # What the page passes: terms.words of what someone typed, syntax and all.
    words = terms.words('"Thyroid" NEAR(problems*) -course')
    result = snippet(escape("Thyroid problems after the second course"), words)
    assert marked(str(result)) == ["Thyroid", "problems", "course"]


def test_crude_stems_agree_for_the_engines_stemmed_pairs():
    pairs = [
        ("treatments", "treatment"), ("infusions", "infusion"), ("therapies", "therapy"),
        ("relapses", "relapse"), ("relapsing", "relapse"), ("fatigued", "fatigue"),
        ("studies", "study"), ("classes", "class"), ("changes", "change"),
    ]  # fmt: skip
    for one, other in pairs:
        assert crude_stem(one) == crude_stem(other), (one, other)
    assert crude_stem("is") == "is" and crude_stem("glass") == "glass"


def test_matches_says_whether_anything_would_be_marked():
    assert matches("<p>Thyroid</p>", ["thyroid"])
    assert not matches("<p>Nothing</p>", ["thyroid"])
    assert not matches("<p>Thyroid</p>", [])


def test_no_words_mark_nothing():
    assert marked(str(snippet("<p>Thyroid</p>", []))) == []
    assert str(snippet("", ["thyroid"])) == ""


# --- the hostile corpora ---------------------------------------------------------------------


def _corpus_cases(monkeypatch) -> list[str]:
    configured = os.environ.get(CORPUS_DIR_VARIABLE)
    shared = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    monkeypatch.setenv(CORPUS_DIR_VARIABLE, configured or str(shared))
    cases = all_hostile_cases()
    assert len(cases) > 700
    return cases


def test_no_hostile_case_leaks_markup_through_a_snippet(monkeypatch):
    for case in _corpus_cases(monkeypatch):
        # Searched for by its own words (so they are marked), as stored HTML and as plain text.
        words = terms.words(case) + ["script", "mark", "amp", "lt", "gt", "39", "onerror"]
        for source, seen in (
            (render_markdown(case), plain_text(render_markdown(case))),
            (escape(case), " ".join(case.split())),
        ):
            result = str(snippet(source, words))
            assert_no_executable(result)
            # Only our <mark> tags are elements; what remains is text that was there.
            bare = result.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in bare and ">" not in bare, (case, result)
            text = shown(result)
            assert text.removeprefix("…").removesuffix("…") in seen, (case, text, seen)
        titled = str(highlight(case, words))
        assert_no_executable(titled)
        assert titled.replace("<mark>", "").replace("</mark>", "") == str(escape(case))


def test_the_best_snippet_comes_from_the_first_source_that_matches():
    summary, body = escape("A summary <about> infusions."), "<p>The body: thyroid checks.</p>"
    assert str(best_snippet([summary, body], ["thyroid"])) == (
        "The body: <mark>thyroid</mark> checks."
    )
    assert str(best_snippet([summary, body], ["infusion"])) == (
        "A summary &lt;about&gt; <mark>infusions</mark>."
    )
    # Nothing matches (a word found in the title, say): the first source with text.
    assert str(best_snippet(["", body], ["title"])) == "The body: thyroid checks."
    assert str(best_snippet(["", ""], ["title"])) == ""
