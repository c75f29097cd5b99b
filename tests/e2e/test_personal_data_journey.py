"""Journey: a patient writes a comment with their phone number in it; the portal shows it marked
before anything is posted, the patient edits it out and posts. Once with JavaScript (the form
comes back in place, the text box keeps focus), once without (a page load each step). With
JavaScript, "Post anyway" is walked too: it is held for a moderator.
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
    focused_id,
    saved_comment,
    settled,
    sideways_overflow,
    without_page_load,
)
from .helpers import PHONE

PHONE_NUMBER = "07700 900123"


def write(page, text: str) -> None:
    form = page.locator("#comment-form")
    choice = form.get_by_label(re.compile(r"^Share or discuss"))
    if choice.count() and not choice.is_checked():
        choice.check()
    form.get_by_label("Your comment or question").fill(text)


def expect_found(page, text: str) -> None:
    """The panel names what was found and marks it in a copy; the text box keeps the text."""
    panel = page.locator("#comment-form-personal-data")
    expect(panel).to_be_visible()
    expect(panel.locator(".personal-data__kinds")).to_have_text("a phone number")
    expect(panel.locator("mark")).to_have_text(PHONE_NUMBER)
    expect(panel.get_by_role("button", name="Post anyway")).to_be_visible()
    expect(page.locator("#comment-form-body")).to_have_value(text)
    expect(page.locator("#comment-form-body-error")).to_contain_text("a phone number")


def stored(site, text: str) -> Comment:
    with site.database():
        return db.session.get(Comment, saved_comment(site, text).id)


def nothing_stored_with(site, words: str) -> bool:
    with site.database():
        return not db.session.scalars(
            db.select(Comment).where(Comment.body_source.contains(words))
        ).all()


def test_phone_number_found_edited_out_and_posted_with_javascript(site, visit):
    tag = secrets.token_hex(3)
    first = f"Happy to compare notes ({tag}): ring me on {PHONE_NUMBER} any evening."
    edited = f"Happy to compare notes ({tag}): reply here any evening."
    patient = visit("riverwalker")
    patient.goto(POST_PATH)
    write(patient, first)
    with without_page_load(patient), settled(patient):
        patient.locator("#comment-form").get_by_role("button", name="Post comment").click()
    expect_found(patient, first)
    assert focused_id(patient) == "comment-form-body"  # editing is the first choice
    assert nothing_stored_with(site, tag)
    violations = axe_violations(patient)
    assert violations == [], describe_violations(violations)

    with without_page_load(patient), settled(patient):
        patient.locator("#comment-form-body").fill(edited)
        patient.locator("#comment-form").get_by_role("button", name="Post comment").click()
    comment = stored(site, edited)
    assert not comment.personal_data and comment.status in ("approved", "pending")
    expect(patient.locator(f"#comment-{comment.id}")).to_contain_text("reply here any evening")
    expect(patient.locator("#comment-form-personal-data")).to_have_count(0)
    assert nothing_stored_with(site, PHONE_NUMBER)
    assert_no_problems(patient)


def test_phone_number_found_edited_out_and_posted_without_javascript(site, visit):
    tag = secrets.token_hex(3)
    first = f"My neurologist's secretary ({tag}) is on {PHONE_NUMBER} if that helps."
    edited = f"My neurologist's secretary ({tag}) can help, ask at clinic."
    patient = visit("riverwalker", js=False, viewport=PHONE)
    patient.goto(POST_PATH)
    write(patient, first)
    patient.locator("#comment-form").get_by_role("button", name="Post comment").click()
    expect_found(patient, first)
    assert nothing_stored_with(site, tag)
    assert sideways_overflow(patient) == []

    patient.locator("#comment-form-body").fill(edited)
    patient.locator("#comment-form").get_by_role("button", name="Post comment").click()
    comment = stored(site, edited)
    patient.wait_for_url(re.compile(rf"#comment-{comment.id}$"))
    assert not comment.personal_data
    expect(patient.locator(f"#comment-{comment.id}")).to_contain_text("can help, ask at clinic")
    assert nothing_stored_with(site, PHONE_NUMBER)
    assert_no_problems(patient)


def test_posting_anyway_with_javascript_holds_it_for_a_moderator(site, visit):
    text = f"Text me ({secrets.token_hex(3)}) on {PHONE_NUMBER}."
    patient = visit("riverwalker")
    patient.goto(POST_PATH)
    write(patient, text)
    with without_page_load(patient), settled(patient):
        patient.locator("#comment-form").get_by_role("button", name="Post comment").click()
    expect_found(patient, text)
    with without_page_load(patient), settled(patient):
        patient.get_by_role("button", name="Post anyway").click()
    comment = stored(site, text)
    assert comment.status == "pending" and comment.personal_data
    expect(patient.locator("#announcer")).to_contain_text("awaiting moderation")
    assert_no_problems(patient)
