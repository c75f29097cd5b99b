"""Focus and words (issue 15, point 6): where focus lands after an edit, a cancel and a
delete, and what is announced; "Log in to reply" coming back to the form; dismissing reports
and what the audit log says of it; dates written one way; the registration limit's real wait;
and /favicon.ico."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Flag, ModerationEvent
from portal.moderation import decisions, members
from portal.permissions import restriction_message

from .helpers import HTMX, select_all, select_one, text_of


def _announced(html: str) -> str:
    return select_one(html, "#announcer[hx-swap-oob]").get_text(strip=True)


# --- focus and the live region after edit, cancel and delete -------------------------------------


def test_saving_an_edit_focuses_the_card_and_says_so(client, log_in, people, post, make_comment):
    comment = make_comment(post, people["clinician"], "First words.")
    log_in(people["clinician"])
    response = client.post(
        f"/comments/{comment.id}/edit", data={"body": "Better words."}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    card = select_one(html, f"article#comment-card-{comment.id}")
    assert card.has_attr("autofocus") and card["tabindex"] == "-1"
    assert _announced(html) == "Your edit is posted."


def test_cancelling_an_edit_focuses_the_card_and_says_nothing_changed(
    client, log_in, people, post, make_comment
):
    comment = make_comment(post, people["clinician"], "Words.")
    log_in(people["clinician"])
    html = client.get(f"/comments/{comment.id}", headers=HTMX).get_data(as_text=True)
    card = select_one(html, f"article#comment-card-{comment.id}")
    assert card.has_attr("autofocus") and card["tabindex"] == "-1"
    assert _announced(html) == "Edit cancelled. Your comment is unchanged."
    # Cards drawn on the page are not focus targets.
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert not select_one(page, f"#comment-card-{comment.id}").has_attr("autofocus")


def test_deleting_a_lone_comment_moves_focus_to_the_discussion_heading(
    client, log_in, people, post, make_comment
):
    make_comment(post, people["caregiver"], "Stays.")
    comment = make_comment(post, people["clinician"], "Goes.")
    log_in(people["clinician"])
    html = client.post(f"/comments/{comment.id}/delete", headers=HTMX).get_data(as_text=True)
    assert select_one(html, f"li#comment-{comment.id}")["hx-swap-oob"] == "delete"
    heading = select_one(html, "h2#comments-heading")
    assert heading["hx-swap-oob"] == "true" and heading.has_attr("autofocus")
    assert heading["tabindex"] == "-1"
    assert select_one(heading, "#comment-count").get_text(strip=True) == "(1 comment)"
    assert not select_all(html, "span#comment-count[hx-swap-oob]")  # counted once, in the heading
    assert _announced(html) == "Your comment is deleted."


def test_deleting_a_comment_with_replies_focuses_its_deleted_card(
    client, log_in, people, post, make_comment
):
    comment = make_comment(post, people["clinician"], "Has replies.")
    make_comment(post, people["caregiver"], "A reply.", parent=comment)
    log_in(people["clinician"])
    html = client.post(f"/comments/{comment.id}/delete", headers=HTMX).get_data(as_text=True)
    card = select_one(html, f"article#comment-card-{comment.id}")
    assert "comment--deleted" in card["class"] and card.has_attr("autofocus")
    assert _announced(html) == "Your comment is deleted."


def test_the_discussion_heading_is_not_focused_on_the_page(client, post):
    heading = select_one(
        client.get(f"/posts/{post.slug}").get_data(as_text=True), "#comments-heading"
    )
    assert not heading.has_attr("autofocus") and not heading.has_attr("hx-swap-oob")


# --- "Log in to reply" comes back to the reply form --------------------------------------------


def test_log_in_to_reply_comes_back_with_the_reply_form_open(client, people, post, make_comment):
    comment = make_comment(post, people["caregiver"], "Reply to me.")
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    link = select_one(page, f"#comment-card-{comment.id} a[href^='/login']")
    assert link.get_text(" ", strip=True).startswith("Log in to reply")
    target = parse_qs(urlsplit(link["href"]).query)["next"][0]
    assert target == f"/posts/{post.slug}?replytocom={comment.id}#reply-form-{comment.id}"
    response = client.post(
        link["href"],
        data={
            "email": people["patient"].email,
            "password": "correct horse battery",
            "next": target,
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == target
    back = client.get(target).get_data(as_text=True)
    form = select_one(back, f"#reply-slot-{comment.id} form#reply-form-{comment.id}")
    assert select_one(form, "input[name=parent_id]")["value"] == str(comment.id)


# --- dismissing reports -------------------------------------------------------------------


@pytest.fixture()
def reported(people, post, make_comment):
    comment = make_comment(post, people["caregiver"], "Reported but fine.")
    for reader in ("patient", "clinician", "suspended"):
        db.session.add(Flag(comment_id=comment.id, reporter_id=people[reader].id, reason="other"))
    db.session.commit()
    return comment


def test_the_reported_list_offers_to_dismiss_the_reports(client, log_in, people, reported):
    log_in(people["admin"])
    page = client.get("/moderation?show=reported").get_data(as_text=True)
    buttons = [b.get_text(" ", strip=True) for b in select_all(page, "button[name=decision]")]
    assert any(b.startswith("Dismiss the reports") for b in buttons)
    assert not any("Keep it up" in b for b in buttons)


def test_dismissing_says_in_the_log_what_it_did_and_can_be_undone(client, log_in, people, reported):
    log_in(people["admin"])
    response = client.post(f"/moderation/comments/{reported.id}", data={"decision": "approve"})
    assert response.status_code == 303
    event = db.session.scalars(select(ModerationEvent).order_by(ModerationEvent.id.desc())).first()
    assert (event.action, event.from_status, event.to_status) == (
        "dismiss_reports",
        "approved",
        "approved",
    )
    assert event.reason == "Dismissed 3 reports; the comment stays up"
    log = text_of(client.get("/moderation/log").get_data(as_text=True), "#log-results")
    assert "Dismissed the reports" in log and "Dismissed 3 reports; the comment stays up" in log
    decisions.undo(event, people["admin"])
    open_reports = db.session.scalar(
        select(func.count()).select_from(Flag).where(Flag.resolved_at.is_(None))
    )
    assert open_reports == 3


def test_dismissal_words_count_one_report_and_keep_a_note():
    assert decisions.dismissal_words(1) == "Dismissed 1 report; the comment stays up"
    assert decisions.dismissal_words(2, "Accurate.") == (
        "Dismissed 2 reports; the comment stays up. Accurate."
    )


def test_approving_a_held_comment_is_still_approving(client, log_in, people, post, make_comment):
    held = make_comment(post, people["caregiver"], "Held.", status="pending")
    log_in(people["admin"])
    client.post(f"/moderation/comments/{held.id}", data={"decision": "approve"})
    event = db.session.scalars(select(ModerationEvent).order_by(ModerationEvent.id.desc())).first()
    assert event.action == "approve"


# --- dates read the same everywhere --------------------------------------------------------


def test_a_suspensions_end_reads_as_the_pages_write_dates(app, people):
    from portal.templating import human_datetime

    member = people["suspended"]
    member.suspended_until = datetime(2031, 3, 6, 9, 5, tzinfo=UTC)
    with app.test_request_context():
        message = restriction_message(member)
        assert f"until {human_datetime(member.suspended_until)}," in message
    assert "until 6 March 2031, 09:05 " in message  # the zone's abbreviation follows


def test_the_suspension_notice_writes_the_day_without_a_leading_zero(people):
    from datetime import date, timedelta

    from .test_notifications import told

    until = date.today() + timedelta(days=5)
    members.suspend(people["caregiver"], people["admin"], until, "A pause")
    [notice] = told(people["caregiver"], "account_action")
    assert f"until {until.day} {until:%B %Y}," in notice.detail
    event = db.session.scalars(select(ModerationEvent).order_by(ModerationEvent.id.desc())).first()
    assert event.reason == f"Until {until.day} {until:%B %Y}: A pause"


def test_no_code_or_template_writes_a_day_or_time_by_hand():
    """Days and times go through templating.human_date and human_datetime. (The clinician
    badge's "since November 2026" is a month on purpose.)"""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = [*root.joinpath("templates").rglob("*.*"), *root.joinpath("portal").rglob("*.py")]
    hand_made = [
        str(path.relative_to(root))
        for path in files
        if path.name != "templating.py"
        and re.search(r"%d %B|%-d %B|%H:%M", path.read_text(encoding="utf-8"))
    ]
    assert hand_made == []


# --- the registration limit tells the real wait ------------------------------------------------


@pytest.mark.rate_limits
def test_the_registration_limit_says_how_long_to_wait_and_keeps_the_form(client):
    for n in range(5):
        client.post("/register", data={"email": f"r{n}@example.org"})
    response = client.post(
        "/register", data={"email": "patient.six@example.org", "display_name": "Sixth Try"}
    )
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    message = text_of(html, ".form-errors")
    wait = re.search(r"Please try again in (\d+) minutes?", message)
    assert wait and 55 <= int(wait.group(1)) <= 60  # the hour's window began a moment ago
    assert select_one(html, "input[name=email]")["value"] == "patient.six@example.org"
    assert select_one(html, "input[name=display_name]")["value"] == "Sixth Try"


# --- /favicon.ico ---------------------------------------------------------------------------


def test_the_favicon_answers_with_the_svg_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).lstrip().startswith("<svg")
