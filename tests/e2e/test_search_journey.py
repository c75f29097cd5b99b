"""Journey: a visitor searches "thyroid" from the header, narrows the results to questions a
clinician answered, and opens the answer, landing on the clinician's answer in the thread.
Once with JavaScript (the results change in place as they type and filter, the address
follows, the count is announced) and once without, on a phone (every step a plain form).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment

from .browser import POST_SLUG, assert_no_problems, screenshot, without_page_load
from .helpers import PHONE

ASKED = "thyroid problems can turn up years later"


def the_demo_thyroid_answer(site) -> int:
    """The demo's answered thyroid question's marked answer (the seeded data marks it)."""
    with site.database():
        question = db.session.scalar(
            select(Comment).where(Comment.body_source.contains(ASKED), Comment.parent_id.is_(None))
        )
        assert question is not None and question.question_state == "answered"
        assert question.answer is not None and question.answer.author.is_clinician
        return question.answer_id


def search_from_the_header(page, words: str) -> None:
    page.goto("/")
    header = page.get_by_role("search", name="Search", exact=True)
    header.get_by_role("searchbox", name="Search", exact=True).fill(words)
    header.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search\?q=" + words))
    expect(page.get_by_role("heading", level=2)).to_have_text(
        re.compile(rf"^\d+ results? for “{words}”$")
    )


def open_the_answer(page, answer_id: int) -> None:
    hit = page.locator(".search-hit--answered", has_text=ASKED)
    expect(hit.locator(".search-hit__answer")).to_contain_text("Verified clinician")
    expect(hit.locator(".search-hit__answer mark").first).to_have_text(re.compile("thyroid", re.I))
    hit.get_by_role("link", name=re.compile(r"^Read the answer")).click()
    page.wait_for_url(re.compile(rf"/posts/{POST_SLUG}(\?page=\d+)?#comment-{answer_id}$"))
    card = page.locator(f"#comment-card-{answer_id}")
    expect(card).to_contain_text("Clinician's answer")
    expect(card).to_be_in_viewport()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_search_filter_and_open_the_answer_with_javascript(site, visit):
    answer_id = the_demo_thyroid_answer(site)
    page = visit()
    search_from_the_header(page, "thyroid")
    searches = []
    page.on(
        "request",
        lambda request: searches.append(request.url) if "/search" in request.url else None,
    )
    field = page.get_by_role("searchbox", name="Search for")
    results = page.locator("#search-results")
    with without_page_load(page):
        field.click()
        field.press("End")
        field.press_sequentially(" problems", delay=50)
        expect(results.get_by_role("heading", level=2)).to_have_text(
            re.compile(r"^\d+ results? for “thyroid problems”$")
        )
        expect(field).to_be_focused()
        expect(page.locator("#announcer")).to_have_text(
            re.compile(r"^\d+ results? for “thyroid problems”$")
        )
        expect(page).to_have_url(re.compile(r"q=thyroid(\+|%20)problems"))
        # Debounced: one request for the pause, not one per key.
        assert 1 <= len(searches) <= 2, searches
        page.get_by_label("Answered by a clinician").check()
        expect(results.get_by_role("heading", level=2)).to_contain_text("in answered questions")
        expect(page).to_have_url(re.compile(r"kind=answered"))
        expect(results.locator("section.search-group h3")).to_have_count(1)
    screenshot(page, "journey-search-answered-js")
    assert_no_problems(page)
    open_the_answer(page, answer_id)
    assert_no_problems(page)
    # The address the results left behind is shareable: opened anew, it shows the same.
    page.go_back()
    expect(page).to_have_url(re.compile(r"kind=answered"))
    expect(page.locator(".search-hit--answered", has_text=ASKED)).to_be_visible()


def test_search_filter_and_open_the_answer_without_javascript_on_a_phone(site, visit):
    answer_id = the_demo_thyroid_answer(site)
    page = visit(js=False, viewport=PHONE)
    search_from_the_header(page, "thyroid")
    no_sideways_scroll(page)
    page.get_by_label("Answered by a clinician").check()
    page.get_by_role("search", name="Search posts and discussion").get_by_role(
        "button", name="Search"
    ).click()
    page.wait_for_url(re.compile(r"kind=answered"))
    expect(page.get_by_role("heading", level=2)).to_contain_text("in answered questions")
    expect(page.locator("section.search-group h3")).to_have_text(
        re.compile(r"^Answered questions \(\d+\)$")
    )
    no_sideways_scroll(page)
    screenshot(page, "journey-search-answered-no-js")
    open_the_answer(page, answer_id)
    no_sideways_scroll(page)
    assert_no_problems(page)
