"""A returning visitor's browser asks "has this post changed?" and gets a 304 when it has not."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from portal import rendering
from portal.extensions import db
from portal.models import utcnow
from tests.helpers import HTMX


def first_visit(client, post):
    response = client.get(f"/posts/{post.slug}")
    assert response.status_code == 200
    return response


def revisit(client, post, etag: str, path: str | None = None):
    return client.get(path or f"/posts/{post.slug}", headers={"If-None-Match": etag})


def test_a_visitor_gets_a_weak_etag_and_a_page_that_browsers_revalidate(client, post):
    response = first_visit(client, post)
    etag = response.headers["ETag"]
    assert etag.startswith('W/"')
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_an_unchanged_post_answers_304_with_no_body(client, post, make_comment, people):
    make_comment(post, people["patient"], "Is fatigue common?")
    etag = first_visit(client, post).headers["ETag"]
    again = revisit(client, post, etag)
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "private, no-cache"


def test_a_304_skips_the_discussion_queries(app, client, post, make_comment, people):
    for n in range(5):
        make_comment(post, people["patient"], f"Question {n}")
    etag = first_visit(client, post).headers["ETag"]
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert revisit(client, post, etag).status_code == 304
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    # The post (with its tags) and one version query; no comments, no sidebar.
    assert len(statements) <= 3


def test_a_new_comment_changes_the_page(client, post, make_comment, people):
    etag = first_visit(client, post).headers["ETag"]
    make_comment(post, people["caregiver"], "Cool showers help me.")
    response = revisit(client, post, etag)
    assert response.status_code == 200
    assert "Cool showers help me." in response.get_data(as_text=True)
    assert response.headers["ETag"] != etag


def test_a_held_comment_does_not_change_what_visitors_see(client, post, make_comment, people):
    etag = first_visit(client, post).headers["ETag"]
    make_comment(post, people["patient"], "Waiting for a moderator", status="pending")
    assert revisit(client, post, etag).status_code == 304


def test_an_edited_comment_changes_the_page(client, post, make_comment, people):
    comment = make_comment(post, people["patient"], "Before the edit")
    etag = first_visit(client, post).headers["ETag"]
    rendering.set_comment_body(comment, "After the edit")
    comment.edited_at = utcnow()
    db.session.commit()
    response = revisit(client, post, etag)
    assert response.status_code == 200 and "After the edit" in response.get_data(as_text=True)


def test_a_removed_comment_disappears_at_once(client, post, make_comment, people):
    make_comment(post, people["patient"], "Fine")
    comment = make_comment(post, people["patient"], "My phone number is 0123")
    etag = first_visit(client, post).headers["ETag"]
    comment.status = "removed"
    comment.moderated_at = utcnow()
    db.session.commit()
    response = revisit(client, post, etag)
    assert response.status_code == 200
    assert "0123" not in response.get_data(as_text=True)


def test_a_commenter_renaming_themselves_changes_the_page(client, post, make_comment, people):
    make_comment(post, people["patient"], "A question")
    etag = first_visit(client, post).headers["ETag"]
    people["patient"].display_name = "RiverRunner"
    db.session.commit()
    response = revisit(client, post, etag)
    assert response.status_code == 200 and "RiverRunner" in response.get_data(as_text=True)


def test_an_edited_post_changes_the_page(client, post):
    etag = first_visit(client, post).headers["ETag"]
    rendering.set_post_body(post, "New **evidence** from 2025.")
    post.updated_at = utcnow() + timedelta(seconds=1)
    db.session.commit()
    response = revisit(client, post, etag)
    assert response.status_code == 200 and "from 2025" in response.get_data(as_text=True)


def test_activity_elsewhere_refreshes_the_sidebar(client, post, make_post, make_comment, people):
    etag = first_visit(client, post).headers["ETag"]
    other = make_post("Heat and fatigue", published_at=utcnow() + timedelta(seconds=1))
    assert revisit(client, post, etag).status_code == 200
    etag = first_visit(client, post).headers["ETag"]
    make_comment(other, people["caregiver"], "A fan helps")
    response = revisit(client, post, etag)
    assert response.status_code == 200
    assert "SteadyHand on" in response.get_data(as_text=True)


def test_each_page_of_threads_has_its_own_etag(app, client, post, make_comment, people):
    app.config["THREADS_PER_PAGE"] = 2
    for n in range(5):
        make_comment(post, people["patient"], f"Question {n}")
    etag = first_visit(client, post).headers["ETag"]
    second = revisit(client, post, etag, f"/posts/{post.slug}?page=2")
    assert second.status_code == 200
    assert second.headers["ETag"] != etag


def test_a_member_gets_no_etag_and_always_a_fresh_page(client, log_in, post, people):
    visitor_etag = first_visit(client, post).headers["ETag"]
    log_in(people["patient"])
    response = revisit(client, post, visitor_etag)
    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_a_message_waiting_to_be_shown_is_never_swallowed_by_a_304(client, post):
    etag = first_visit(client, post).headers["ETag"]
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "You have been logged out.")]
    response = revisit(client, post, etag)
    assert response.status_code == 200
    assert "You have been logged out." in response.get_data(as_text=True)
    assert "ETag" not in response.headers


def test_a_stale_etag_or_an_htmx_request_gets_the_page(client, post):
    first_visit(client, post)
    assert revisit(client, post, 'W/"not-this-page"').status_code == 200
    response = client.get(f"/posts/{post.slug}", headers=HTMX)
    assert response.status_code == 200 and post.title in response.get_data(as_text=True)


def test_marking_an_answer_and_a_helpful_press_change_the_page(client, post, make_comment, people):
    from portal.questions import helpful, lifecycle

    question = make_comment(post, people["patient"], "Does it last?")
    reply = make_comment(post, people["clinician"], "For years, mostly.", parent=question)
    etag = first_visit(client, post).headers["ETag"]
    lifecycle.mark_answer(reply, people["clinician"])
    db.session.commit()
    response = revisit(client, post, etag)
    assert response.status_code == 200 and "Clinician's answer" in response.get_data(as_text=True)
    etag = response.headers["ETag"]
    helpful.mark(reply, people["caregiver"])
    db.session.commit()
    response = revisit(client, post, etag)
    assert response.status_code == 200 and "1 person found this helpful" in response.get_data(
        as_text=True
    )


def test_a_holding_reply_and_a_closed_question_change_the_page(client, post, make_comment, people):
    from portal.questions import lifecycle

    question = make_comment(post, people["patient"], "Thanks for this post!")
    etag = first_visit(client, post).headers["ETag"]
    lifecycle.close(question, people["clinician"], "no_answer_needed", "Thank you: glad it helped.")
    db.session.commit()
    response = revisit(client, post, etag)
    assert response.status_code == 200 and "glad it helped" in response.get_data(as_text=True)
