"""Verifying a clinician records who, when and their professional registration (for admins'
eyes only); readers see "Verified clinician since MONTH YEAR". Revoking a verification takes
the badge from everything they wrote, sends their answered questions back to the waiting list,
and is recorded with its reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment, ModerationEvent, Notification, User, utcnow
from portal.questions import lifecycle

from .helpers import HTMX, first_element, select_all, select_one, text_of, texts_of, value_of

REGISTRATION = {"verify-registration_body": "GMC", "verify-registration_number": "7654321"}
PROFILE = {
    "verify-title": "Consultant Neurologist",
    "verify-specialty": "Multiple sclerosis",
    "verify-bio": "Runs the Thursday clinic.",
}
NOVEMBER = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def fact(html: str, term: str) -> str:
    """What the member page says beside one term of its facts (<dt>term</dt><dd>...</dd>)."""
    (found,) = [dt for dt in select_all(html, "dt") if text_of(dt) == term]
    return text_of(found.find_next_sibling("dd"))


def events(action: str) -> list[ModerationEvent]:
    return list(
        db.session.scalars(
            select(ModerationEvent)
            .where(ModerationEvent.action == action)
            .order_by(ModerationEvent.id)
        )
    )


@pytest.fixture()
def registered(people) -> User:
    """The fixture's clinician, verified in November 2026 by the admin, with a registration."""
    clinician = people["clinician"]
    clinician.verified_at = NOVEMBER
    clinician.verified_by_id = people["admin"].id
    clinician.registration_body, clinician.registration_number = "GMC", "7654321"
    db.session.commit()
    return clinician


# --- verifying ---------------------------------------------------------------------------------


def test_verifying_records_who_when_and_the_registration(client, people, log_in):
    caregiver, admin = people["caregiver"], people["admin"]
    log_in(admin)
    before = utcnow()
    response = client.post(
        f"/moderation/users/{caregiver.id}/verify",
        data={
            **PROFILE,
            "verify-registration_body": "  Nursing and  Midwifery Council ",
            "verify-registration_number": " 12A3456E ",
        },
    )
    assert response.status_code == 303
    member = fresh(caregiver)
    assert member.role == "clinician"
    assert member.verified_by_id == admin.id
    assert before <= member.verified_at <= utcnow()
    assert (member.registration_body, member.registration_number) == (
        "Nursing and Midwifery Council",
        "12A3456E",
    )
    (event,) = events("verify_clinician")
    assert event.actor_id == admin.id and event.target_id == caregiver.id
    assert "Nursing and Midwifery Council, 12A3456E" in event.reason
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert fact(page, "Registration (admins only)") == "Nursing and Midwifery Council 12A3456E"
    assert fact(page, "Verified").endswith("by Community team")
    assert value_of(page, 'input[name="verify-registration_number"]') == "12A3456E"


