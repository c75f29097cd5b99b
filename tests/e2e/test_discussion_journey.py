"""Journey b: replying in a thread — open, cancel, open elsewhere, post — with the mouse and
JavaScript, without JavaScript, and by keyboard alone.

RiverWalker (a demo patient with approved comments, so trusted) replies under the demo's
alemtuzumab post. The reply must land in the replies of the comment it answers.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment, Post

from .browser import (
    POST_PATH,
    POST_SLUG,
    assert_no_problems,
    focused_id,
    saved_comment,
    settled,
    without_page_load,
)


def top_level_ids(site, count: int = 2) -> list[int]:
    """The first approved top-level comments under the post, oldest first, as the page lists."""
    with site.database():
        post = db.session.scalar(select(Post).where(Post.slug == POST_SLUG))
        ids = list(
            db.session.scalars(
                select(Comment.id)
                .where(
                    Comment.post_id == post.id,
                    Comment.parent_id.is_(None),
                    Comment.status == "approved",
                )
                .order_by(Comment.created_at, Comment.id)
                .limit(count)
            )
        )
    assert len(ids) == count, "the demo post needs at least two approved questions"
    return ids


def reply_link(page, comment_id: int):
    card = page.locator(f"#comment-card-{comment_id}")
    return card.get_by_role("link", name=re.compile(r"^Reply to "))


def open_reply_forms(page):
    return page.locator("form.comment-form--reply")


def test_reply_cancel_reply_elsewhere_and_post_with_javascript(site, visit):
    first, second = top_level_ids(site)
    page = visit("riverwalker")
    page.goto(POST_PATH)
    count_before = page.locator("#comment-count").inner_text()

    with without_page_load(page):
        reply_link(page, first).click()
        form = page.locator(f"#reply-slot-{first} form.comment-form--reply")
        expect(form).to_be_visible()
        expect(form.get_by_role("heading")).to_have_text(re.compile(r"^Reply to "))
        expect(form.get_by_label("Your reply")).to_be_focused()

        form.get_by_role("link", name="Cancel reply").click()
        expect(open_reply_forms(page)).to_have_count(0)
        expect(reply_link(page, first)).to_be_focused()

        with settled(page):
            reply_link(page, first).click()
        expect(page.locator(f"#reply-slot-{first} form")).to_be_visible()
        with settled(page):
            reply_link(page, second).click()
        form = page.locator(f"#reply-slot-{second} form.comment-form--reply")
        expect(form).to_be_visible()
        # Only one inline form at a time: opening the second closed the first.
        expect(open_reply_forms(page)).to_have_count(1)
        expect(page.locator(f"#reply-slot-{first}")).to_be_empty()
        # The "Leave a reply" form for the post itself stays where it was.
        expect(page.locator("#comment-form")).to_be_visible()

        body = "Thank you, that helps me plan the monthly blood tests."
        form.get_by_label("Your reply").fill(body)
        form.get_by_role("button", name="Post reply").click()

        reply = saved_comment(site, body)
        new_item = page.locator(f"#replies-{second} > li#comment-{reply.id}")
        expect(new_item).to_be_visible()
        expect(new_item).to_contain_text(body)
        expect(new_item).to_contain_text("RiverWalker")
        # It is the newest reply in that thread, and nowhere else.
        expect(page.locator(f"#replies-{second} > li").last).to_have_id(f"comment-{reply.id}")
        expect(page.locator(f"#comment-{reply.id}")).to_have_count(1)
        expect(page.locator(f"#replies-{first} #comment-{reply.id}")).to_have_count(0)
        # Focus moves to the new comment and the live region says what happened.
        expect(new_item).to_be_focused()
        assert focused_id(page) == f"comment-{reply.id}"
        expect(page.locator("#announcer")).to_have_text("Your reply is posted.")
        expect(page.locator("#comment-count")).not_to_have_text(count_before)
        expect(open_reply_forms(page)).to_have_count(0)

    assert reply.parent_id == second and reply.status == "approved"
    page.reload()
    expect(page.locator(f"#replies-{second} > li#comment-{reply.id}")).to_contain_text(body)
    assert_no_problems(page)


def test_reply_cancel_reply_elsewhere_and_post_without_javascript(site, visit):
    first, second = top_level_ids(site)
    page = visit("riverwalker", js=False)
    page.goto(POST_PATH)

    # Reply is a real link: the post page comes back with the form under that comment.
    reply_link(page, first).click()
    page.wait_for_url(re.compile(rf"replytocom={first}"))
    expect(open_reply_forms(page)).to_have_count(1)
    form = page.locator(f"#reply-slot-{first} form.comment-form--reply")
    expect(form.get_by_role("heading")).to_have_text(re.compile(r"^Reply to "))
    expect(page.get_by_role("link", name="Leave a reply to the post instead")).to_be_visible()

    # Cancel reply is a link back to the comment, with no form open.
    form.get_by_role("link", name="Cancel reply").click()
    page.wait_for_url(re.compile(rf"{POST_PATH}#comment-{first}$"))
    expect(open_reply_forms(page)).to_have_count(0)
    expect(page.locator("#comment-form")).to_be_visible()

    reply_link(page, first).click()
    page.wait_for_url(re.compile(rf"replytocom={first}"))
    reply_link(page, second).click()
    page.wait_for_url(re.compile(rf"replytocom={second}"))
    expect(open_reply_forms(page)).to_have_count(1)
    form = page.locator(f"#reply-slot-{second} form.comment-form--reply")

    # A failed post keeps the text and says what is wrong, beside the field.
    form.get_by_label("Your reply").fill("   ")
    form.get_by_role("button", name="Post reply").click()
    form = page.locator(f"#reply-slot-{second} form.comment-form--reply")
    expect(form.locator(".error-message")).to_be_visible()
    expect(form.get_by_label("Your reply")).to_have_attribute("aria-invalid", "true")

    body = "Thank you, I will ask my nurse about the blood tests."
    form.get_by_label("Your reply").fill(body)
    form.get_by_role("button", name="Post reply").click()

    reply = saved_comment(site, body)
    # The 303 lands on the new comment's permalink, which the browser scrolls to (:target).
    page.wait_for_url(re.compile(rf"{POST_PATH}#comment-{reply.id}$"))
    new_item = page.locator(f"#replies-{second} > li#comment-{reply.id}")
    expect(new_item).to_contain_text(body)
    expect(page.locator("li:target")).to_have_id(f"comment-{reply.id}")
    expect(open_reply_forms(page)).to_have_count(0)
    assert reply.parent_id == second


def tab_to(page, locator, limit: int = 250) -> None:
    """Press Tab until locator has focus, as a keyboard user would."""
    handle = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if handle.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {locator}")


def test_reply_by_keyboard_alone(site, visit):
    first, second = top_level_ids(site)
    page = visit("riverwalker")
    page.goto(POST_PATH)

    with without_page_load(page):
        tab_to(page, reply_link(page, first))
        page.keyboard.press("Enter")
        form = page.locator(f"#reply-slot-{first} form.comment-form--reply")
        expect(form.get_by_label("Your reply")).to_be_focused()
        page.keyboard.type("Half a thought")

        # Escape closes the inline form and gives focus back to the Reply link.
        page.keyboard.press("Escape")
        expect(open_reply_forms(page)).to_have_count(0)
        expect(reply_link(page, first)).to_be_focused()

        tab_to(page, reply_link(page, second))
        page.keyboard.press("Enter")
        form = page.locator(f"#reply-slot-{second} form.comment-form--reply")
        expect(form.get_by_label("Your reply")).to_be_focused()
        body = "Typed without a mouse: does the infusion day take long?"
        page.keyboard.type(body)
        tab_to(page, form.get_by_role("button", name="Post reply"), limit=5)
        page.keyboard.press("Enter")

        reply = saved_comment(site, body)
        new_item = page.locator(f"#replies-{second} > li#comment-{reply.id}")
        expect(new_item).to_be_focused()
        expect(page.locator("#announcer")).to_have_text("Your reply is posted.")
        expect(page.locator("#announcer")).to_have_attribute("aria-live", "polite")
        expect(page.locator("#announcer")).to_have_attribute("role", "status")
    assert_no_problems(page)
