"""The search page: /search?q=… as a plain GET form and as htmx's results region, results in
three groups (posts, answered questions with their answers, other discussion) with counts,
filters by treatment, "answered by a clinician" and date, pages, and queries of any shape
answered without an error, their words shown back as text."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from portal import tags
from portal.comments import threads
from portal.extensions import db
from portal.models import Comment, utcnow
from portal.questions import lifecycle
from portal.sanitize import plain_text
from portal.search import terms

from .helpers import (
    HTMX,
    count_statements,
    select_all,
    select_one,
    text_of,
    texts_of,
    value_of,
)
from .hostile import CORPUS_DIR_VARIABLE, all_hostile_cases, assert_no_executable

FORM = {**HTMX, "HX-Trigger": "search-form", "HX-Target": "search-results"}


def answered(post, asker, clinician, make_comment, question: str, answer: str):
    asked = make_comment(post, asker, question)
    reply = make_comment(post, clinician, answer, parent=asked)
    lifecycle.mark_answer(reply, clinician)
    db.session.commit()
    return asked, reply


@pytest.fixture()
def world(make_post, make_comment, people):
    """Two posts on two treatments; on the first, an answered thyroid question, a discussion
    comment about thyroid, and a question still waiting."""
    alemtuzumab = make_post(
        "Alemtuzumab: the long view",
        body="Thyroid problems are the most common effect after the second course.",
        summary="Long-term evidence.",
    )
    alemtuzumab.tags = [tags.get_or_create("alemtuzumab")]
    ocrelizumab = make_post(
        "Ocrelizumab infusion day",
        body="What happens on the day of an infusion.",
        summary="Infusions explained.",
    )
    ocrelizumab.tags = [tags.get_or_create("ocrelizumab")]
    db.session.commit()
    question, answer = answered(
        alemtuzumab,
        people["patient"],
        people["clinician"],
        make_comment,
        "Do thyroid problems go away after the second course?",
        "Thyroid checks carry on every three months; the risk falls but does not vanish.",
    )
    sharing = make_comment(
        alemtuzumab,
        people["caregiver"],
        "My wife's thyroid settled with tablets.",
        kind="discussion",
    )
    waiting = make_comment(alemtuzumab, people["patient"], "Is tiredness after infusion normal?")
    return {
        "alemtuzumab": alemtuzumab,
        "ocrelizumab": ocrelizumab,
        "question": question,
        "answer": answer,
        "sharing": sharing,
        "waiting": waiting,
    }


def results_of(html):
    return select_one(html, "#search-results")


def group(html, kind: str):
    return select_one(html, f"section.search-group--{kind}")


def hit_titles(html, kind: str) -> list[str]:
    return texts_of(group(html, kind), ".search-hit__title")


# --- the form, everywhere and on its page ----------------------------------------------------


def test_every_page_has_a_search_box_in_its_header(client, world):
    for path in ("/", f"/posts/{world['alemtuzumab'].slug}", "/login"):
        header = select_one(client.get(path), "header.site-header")
        form = select_one(header, "form[role=search]")
        assert form["method"] == "get" and form["action"] == "/search"
        assert form["aria-label"] == "Search"
        field = select_one(form, "input[name=q]")
        assert text_of(select_one(form, f"label[for={field['id']}]")) == "Search"
        assert field["type"] == "search"
        assert int(field["maxlength"]) == terms.MAX_QUERY_CHARACTERS
        assert text_of(select_one(form, "button[type=submit]")) == "Search"


def test_the_empty_search_page_is_the_form_with_a_hint_and_no_results(client, world):
    response = client.get("/search")
    assert response.status_code == 200
    form = select_one(response, "main form#search-form")
    assert form["method"] == "get" and form["action"] == "/search"
    assert form["role"] == "search"
    assert int(select_one(form, "input#search-q")["maxlength"]) == terms.MAX_QUERY_CHARACTERS
    assert select_one(form, "label[for=search-q]")
    assert text_of(select_one(form, "button[type=submit]")) == "Search"
    # Without JavaScript the same form works: it is a form with a submit button and names.
    assert {field["name"] for field in select_all(form, "input, select")} == {
        "q",
        "kind",
        "tag",
        "when",
    }
    results = results_of(response)
    assert text_of(results, "h2") == "What to search for"
    assert select_all(results, ".search-hit") == []
    assert select_all(results, ".search-group") == []


def test_the_form_offers_the_treatments_that_have_published_posts(client, world, make_post):
    draft = make_post("Unpublished", status="draft", published_at=None)
    draft.tags = [tags.get_or_create("cladribine")]
    db.session.commit()
    options = select_all(client.get("/search"), "select#search-tag option")
    assert [(option["value"], text_of(option)) for option in options] == [
        ("", "All treatments"),
        ("alemtuzumab", "alemtuzumab"),
        ("ocrelizumab", "ocrelizumab"),
    ]


def test_the_treatments_offered_follow_publishing_at_once(client, world, make_post):
    """The options are kept between searches; publishing or withdrawing a post changes them
    on the next search, as the post itself does."""

    def offered() -> list[str]:
        return [o["value"] for o in select_all(client.get("/search"), "select#search-tag option")]

    assert offered() == ["", "alemtuzumab", "ocrelizumab"]
    draft = make_post("Cladribine tablets", status="draft", published_at=None)
    draft.tags = [tags.get_or_create("cladribine")]
    db.session.commit()
    assert offered() == ["", "alemtuzumab", "ocrelizumab"]
    draft.status, draft.published_at = "published", utcnow()
    db.session.commit()
    assert offered() == ["", "alemtuzumab", "cladribine", "ocrelizumab"]
    assert client.get("/search?q=tablets&tag=cladribine").status_code == 200
    world["ocrelizumab"].status = "draft"
    db.session.commit()
    assert offered() == ["", "alemtuzumab", "cladribine"]


def test_the_form_shows_back_what_was_asked(client, world):
    html = client.get("/search?q=thyroid&kind=answered&tag=alemtuzumab&when=year")
    assert value_of(html, "#search-q") == "thyroid"
    assert select_one(html, "#search-kind-answered").has_attr("checked")
    assert not select_one(html, "#search-kind-all").has_attr("checked")
    assert select_one(html, "#search-tag option[value=alemtuzumab]").has_attr("selected")
    assert select_one(html, "#search-when option[value=year]").has_attr("selected")
    assert text_of(html, "title").startswith("Search: thyroid")


def test_the_form_updates_results_in_place_as_the_person_types(client, world):
    form = select_one(client.get("/search"), "form#search-form")
    assert form["hx-get"] == "/search"
    assert form["hx-target"] == "#search-results"
    assert form["hx-push-url"] == "true"
    assert form["hx-sync"] == "this:replace"
    triggers = [part.strip() for part in form["hx-trigger"].split(",")]
    assert "submit" in triggers
    assert "input changed delay:400ms from:#search-q" in triggers
    assert "change from:#search-filters" in triggers
    assert select_one(form, "#search-filters").find_all("select")


# --- results ---------------------------------------------------------------------------------


def test_everything_shows_three_groups_with_their_counts(client, world):
    html = client.get("/search?q=thyroid")
    results = results_of(html)
    assert text_of(results, "h2") == "3 results for “thyroid”"
    assert texts_of(results, "section.search-group > h3") == [
        "Posts (1)",
        "Answered questions (1)",
        "Other discussion (1)",
    ]
    assert hit_titles(html, "posts") == ["Alemtuzumab: the long view"]
    assert hit_titles(html, "answered") == ["Question from RiverWalker"]
    assert hit_titles(html, "discussion") == ["Comment from SteadyHand"]
    # Each group is a landmark named by its heading, each hit an article named by its own.
    for section in select_all(results, "section.search-group"):
        assert select_one(results, f"#{section['aria-labelledby']}").name == "h3"
    for article in select_all(results, "article"):
        assert select_one(results, f"#{article['aria-labelledby']}")


def test_an_answered_question_shows_the_clinician_s_answer_beneath_it(client, world, people):
    html = client.get("/search?q=thyroid")
    hit = select_one(group(html, "answered"), ".search-hit")
    question, answer = world["question"], world["answer"]
    assert "Do thyroid problems go away" in text_of(hit, ".search-hit__question .search-snippet")
    beneath = select_one(hit, ".search-hit__answer")
    assert "comment--clinician" in beneath["class"]
    assert text_of(beneath, ".comment__author") == "Helen Marsh"
    assert text_of(beneath, ".badge") == "✓ Verified clinician"
    assert text_of(beneath, ".label--answer") == "Clinician's answer"
    assert "risk falls" in text_of(beneath, ".search-snippet")
    # The answer's link is its own address, which leads on to its permalink in the thread.
    link = select_one(beneath, "a.action")
    assert text_of(link).startswith("Read the answer")
    assert link["href"] == f"/comments/{answer.id}"
    followed = client.get(link["href"])
    with client.application.test_request_context():
        from flask import url_for

        expected = url_for("posts.show", **threads.permalink_args(answer, None))
    assert followed.status_code == 302 and followed.headers["Location"] == expected
    assert expected == f"/posts/{world['alemtuzumab'].slug}#comment-{answer.id}"
    question_link = select_one(hit, ".search-hit__question h4 a")
    assert question_link["href"] == f"/comments/{question.id}"


def test_a_results_link_leads_to_the_page_of_threads_that_shows_it(
    client, app, world, people, make_comment
):
    app.config["THREADS_PER_PAGE"] = 2
    for number in range(3):
        make_comment(world["alemtuzumab"], people["clinician"], f"Later thread {number}")
    late = make_comment(world["alemtuzumab"], people["clinician"], "A zebrafish thread.")
    reply = make_comment(world["alemtuzumab"], people["caregiver"], "Zebrafish reply.", parent=late)
    html = client.get("/search?q=zebrafish&kind=discussion")
    links = {text_of(a): a["href"] for a in select_all(html, ".search-hit__title a")}
    slug = world["alemtuzumab"].slug

    def lands(link: str) -> str:
        return client.get(link).headers["Location"]

    # Threads oldest first, two a page: question, sharing | waiting, later 0 | … | zebrafish.
    assert lands(links["Comment from Helen Marsh"]) == f"/posts/{slug}?page=4#comment-{late.id}"
    assert lands(links["Reply from SteadyHand"]) == f"/posts/{slug}?page=4#comment-{reply.id}"


def test_see_all_leads_to_one_group_paged(client, world, people, make_comment):
    for number in range(7):
        make_comment(world["ocrelizumab"], people["caregiver"], f"Thyroid note {number}.")
    html = client.get("/search?q=thyroid&tag=&when=any")
    discussion = group(html, "discussion")
    assert len(select_all(discussion, ".search-hit")) == 5
    more = select_one(discussion, ".search-group__more a")
    assert text_of(more) == "See all 8 other comments"
    target = urlsplit(more["href"])
    assert target.path == "/search"
    assert parse_qs(target.query) == {"q": ["thyroid"], "kind": ["discussion"]}
    # The groups that show everything they found need no "See all".
    assert select_all(group(html, "answered"), ".search-group__more") == []

    page = client.get(more["href"])
    assert text_of(results_of(page), "h2") == "8 results for “thyroid” in other discussion"
    assert len(select_all(page, ".search-hit")) == 8
    assert [text_of(h3) for h3 in select_all(page, "section.search-group > h3")] == [
        "Other discussion (8)"
    ]
    assert select_one(page, "#search-kind-discussion").has_attr("checked")


def test_a_single_group_comes_ten_to_a_page(client, world, people, make_comment):
    for number in range(23):
        make_comment(world["ocrelizumab"], people["caregiver"], f"Zebrafish note {number}.")
    first = client.get("/search?q=zebrafish&kind=discussion")
    assert len(select_all(first, ".search-hit")) == 10
    pager = select_one(first, "nav.pagination")
    assert "Page 1 of 3" in text_of(pager)
    next_link = select_one(pager, "a[rel=next]")
    assert parse_qs(urlsplit(next_link["href"]).query) == {
        "q": ["zebrafish"],
        "kind": ["discussion"],
        "page": ["2"],
    }
    # With htmx the pager fetches the results region and keeps its address.
    assert next_link["hx-target"] == "#search-results" and next_link["hx-push-url"] == "true"
    second = client.get(next_link["href"])
    assert "Page 2 of 3" in text_of(second, "nav.pagination")
    third = client.get("/search?q=zebrafish&kind=discussion&page=3")
    assert len(select_all(third, ".search-hit")) == 3
    seen = set()
    for page in (first, second, third):
        seen.update(a["href"] for a in select_all(page, ".search-hit__title a"))
    assert len(seen) == 23


def test_when_more_match_than_are_counted_the_newest_are_listed_and_said_so(
    client, world, people, make_comment, monkeypatch
):
    from portal.search import engine

    monkeypatch.setattr(engine, "RANKED_AT_MOST", 12)
    for number in range(30):
        make_comment(world["ocrelizumab"], people["caregiver"], f"Zebrafish note {number}.")
    everything = client.get("/search?q=zebrafish")
    assert text_of(results_of(everything), "h2") == "More than 12 results for “zebrafish”"
    assert text_of(group(everything, "discussion"), "h3") == "Other discussion (more than 12)"
    more = select_one(group(everything, "discussion"), ".search-group__more a")
    assert text_of(more) == "See the newest 12 other comments"
    assert "newest come first" in text_of(results_of(everything), ".search-results__more")

    listed = client.get(more["href"])
    assert text_of(results_of(listed), "h2") == (
        "More than 12 results for “zebrafish” in other discussion"
    )
    assert "these are the newest 12" in text_of(results_of(listed), ".search-results__more")
    assert texts_of(listed, ".search-snippet")[:2] == ["Zebrafish note 29.", "Zebrafish note 28."]
    assert "Page 1 of 2" in text_of(listed, "nav.pagination")
    last = client.get(more["href"] + "&page=9")
    assert "Page 2 of 2" in text_of(last, "nav.pagination")
    assert len(select_all(last, ".search-hit")) == 2
    announced = client.get(more["href"], headers=FORM)
    assert text_of(select_one(announced, "#announcer")).startswith("More than 12 results")


@pytest.mark.parametrize(
    ("page", "shown"),
    [("99", "Page 3 of 3"), ("0", "Page 1 of 3"), ("-2", "Page 1 of 3"), ("x", "Page 1 of 3"),
     ("99999999999999999999", "Page 1 of 3"), ("2.5", "Page 1 of 3")],
)  # fmt: skip
def test_a_page_out_of_range_shows_the_nearest_one(
    client, world, people, make_comment, page, shown
):
    for number in range(23):
        make_comment(world["ocrelizumab"], people["caregiver"], f"Zebrafish note {number}.")
    response = client.get(f"/search?q=zebrafish&kind=discussion&page={page}")
    assert response.status_code == 200
    assert shown in text_of(response, "nav.pagination")
    assert select_all(response, ".search-hit")


def test_nothing_found_says_so(client, world):
    results = results_of(client.get("/search?q=kangaroo"))
    assert text_of(results, "h2") == "0 results for “kangaroo”"
    assert "Nothing matches every word" in text_of(results)
    assert select_all(results, ".search-group") == []


def test_a_query_with_no_words_in_it_says_so(client, world):
    results = results_of(client.get("/search", query_string={"q": '"*" () -- ^'}))
    assert text_of(results, "h2") == 'No results for “"*" () -- ^”'
    assert "no words to search for" in text_of(results)


def test_stemmed_words_are_found_and_marked(client, world):
    html = client.get("/search?q=infusions&kind=posts")
    assert hit_titles(html, "posts") == ["Ocrelizumab infusion day"]
    # The title's "infusion", and the summary's "Infusions", which matched the same stem.
    assert texts_of(html, ".search-hit mark") == ["infusion", "Infusions"]


def test_typing_the_start_of_a_word_finds_it(client, world):
    html = client.get("/search?q=thyr")
    assert text_of(results_of(html), "h2") == "3 results for “thyr”"
    assert "thyroid" in [mark.lower() for mark in texts_of(html, ".search-hit mark")]


# --- filters ---------------------------------------------------------------------------------


def test_answered_shows_only_answered_questions(client, world):
    html = client.get("/search?q=thyroid&kind=answered")
    assert texts_of(results_of(html), "section.search-group > h3") == ["Answered questions (1)"]
    assert hit_titles(html, "answered") == ["Question from RiverWalker"]


def test_the_treatment_filter_keeps_that_treatment_s_posts_and_their_comments(
    client, world, people, make_comment
):
    make_comment(world["ocrelizumab"], people["caregiver"], "Thyroid and infusions?")
    everything = texts_of(results_of(client.get("/search?q=thyroid")), ".search-group > h3")
    assert everything == ["Posts (1)", "Answered questions (1)", "Other discussion (2)"]
    ocrelizumab = results_of(client.get("/search?q=thyroid&tag=ocrelizumab"))
    assert texts_of(ocrelizumab, ".search-group > h3") == [
        "Posts (0)",
        "Answered questions (0)",
        "Other discussion (1)",
    ]
    assert "Thyroid and infusions?" in text_of(ocrelizumab, ".search-snippet")
    # Filtered results offer the same search without filters.
    link = select_one(ocrelizumab, ".search-results__filters a")
    assert link["href"] == "/search?q=thyroid"


def test_the_date_filter_leaves_out_older_posts_and_comments(client, world, people, make_comment):
    world["alemtuzumab"].published_at = utcnow() - timedelta(days=90)
    world["question"].created_at = utcnow() - timedelta(days=80)
    world["answer"].created_at = utcnow() - timedelta(days=79)
    db.session.commit()
    old = make_comment(world["ocrelizumab"], people["caregiver"], "An old thyroid story.")
    old.created_at = utcnow() - timedelta(days=400)
    db.session.commit()
    counts = {
        when: texts_of(
            results_of(client.get(f"/search?q=thyroid&when={when}")), ".search-group > h3"
        )
        for when in ("any", "year", "month")
    }
    assert counts["any"] == ["Posts (1)", "Answered questions (1)", "Other discussion (2)"]
    assert counts["year"] == ["Posts (1)", "Answered questions (1)", "Other discussion (1)"]
    assert counts["month"] == ["Posts (0)", "Answered questions (0)", "Other discussion (1)"]


@pytest.mark.parametrize(
    "query",
    ["kind=everything", "kind=", "kind=answered%00", "tag=no-such-tag", "tag=%3Cb%3E",
     "when=never", "when=", "kind=posts&kind=answered", "q=thyroid&q=infusion", "tag[]=x",
     "page=-1&kind=bogus&when=decade&tag=../../etc"],
)  # fmt: skip
def test_unknown_filter_values_fall_back_to_the_defaults(client, world, query):
    response = client.get(f"/search?q=thyroid&{query}")
    assert response.status_code == 200
    # A repeated parameter counts once: the first.
    assert "for “thyroid”" in text_of(results_of(response), "h2")


# --- htmx ------------------------------------------------------------------------------------


def test_with_htmx_the_results_come_alone_and_are_announced(client, world):
    response = client.get("/search?q=thyroid", headers=FORM)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and "search-form" not in html
    assert text_of(html, "h2") == "3 results for “thyroid”"
    announcer = select_one(html, "#announcer")
    assert announcer["hx-swap-oob"] == "innerHTML"
    assert text_of(announcer) == "3 results for “thyroid”"
    # Typing leaves focus in the box: nothing in the answer takes it.
    assert select_all(html, "[autofocus]") == []
    # Same results as the page, from the same partial.
    page = results_of(client.get("/search?q=thyroid"))
    assert texts_of(html, ".search-hit__title") == texts_of(page, ".search-hit__title")


def test_with_htmx_a_page_of_results_takes_focus_to_its_heading(
    client, world, people, make_comment
):
    for number in range(12):
        make_comment(world["ocrelizumab"], people["caregiver"], f"Zebrafish note {number}.")
    html = client.get(
        "/search?q=zebrafish&kind=discussion&page=2",
        headers={**HTMX, "HX-Target": "search-results"},
    )
    heading = select_one(html, "h2")
    assert heading.has_attr("autofocus") and heading["tabindex"] == "-1"
    assert text_of(select_one(html, "#announcer")) == "12 results for “zebrafish”, page 2 of 2"


def test_with_htmx_an_empty_query_empties_the_results_quietly(client, world):
    html = client.get("/search?q=", headers=FORM).get_data(as_text=True)
    assert text_of(html, "h2") == "What to search for"
    assert text_of(select_one(html, "#announcer")) == ""


# --- what is shown, and what never is --------------------------------------------------------


def test_hidden_comments_are_not_found(client, world, people, make_comment):
    for status in ("pending", "rejected", "spam", "removed", "deleted"):
        make_comment(
            world["alemtuzumab"], people["caregiver"], f"Zebrafish {status} words.", status=status
        )
    shown = make_comment(world["alemtuzumab"], people["caregiver"], "Zebrafish approved words.")
    html = client.get("/search?q=zebrafish")
    assert text_of(results_of(html), "h2") == "1 result for “zebrafish”"
    assert texts_of(html, ".search-snippet") == ["Zebrafish approved words."]
    assert select_one(html, ".search-hit__title a")["href"] == f"/comments/{shown.id}"


def test_snippets_show_typed_markup_as_text_with_the_match_marked(
    client, world, people, make_comment
):
    make_comment(
        world["alemtuzumab"],
        people["caregiver"],
        "My <script>alert(1)</script> zebrafish and &lt;b&gt;bold&lt;/b&gt; text.",
    )
    # The words of the typed tags themselves are searched for and marked: the marks sit
    # between the escaped angle brackets, never turning them back into markup.
    html = client.get("/search?q=zebrafish+script+bold").get_data(as_text=True)
    snippet = select_one(html, ".search-snippet")
    inner = snippet.decode_contents()
    assert inner == (
        "My &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; <mark>zebrafish</mark>"
        " and &lt;b&gt;<mark>bold</mark>&lt;/b&gt; text."
    )
    # Readers see what the thread shows: the characters typed, never an element.
    assert text_of(snippet) == "My <script>alert(1)</script> zebrafish and <b>bold</b> text."
    assert select_all(snippet, "script, b") == []
    assert_no_executable(inner)


def test_a_comment_with_escaped_markup_text_is_shown_as_readers_see_it(
    client, world, people, make_comment
):
    comment = make_comment(world["alemtuzumab"], people["caregiver"], "Zebrafish &amp; 39 &#39;")
    html = client.get("/search?q=39+zebrafish")
    snippet = select_one(html, ".search-snippet")
    assert text_of(snippet) == plain_text(comment.body_html)
    assert texts_of(snippet, "mark") == ["Zebrafish", "39"]


# --- hostile queries -------------------------------------------------------------------------

FTS_SYNTAX = [
    '"', '""', '"thyroid', 'thyroid"', "'", "*", "thyroid*", "*thyroid", "^thyroid",
    "NEAR(thyroid course)", "NEAR(thyroid course, 2)", "thyroid NEAR course", "thyroid AND",
    "AND", "OR", "NOT", "thyroid OR infusion", "thyroid NOT course", "-thyroid", "+thyroid",
    "(", ")", "((thyroid", "thyroid))", "body_source:thyroid", "title:thyroid", "{title}: x",
    "posts_fts:thyroid", "rank:1", "thyroid:*", "thyroid & course", "thyroid | course",
    "!thyroid", "<->", "thyroid <-> course", "a:b:c", "\\", "\\\\", "%", "_", "%thyroid%",
    "'; DROP TABLE comments; --", "\x00", "thyroid\x00course", "\x01\x02\x1f\x7f", "\t\n\r",
    "\u202ethyroid", "th\u200byroid", "ＴＨＹＲＯＩＤ", "thyroid" * 40, "x" * 5000,
    "thyroid " * 1000, "\ud7ff", "🧪" * 300, "é" * 300, " ".join(["w"] * 200),
]  # fmt: skip


def _assert_harmless(client, query: str, *, fragment: bool = True) -> None:
    """The page (and htmx's fragment) answer query with 200, its words shown back as text."""
    for headers in ({}, FORM) if fragment else ({},):
        response = client.get("/search", query_string={"q": query}, headers=headers)
        assert response.status_code == 200, (query[:80], response.status_code)
        html = response.get_data(as_text=True)
        if headers:
            # The fragment's own out-of-band announcer carries htmx's attribute; its words
            # are checked as text.
            region, announcer = html.split('<div id="announcer"')
            assert "<" not in announcer.split(">", 1)[1].removesuffix("</div>").strip()
        else:
            region = str(results_of(html))
        # Our own attribute on each snippet (htmx ignores what is inside); the words inside
        # are what is checked.
        assert_no_executable(region.replace(' hx-disable=""', "").replace(" hx-disable", ""))
        heading = text_of(region, "h2")
        assert heading in ("What to search for",) or "for “" in heading
        if not headers:
            shown = value_of(html, "#search-q")
            assert len(shown) <= terms.MAX_QUERY_CHARACTERS
            assert "\x00" not in shown and "\x01" not in shown


@pytest.mark.parametrize("query", FTS_SYNTAX, ids=range(len(FTS_SYNTAX)))
def test_search_syntax_control_characters_and_long_queries_are_harmless(client, world, query):
    _assert_harmless(client, query)


def test_every_hostile_case_as_a_query_is_harmless(client, world, monkeypatch):
    monkeypatch.setenv("PORTAL_HOSTILE_CORPUS_DIR", _corpus_dir())
    cases = all_hostile_cases()
    assert len(cases) > 700  # the shared corpora are read, not only our own list
    for number, case in enumerate(cases):
        # Every case as a page; every fifth also as htmx's fragment, which renders the same
        # partial (the syntax cases above are sent both ways, each of them).
        _assert_harmless(client, case, fragment=number % 5 == 0)


def test_a_long_query_is_cut_to_the_form_s_length_not_refused(client, world):
    query = "thyroid " + "x" * 5000
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert value_of(response, "#search-q") == query[: terms.MAX_QUERY_CHARACTERS].strip()


def test_every_hostile_case_in_a_comment_comes_back_escaped_in_its_snippet(
    client, world, people, monkeypatch
):
    from portal import rendering
    from portal.search import engine

    monkeypatch.setenv("PORTAL_HOSTILE_CORPUS_DIR", _corpus_dir())
    cases = all_hostile_cases()
    post = world["ocrelizumab"]
    texts = {}
    # In batches under the engine's count (beyond it only the newest are listed), each batch
    # found by its own word, one no stemmer shortens: "zebraaq", "zebrabq", …
    batch_size = engine.RANKED_AT_MOST - 10
    batches = [cases[at : at + batch_size] for at in range(0, len(cases), batch_size)]
    words = [f"zebra{chr(97 + number)}q" for number in range(len(batches))]
    for word, batch in zip(words, batches, strict=True):
        for case in batch:
            comment = Comment(post=post, author=people["caregiver"], status="approved")
            comment.kind = "discussion"
            # As the request class hands it over: NUL replaced (PostgreSQL refuses it in text).
            rendering.set_comment_body(comment, f"{word} {case}".replace("\x00", "\ufffd"))
            db.session.add(comment)
            db.session.flush()
            comment.root_id = comment.id
            texts[comment.id] = plain_text(comment.body_html)
    db.session.commit()

    seen = 0
    for word in words:
        page = 1
        while True:
            html = client.get(f"/search?q={word}&kind=discussion&page={page}")
            for hit in select_all(html, ".search-hit--discussion"):
                snippet = select_one(hit, ".search-snippet")
                assert_no_executable(snippet.decode_contents())
                assert word in {mark.get_text().lower() for mark in select_all(snippet, "mark")}
                comment_id = int(select_one(hit, "h4 a")["href"].rsplit("/", 1)[1])
                shown = snippet.get_text().removesuffix("…")
                assert shown in texts[comment_id], (shown, texts[comment_id])
                seen += 1
            current = select_all(html, "nav.pagination li[aria-current]")
            if not current or page >= int(text_of(current[0]).rsplit(" ", 1)[1]):
                break
            page += 1
    assert seen == len(cases)


def _corpus_dir() -> str:
    """The shared corpora: where CI points, else beside the repository, as CI finds them."""
    configured = os.environ.get(CORPUS_DIR_VARIABLE)
    if configured:
        return configured
    shared = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    assert shared.is_dir(), f"the shared corpora are missing: set {CORPUS_DIR_VARIABLE}"
    return str(shared)


# --- cost ------------------------------------------------------------------------------------


def test_the_search_page_costs_the_same_statements_however_many_results(
    client, world, people, make_comment, make_post
):
    def statements(query: str) -> int:
        return count_statements(lambda: client.get(f"/search?q={query}"))

    few = statements("thyroid")
    for number in range(12):
        other = make_post(f"Zebrafish post {number}", body="zebrafish thyroid")
        question, _ = answered(
            other, people["patient"], people["clinician"], make_comment,
            f"Thyroid zebrafish {number}?", "Zebrafish thyroid answer.",
        )  # fmt: skip
        make_comment(other, people["caregiver"], "Thyroid zebrafish talk.", kind="discussion")
        make_comment(other, people["caregiver"], "Thyroid reply.", parent=question)
    many = statements("thyroid")
    assert many == few
    single = count_statements(lambda: client.get("/search?q=thyroid&kind=answered"))
    assert single <= few


def test_the_demo_s_thyroid_question_is_found_answered_by_the_nurse(app, client):
    from portal.demo import seed_demo

    seed_demo()
    html = client.get("/search?q=thyroid&kind=answered")
    hits = [
        hit
        for hit in select_all(html, ".search-hit--answered")
        if "thyroid problems can turn up years later" in text_of(hit, ".search-hit__question")
    ]
    assert len(hits) == 1
    assert text_of(hits[0], ".search-hit__answer .comment__author") == "Sam Okafor"
    assert "Verified clinician" in text_of(hits[0], ".search-hit__answer .badge")
