"""Admins' members list: find an account, suspend it until a date, ban it, lift either, and
verify a clinician. Restricted members see why and until when, and cannot post or report.
(Verification in depth, revoking it and non-clinical authors: test_verification_of_clinicians.py
and test_authors.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment, Flag, ModerationEvent, User, utcnow

from .helpers import HTMX, first_element, select_all, select_one, text_of, texts_of, value_of


def fact(html: str, term: str) -> str:
    """What an account page says beside one term of its facts (<dt>term</dt><dd>...</dd>)."""
    (found,) = [dt for dt in select_all(html, "dt") if text_of(dt) == term]
    return text_of(found.find_next_sibling("dd"))


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def in_days(days: int) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


def test_the_members_list_shows_accounts_with_their_emails(client, people, log_in):
    log_in(people["admin"])
    response = client.get("/moderation/users")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert text_of(html, "h1") == "Members"
    for user in people.values():
        assert user.display_name in html
        assert user.email in html
    assert "Suspended until" in text_of(html)


@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ("river", "RiverWalker", "SteadyHand"),
        ("RIVERWALKER", "RiverWalker", "SteadyHand"),
        ("caregiver2@", "SteadyHand", "RiverWalker"),
        ("%", None, "RiverWalker"),  # wildcards are searched for, not used
    ],
)
def test_search_by_display_name_or_email(client, people, log_in, query, found, not_found):
    log_in(people["admin"])
    html = client.get("/moderation/users", query_string={"q": query}).get_data(as_text=True)
    results = str(select_one(html, "section#user-results"))
    if found:
        assert found in results
    assert not_found not in results


def test_search_for_htmx_answers_with_the_results_alone(client, people, log_in):
    log_in(people["admin"])
    response = client.get("/moderation/users?q=steady", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    results = first_element(html)
    assert results.name == "section" and results["id"] == "user-results"
    assert "SteadyHand" in html and "RiverWalker" not in html


def test_an_account_page_shows_its_facts_and_actions(client, people, log_in):
    log_in(people["admin"])
    patient = people["patient"]
    html = client.get(f"/moderation/users/{patient.id}").get_data(as_text=True)
    assert text_of(html, "h1") == "RiverWalker"
    assert patient.email in html
    assert fact(html, "Status").startswith("Active")
    for heading in ("Suspend", "Ban", "Verify as a clinician", "Make a non-clinical author"):
        assert heading in texts_of(html, "h2")
    assert "Revoke the verification" not in texts_of(html, "h2")  # not a clinician
    fragment = client.get(f"/moderation/users/{patient.id}", headers=HTMX).get_data(as_text=True)
    panel = first_element(fragment)
    assert panel.name == "div" and panel["id"] == "user-panel"


def test_suspend_until_a_date_with_a_reason(client, people, post, log_in):
    patient = people["patient"]
    log_in(people["admin"])
    until = in_days(7)
    response = client.post(
        f"/moderation/users/{patient.id}/suspend",
        data={"suspend-until": until, "suspend-reason": "Sharing a stranger's address"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/moderation/users/{patient.id}"
    member = fresh(patient)
    assert member.status == "suspended"
    assert member.suspended_until.date().isoformat() == until
    assert member.status_reason == "Sharing a stranger's address"
    event = db.session.scalar(select(ModerationEvent))
    assert (event.action, event.target_type, event.target_id, event.to_status) == (
        "suspend",
        "user",
        patient.id,
        "suspended",
    )
    assert "RiverWalker is suspended." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_a_suspended_member_sees_why_and_until_when_and_cannot_post_or_report(
    client, people, post, make_comment, log_in
):
    patient = people["patient"]
    other = make_comment(post, people["caregiver"], "Someone else's words.")
    held = make_comment(post, patient, "Written before the suspension.", status="pending")
    log_in(people["admin"])
    client.post(
        f"/moderation/users/{patient.id}/suspend",
        data={"suspend-until": in_days(3), "suspend-reason": "Cooling off"},
    )
    client.post("/logout")
    log_in(patient)
    account = text_of(client.get("/account").get_data(as_text=True))
    assert "Your account is suspended until" in account
    assert "Reason: Cooling off" in account
    comment = client.post(f"/posts/{post.slug}/comments", data={"body": "Let me in."})
    assert comment.status_code == 403
    assert "Your account is suspended until" in text_of(comment.get_data(as_text=True))
    assert client.post(f"/comments/{other.id}/report", data={"reason": "spam"}).status_code == 403
    assert db.session.scalar(select(Flag)) is None
    # What they wrote stays for the moderators to decide.
    db.session.expire_all()
    assert db.session.get(Comment, held.id).status == "pending"
    client.post("/logout")
    log_in(people["admin"])
    assert "Written before the suspension." in client.get("/moderation").get_data(as_text=True)


@pytest.mark.parametrize(
    ("until", "reason", "field", "message"),
    [
        ("", "Reason", "suspend-until", "Enter the date the suspension ends"),
        ("next tuesday", "Reason", "suspend-until", "Enter a date like 2025-06-30."),
        ("PAST", "Reason", "suspend-until", "Choose a date after today."),
        ("FAR", "Reason", "suspend-until", "Suspensions can last up to a year."),
        ("SOON", "", "suspend-reason", "Write the reason the member will see."),
    ],
)
def test_a_suspension_needs_a_future_date_and_a_reason(
    client, people, log_in, until, reason, field, message
):
    until = {"PAST": in_days(-1), "FAR": in_days(400), "SOON": in_days(2)}.get(until, until)
    log_in(people["admin"])
    response = client.post(
        f"/moderation/users/{people['patient'].id}/suspend",
        data={"suspend-until": until, "suspend-reason": reason},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in text_of(html, f"#{field}-error")
    if reason:
        assert value_of(html, 'textarea[name="suspend-reason"]') == reason
    assert fresh(people["patient"]).status == "active"


def test_suspending_with_htmx_answers_with_the_panel(client, people, log_in):
    log_in(people["admin"])
    response = client.post(
        f"/moderation/users/{people['caregiver'].id}/suspend",
        data={"suspend-until": in_days(5), "suspend-reason": "Spam links"},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    panel = first_element(html)
    assert panel.name == "div" and panel["id"] == "user-panel"
    assert "SteadyHand is suspended." in html
    assert "Suspended until" in text_of(html)
    failed = client.post(
        f"/moderation/users/{people['caregiver'].id}/ban", data={"ban-reason": ""}, headers=HTMX
    )
    assert failed.status_code == 422
    assert "Write the reason the member will see." in failed.get_data(as_text=True)


def test_ban_and_lift(client, people, post, log_in):
    patient = people["patient"]
    log_in(people["admin"])
    response = client.post(
        f"/moderation/users/{patient.id}/ban", data={"ban-reason": "Selling fake cures"}
    )
    assert response.status_code == 303
    assert fresh(patient).status == "banned"
    client.post("/logout")
    log_in(patient)
    account = text_of(client.get("/account").get_data(as_text=True))
    assert "Your account has been banned" in account and "Selling fake cures" in account
    assert client.post(f"/posts/{post.slug}/comments", data={"body": "Hi"}).status_code == 403
    client.post("/logout")
    log_in(people["admin"])
    lifted = client.post(f"/moderation/users/{patient.id}/lift", data={"lift-reason": "Appeal"})
    assert lifted.status_code == 303
    member = fresh(patient)
    assert (member.status, member.status_reason, member.suspended_until) == ("active", "", None)
    actions = db.session.scalars(select(ModerationEvent.action).order_by(ModerationEvent.id))
    assert list(actions) == ["ban", "lift"]
    client.post("/logout")
    log_in(patient)
    back = {"body": "Back.", "kind": "discussion"}
    assert client.post(f"/posts/{post.slug}/comments", data=back).status_code == 303


def test_lifting_an_active_account_is_explained(client, people, log_in):
    log_in(people["admin"])
    response = client.post(f"/moderation/users/{people['patient'].id}/lift")
    assert response.status_code == 422
    assert "This account is not suspended or banned." in response.get_data(as_text=True)


def test_an_admin_cannot_restrict_their_own_account(client, people, log_in):
    admin = people["admin"]
    log_in(admin)
    response = client.post(f"/moderation/users/{admin.id}/ban", data={"ban-reason": "Oops"})
    assert response.status_code == 422
    assert "You cannot restrict your own account." in response.get_data(as_text=True)
    assert fresh(admin).status == "active"


def test_verify_a_clinician(client, people, post, log_in):
    caregiver = people["caregiver"]
    log_in(people["admin"])
    response = client.post(
        f"/moderation/users/{caregiver.id}/verify",
        data={
            "verify-title": "MS Specialist Nurse",
            "verify-specialty": "Multiple sclerosis",
            "verify-bio": "Twenty years in neurology.",
            "verify-registration_body": "NMC",
            "verify-registration_number": "12A3456E",
        },
    )
    assert response.status_code == 303
    member = fresh(caregiver)
    assert (member.role, member.title, member.specialty, member.bio) == (
        "clinician",
        "MS Specialist Nurse",
        "Multiple sclerosis",
        "Twenty years in neurology.",
    )
    assert member.verified_at is not None
    event = db.session.scalar(select(ModerationEvent))
    assert (event.action, event.from_status, event.to_status) == (
        "verify_clinician",
        "caregiver",
        "clinician",
    )
    # Their comments now skip pre-moderation and carry the badge.
    client.post("/logout")
    log_in(caregiver)
    client.post(f"/posts/{post.slug}/comments", data={"body": "Happy to help."})
    db.session.expire_all()
    assert db.session.scalar(select(Comment.status)) == "approved"
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    badges = texts_of(page, ".badge--clinician")
    assert badges and all("Verified clinician" in badge for badge in badges)


def test_verifying_needs_a_title_and_a_specialty(client, people, log_in):
    log_in(people["admin"])
    response = client.post(
        f"/moderation/users/{people['patient'].id}/verify",
        data={
            "verify-title": "",
            "verify-specialty": "MS",
            "verify-bio": "Kept bio",
            "verify-registration_body": "GMC",
            "verify-registration_number": "1234567",
        },
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert select_all(html, "#verify-title-error")
    assert value_of(html, 'textarea[name="verify-bio"]') == "Kept bio"
    assert fresh(people["patient"]).role == "patient"


def test_admins_are_not_turned_into_clinicians(client, people, make_user, log_in):
    other_admin = make_user("admin", "Second Admin")
    log_in(people["admin"])
    response = client.post(
        f"/moderation/users/{other_admin.id}/verify",
        data={"verify-title": "Doctor", "verify-specialty": "MS"},
    )
    assert response.status_code == 422
    assert "Admins already have every permission" in response.get_data(as_text=True)
    assert fresh(other_admin).role == "admin"


def test_a_missing_account_is_404(client, people, log_in):
    log_in(people["admin"])
    assert client.get("/moderation/users/999").status_code == 404
    assert client.post("/moderation/users/999/ban", data={"ban-reason": "x"}).status_code == 404


@pytest.mark.parametrize("role", ["patient", "caregiver", "clinician", "author", "suspended"])
def test_only_admins_manage_members(client, people, make_user, log_in, role):
    if role == "author":
        people = {**people, "author": make_user("author", "Priya Raman", title="Neuroscientist")}
    log_in(people[role])
    target = people["caregiver" if role != "caregiver" else "patient"]
    assert client.get("/moderation/users").status_code == 403
    assert client.get("/moderation/users", headers=HTMX).status_code == 403
    assert client.get(f"/moderation/users/{target.id}").status_code == 403
    response = client.post(f"/moderation/users/{target.id}/ban", data={"ban-reason": "x"})
    assert response.status_code == 403
    assert fresh(target).status == "active"


def test_emails_are_not_shown_to_members_elsewhere(client, people, post, make_comment, log_in):
    make_comment(post, people["patient"], "Hello.")
    log_in(people["caregiver"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert people["patient"].email not in html