@pytest.mark.parametrize(
    ("body", "number", "field", "message"),
    [
        ("", "1234567", "registration_body", "Enter the body they are registered with"),
        ("GMC", "", "registration_number", "Enter their registration number."),
        ("G" * 61, "1234567", "registration_body", "Use at most 60 characters."),
        ("GMC", "1" * 31, "registration_number", "Use at most 30 characters."),
        ("<b>GMC</b>", "1234567", "registration_body", "Use letters, numbers, spaces"),
        ("GMC", "12;34", "registration_number", "Use the letters A to Z and digits"),
        ("GMC", "ABCDEF", "registration_number", "Use the letters A to Z and digits"),
        ("GMC", "١٢٣٤", "registration_number", "Use the letters A to Z and digits"),
        ("GMC\u200b", "1234567", "registration_body", "Use letters, numbers, spaces"),
    ],
)
def test_the_registration_is_required_and_checked(
    client, people, log_in, body, number, field, message
):
    patient = people["patient"]
    log_in(people["admin"])
    data = {
        **PROFILE,
        "verify-registration_body": body,
        "verify-registration_number": number,
    }
    for headers in ({}, HTMX):
        response = client.post(f"/moderation/users/{patient.id}/verify", data=data, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert message in text_of(html, f"#verify-{field}-error")
        select_one(html, f'input#verify-{field}[aria-invalid="true"]')
        # What was typed stays in the form.
        assert value_of(html, 'input[name="verify-title"]') == "Consultant Neurologist"
        assert value_of(html, 'input[name="verify-registration_number"]') == number
    assert fresh(patient).role == "patient" and fresh(patient).registration_body == ""
    assert events("verify_clinician") == []


def test_the_registration_is_for_admins_only(
    client, people, registered, post, make_comment, log_in
):
    question = make_comment(post, people["patient"], "Is this normal?")
    make_comment(post, registered, "Yes.", parent=question)
    public_pages = ("/", f"/posts/{post.slug}", f"/people/{registered.id}", "/feed.atom")
    for url in public_pages:
        assert "7654321" not in client.get(url).get_data(as_text=True), url
    for member in ("patient", "clinician"):
        log_in(people[member])
        for url in (*public_pages, "/account", "/account/export"):
            assert "7654321" not in client.get(url).get_data(as_text=True), (member, url)
        client.post("/logout")
    log_in(people["admin"])
    assert "7654321" in client.get(f"/moderation/users/{registered.id}").get_data(as_text=True)


def test_readers_see_verified_clinician_since_the_month(
    client, people, registered, post, make_comment
):
    question = make_comment(post, people["patient"], "Is this normal?")
    reply = make_comment(post, registered, "Yes.", parent=question)
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    about = select_one(html, "#about-author")
    assert text_of(about, ".badge") == "✓ Verified clinician since November 2026"
    assert select_one(about, ".badge time")["datetime"] == "2026-11-03T09:30:00+00:00"
    # A comment's header has no room for the date: the badge alone.
    assert text_of(html, f"#comment-card-{reply.id} .badge") == "✓ Verified clinician"
    profile = client.get(f"/people/{registered.id}").get_data(as_text=True)
    assert text_of(profile, "header .badge") == "✓ Verified clinician since November 2026"


def test_saving_a_clinicians_profile_keeps_the_date_they_were_verified(
    client, people, registered, make_user, log_in
):
    other_admin = make_user("admin", "Second Admin")
    log_in(other_admin)
    same = client.post(
        f"/moderation/users/{registered.id}/verify", data={**PROFILE, **REGISTRATION}
    )
    assert same.status_code == 303
    member = fresh(registered)
    assert (member.verified_at, member.verified_by_id) == (NOVEMBER, people["admin"].id)
    # A new registration is one this admin checked.
    changed = client.post(
        f"/moderation/users/{registered.id}/verify",
        data={**PROFILE, **REGISTRATION, "verify-registration_number": "1112223"},
    )
    assert changed.status_code == 303
    member = fresh(registered)
    assert (member.verified_at, member.verified_by_id) == (NOVEMBER, other_admin.id)
    assert member.registration_number == "1112223"


# --- revoking ----------------------------------------------------------------------------------


@pytest.fixture()
def answered_question(people, registered, make_post, make_comment) -> tuple[Comment, Comment]:
    """A patient's question the clinician answered and marked, written weeks ago."""
    post = make_post("Fatigue after infusions", author=people["admin"])
    weeks_ago = utcnow() - timedelta(weeks=3)
    question = make_comment(
        post, people["patient"], "Is the tiredness normal?", created_at=weeks_ago
    )
    answer = make_comment(
        post, registered, "Yes, for a few days.", parent=question, created_at=weeks_ago
    )
    lifecycle.mark_answer(answer, registered)
    db.session.commit()
    return question, answer


def revoke(client, clinician: User, headers=None, **fields: str):
    data = {"revoke-reason": "Registration lapsed", "revoke-becomes": "patient"}
    data.update({f"revoke-{name}": value for name, value in fields.items()})
    return client.post(f"/moderation/users/{clinician.id}/revoke", data=data, headers=headers or {})


def test_revoking_makes_them_a_member_and_records_why(
    client, people, registered, answered_question, log_in
):
    question, answer = answered_question
    admin = people["admin"]
    log_in(admin)
    response = revoke(client, registered)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/moderation/users/{registered.id}"
    member = fresh(registered)
    assert member.role == "patient"
    assert (member.verified_at, member.verified_by_id) == (None, None)
    assert (member.registration_body, member.registration_number) == ("", "")
    # The question they answered waits for a clinician again; the answer is a plain reply.
    question, answer = db.session.get(Comment, question.id), db.session.get(Comment, answer.id)
    assert (question.question_state, question.answer_id, answer.kind) == ("waiting", None, "reply")
    (event,) = events("revoke_clinician")
    assert (event.actor_id, event.target_type, event.target_id) == (admin.id, "user", member.id)
    assert (event.reason, event.from_status, event.to_status) == (
        "Registration lapsed",
        "clinician",
        "patient",
    )
    told = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert told.kind == "account_action" and "Reason: Registration lapsed" in told.detail
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Helen Marsh is no longer a verified clinician." in text_of(page)
    assert "Registration (admins only)" not in page and "7654321" not in page
    assert "Verify as a clinician" in texts_of(page, "h2")


def test_after_revoking_no_past_answer_or_reply_carries_the_badge(
    client, people, registered, answered_question, make_comment, log_in
):
    question, answer = answered_question
    note = make_comment(
        question.post, registered, "A note for everyone.", created_at=utcnow() - timedelta(days=9)
    )
    url = f"/posts/{question.post.slug}"
    before = client.get(url)
    html = before.get_data(as_text=True)
    for card in (f"#comment-card-{answer.id}", f"#comment-card-{note.id}"):
        assert text_of(html, f"{card} .badge") == "✓ Verified clinician"
    assert "Clinician's answer" in text_of(html, f"#comment-card-{answer.id}")
    assert "Answered by a clinician" in text_of(html, f"#comment-card-{question.id}")
    log_in(people["admin"])
    assert revoke(client, registered).status_code == 303
    client.post("/logout")
    # A visitor holding the old page is sent the new one, not "not modified".
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    html = after.get_data(as_text=True)
    for card in (f"#comment-card-{answer.id}", f"#comment-card-{note.id}"):
        assert texts_of(html, f"{card} .badge") == ["Patient"]
        assert "comment--clinician" not in select_one(html, card)["class"]
    assert not select_all(html, ".badge--clinician")
    assert "Clinician's answer" not in html and "Verified clinician" not in html
    assert "Answered by a clinician" not in text_of(html, f"#comment-card-{question.id}")


def test_revoking_can_keep_them_as_a_non_clinical_author(
    client, people, registered, make_post, log_in
):
    post = make_post("Their own post", author=registered)
    log_in(people["admin"])
    response = revoke(client, registered, becomes="author", author_title="Health researcher")
    assert response.status_code == 303
    member = fresh(registered)
    assert (member.role, member.title, member.verified_at) == ("author", "Health researcher", None)
    assert events("revoke_clinician")[0].to_status == "author"
    client.post("/logout")
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert text_of(html, "#about-author .badge") == "Author · Health researcher"
    assert "Consultant Neurologist" not in text_of(html, "#about-author")
    # Their profile keeps their posts, without a clinician's list of answers.
    profile = client.get(f"/people/{member.id}").get_data(as_text=True)
    assert "Their own post" in profile and "Most helpful answers" not in profile


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"reason": ""}, "revoke-reason", "Write the reason the member will see."),
        ({"reason": "x" * 501}, "revoke-reason", "Use at most 500 characters."),
        ({"becomes": "admin"}, "revoke-becomes", "Choose what the account becomes."),
        ({"becomes": "author"}, "revoke-author_title", "Enter what they do as an author"),
    ],
)
def test_revoking_needs_a_reason_and_an_authors_title(
    client, people, registered, log_in, fields, field, message
):
    log_in(people["admin"])
    for headers in ({}, HTMX):
        response = revoke(client, registered, headers=headers, **fields)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert message in text_of(html, f"#{field}-error")
        if "reason" not in fields:
            assert value_of(html, 'textarea[name="revoke-reason"]') == "Registration lapsed"
    member = fresh(registered)
    assert (member.role, member.registration_number) == ("clinician", "7654321")
    assert events("revoke_clinician") == []


