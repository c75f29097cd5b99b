"""Journey a: a patient asks a clinician on purpose, a clinician claims the question, sends a
holding reply, then answers it, and the answer is marked as one; a visitor on a phone finds the
clinicians' answers from the top of the post. Once with JavaScript (everything in place), once
without (every step a plain form and a page load).

With JavaScript the clinician answers from the waiting list, which marks the answer there and
then. Without it the clinician replies on the post page and the patient marks that reply "This
answered my question": both ways a question becomes answered are walked.
"""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Comment

from .browser import POST_PATH, assert_no_problems, saved_comment, settled, without_page_load
from .helpers import PHONE


def open_the_question_form(patient) -> None:
    """The patient uses "Ask a question" near the top, and the form opens set to ask."""
    patient.goto(POST_PATH)
    patient.locator("#ask-a-question").click()
    patient.wait_for_url(re.compile(r"ask=1"))
    expect(
        patient.locator("#comment-form").get_by_label(re.compile(r"^Ask a clinician"))
    ).to_be_checked()


def ask(patient, question: str, asked_for: str = "") -> None:
    form = patient.locator("#comment-form")
    form.get_by_label("Your comment or question").fill(question)
    if asked_for:
        form.get_by_label(re.compile(r"asking for someone", re.I)).fill(asked_for)
    form.get_by_role("button", name="Post comment").click()


def state_of(site, comment_id: int) -> tuple[str | None, str]:
    with site.database():
        comment = db.session.get(Comment, comment_id)
        return comment.question_state, comment.kind


def expect_question_status(page, question_id: int, words: str) -> None:
    expect(page.locator(f"#question-status-{question_id}")).to_contain_text(words)


def expect_marked_answer(page, question_id: int, answer_id: int) -> None:
    """Readers see the answer labelled, and the question's "Answered" links to it."""
    expect_question_status(page, question_id, "Answered by a clinician")
    link = page.locator(f"#question-status-{question_id}").get_by_role(
        "link", name=re.compile("Answered by a clinician")
    )
    expect(link).to_have_attribute("href", re.compile(rf"#comment-{answer_id}$"))
    expect(page.locator(f"#comment-card-{answer_id}")).to_contain_text("Clinician's answer")


def phone_visitor_opens_the_answers(visit, question_id: int, answer_text: str, js: bool) -> None:
    visitor = visit(js=js, viewport=PHONE)
    visitor.goto(POST_PATH)
    link = visitor.get_by_role("link", name=re.compile(r"^Clinicians' answers"))
    # Near the top: reachable without scrolling past the whole post on a 390 px screen.
    box = link.first.bounding_box()
    assert box is not None and box["y"] < PHONE["height"] * 1.5, box
    link.first.click()
    region = visitor.locator("main")
    expect(region).to_contain_text(answer_text)
    expect(region).to_contain_text("Clinician's answer")
    assert visitor.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_problems(visitor)


