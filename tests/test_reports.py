"""Reporting a comment: once per reader, with a reason and a note; enough reports hide it until
a moderator decides."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Comment, Flag, ModerationEvent
from portal.moderation import rules

from .helpers import HTMX, first_element, select_all, select_one, text_of, value_of
from .trust import make_trusted


def flag_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Flag)) or 0


def fresh(comment: Comment) -> Comment:
    db.session.expire_all()
    return db.session.get(Comment, comment.id)


@pytest.fixture()
def comment(people, post, make_comment):
    """An approved comment by the caregiver that others may report."""
    return make_comment(post, people["caregiver"], "You should stop your treatment at once.")


def report(client, comment, headers=None, **data):
    return client.post(
        f"/comments/{comment.id}/report",
        data={"reason": "misinformation", "note": "", **data},
        headers=headers or {},
    )


def test_members_see_a_report_action_on_others_approved_comments(
    client, people, post, comment, make_comment, log_in
):
    own = make_comment(post, people["patient"], "My own words.")
    log_in(people["patient"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    link = select_one(html, f'a[href="/comments/{comment.id}/report"]')
    assert link["hx-get"] == f"/comments/{comment.id}/report"
    assert link["hx-target"] == f"#report-slot-{comment.id}"
    assert select_all(html, f"#report-slot-{comment.id}")
    hidden = select_one(link, "span.visually-hidden")
    assert hidden.previous_sibling == "Report"
    assert hidden.get_text() == " the comment by SteadyHand"
    assert not select_all(html, f'[href="/comments/{own.id}/report"]')  # never one's own


def test_visitors_and_restricted_members_see_no_report_action(
    client, people, post, comment, log_in
):
    assert "/report" not in client.get(f"/posts/{post.slug}").get_data(as_text=True)
    log_in(people["suspended"])
    assert "/report" not in client.get(f"/posts/{post.slug}").get_data(as_text=True)


def test_the_report_form_without_javascript_is_a_page(client, people, comment, log_in):
    log_in(people["patient"])
    response = client.get(f"/comments/{comment.id}/report")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert text_of(html, "h1") == "Report a comment"
    assert "You should stop your treatment at once." in html
    for label in (
        "Medical misinformation",
        "Abusive or unkind",
        "Spam or advertising",
        "Shares private information",
        "Something else",
    ):
        assert label in html
    form = select_one(html, f'form[action="/comments/{comment.id}/report"]')
    assert form["method"] == "post"
    assert select_all(form, 'input[name="csrf_token"]')


def test_the_report_form_for_htmx_is_the_form_alone(client, people, comment, log_in):
    log_in(people["patient"])
    response = client.get(f"/comments/{comment.id}/report", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    form = first_element(html)
    assert form.name == "form" and form["hx-target"] == f"#report-slot-{comment.id}"
    assert "Report the comment by SteadyHand" in html


def test_reporting_with_a_plain_form_thanks_the_reader_on_the_comment(
    client, people, comment, log_in
):
    log_in(people["patient"])
    response = report(client, comment, reason="misinformation", note="Could harm someone.")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    flag = db.session.scalar(select(Flag))
    assert (flag.reporter_id, flag.reason, flag.note) == (
        people["patient"].id,
        "misinformation",
        "Could harm someone.",
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you. A moderator will look at this comment." in page
    assert fresh(comment).status == "approved"  # one report does not hide it


def test_reporting_with_htmx_answers_with_a_thank_you_in_the_slot(client, people, comment, log_in):
    log_in(people["patient"])
    response = report(client, comment, headers=HTMX, reason="abusive")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert select_all(html, '[role="status"]')
    assert "Thank you. A moderator will look at this comment." in html
    assert flag_count() == 1


def test_a_second_report_by_the_same_reader_gets_a_friendly_message(
    client, people, comment, log_in
):
    log_in(people["patient"])
    assert report(client, comment).status_code == 303
    again = report(client, comment, reason="spam")
    assert again.status_code == 303
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "You have already reported this comment." in page
    htmx = report(client, comment, headers=HTMX)
    assert htmx.status_code == 200
    assert "You have already reported this comment." in htmx.get_data(as_text=True)
    form = client.get(f"/comments/{comment.id}/report")
    assert form.status_code == 200
    assert "You have already reported this comment." in form.get_data(as_text=True)
    assert "Send report" not in form.get_data(as_text=True)
    assert flag_count() == 1


def test_a_report_needs_a_reason_and_keeps_the_note(client, people, comment, log_in):
    log_in(people["patient"])
    response = report(client, comment, reason="", note="Please look at this.")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = text_of(html, f"#report-form-{comment.id}-reason-error")
    assert error.startswith("Choose what is wrong")
    assert value_of(html, f"textarea#report-form-{comment.id}-note") == "Please look at this."
    htmx = report(client, comment, headers=HTMX, reason="nonsense")
    assert htmx.status_code == 422
    assert "Choose what is wrong with this comment." in htmx.get_data(as_text=True)
    assert flag_count() == 0


def test_a_note_may_be_at_most_500_characters(client, people, comment, log_in):
    log_in(people["patient"])
    response = report(client, comment, note="n" * 501)
    assert response.status_code == 422
    assert "Notes can be at most 500 characters; this one has 501." in response.get_data(
        as_text=True
    )
    assert report(client, comment, note="n" * 500).status_code == 303


def test_nobody_reports_their_own_comment(client, people, comment, log_in):
    log_in(people["caregiver"])
    assert client.get(f"/comments/{comment.id}/report").status_code == 403
    assert report(client, comment).status_code == 403
    assert flag_count() == 0


def test_suspended_members_cannot_report_and_are_told_why(client, people, comment, log_in):
    log_in(people["suspended"])
    response = report(client, comment)
    assert response.status_code == 403
    assert "Your account is suspended until" in text_of(response.get_data(as_text=True))
    assert flag_count() == 0


def test_visitors_are_asked_to_log_in(client, comment):
    response = client.get(f"/comments/{comment.id}/report")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert report(client, comment, headers=HTMX).status_code == 401


def test_held_or_missing_comments_cannot_be_reported(client, people, post, make_comment, log_in):
    held = make_comment(post, people["caregiver"], "Waiting.", status="pending")
    log_in(people["patient"])
    assert client.get(f"/comments/{held.id}/report").status_code == 404
    assert report(client, held).status_code == 404
    assert client.get("/comments/4040/report").status_code == 404


def test_enough_distinct_reports_hide_the_comment_until_a_moderator_decides(
    client, people, post, comment, make_user, log_in
):
    readers = [people["patient"], people["clinician"], make_user("patient")]
    for reader in readers:
        make_trusted(reader, post)  # a month's standing and an approved comment: full weight
        log_in(reader)
        report(client, comment, reason="misinformation", note=f"From {reader.display_name}")
        client.post("/logout")
    hidden = fresh(comment)
    assert hidden.status == "pending"
    assert hidden.held_reason == rules.HIDDEN_AFTER_REPORTS
    assert "You should stop" not in client.get(f"/posts/{post.slug}").get_data(as_text=True)
    event = db.session.scalar(select(ModerationEvent))
    assert (event.action, event.actor_name, event.from_status, event.to_status) == (
        "hide_after_reports",
        "system",
        "approved",
        "pending",
    )
    # Its author sees it held, and why.
    log_in(people["caregiver"])
    author_view = text_of(client.get(f"/posts/{post.slug}").get_data(as_text=True))
    assert "Awaiting moderation — only you can see this." in author_view
    assert "Hidden after several readers reported it." in author_view
    client.post("/logout")
    # The queue shows it among the held ones, with the reports.
    log_in(people["admin"])
    queue = text_of(client.get("/moderation").get_data(as_text=True))
    assert "You should stop your treatment at once." in queue
    assert "Reports (3)" in queue
    assert "“From Helen Marsh”" in queue
    assert "Restore" in queue and "Remove" in queue
    # Restoring puts it back up and closes the reports.
    client.post(f"/moderation/comments/{comment.id}", data={"decision": "approve"})
    assert fresh(comment).status == "approved"
    assert db.session.scalar(select(func.count()).where(Flag.resolved_at.is_(None))) == 0
    assert "You should stop" in client.get(f"/posts/{post.slug}").get_data(as_text=True)


def test_the_number_of_reports_that_hides_comes_from_the_settings(
    client, people, post, comment, log_in
):
    rules.current_settings().reports_to_hide = 1
    db.session.commit()
    log_in(make_trusted(people["patient"], post))
    response = report(client, comment, headers=HTMX)
    assert "it is now hidden until a moderator looks at it" in response.get_data(as_text=True)
    assert fresh(comment).status == "pending"


def test_reports_below_the_limit_leave_the_comment_up_but_in_the_reported_list(
    client, people, comment, log_in
):
    log_in(people["patient"])
    report(client, comment, reason="private_information", note="Names a nurse.")
    client.post("/logout")
    log_in(people["admin"])
    reported = text_of(client.get("/moderation?show=reported").get_data(as_text=True))
    assert "Shares private information, from RiverWalker" in reported
    assert "“Names a nurse.”" in reported
    held = text_of(client.get("/moderation").get_data(as_text=True))
    assert "You should stop your treatment" not in held
