"""Journey: a caregiver at their worst moment writes words of crisis. They see where to find help
at once, in the page, before anything else: the emergency number and the helplines, as links
a phone can call. Their comment is held, and the admin finds it first in the moderation queue,
marked urgent in words, with the same numbers to pass on. With JavaScript and without.
"""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Comment

from .browser import (
    POST_PATH,
    assert_no_problems,
    axe_violations,
    describe_violations,
    saved_comment,
    screenshot,
    without_page_load,
)
from .helpers import PHONE

HELPLINE_LINKS = ["tel:999", "tel:111", "tel:116123"]


def write_in_crisis(caregiver) -> str:
    words = f"I can’t cope any more… I want to end it all ({secrets.token_hex(3)})"
    form = caregiver.locator("#comment-form")
    form.get_by_label(re.compile(r"^Share or discuss")).check()
    form.get_by_label(re.compile(r"^Your comment")).fill(words)
    form.get_by_role("button", name="Post comment").click()
    return words


def expect_help_first(caregiver, comment_id: int, js: bool) -> None:
    """The support is the first thing in the writer's comment, with numbers to call."""
    card = caregiver.locator(f"#comment-card-{comment_id}")
    support = card.locator(".crisis-support")
    expect(support).to_be_visible()
    expect(support).to_contain_text("You do not have to face this alone")
    expect(support).to_contain_text("116 123")
    links = support.locator("a[href^='tel:']")
    assert [links.nth(n).get_attribute("href") for n in range(links.count())] == HELPLINE_LINKS
    first_child = card.evaluate("card => card.firstElementChild.className")
    assert first_child == "crisis-support"
    assert support.bounding_box()["y"] < card.locator(".comment__body").bounding_box()["y"]
    for number in ("tel:999", "tel:116123"):
        in_view = support.locator(f"a[href='{number}']").evaluate(
            "el => { const box = el.getBoundingClientRect();"
            " return box.top >= 0 && box.bottom <= window.innerHeight; }"
        )
        assert in_view, f"{number} must be on screen without scrolling"
    if js:  # axe runs in the page: with scripts off it never returns (same markup anyway)
        violations = axe_violations(caregiver)
        assert violations == [], describe_violations(violations)


def admin_finds_it_first(visit, comment_id: int, js: bool) -> None:
    admin = visit("admin", js=js)
    admin.goto("/moderation")
    first = admin.locator("li.queue-item").first
    expect(first).to_have_id(f"queue-item-{comment_id}")
    expect(first.locator("h3")).to_contain_text("Urgent: may be in crisis")
    expect(first.locator(".crisis-support a[href='tel:116123']")).to_be_visible()
    assert admin.locator("li.queue-item").count() > 1  # it came first among others waiting
    if js:  # axe runs in the page: with scripts off it never returns (same markup anyway)
        violations = axe_violations(admin)
        assert violations == [], describe_violations(violations)
        screenshot(admin, "crisis-queue")
    admin.goto("/notifications")
    expect(admin.locator("main")).to_contain_text("may come from someone in crisis")
    assert_no_problems(admin)


def held_urgent(site, comment_id: int) -> tuple[str, bool]:
    with site.database():
        comment = db.session.get(Comment, comment_id)
        return comment.status, comment.urgent


def test_crisis_words_get_help_at_once_and_top_the_queue_with_javascript(site, visit):
    caregiver = visit("steadyhand", viewport=PHONE)
    caregiver.goto(POST_PATH)
    with without_page_load(caregiver):
        words = write_in_crisis(caregiver)
        comment = saved_comment(site, words)
        expect(caregiver.locator(f"#comment-{comment.id}")).to_be_focused()
        expect(caregiver.locator("#announcer")).to_contain_text("999")
        expect_help_first(caregiver, comment.id, js=True)
    screenshot(caregiver, "crisis-support")
    assert held_urgent(site, comment.id) == ("pending", True)
    # Still there after a reload: the help is part of their held comment, not a passing note.
    caregiver.reload()
    expect(caregiver.locator(f"#comment-card-{comment.id} .crisis-support")).to_be_visible()
    assert caregiver.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(caregiver)
    admin_finds_it_first(visit, comment.id, js=True)


def test_crisis_words_get_help_at_once_and_top_the_queue_without_javascript(site, visit):
    caregiver = visit("steadyhand", js=False, viewport=PHONE)
    caregiver.goto(POST_PATH)
    words = write_in_crisis(caregiver)
    comment = saved_comment(site, words)
    caregiver.wait_for_url(re.compile(rf"{POST_PATH}#comment-{comment.id}$"))
    expect_help_first(caregiver, comment.id, js=False)
    assert held_urgent(site, comment.id) == ("pending", True)
    assert caregiver.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(caregiver)
    admin_finds_it_first(visit, comment.id, js=False)