def test_asked_claimed_held_answered_and_found_with_javascript(site, visit):
    question = f"Does the thyroid risk ever go away? ({secrets.token_hex(3)})"
    patient = visit("riverwalker")
    open_the_question_form(patient)
    with without_page_load(patient):
        ask(patient, question, asked_for="my sister")
        asked = saved_comment(site, question)
        expect(patient.locator(f"#comment-{asked.id}")).to_be_focused()
    expect_question_status(patient, asked.id, "Waiting for a clinician")
    expect(patient.locator(f"#comment-card-{asked.id}")).to_contain_text("asked for my sister")
    assert state_of(site, asked.id) == ("waiting", "question")

    clinician = visit("neurologist")
    clinician.goto("/clinic/questions")
    item = clinician.locator(f"#question-{asked.id}")
    expect(item).to_contain_text(question)
    with without_page_load(clinician):
        with settled(clinician):
            item.get_by_role("button", name=re.compile(r"^Claim")).click()
        expect(item).to_contain_text("Claimed by you")
        with settled(clinician):
            item.get_by_role("link", name=re.compile(r"^Holding reply")).click()
        holding = "I'll check with our endocrine team and come back to you here tomorrow."
        clinician.get_by_label("Your holding reply").fill(holding)
        with settled(clinician):
            clinician.get_by_role("button", name="Post holding reply").click()
        expect(item).to_contain_text("someone is looking")
    assert state_of(site, asked.id) == ("waiting", "question")

    patient.reload()
    expect_question_status(patient, asked.id, "A clinician is looking into this")

    answer = (
        "The risk is highest in the first years; it falls but does not vanish, so keep the checks."
    )
    with without_page_load(clinician):
        with settled(clinician):
            item.get_by_role("link", name=re.compile(r"^Answer")).click()
        clinician.get_by_label("Your answer").fill(answer)
        clinician.get_by_role("button", name="Post answer").click()
        expect(clinician.locator(f"#question-{asked.id}")).to_have_count(0)
    answered = saved_comment(site, answer)
    assert state_of(site, asked.id) == ("answered", "question")

    patient.reload()
    expect_marked_answer(patient, asked.id, answered.id)
    holding_card = patient.locator(f"#replies-{asked.id} > li > article").filter(
        has_text="endocrine team"
    )
    expect(holding_card).to_contain_text("Holding reply")
    expect(holding_card).not_to_contain_text("Clinician's answer")
    expect(holding_card.get_by_role("button", name=re.compile("This answered"))).to_have_count(0)

    phone_visitor_opens_the_answers(visit, asked.id, answer, js=True)
    for page in (patient, clinician):
        assert_no_problems(page)


def test_asked_claimed_held_answered_and_accepted_without_javascript(site, visit):
    question = (
        f"Without scripts: can I travel during the monitoring years? ({secrets.token_hex(3)})"
    )
    patient = visit("riverwalker", js=False)
    open_the_question_form(patient)
    ask(patient, question)
    asked = saved_comment(site, question)
    patient.wait_for_url(re.compile(rf"{POST_PATH}#comment-{asked.id}$"))
    expect_question_status(patient, asked.id, "Waiting for a clinician")

    clinician = visit("nurse", js=False)
    clinician.goto("/clinic/questions")
    item = clinician.locator(f"#question-{asked.id}")
    item.get_by_role("button", name=re.compile(r"^Claim")).click()
    clinician.wait_for_url(re.compile(r"/clinic/questions"))
    expect(clinician.locator(f"#question-{asked.id}")).to_contain_text("Claimed by you")

    clinician.locator(f"#question-{asked.id}").get_by_role(
        "link", name=re.compile(r"^Holding reply")
    ).click()
    clinician.get_by_label("Your holding reply").fill("Let me check the travel advice for you.")
    clinician.get_by_role("button", name="Post holding reply").click()
    clinician.wait_for_url(re.compile(r"/clinic/questions"))
    expect(clinician.locator(f"#question-{asked.id}")).to_contain_text("someone is looking")
    assert state_of(site, asked.id) == ("waiting", "question")

    # The clinician answers in the discussion itself: a reply, not yet marked as the answer.
    clinician.goto(f"{POST_PATH}?replytocom={asked.id}#comment-{asked.id}")
    reply_text = "Yes: plan the monthly blood tests around the trip, and carry your clinic letter."
    clinician.locator(f"#reply-form-{asked.id}").get_by_label("Your reply").fill(reply_text)
    clinician.get_by_role("button", name="Post reply").click()
    reply = saved_comment(site, reply_text)
    assert state_of(site, asked.id) == ("waiting", "question")

    patient.goto(POST_PATH)
    card = patient.locator(f"#comment-card-{reply.id}")
    expect(card).not_to_contain_text("Clinician's answer")
    card.get_by_role("button", name=re.compile(r"^This answered my question")).click()
    patient.wait_for_url(re.compile(rf"#comment-{reply.id}$"))
    expect_marked_answer(patient, asked.id, reply.id)
    assert state_of(site, asked.id) == ("answered", "question")

    phone_visitor_opens_the_answers(visit, asked.id, reply_text, js=False)
