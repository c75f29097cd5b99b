"""Journey: a member whose address is not confirmed yet writes a question; it waits, text kept,
beside "Send the link again"; they send the link again, open it, and the question goes through.
With JavaScript everything happens in place; without it, the same forms work as plain pages.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutgoingEmail

from .browser import POST_PATH, assert_no_problems, saved_comment, without_page_load
from .helpers import EMAILS


def unconfirm(site, key: str) -> None:
    with site.database():
        site.user(key).email_verified_at = None
        db.session.commit()


def verification_links(site, key: str) -> list[str]:
    with site.database():
        links = db.session.scalars(
            select(OutgoingEmail.link)
            .where(OutgoingEmail.template == "verify_email")
            .where(OutgoingEmail.to_address == EMAILS[key])
            .order_by(OutgoingEmail.id)
        )
        return [urlsplit(link).path for link in links]


def test_a_question_waits_for_the_address_with_javascript(site, visit):
    unconfirm(site, "newleaf")
    member = visit("newleaf")
    member.goto(POST_PATH)
    expect(member.locator("#verify-banner")).to_contain_text("Please confirm your email address")
    form = member.locator("#comment-form")
    question = "Is fatigue after the first infusion common? Asking before my second."
    with without_page_load(member):
        form.get_by_label(re.compile(r"^Ask a clinician")).check()
        form.get_by_label("Your comment or question").fill(question)
        form.get_by_role("button", name="Post comment").click()
        expect(form.locator("#comment-form-body-error")).to_contain_text(
            "Please confirm your email address before posting"
        )
        expect(form.get_by_label("Your comment or question")).to_have_value(question)
        form.get_by_role("button", name="Send the link again").click()
        expect(member.locator("#comment-form-resend-status")).to_contain_text(
            "We have emailed you a new link"
        )
        expect(form.get_by_label("Your comment or question")).to_have_value(question)
    assert len(verification_links(site, "newleaf")) == 1

    member.goto(verification_links(site, "newleaf")[-1])
    expect(member.get_by_role("heading", name=re.compile("is confirmed"))).to_be_visible()
    member.goto(POST_PATH)
    expect(member.locator("#verify-banner")).to_have_count(0)
    form = member.locator("#comment-form")
    form.get_by_label(re.compile(r"^Ask a clinician")).check()
    form.get_by_label("Your comment or question").fill(question)
    form.get_by_role("button", name="Post comment").click()
    asked = saved_comment(site, question)
    expect(member.locator(f"#comment-{asked.id}")).to_contain_text("Awaiting moderation")
    assert_no_problems(member)


def test_a_question_waits_for_the_address_without_javascript(site, visit):
    unconfirm(site, "newleaf")
    member = visit("newleaf", js=False)
    member.goto(POST_PATH)
    form = member.locator("#comment-form")
    question = "Without scripts: does the rash after infusion fade by itself?"
    form.get_by_label(re.compile(r"^Ask a clinician")).check()
    form.get_by_label("Your comment or question").fill(question)
    form.get_by_role("button", name="Post comment").click()
    form = member.locator("#comment-form")
    expect(form.locator("#comment-form-body-error")).to_contain_text("confirm your email address")
    expect(form.get_by_label("Your comment or question")).to_have_value(question)

    # The button beside the text box submits the banner's form: a plain POST, then back.
    form.get_by_role("button", name="Send the link again").click()
    member.wait_for_url(re.compile(rf"{POST_PATH}$"))
    expect(member.locator(".flashes")).to_contain_text("We have emailed you a new link")
    assert len(verification_links(site, "newleaf")) == 1
    assert_no_problems(member)