def test_revoking_with_htmx_answers_with_the_panel(client, people, registered, log_in):
    log_in(people["admin"])
    response = revoke(client, registered, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    panel = first_element(html)
    assert panel.name == "div" and panel["id"] == "user-panel"
    assert text_of(html, '[role="status"]') == "Helen Marsh is no longer a verified clinician."
    assert fresh(registered).role == "patient"


def test_the_revoke_form_is_offered_for_clinicians_only(client, people, registered, log_in):
    log_in(people["admin"])
    page = client.get(f"/moderation/users/{registered.id}").get_data(as_text=True)
    form = select_one(page, f'form[action="/moderation/users/{registered.id}/revoke"]')
    assert form["method"] == "post" and form["hx-post"] == form["action"]
    assert select_all(form, 'input[name="csrf_token"]')
    assert [radio["value"] for radio in select_all(form, 'input[name="revoke-becomes"]')] == [
        "patient",
        "author",
    ]
    for label in ("Reason (the member sees this)", "What they do as an author (if kept as one)"):
        assert label in texts_of(form, "label")
    patient_page = client.get(f"/moderation/users/{people['patient'].id}").get_data(as_text=True)
    assert "/revoke" not in patient_page
    response = revoke(client, people["patient"])
    assert response.status_code == 422
    assert "This account is not a verified clinician." in text_of(response.get_data(as_text=True))


@pytest.mark.parametrize("role", ["patient", "caregiver", "clinician", "author", "suspended"])
def test_only_admins_verify_or_revoke(client, people, registered, make_user, log_in, role):
    actor = people.get(role) or make_user("author", "Priya Raman", title="Neuroscientist")
    log_in(actor)
    target = people["patient"]
    for headers in ({}, HTMX):
        assert revoke(client, registered, headers=headers).status_code == 403
        verify = client.post(
            f"/moderation/users/{target.id}/verify",
            data={**PROFILE, **REGISTRATION},
            headers=headers,
        )
        assert verify.status_code == 403
    assert fresh(registered).role == "clinician" and fresh(target).role == "patient"
    assert events("revoke_clinician") == [] and events("verify_clinician") == []


def test_visitors_and_forged_requests_cannot_revoke(client, people, registered, log_in):
    visitor = revoke(client, registered)
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    log_in(people["admin"])
    forged = client.post(
        f"/moderation/users/{registered.id}/revoke",
        data={"revoke-reason": "x", "revoke-becomes": "patient"},
        csrf=False,
    )
    assert forged.status_code == 400  # the app-wide CSRF check refuses it before the view
    assert fresh(registered).role == "clinician"
    assert client.post("/moderation/users/999999/revoke", data={}).status_code == 404
