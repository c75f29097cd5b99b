"""Journey a: a new patient asks under the alemtuzumab post, an admin approves the question
from the moderation queue, a clinician answers it from the unanswered-questions page, and the
patient sees a clinician's answer — with JavaScript, and again without it.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutgoingEmail

from .browser import (
    POST_PATH,
    assert_no_problems,
    comment_status,
    saved_comment,
    settled,
    without_page_load,
)
from .helpers import PASSWORD


def register_from_the_post(site, page, name: str) -> None:
    """A visitor on the post follows "register", creates an account, opens the link in the
    verification email (read from the outbox), logs in and comes back to the post."""
    page.goto(POST_PATH)
    page.locator("#comment-form").get_by_role("link", name="register").click()
    address = f"{name.lower()}@example.org"
    page.get_by_label("Email", exact=True).fill(address)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_label("A patient").check()
    page.get_by_label("I have read and agree to the community rules").check()
    page.get_by_label("I understand that posts and answers here are general information").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/register/check-email"))
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    with site.database():
        link = db.session.scalar(
            select(OutgoingEmail.link).where(
                OutgoingEmail.template == "verify_email", OutgoingEmail.to_address == address
            )
        )
    page.goto(urlsplit(link).path)
    expect(
        page.get_by_role("heading", name=re.compile("email address is confirmed"))
    ).to_be_visible()
    page.get_by_role("link", name="Log in").last.click()
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto(POST_PATH)


def ask(page, question: str) -> None:
    form = page.locator("#comment-form")
    form.get_by_label("Your comment or question").fill(question)
    form.get_by_role("button", name="Post comment").click()


def expect_answered(page, question_id: int, answer: str) -> None:
    """The patient's view: the question is public and carries a clinician's answer."""
    card = page.locator(f"#comment-card-{question_id}")
    expect(card).not_to_contain_text("Awaiting moderation")
    expect(card).to_contain_text("Answered by a clinician")
    reply = page.locator(f"#replies-{question_id} > li").filter(has_text=answer)
    expect(reply).to_have_count(1)
    expect(reply.locator(".comment--clinician")).to_have_count(1)
    expect(reply.locator(".badge--clinician")).to_have_text(re.compile(r"Clinician"))
    expect(reply).to_contain_text("Helen Marsh")
    expect(reply).to_contain_text("Clinician's answer")


def test_question_is_approved_and_answered_in_place_with_javascript(site, visit):
    name = f"Asker{secrets.token_hex(3)}"
    patient = visit()
    register_from_the_post(site, patient, name)
    question = "Does alemtuzumab still work ten years later? I am weighing it up."
    with without_page_load(patient):
        ask(patient, question)
        asked = saved_comment(site, question)
        item = patient.locator(f"#thread-list > li#comment-{asked.id}")
        expect(item).to_contain_text("Awaiting moderation — only you can see this.")
        expect(item).to_be_focused()
        expect(patient.locator("#announcer")).to_contain_text("awaiting moderation")
    assert asked.status == "pending" and asked.parent_id is None

    admin = visit("admin")
    admin.goto("/moderation")
    row = admin.locator(f"#queue-item-{asked.id}")
    expect(row).to_contain_text(question)
    expect(row).to_contain_text(name)
    with without_page_load(admin):
        row.get_by_role("button", name="Approve").click()
        expect(row).to_have_count(0)
        expect(admin.locator("#announcer")).to_contain_text(f"the comment by {name}")
    assert comment_status(site, asked.id) == "approved"

    clinician = visit("neurologist")
    clinician.goto("/clinic/questions")
    waiting = clinician.locator(f"#question-{asked.id}")
    expect(waiting).to_contain_text(question)
    answer = "Most people in the long-term studies stayed relapse-free. Let us talk it through."
    answer_link = waiting.get_by_role("link", name=re.compile(r"^Answer"))
    with without_page_load(clinician):
        # Opening and cancelling gives focus back to Answer, which still works afterwards.
        with settled(clinician):
            answer_link.click()
        clinician.locator(f"#answer-form-{asked.id}").get_by_role("link", name="Cancel").click()
        expect(clinician.locator(f"#answer-form-{asked.id}")).to_have_count(0)
        expect(answer_link).to_be_focused()
        answer_link.click()
        form = clinician.locator(f"#answer-form-{asked.id}")
        expect(form.get_by_label("Your answer")).to_be_focused()
        form.get_by_label("Your answer").fill(answer)
        form.get_by_role("button", name="Post answer").click()
        expect(clinician.locator(f"#answered-{asked.id}")).to_contain_text("Answered.")
        expect(clinician.locator(f"#question-{asked.id}")).to_have_count(0)
        expect(clinician.locator("#announcer")).to_contain_text(f"Your answer to {name}")
    reply = saved_comment(site, answer)
    assert reply.parent_id == asked.id and reply.status == "approved"

    patient.reload()
    expect_answered(patient, asked.id, answer)
    for page in (patient, admin, clinician):
        assert_no_problems(page)


def test_question_is_approved_and_answered_without_javascript(site, visit):
    name = f"Plain{secrets.token_hex(3)}"
    patient = visit(js=False)
    register_from_the_post(site, patient, name)
    question = "Without scripts: how often are the blood tests after alemtuzumab?"
    ask(patient, question)
    asked = saved_comment(site, question)
    patient.wait_for_url(re.compile(rf"{POST_PATH}#comment-{asked.id}$"))
    expect(patient.locator(f"#comment-{asked.id}")).to_contain_text(
        "Awaiting moderation — only you can see this."
    )

    admin = visit("admin", js=False)
    admin.goto("/moderation")
    row = admin.locator(f"#queue-item-{asked.id}")
    row.get_by_role("button", name="Approve").click()
    admin.wait_for_url(re.compile(r"/moderation$"))
    expect(admin.locator(".flash")).to_contain_text(f"the comment by {name}")
    expect(admin.locator(f"#queue-item-{asked.id}")).to_have_count(0)
    assert comment_status(site, asked.id) == "approved"

    clinician = visit("neurologist", js=False)
    clinician.goto("/clinic/questions")
    waiting = clinician.locator(f"#question-{asked.id}")
    # Answer is a link to a page with the question and the form.
    waiting.get_by_role("link", name=re.compile(r"^Answer")).click()
    clinician.wait_for_url(re.compile(rf"/clinic/questions/{asked.id}/answer$"))
    expect(clinician.locator("main")).to_contain_text(question)
    answer = "Every month, for at least four years after the last course."
    clinician.get_by_label("Your answer").fill(answer)
    clinician.get_by_role("button", name="Post answer").click()
    clinician.wait_for_url(re.compile(r"/clinic/questions$"))
    expect(clinician.locator(".flash")).to_contain_text(f"Your answer to {name} is posted.")
    expect(clinician.locator(f"#question-{asked.id}")).to_have_count(0)

    patient.goto(POST_PATH)
    expect_answered(patient, asked.id, answer)
