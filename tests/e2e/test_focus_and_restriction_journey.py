"""Issue 15 in Chromium: a suspended member is told at login and on the post (no form, no
Reply links); a comment that was not published is posted again from its notice, with and
without JavaScript; focus lands somewhere sensible after an edit is saved or cancelled and after
a delete; "Log in to reply" comes back with the reply form open."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal import rendering
from portal.extensions import db
from portal.models import Comment, Notification, Post, utcnow
from portal.notifications.service import notify

from .browser import (
    POST_PATH,
    POST_SLUG,
    assert_no_problems,
    axe_violations,
    describe_violations,
    focused_id,
    saved_comment,
    settled,
    without_page_load,
)
from .helpers import EMAILS, PASSWORD, PHONE, log_in


def _comment(site, author_key: str, body: str, status: str = "approved", parent_id=None) -> int:
    with site.database():
        post = db.session.scalar(select(Post).where(Post.slug == POST_SLUG))
        comment = Comment(
            post=post,
            author=site.user(author_key),
            status=status,
            kind="reply" if parent_id else "discussion",
            parent_id=parent_id,
        )
        rendering.set_comment_body(comment, body)
        db.session.add(comment)
        db.session.flush()
        comment.root_id = comment.id if parent_id is None else parent_id
        db.session.commit()
        return comment.id


def _expect_no_axe_violations(page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}:\n{describe_violations(violations)}"


def test_a_suspended_member_is_told_at_login_and_on_the_post(site, visit):
    with site.database():
        member = site.user("steadyhand")
        member.status, member.status_reason = "suspended", "Shared a cure-all advert"
        member.suspended_until = utcnow() + timedelta(days=4)
        db.session.commit()
    for js in (False, True):
        page = visit(js=js, viewport=PHONE)
        log_in(page, "steadyhand")
        expect(page.locator(".flash--warning")).to_contain_text("suspended until")
        expect(page.locator("main")).not_to_contain_text("Welcome back")
        banner = page.get_by_role("region", name="Your account is suspended")
        expect(banner).to_contain_text("Shared a cure-all advert")
        page.goto(POST_PATH)
        expect(banner).to_be_visible()
        expect(page.locator("#comment-form")).to_contain_text("You cannot comment.")
        expect(page.locator("form.comment-form")).to_have_count(0)
        expect(page.get_by_role("link", name=re.compile(r"^Reply to "))).to_have_count(0)
        if js:  # with scripting off Chromium cannot run axe (the accessibility walk does that)
            assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
            _expect_no_axe_violations(page, "a suspended member's post page")
        assert_no_problems(page)


def _not_published(site) -> int:
    """A reply of RiverWalker's that a moderator rejected, and the notice telling them."""
    parent = _comment(site, "steadyhand", "What did your team say?")
    own = _comment(site, "riverwalker", "Double the dose, it worked for me.", "rejected", parent)
    with site.database():
        comment = db.session.get(Comment, own)
        comment.moderation_reason = "Please do not advise on doses."
        notice = notify(
            site.user("riverwalker"),
            "comment_not_published",
            comment=comment,
            detail=comment.moderation_reason,
            delivery="in_app",
        )
        db.session.commit()
        return notice.id


def test_a_comment_not_published_is_edited_and_posted_again(site, visit):
    for js in (False, True):
        notice_id = _not_published(site)
        page = visit("riverwalker", js=js)
        page.goto(f"/notifications/{notice_id}")
        expect(page.locator(".notification__headline")).to_contain_text(
            "Reason: Please do not advise on doses."
        )
        form = page.get_by_role("form", name="Edit and post again")
        box = form.get_by_label("Your comment")
        expect(box).to_have_value("Double the dose, it worked for me.")
        if js:
            _expect_no_axe_violations(page, "a notice with its text to post again")
        words = f"I asked my nurse about the dose first. ({secrets.token_hex(3)})"
        box.fill(words)
        form.get_by_role("button", name="Post as a new comment").click()
        page.wait_for_url(re.compile(rf"{POST_PATH}.*#comment-\d+$"))
        new = saved_comment(site, words)
        expect(page.locator(f"#comment-card-{new.id}")).to_contain_text("I asked my nurse")
        expect(page.locator(".flash")).to_contain_text("posted again")
        with site.database():
            assert db.session.get(Notification, notice_id).read_at is not None
        assert_no_problems(page)


def test_focus_after_saving_cancelling_and_deleting_with_javascript(site, visit):
    comment_id = _comment(site, "neurologist", f"A first draft. ({secrets.token_hex(3)})")
    page = visit("neurologist")
    page.goto(POST_PATH)
    card = page.locator(f"#comment-card-{comment_id}")
    with without_page_load(page):
        with settled(page):
            card.get_by_role("link", name=re.compile(r"^Edit")).click()
        page.get_by_role("form", name="Edit your comment").get_by_role(
            "textbox", name="Your comment", exact=True
        ).fill("A better draft.")
        with settled(page):
            page.get_by_role("button", name="Save changes").click()
        expect(page.locator(f"#comment-card-{comment_id}")).to_contain_text("A better draft.")
        assert focused_id(page) == f"comment-card-{comment_id}"
        expect(page.locator("#announcer")).to_have_text("Your edit is posted.")

        with settled(page):
            card.get_by_role("link", name=re.compile(r"^Edit")).click()
        with settled(page):
            page.get_by_role("link", name="Cancel").click()
        assert focused_id(page) == f"comment-card-{comment_id}"
        expect(page.locator("#announcer")).to_have_text(
            "Edit cancelled. Your comment is unchanged."
        )

        page.once("dialog", lambda dialog: dialog.accept())
        with settled(page):
            card.get_by_role("link", name=re.compile(r"^Delete")).click()
        expect(page.locator(f"#comment-{comment_id}")).to_have_count(0)
        assert focused_id(page) == "comments-heading"
        expect(page.locator("#announcer")).to_have_text("Your comment is deleted.")
    assert_no_problems(page)


def test_log_in_to_reply_comes_back_with_the_form_open_without_javascript(site, visit):
    comment_id = _comment(site, "steadyhand", "Has anyone had the rash?")
    page = visit(js=False)
    page.goto(POST_PATH)
    page.locator(f"#comment-card-{comment_id}").get_by_role(
        "link", name=re.compile(r"^Log in to reply")
    ).click()
    page.get_by_label("Email", exact=True).fill(EMAILS["riverwalker"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(rf"replytocom={comment_id}#reply-form-{comment_id}$"))
    form = page.locator(f"#reply-slot-{comment_id} form#reply-form-{comment_id}")
    expect(form).to_be_visible()
    expect(form.get_by_role("heading")).to_have_text("Reply to SteadyHand")
    assert_no_problems(page)
