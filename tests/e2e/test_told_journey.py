"""Closing the loop in Chromium, with JavaScript and without, with the real worker sending mail.

A patient asks, a clinician answers; the patient sees "Notifications, 1 unread", follows it to
the answer, and finds the email in the captured mail. Another member forgets the password,
resets it through the link in the captured email, and logs in with the new one.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .browser import POST_PATH, assert_no_problems, saved_comment
from .helpers import EMAILS

NEW_PASSWORD = "a brand new passphrase for spring"


def _links(message) -> list[str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.findall(r"https?://\S+", text)


@pytest.mark.parametrize("js", [True, False], ids=["with-js", "without-js"])
def test_an_answer_reaches_the_patient_in_the_portal_and_by_email(mailing_site, visit_mailing, js):
    site = mailing_site.site
    question = f"Will my thyroid need checking after the second course? ({secrets.token_hex(3)})"
    patient = visit_mailing("riverwalker", js=js)
    patient.goto(POST_PATH)
    form = patient.locator("#comment-form")
    form.get_by_label(re.compile(r"^Ask a clinician")).check()
    form.get_by_label("Your comment or question").fill(question)
    form.get_by_role("button", name="Post comment").click()
    asked = saved_comment(site, question)
    assert asked.status == "approved"  # RiverWalker's earlier comments were approved

    clinician = visit_mailing("neurologist", js=js)
    clinician.goto("/clinic/questions")
    clinician.locator(f"#question-{asked.id}").get_by_role(
        "link", name=re.compile("^Answer")
    ).click()
    answer = "Yes: monthly blood tests continue for four years after the last course."
    answer_form = clinician.locator(f"#answer-form-{asked.id}")
    answer_form.get_by_label("Your answer").fill(answer)
    answer_form.get_by_role("button", name="Post answer").click()
    reply = saved_comment(site, answer)

    patient.goto("/")
    told = patient.get_by_role("link", name="Notifications, 1 unread")
    expect(told).to_be_visible()
    told.click()
    expect(patient.get_by_role("heading", level=1)).to_contain_text("Notifications")
    item = patient.locator(".notification").first
    expect(item).to_contain_text("Helen Marsh")
    item.get_by_role("link").first.click()
    expect(patient).to_have_url(re.compile(rf"#comment-{reply.id}$"))
    expect(patient.locator(f"#comment-{reply.id}")).to_contain_text(answer)

    email = mailing_site.wait_for_email(EMAILS["riverwalker"])
    assert "thyroid" not in email["Subject"].lower()  # no health details in a subject
    assert email["Message-ID"] and email["List-Unsubscribe"]
    assert any(urlsplit(link).fragment == f"comment-{reply.id}" for link in _links(email))
    for page in (patient, clinician):
        assert_no_problems(page)


@pytest.mark.parametrize("js", [True, False], ids=["with-js", "without-js"])
def test_a_forgotten_password_is_reset_through_the_emailed_link(mailing_site, visit_mailing, js):
    address = EMAILS["bluefinch"]
    member = visit_mailing(js=js)
    member.goto("/login")
    member.get_by_role("link", name="Forgot your password?").click()
    member.get_by_label("Email").fill(address)
    member.get_by_role("button", name="Send me a link").click()
    expect(member.get_by_role("heading", name="Check your email")).to_be_visible()

    email = mailing_site.wait_for_email(address)
    reset_link = next(link for link in _links(email) if "/password/reset/" in link)
    member.goto(urlsplit(reset_link).path)
    member.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    member.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    member.get_by_role("button", name="Save my new password").click()
    member.context.clear_cookies()  # a fresh start: the new password itself must work

    member.goto("/login")
    member.get_by_label("Email", exact=True).fill(address)
    member.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    member.get_by_role("button", name="Log in").click()
    expect(member.get_by_role("button", name="Log out")).to_be_visible()
    assert_no_problems(member)
