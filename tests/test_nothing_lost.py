"""Nothing a person types is lost: whatever refuses a form (the edit window, an ended session,
a rate limit, an unreadable form, a server error), the text comes back to them."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.comments import service
from portal.extensions import db
from portal.models import Comment, utcnow

from .helpers import HTMX, TEST_PASSWORD, select_all, select_one, text_of, value_of

# The limit is 10 a minute: the first of them leaves the window within the minute.
NEXT_MINUTE = re.compile(r"You can try again in (less than a minute|about 1 minute)\.")
WINDOW_PASSED = "The 15 minutes for editing this comment have passed."


def bodies(post) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Comment.body_source).where(Comment.post_id == post.id).order_by(Comment.id)
        )
    )


@pytest.fixture()
def old_comment(post, people, make_comment):
    """The patient's comment, written 16 minutes ago: just past the edit window."""
    return make_comment(
        post, people["patient"], "First words", created_at=utcnow() - timedelta(minutes=16)
    )


# --- an edit sent after the window ----------------------------------------------------------


def test_an_edit_after_the_window_says_so_and_keeps_the_text(client, people, old_comment, log_in):
    log_in(people["patient"])
    response = client.post(f"/comments/{old_comment.id}/edit", data={"body": "Better words"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert WINDOW_PASSED in text_of(page, ".error-message")
    assert "permission" not in text_of(page, "main").lower()
    assert text_of(page, "textarea[name=body]") == "Better words"
    offer = select_one(page, 'button[name="as_new"]')
    assert offer.get_text(strip=True) == "Post it as a new comment"
    # The form no longer offers to save an edit it would refuse.
    assert "Save changes" not in text_of(page, "form.comment-form--edit")


def test_an_edit_after_the_window_keeps_the_text_in_place_for_htmx(
    client, people, old_comment, log_in
):
    log_in(people["patient"])
    response = client.post(
        f"/comments/{old_comment.id}/edit", data={"body": "Better words"}, headers=HTMX
    )
    assert response.status_code == 422  # swapped in place by htmx, like any form error
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment
    assert select_one(fragment, "form")["id"] == f"comment-card-{old_comment.id}"
    assert text_of(fragment, "textarea[name=body]") == "Better words"
    assert WINDOW_PASSED in text_of(fragment, ".error-message")


def test_post_it_as_a_new_comment_keeps_the_old_one(client, post, people, old_comment, log_in):
    log_in(people["patient"])
    response = client.post(
        f"/comments/{old_comment.id}/edit", data={"body": "Better words", "as_new": "1"}
    )
    assert response.status_code == 303
    assert bodies(post) == ["First words", "Better words"]
    new = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert new.author_id == people["patient"].id and new.parent_id is None
    assert response.headers["Location"].endswith(f"#comment-{new.id}")


def test_a_reply_posted_anew_stays_a_reply_and_htmx_adds_it_to_the_thread(
    client, post, people, make_comment, log_in
):
    parent = make_comment(post, people["clinician"], "The answer")
    late = make_comment(
        post,
        people["patient"],
        "Thanks",
        parent=parent,
        created_at=utcnow() - timedelta(minutes=30),
    )
    log_in(people["patient"])
    response = client.post(
        f"/comments/{late.id}/edit",
        data={"body": "Thanks, and one more thing", "as_new": "1"},
        headers=HTMX,
    )
    assert response.status_code == 201
    fragment = response.get_data(as_text=True)
    # The edit form turns back into the old card; the new reply joins the old one's thread.
    assert select_one(fragment, f"article#comment-card-{late.id}")
    holder = select_one(fragment, "[hx-swap-oob^=beforeend]")
    assert holder["hx-swap-oob"] == f"beforeend:#replies-{parent.id}"
    assert "Thanks, and one more thing" in text_of(holder)
    assert "Your reply is" in text_of(fragment, "#announcer")
    new = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert new.parent_id == parent.id and new.body_source == "Thanks, and one more thing"


def test_posting_anew_with_a_problem_keeps_the_text(client, post, people, old_comment, log_in):
    log_in(people["patient"])
    long_text = "x" * (service.MAX_BODY_LENGTH + 1)
    response = client.post(
        f"/comments/{old_comment.id}/edit", data={"body": long_text, "as_new": "1"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert text_of(page, "textarea[name=body]") == long_text
    assert "Please shorten it" in text_of(page, ".error-message")
    assert bodies(post) == ["First words"]


def test_nobody_posts_anew_from_someone_elses_comment(client, post, people, old_comment, log_in):
    log_in(people["caregiver"])
    response = client.post(
        f"/comments/{old_comment.id}/edit", data={"body": "Hijack", "as_new": "1"}
    )
    assert response.status_code == 403
    assert bodies(post) == ["First words"]


def test_the_edit_service_says_the_window_passed(app, people, old_comment):
    with pytest.raises(service.CommentError, match="15 minutes for editing"):
        service.edit(old_comment, people["patient"], "Too late")


@pytest.mark.rate_limits
def test_posting_anew_spends_the_comment_budget_and_keeps_the_text(
    client, post, people, old_comment, log_in
):
    log_in(people["patient"])
    for n in range(10):
        client.post(f"/posts/{post.slug}/comments", data={"body": f"Comment {n}"})
    response = client.post(
        f"/comments/{old_comment.id}/edit", data={"body": "Eleventh", "as_new": "1"}
    )
    assert response.status_code == 429
    assert text_of(response.get_data(as_text=True), "textarea[name=body]") == "Eleventh"
    assert "Eleventh" not in bodies(post)


# --- a session that ended -------------------------------------------------------------------


def test_a_comment_sent_after_the_session_ended_is_kept_in_a_login_form(client, post, people):
    response = client.post(f"/posts/{post.slug}/comments", data={"body": "My long story"})
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert text_of(page, "textarea[name=kept_body]") == "My long story"
    form = select_one(page, "#session-ended form")
    assert form["action"] == "/login"
    assert select_one(page, "#session-ended input[name=password]")
    assert value_of(page, "input[name=kept_post]") == post.slug
    assert value_of(page, "input[name=next]") == f"/posts/{post.slug}"


def test_logging_in_from_it_brings_the_text_back_into_the_reply_form(
    client, post, people, make_comment
):
    parent = make_comment(post, people["clinician"], "The answer")
    ended = client.post(
        f"/posts/{post.slug}/comments", data={"body": "Half a reply", "parent_id": parent.id}
    )
    assert value_of(ended.get_data(as_text=True), "input[name=kept_parent]") == str(parent.id)
    response = client.post(
        "/login",
        data={
            "email": people["patient"].email,
            "password": TEST_PASSWORD,
            "next": f"/posts/{post.slug}",
            "kept_body": "Half a reply",
            "kept_post": post.slug,
            "kept_parent": str(parent.id),
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert text_of(page, f"#reply-form-{parent.id} textarea[name=body]") == "Half a reply"
    assert "Your text is back" in text_of(page, "main")
    # Posting it from there works: the member is logged in, and the form's token is good.
    token = value_of(page, f"#reply-form-{parent.id} input[name=csrf_token]")
    posted = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Half a reply", "parent_id": parent.id, "csrf_token": token},
        headers={"X-CSRFToken": token},
    )
    assert posted.status_code == 303
    assert bodies(post) == ["The answer", "Half a reply"]


def test_a_wrong_password_on_the_way_back_keeps_the_text(client, post, people):
    response = client.post(
        "/login",
        data={
            "email": people["patient"].email,
            "password": "not it",
            "kept_body": "Still mine",
            "kept_post": post.slug,
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert text_of(page, "textarea[name=kept_body]") == "Still mine"
    assert "not logged in yet" in text_of(page, ".form-errors")


def test_an_edit_sent_after_the_session_ended_comes_back_in_the_edit_form(
    client, post, people, make_comment
):
    mine = make_comment(post, people["patient"], "Original")
    response = client.post(f"/comments/{mine.id}/edit", data={"body": "Changed words"})
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert value_of(page, "input[name=kept_comment]") == str(mine.id)
    back = client.post(
        "/login",
        data={
            "email": people["patient"].email,
            "password": TEST_PASSWORD,
            "kept_body": "Changed words",
            "kept_comment": str(mine.id),
        },
    )
    assert back.status_code == 200
    assert text_of(back.get_data(as_text=True), "form.comment-form--edit textarea") == (
        "Changed words"
    )


def test_htmx_gets_the_kept_text_as_a_fragment(client, post, people):
    response = client.post(f"/posts/{post.slug}/comments", data={"body": "In place"}, headers=HTMX)
    assert response.status_code == 401
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment
    assert select_one(fragment, "[data-session-ended]")
    assert text_of(fragment, "textarea[name=kept_body]") == "In place"


def test_an_ordinary_login_is_unchanged(client, people):
    response = client.post(
        "/login", data={"email": people["patient"].email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 303


def test_a_logged_out_post_with_an_expired_form_still_keeps_the_text(app, post, people):
    fresh = app.test_client()  # no session at all: the CSRF token cannot be right
    response = fresh.post(
        f"/posts/{post.slug}/comments", data={"body": "After a long pause"}, csrf=False
    )
    assert response.status_code == 401
    assert text_of(response.get_data(as_text=True), "textarea[name=kept_body]") == (
        "After a long pause"
    )


# --- a rate limit, an unreadable form, a server error ----------------------------------------


@pytest.mark.rate_limits
def test_a_rate_limit_shows_the_text_and_the_real_wait(client, post, people, log_in):
    log_in(people["patient"])
    for n in range(10):
        client.post(
            f"/posts/{post.slug}/comments", data={"body": f"Comment {n}", "kind": "discussion"}
        )
    response = client.post(f"/posts/{post.slug}/comments", data={"body": "One too many"})
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert text_of(page, "#comment-form textarea[name=body]") == "One too many"
    assert NEXT_MINUTE.search(text_of(page, "#comment-form .error-message"))
    assert "a few minutes" not in page


@pytest.mark.rate_limits
def test_a_rate_limited_htmx_request_says_the_real_wait(client, post, people, log_in):
    log_in(people["patient"])
    for n in range(10):
        client.post(
            f"/posts/{post.slug}/comments", data={"body": f"Comment {n}", "kind": "discussion"}
        )
    response = client.post(
        f"/posts/{post.slug}/comments", data={"body": "One too many"}, headers=HTMX
    )
    assert response.status_code == 429  # htmx leaves the form, text and all, as it was
    assert NEXT_MINUTE.search(text_of(response.get_data(as_text=True), ".error-page"))


def test_an_expired_form_shows_the_text_again_with_a_fresh_token(client, post, people, log_in):
    log_in(people["patient"])
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Kept despite the token", "csrf_token": "stale"},
        headers={"X-CSRFToken": "stale"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert text_of(page, "#comment-form textarea[name=body]") == "Kept despite the token"
    assert "send it again" in text_of(page, "#comment-form .error-message")
    token = value_of(page, "#comment-form input[name=csrf_token]")
    again = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Kept despite the token", "kind": "discussion", "csrf_token": token},
        headers={"X-CSRFToken": token},
    )
    assert again.status_code == 303
    assert bodies(post) == ["Kept despite the token"]


def test_an_expired_form_elsewhere_shows_what_was_typed_but_never_a_password(
    client, post, people, make_comment, log_in
):
    comment = make_comment(post, people["caregiver"], "Something")
    log_in(people["patient"])
    response = client.post(
        f"/comments/{comment.id}/report",
        data={"reason": "spam", "note": "It is an advert", "csrf_token": "stale"},
        headers={"X-CSRFToken": "stale"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "It is an advert" in [t.get_text() for t in select_all(page, ".typed-text textarea")]
    assert "reload" not in text_of(page, "main").lower()
    login_page = client.post(
        "/account/password",
        data={"current_password": TEST_PASSWORD, "csrf_token": "stale"},
        headers={"X-CSRFToken": "stale"},
    ).get_data(as_text=True)
    assert TEST_PASSWORD not in login_page


def test_an_unreadable_comment_form_keeps_the_text(client, post, people, log_in):
    log_in(people["patient"])
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Words kept", "parent_id": "not a number"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert text_of(page, "#comment-form textarea[name=body]") == "Words kept"
    assert "could not be read" in text_of(page, "#comment-form")
    assert "reload" not in text_of(page, "#comment-form").lower()


def test_a_server_error_on_a_post_shows_the_text_back(app, people):
    @app.post("/boom-for-test")
    def boom():
        raise RuntimeError("broken on purpose")

    client = app.test_client()
    response = client.post(
        "/boom-for-test", data={"body": "Three paragraphs", "password": "secret pass"}
    )
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    kept = select_one(page, ".typed-text textarea")
    assert kept.get_text() == "Three paragraphs" and kept.has_attr("readonly")
    assert "secret pass" not in page
    fragment = client.post("/boom-for-test", data={"body": "In place"}, headers=HTMX)
    assert "In place" in text_of(fragment.get_data(as_text=True), ".typed-text")


def test_no_message_advises_reloading(app):
    """Reloading a page after a refused form loses the text: no template or script says so."""
    root = Path(app.root_path).parent
    offenders = []
    for path in [*root.glob("templates/**/*.html"), root / "static/js/portal.js"]:
        text = path.read_text().lower()
        if "reload the page" in text or "refresh the page" in text:
            offenders.append(str(path.relative_to(root)))
    from portal import errors, forms

    messages = [m for _, m in errors.MESSAGES.values()] + [
        errors.FORM_EXPIRED,
        forms.UNREADABLE_FORM,
    ]
    assert not offenders
    assert not [m for m in messages if "reload" in m.lower() or "refresh" in m.lower()]


# --- every form keeps its text when it is refused for a problem the writer can fix ----------


def test_the_report_form_keeps_the_note(client, post, people, make_comment, log_in):
    comment = make_comment(post, people["caregiver"], "Something")
    log_in(people["patient"])
    response = client.post(f"/comments/{comment.id}/report", data={"note": "Looks like an advert"})
    assert response.status_code == 422
    assert text_of(response.get_data(as_text=True), "textarea[name=note]") == (
        "Looks like an advert"
    )


def test_registration_keeps_what_was_typed_but_not_the_password(client):
    response = client.post(
        "/register",
        data={
            "email": "new.member@example.org",
            "display_name": "Morning Walker",
            "password": "a long enough password",
            "confirm": "a long enough password",
            "role": "patient",
        },
    )
    assert response.status_code == 422  # the rules were not agreed to
    page = response.get_data(as_text=True)
    assert value_of(page, "input[name=display_name]") == "Morning Walker"
    assert value_of(page, "input[name=email]") == "new.member@example.org"
    assert "a long enough password" not in page


def test_the_clinicians_answer_keeps_its_text(client, post, people, make_comment, log_in):
    question = make_comment(post, people["patient"], "Is fatigue normal?")
    log_in(people["clinician"])
    long_answer = "Yes. " * 1200
    response = client.post(f"/clinic/questions/{question.id}/answer", data={"body": long_answer})
    assert response.status_code == 422
    assert text_of(response.get_data(as_text=True), "textarea[name=body]") == long_answer.strip()


def test_the_post_editor_keeps_the_body_when_the_title_is_missing(client, people, log_in):
    log_in(people["clinician"])
    response = client.post(
        "/clinic/posts/new", data={"title": "", "body": "Three paragraphs of evidence"}
    )
    assert response.status_code == 422
    assert "Three paragraphs of evidence" in text_of(
        response.get_data(as_text=True), "textarea[name=body]"
    )


def test_a_moderators_reason_is_kept_when_the_date_is_wrong(client, people, log_in):
    log_in(people["admin"])
    response = client.post(
        f"/moderation/users/{people['patient'].id}/suspend",
        data={"suspend-until": "not a date", "suspend-reason": "Three warnings about adverts"},
    )
    assert response.status_code == 422
    assert text_of(response.get_data(as_text=True), "textarea[name=suspend-reason]") == (
        "Three warnings about adverts"
    )
