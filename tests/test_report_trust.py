"""Reports weigh trust: fresh accounts count for half, and a verified clinician's answer is never
hidden by reports alone; it waits at the top of the queue for an admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment, ModerationEvent, utcnow
from portal.moderation import rules

from .helpers import select_all, text_of
from .trust import make_trusted


def fresh(comment: Comment) -> Comment:
    db.session.expire_all()
    return db.session.get(Comment, comment.id)


def report(client, log_in, reader, comment, reason: str = "misinformation"):
    log_in(reader)
    response = client.post(f"/comments/{comment.id}/report", data={"reason": reason})
    assert response.status_code == 303
    client.post("/logout")


@pytest.fixture()
def answer(people, post, make_comment):
    """A verified clinician's answer to a patient's question."""
    question = make_comment(post, people["patient"], "Should I keep taking it?")
    return make_comment(
        post, people["clinician"], "Yes: keep taking it and talk to your team.", parent=question
    )


@pytest.fixture()
def remark(people, post, make_comment):
    return make_comment(post, people["caregiver"], "Stop everything at once.")


def test_three_brand_new_accounts_cannot_hide_a_comment(client, log_in, make_user, remark):
    for _ in range(3):
        report(client, log_in, make_user("patient"), remark)
    assert fresh(remark).status == "approved"  # 3 x 0.5 = 1.5, below the 3 that hide


def test_six_brand_new_accounts_weigh_as_much_as_three_trusted_ones(
    client, log_in, make_user, remark
):
    for number in range(6):
        report(client, log_in, make_user("patient"), remark)
        assert fresh(remark).status == ("pending" if number == 5 else "approved")
    event = db.session.scalar(select(ModerationEvent))
    assert event.reason == "Hidden after 6 reports from readers, weighing 3"


def test_three_trusted_members_hide_a_comment(client, log_in, make_user, post, remark):
    for _ in range(3):
        report(client, log_in, make_trusted(make_user("patient"), post), remark)
    assert fresh(remark).status == "pending"


def test_an_old_account_without_an_approved_comment_counts_for_half(people, post, make_user):
    old_silent = make_user("patient")
    old_silent.created_at = utcnow() - timedelta(days=400)
    young_active = make_trusted(make_user("patient"), post, days=2)
    trusted = make_trusted(make_user("patient"), post, days=8)
    assert rules.report_weight(old_silent, approved_comments=0) == 0.5
    assert rules.report_weight(young_active, approved_comments=1) == 0.5
    assert rules.report_weight(trusted, approved_comments=1) == 1.0
    # Staff count in full from their first day.
    assert rules.report_weight(people["clinician"], approved_comments=0) == 1.0


def test_the_age_that_earns_trust_is_configurable(app, post, make_user):
    member = make_trusted(make_user("patient"), post, days=3)
    assert rules.report_weight(member, approved_comments=1) == 0.5
    app.config["REPORT_TRUST_DAYS"] = 2
    assert rules.report_weight(member, approved_comments=1) == 1.0


def test_three_brand_new_accounts_cannot_hide_a_clinicians_answer(
    client, log_in, make_user, answer
):
    for _ in range(3):
        report(client, log_in, make_user("patient"), answer)
    assert fresh(answer).status == "approved"


def test_no_number_of_trusted_reports_hides_a_clinicians_answer(
    client, log_in, people, make_user, post, answer
):
    rules.current_settings().reports_to_hide = 1
    db.session.commit()
    for _ in range(4):
        report(client, log_in, make_trusted(make_user("patient"), post), answer)
    assert fresh(answer).status == "approved"
    assert "Yes: keep taking it" in client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert db.session.scalar(select(ModerationEvent)) is None


def test_a_reported_clinicians_answer_waits_first_in_the_queue_marked_in_words(
    client, log_in, people, make_user, post, make_comment, answer
):
    # Older held comments that would otherwise come first.
    for number in range(3):
        held = make_comment(post, people["caregiver"], f"Held {number}", status="pending")
        held.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    report(client, log_in, make_user("patient"), answer)
    log_in(people["admin"])
    for show in ("", "?show=reported"):
        page = client.get(f"/moderation{show}").get_data(as_text=True)
        rows = select_all(page, "li.queue-item")
        first = text_of(rows[0])
        assert "Reported clinician’s answer: an admin decides" in first
        assert "Yes: keep taking it" in first
        assert "Reports alone never hide a clinician’s answer" in first
        assert "Dismiss the reports" in first
    # Not marked on another member's reported comment.
    assert all("an admin decides" not in text_of(row) for row in rows[1:])


def test_the_admin_dismissing_the_reports_takes_it_off_the_queue(
    client, log_in, people, make_user, answer
):
    report(client, log_in, make_user("patient"), answer)
    log_in(people["admin"])
    client.post(f"/moderation/comments/{answer.id}", data={"decision": "approve"})
    page = client.get("/moderation").get_data(as_text=True)
    assert "Yes: keep taking it" not in page
    assert fresh(answer).status == "approved"


def test_the_admin_may_still_remove_a_clinicians_answer(client, log_in, people, make_user, answer):
    report(client, log_in, make_user("patient"), answer)
    log_in(people["admin"])
    response = client.post(
        f"/moderation/comments/{answer.id}", data={"decision": "reject", "reason": "abusive"}
    )
    assert response.status_code == 303
    assert fresh(answer).status == "removed"


def test_an_unverified_clinicians_comment_is_weighed_like_anyones(
    client, log_in, people, make_user, post, answer
):
    people["clinician"].verified_at = None
    db.session.commit()
    for _ in range(3):
        report(client, log_in, make_trusted(make_user("patient"), post), answer)
    assert fresh(answer).status == "pending"
