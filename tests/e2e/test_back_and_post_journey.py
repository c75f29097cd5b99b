"""Back and post again, without JavaScript: the browser gives the form back with its words
but the page is fetched afresh (a new form token), and the comment must still be stored once.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Comment

from .browser import POST_PATH, assert_no_problems, saved_comment

PHONE = {"width": 390, "height": 844}


def stored_with(site, body: str) -> int:
    with site.database():
        return db.session.scalar(select(func.count()).where(Comment.body_source == body))


def test_going_back_and_posting_again_stores_the_comment_once(site, visit):
    page = visit("riverwalker", js=False, viewport=PHONE)
    page.goto(POST_PATH)
    body = "Does the tiredness after each infusion ease with the later courses?"
    page.get_by_label("Your comment or question").fill(body)
    page.get_by_label(re.compile(r"^Share or discuss")).check()
    page.get_by_role("button", name="Post comment").click()
    first = saved_comment(site, body)
    page.wait_for_url(re.compile(rf"{POST_PATH}#comment-{first.id}$"))

    page.go_back()
    field = page.get_by_label("Your comment or question")
    if field.input_value() != body:  # Chromium restores the words; a person would retype them
        field.fill(body)
    page.get_by_label(re.compile(r"^Share or discuss")).check()
    page.get_by_role("button", name="Post comment").click()

    # The second press lands on the first comment, and nothing new is stored.
    page.wait_for_url(re.compile(rf"{POST_PATH}#comment-{first.id}$"))
    expect(page.locator(f"li#comment-{first.id}")).to_contain_text(body)
    assert stored_with(site, body) == 1
    assert_no_problems(page)
