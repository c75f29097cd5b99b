"""Journey c: three readers report a comment, it disappears from the post, and an admin
restores it from the moderation queue.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal import rendering
from portal.extensions import db
from portal.models import Comment, Post, utcnow

from .browser import (
    POST_PATH,
    POST_SLUG,
    assert_no_problems,
    comment_status,
    settled,
    without_page_load,
)

READERS = ("riverwalker", "steadyhand", "morningtide")


def reportable_comment(site) -> int:
    """An approved comment with no replies, written by none of the three readers."""
    with site.database():
        reader_ids = [site.user(key).id for key in READERS]
        replied_to = select(Comment.parent_id).where(Comment.parent_id.is_not(None))
        comment_id = db.session.scalar(
            select(Comment.id)
            .join(Post)
            .where(Post.slug == POST_SLUG, Comment.status == "approved")
            .where(Comment.author_id.not_in(reader_ids), Comment.id.not_in(replied_to))
            .order_by(Comment.created_at, Comment.id)
        )
    assert comment_id, "the demo post needs a comment without replies by someone else"
    return comment_id


def report(page, comment_id: int, *, change_mind_first: bool = False):
    """Report the comment through its inline form; the thank-you note comes back in place."""
    page.goto(POST_PATH)
    with without_page_load(page):
        card = page.locator(f"#comment-card-{comment_id}")
        report_link = card.get_by_role("link", name=re.compile(r"^Report"))
        with settled(page):
            report_link.click()
        form = page.locator(f"#report-slot-{comment_id} form")
        if change_mind_first:
            # Escape closes the form and gives focus back to Report, not to Reply.
            form.get_by_label("Spam or advertising").press("Escape")
            expect(form).to_have_count(0)
            expect(report_link).to_be_focused()
            with settled(page):
                report_link.click()
        form.get_by_label("Medical misinformation").check()
        form.get_by_role("button", name="Send report").click()
        notice = page.locator(f"#report-notice-{comment_id}")
        expect(notice).to_be_visible()
    return notice


def trust_readers(site) -> None:
    """Reports weigh trust (tests/test_report_trust.py): the three readers become members of
    a month's standing with an approved comment, so that each report counts in full."""
    with site.database():
        for key in READERS:
            reader = site.user(key)
            reader.created_at = utcnow() - timedelta(days=30)
            approved = select(Comment.id).where(
                Comment.author_id == reader.id, Comment.status == "approved"
            )
            if db.session.scalar(approved.limit(1)) is None:
                post = db.session.scalar(select(Post).where(Post.slug == POST_SLUG))
                comment = Comment(post=post, author=reader, status="approved", kind="discussion")
                rendering.set_comment_body(comment, "Thank you, this helped.")
                db.session.add(comment)
                db.session.flush()
                comment.root_id = comment.id
        db.session.commit()


def test_three_reports_hide_a_comment_until_an_admin_restores_it(site, visit):
    target = reportable_comment(site)
    trust_readers(site)
    visitor = visit()
    visitor.goto(POST_PATH)
    expect(visitor.locator(f"#comment-{target}")).to_have_count(1)

    for number, key in enumerate(READERS, start=1):
        reader = visit(key)
        notice = report(reader, target, change_mind_first=number == 1)
        if number < len(READERS):
            expect(notice).to_have_text("Thank you. A moderator will look at this comment.")
        else:
            expect(notice).to_contain_text("it is now hidden until a moderator looks at it")
        assert_no_problems(reader)
    assert comment_status(site, target) == "pending"

    visitor.reload()
    expect(visitor.locator(f"#comment-{target}")).to_have_count(0)

    admin = visit("admin")
    admin.goto("/moderation?show=reported")
    row = admin.locator(f"#queue-item-{target}")
    expect(row.get_by_role("heading", name="Reports (3)")).to_be_visible()
    expect(row).to_contain_text("Medical misinformation")
    with without_page_load(admin):
        row.get_by_role("button", name="Restore").click()
        expect(row).to_have_count(0)
    assert comment_status(site, target) == "approved"

    visitor.reload()
    expect(visitor.locator(f"#comment-{target}")).to_have_count(1)
    assert_no_problems(admin)
