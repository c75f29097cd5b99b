"""Failed email, for admins: the list and its count, and "try again" (recorded in the audit log)."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import ModerationEvent, OutgoingEmail, utcnow
from portal.tasks import huey

from .helpers import HTMX, first_element, select_all, select_one, text_of


def failed_email(user, error: str = "ConnectionRefusedError: [Errno 111] Connection refused"):
    email = OutgoingEmail(
        user=user,
        to_address=user.email,
        template="test_message",
        status="failed",
        attempts=6,
        last_error=error,
        message_id="<1.2@talk.example.org>",
    )
    db.session.add(email)
    db.session.commit()
    return email


def test_admins_see_failed_emails_with_their_count_and_errors(client, log_in, people):
    failed = [failed_email(people["patient"]), failed_email(people["caregiver"], "SMTPDataError")]
    sent = OutgoingEmail(
        user=people["patient"], to_address=people["patient"].email, template="x", status="sent"
    )
    db.session.add(sent)
    db.session.commit()
    log_in(people["admin"])

    page = client.get("/moderation/mail")

    assert page.status_code == 200
    assert text_of(page, "h1") == "Failed email"
    assert text_of(page, ".failed-count") == "2"
    rows = select_all(page, "#mail-results tbody tr")
    assert [row["id"] for row in rows] == [f"email-{failed[1].id}", f"email-{failed[0].id}"]
    assert "SMTPDataError" in text_of(rows[0], ".mail-error")
    assert people["caregiver"].email in text_of(rows[0])
    assert select_one(rows[0], "form")["action"] == f"/moderation/mail/{failed[1].id}/retry"
    # The staff navigation leads here.
    assert select_one(page, 'a[href="/moderation/mail"]')["aria-current"] == "page"


def test_the_list_says_when_nothing_has_failed(client, log_in, people):
    log_in(people["admin"])
    page = client.get("/moderation/mail")
    assert text_of(page, ".failed-count") == "0"
    assert "No failed emails" in text_of(page, "#mail-results")


def test_trying_again_queues_the_email_and_records_it(client, log_in, people):
    email = failed_email(people["patient"])
    log_in(people["admin"])
    huey.flush()

    response = client.post(f"/moderation/mail/{email.id}/retry")

    assert response.status_code == 303 and response.location.endswith("/moderation/mail")
    db.session.expire_all()
    row = db.session.get(OutgoingEmail, email.id)
    assert (row.status, row.attempts, row.claimed_by) == ("queued", 0, "")
    assert row.next_attempt_at <= utcnow()
    assert row.message_id == "<1.2@talk.example.org>"  # the same message, tried again
    [event] = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.action == "retry_email")
    )
    assert (event.actor_name, event.target_type, event.target_id) == (
        "Community team",
        "email",
        email.id,
    )
    assert (event.from_status, event.to_status) == ("failed", "queued")
    assert "Connection refused" in event.reason
    # Handed to the worker once the change was committed.
    assert [(t.name, t.args) for t in huey.pending()] == [("deliver_email", (email.id,))]
    page = client.get("/moderation/mail")
    assert "queued again" in text_of(page, ".flashes")
    assert text_of(page, ".failed-count") == "0"


def test_trying_again_with_htmx_answers_with_the_updated_list(client, log_in, people):
    kept, retried = failed_email(people["patient"]), failed_email(people["caregiver"])
    log_in(people["admin"])

    response = client.post(f"/moderation/mail/{retried.id}/retry", headers=HTMX)

    assert response.status_code == 200
    fragment = first_element(response)
    assert fragment["id"] == "mail-results"
    assert text_of(fragment, "[role=status]") == (
        f"Email {retried.id} is queued again; the worker will send it."
    )
    assert [row["id"] for row in select_all(fragment, "tbody tr")] == [f"email-{kept.id}"]
    assert text_of(fragment, ".failed-count") == "1"


def test_an_email_no_longer_failed_is_left_alone(client, log_in, people):
    email = failed_email(people["patient"])
    email.status = "sent"
    db.session.commit()
    log_in(people["admin"])

    response = client.post(f"/moderation/mail/{email.id}/retry", headers=HTMX)

    assert response.status_code == 200
    assert "already left the failed list" in text_of(response, "[role=status]")
    db.session.expire_all()
    assert db.session.get(OutgoingEmail, email.id).status == "sent"
    assert db.session.scalars(select(ModerationEvent)).all() == []


def test_the_audit_log_names_the_retry(client, log_in, people):
    email = failed_email(people["patient"])
    log_in(people["admin"])
    client.post(f"/moderation/mail/{email.id}/retry")

    log = client.get("/moderation/log?target_type=email")

    assert "Tried a failed email again" in text_of(log, "#log-results")


def test_members_and_clinicians_may_not_see_or_retry_failed_email(client, log_in, people):
    email = failed_email(people["patient"])
    for role in ("patient", "clinician"):
        log_in(people[role])
        assert client.get("/moderation/mail").status_code == 403
        assert client.post(f"/moderation/mail/{email.id}/retry").status_code == 403
        assert 'href="/moderation/mail"' not in client.get("/").get_data(as_text=True)
        client.post("/logout")
    db.session.expire_all()
    assert db.session.get(OutgoingEmail, email.id).status == "failed"
