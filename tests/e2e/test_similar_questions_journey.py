"""Journey, issue 18 point 4: a patient starts a question about thyroid problems after the
second course, sees the demo's answered thyroid question under the text box, opens the
clinician's answer in a new tab, reads it, comes back to the first tab with the draft intact,
and posts it. Once with JavaScript (the list appears as they pause), once without it on a
390 px phone ("Check for similar questions" draws the page again with the form as typed).
"""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment

from .browser import (
    POST_PATH,
    assert_no_problems,
    axe_violations,
    describe_violations,
    saved_comment,
    without_page_load,
)
from .helpers import PHONE

THYROID_QUESTION = "I finished my second course about 18 months ago"
THYROID_ANSWER = "new cases were most frequent around the third year"


def the_demo_answer_id(site) -> int:
    with site.database():
        return db.session.scalar(
            select(Comment.id).where(Comment.body_source.contains(THYROID_ANSWER))
        )


def start_a_question(patient, draft: str, asked_for: str = "") -> None:
    patient.goto(POST_PATH)
    patient.locator("#ask-a-question").click()
    patient.wait_for_url(re.compile(r"ask=1"))
    form = patient.locator("#comment-form")
    expect(form.get_by_label(re.compile(r"^Ask a clinician"))).to_be_checked()
    form.get_by_label("Your comment or question").fill(draft)
    if asked_for:
        form.get_by_label(re.compile(r"asking for someone", re.I)).fill(asked_for)


def the_similar_link(patient):
    region = patient.locator("#comment-form-similar")
    link = region.get_by_role("link", name=re.compile(re.escape(THYROID_QUESTION)))
    expect(link).to_be_visible()
    expect(link).to_contain_text("(opens in a new tab)")
    return link


def read_the_answer_in_a_new_tab(patient, answer_id: int) -> None:
    with patient.context.expect_page() as opened:
        the_similar_link(patient).click()
    answer_tab = opened.value
    answer_tab.wait_for_load_state()
    assert answer_tab.url.endswith(f"{POST_PATH}#comment-{answer_id}"), answer_tab.url
    expect(answer_tab.locator(f"#comment-card-{answer_id}")).to_contain_text(THYROID_ANSWER)
    expect(answer_tab.locator(f"#comment-card-{answer_id}")).to_contain_text("Clinician's answer")
    answer_tab.close()
    patient.bring_to_front()


def the_draft_is_intact(patient, draft: str, asked_for: str = "") -> None:
    form = patient.locator("#comment-form")
    expect(form.get_by_label("Your comment or question")).to_have_value(draft)
    expect(form.get_by_label(re.compile(r"^Ask a clinician"))).to_be_checked()
    expect(form.get_by_label(re.compile(r"asking for someone", re.I))).to_have_value(asked_for)


def test_a_patient_sees_the_answered_thyroid_question_reads_it_and_posts_theirs(site, visit):
    draft = (
        "Thyroid problems after the second course: how long do the checks carry on? "
        f"({secrets.token_hex(3)})"
    )
    answer_id = the_demo_answer_id(site)
    patient = visit("riverwalker")
    start_a_question(patient, draft)
    with without_page_load(patient):
        link = the_similar_link(patient)  # appears once they pause: no button pressed
        expect(patient.locator("#announcer")).to_contain_text("like yours")
        # Focus stays in the text box: the list is beside it, not in the way.
        assert patient.evaluate("() => document.activeElement.id") == "comment-form-body"
        assert link.get_attribute("target") == "_blank"
        violations = axe_violations(patient)
        assert violations == [], describe_violations(violations)
        read_the_answer_in_a_new_tab(patient, answer_id)
        the_draft_is_intact(patient, draft)
    # The tab keeps the unsent text too (portal.js's drafts): a reload brings it back.
    patient.reload()
    expect(patient.locator("#comment-form-body")).to_have_value(draft)
    with without_page_load(patient):
        patient.locator("#comment-form").get_by_role("button", name="Post comment").click()
        asked = saved_comment(site, draft)
        expect(patient.locator(f"#comment-{asked.id}")).to_be_visible()
    assert asked.kind == "question" and asked.parent_id is None
    assert_no_problems(patient)


def test_on_a_phone_without_javascript_the_check_button_keeps_the_form_as_typed(site, visit):
    draft = (
        "Without scripts: are thyroid problems after the second course common, "
        f"and how would I notice? ({secrets.token_hex(3)})"
    )
    answer_id = the_demo_answer_id(site)
    patient = visit("riverwalker", js=False, viewport=PHONE)
    start_a_question(patient, draft, asked_for="my sister")
    patient.locator("#comment-form").get_by_role(
        "button", name="Check for similar questions"
    ).click()
    patient.wait_for_url(re.compile(r"/similar-questions#comment-form-similar$"))
    the_draft_is_intact(patient, draft, asked_for="my sister")
    the_similar_link(patient)
    assert patient.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    read_the_answer_in_a_new_tab(patient, answer_id)
    the_draft_is_intact(patient, draft, asked_for="my sister")
    with site.database():
        assert db.session.scalar(select(Comment).where(Comment.body_source == draft)) is None
    patient.locator("#comment-form").get_by_role("button", name="Post comment").click()
    asked = saved_comment(site, draft)
    patient.wait_for_url(re.compile(rf"{POST_PATH}#comment-{asked.id}$"))
    assert (asked.kind, asked.asked_for) == ("question", "my sister")
    assert_no_problems(patient)
