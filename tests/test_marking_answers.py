"""Marking answers on the post page: the clinician who answered marks their reply, the asker
says "This answered my question", either takes it back, and clinicians or moderators change a
thread's kind. In place with htmx, and as plain forms without JavaScript."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment, ModerationEvent, Notification
from portal.questions import lifecycle

from .helpers import HTMX, select_all, select_one, text_of, texts_of


@pytest.fixture()
def asked(post, people, make_comment):
    """A caregiver's waiting question, a clinician's reply, and a fellow caregiver's reply."""
    question = make_comment(post, people["caregiver"], "Can we travel after the infusion?")
    reply = make_comment(post, people["clinician"], "Yes, after 24 hours.", parent=question)
    peer = make_comment(post, people["patient"], "We flew the next week.", parent=question)
    return question, reply, peer


def fresh(comment: Comment) -> Comment:
    db.session.expire_all()
    return db.session.get(Comment, comment.id)


def events(action: str) -> list[ModerationEvent]:
    return list(db.session.scalars(select(ModerationEvent).where(ModerationEvent.action == action)))


def buttons(html: str, comment_id: int) -> list[str]:
    return texts_of(html, f"#comment-card-{comment_id} .question-actions button")


def test_the_clinician_who_replied_is_offered_mark_as_the_answer(
    client, post, people, asked, log_in, make_user
):
    question, reply, peer = asked
    log_in(people["clinician"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert buttons(html, reply.id) == ["Mark as the answer: the reply by Helen Marsh"]
    assert buttons(html, peer.id) == []
    client.post("/logout")
    log_in(make_user("clinician", "Ravi Shah"))  # a colleague may not mark someone else's
    assert buttons(client.get(f"/posts/{post.slug}").get_data(as_text=True), reply.id) == []


def test_the_asker_is_offered_this_answered_my_question_on_clinicians_replies_only(
    client, post, people, asked, log_in
):
    question, reply, peer = asked
    log_in(people["caregiver"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert buttons(html, reply.id) == ["This answered my question: the reply by Helen Marsh"]
    assert buttons(html, peer.id) == []


@pytest.mark.parametrize("role", ["patient", "admin"])
def test_nobody_else_is_offered_marking(client, post, people, asked, log_in, role):
    question, reply, peer = asked
    log_in(people[role])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "Mark as the answer" not in html and "This answered my question" not in html


def test_a_visitor_is_offered_nothing_to_press(client, post, asked):
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert select_all(html, ".question-actions") == []


def test_a_clinician_marks_their_answer_in_place_with_htmx(client, post, people, asked, log_in):
    question, reply, peer = asked
    log_in(people["clinician"])
    response = client.post(f"/comments/{reply.id}/mark-answer", headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == f"#comment-{question.id}"
    assert response.headers["HX-Reswap"] == "outerHTML"
    html = response.get_data(as_text=True)
    assert "<html" not in html
    thread = select_one(html, f"li#comment-{question.id}")
    link = select_one(thread, f"#question-status-{question.id} a.label--answered")
    assert link["href"] == f"/posts/{post.slug}#comment-{reply.id}"
    assert "Clinician's answer" in texts_of(thread, f"#comment-card-{reply.id} .label--answer")
    assert buttons(html, reply.id) == ["Undo: not the answer (the reply by Helen Marsh)"]
    assert select_one(html, f"li#comment-{reply.id}").has_attr("autofocus")
    assert "Your reply is marked as the answer" in text_of(html, "#announcer")
    assert fresh(question).question_state == "answered" and fresh(reply).kind == "answer"
    assert [(e.target_type, e.target_id, e.actor_name) for e in events("mark_answer")] == [
        ("question", question.id, "Helen Marsh")
    ]
    told = db.session.scalars(select(Notification).where(Notification.kind == "answer")).all()
    assert [n.user_id for n in told] == [people["caregiver"].id]


def test_the_asker_accepts_an_answer_without_javascript(client, post, people, asked, log_in):
    question, reply, peer = asked
    log_in(people["caregiver"])
    response = client.post(f"/comments/{reply.id}/mark-answer")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/posts/{post.slug}#comment-{reply.id}"
    assert fresh(question).question_state == "answered" and fresh(question).answer_id == reply.id
    assert [e.actor_name for e in events("accept_answer")] == ["SteadyHand"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Marked as the answer to your question" in text_of(page, ".flashes")
    assert "Answered by a clinician" in text_of(page, f"#question-status-{question.id}")


@pytest.mark.parametrize("role", ["patient", "admin"])
def test_a_stranger_marking_is_refused(client, people, asked, log_in, role):
    question, reply, peer = asked
    log_in(people[role])
    assert client.post(f"/comments/{reply.id}/mark-answer").status_code == 403
    assert client.post(f"/comments/{reply.id}/mark-answer", headers=HTMX).status_code == 403
    assert fresh(question).question_state == "waiting"


def test_a_visitor_marking_is_sent_to_log_in(client, asked):
    question, reply, peer = asked
    assert client.post(f"/comments/{reply.id}/mark-answer").status_code == 302


def test_what_cannot_be_marked_is_explained_not_crashed(
    client, post, people, asked, log_in, make_comment
):
    question, reply, peer = asked
    log_in(people["caregiver"])
    # A fellow patient's reply is not a clinician's answer.
    response = client.post(f"/comments/{peer.id}/mark-answer", headers=HTMX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert text_of(html, f"#comment-card-{peer.id} .error-message[role=alert]") == (
        "This reply cannot be marked as the answer."
    )
    # The question itself is not a reply; without JavaScript, the page says why.
    plain = client.post(f"/comments/{question.id}/mark-answer")
    assert plain.status_code == 422
    assert "cannot be marked as the answer" in text_of(plain.get_data(as_text=True), ".flashes")
    assert fresh(question).question_state == "waiting"


def test_a_closed_question_cannot_be_answered(client, people, asked, log_in):
    question, reply, peer = asked
    lifecycle.close(question, people["clinician"], "no_answer_needed", "Thanks for sharing.")
    db.session.commit()
    log_in(people["clinician"])
    assert client.post(f"/comments/{reply.id}/mark-answer", headers=HTMX).status_code == 422
    assert fresh(question).question_state == "closed"


def test_missing_and_hidden_comments_are_404(client, post, people, log_in, make_comment):
    question = make_comment(post, people["caregiver"], "Q")
    held = make_comment(post, people["clinician"], "Held", parent=question, status="pending")
    log_in(people["caregiver"])
    assert client.post("/comments/999999/mark-answer").status_code == 404
    assert client.post(f"/comments/{held.id}/mark-answer").status_code == 404
    assert client.post("/comments/999999/unmark-answer").status_code == 404
    assert client.post("/comments/999999/helpful", data={"helped": "yes"}).status_code == 404


def test_marking_needs_the_forms_token(client, people, asked, log_in):
    question, reply, peer = asked
    log_in(people["clinician"])
    assert client.post(f"/comments/{reply.id}/mark-answer", csrf=False).status_code == 400
    assert fresh(question).question_state == "waiting"


def test_marking_another_reply_moves_the_mark(client, people, asked, log_in, make_comment, post):
    question, reply, peer = asked
    second = make_comment(post, people["clinician"], "More precisely: 48 hours.", parent=question)
    lifecycle.mark_answer(reply, people["clinician"])
    db.session.commit()
    log_in(people["caregiver"])
    html = client.post(f"/comments/{second.id}/mark-answer", headers=HTMX).get_data(as_text=True)
    assert fresh(question).answer_id == second.id
    assert fresh(reply).kind == "reply" and fresh(second).kind == "answer"
    assert "Clinician's answer" not in text_of(html, f"#comment-card-{reply.id}")
    assert "Clinician's answer" in text_of(html, f"#comment-card-{second.id}")


# --- taking the mark back --------------------------------------------------------------------


@pytest.fixture()
def answered(asked, people):
    question, reply, peer = asked
    lifecycle.mark_answer(reply, people["clinician"])
    db.session.commit()
    return question, reply, peer


def test_the_clinician_undoes_their_mark_with_htmx(client, post, people, answered, log_in):
    question, reply, peer = answered
    log_in(people["clinician"])
    response = client.post(f"/comments/{reply.id}/unmark-answer", headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Waiting for a clinician" in text_of(html, f"#question-status-{question.id}")
    assert "Clinician's answer" not in html
    assert buttons(html, reply.id) == ["Mark as the answer: the reply by Helen Marsh"]
    assert fresh(question).question_state == "waiting" and fresh(reply).kind == "reply"
    assert [(e.target_type, e.from_status, e.to_status) for e in events("unmark_answer")] == [
        ("question", "answered", "waiting")
    ]


def test_the_asker_undoes_the_mark_without_javascript(client, post, people, answered, log_in):
    question, reply, peer = answered
    log_in(people["caregiver"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert buttons(html, reply.id) == ["Undo: not the answer (the reply by Helen Marsh)"]
    response = client.post(f"/comments/{reply.id}/unmark-answer")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/posts/{post.slug}#comment-{reply.id}"
    assert fresh(question).question_state == "waiting"


@pytest.mark.parametrize("role", ["patient", "admin"])
def test_a_stranger_undoing_is_refused(client, people, answered, log_in, role):
    question, reply, peer = answered
    log_in(people[role])
    assert client.post(f"/comments/{reply.id}/unmark-answer", headers=HTMX).status_code == 403
    assert fresh(question).question_state == "answered"


def test_undoing_what_is_not_the_answer_is_explained(client, people, answered, log_in):
    question, reply, peer = answered
    log_in(people["caregiver"])
    response = client.post(f"/comments/{peer.id}/unmark-answer", headers=HTMX)
    assert response.status_code == 422
    assert "not marked as the answer" in response.get_data(as_text=True)
    assert fresh(question).question_state == "answered" and fresh(reply).kind == "answer"


# --- a thread's kind -------------------------------------------------------------------------


def kind_button(html: str, comment_id: int) -> list[str]:
    return texts_of(html, f"#comment-card-{comment_id} form[action$='/kind'] button")


def test_a_clinician_makes_a_question_a_discussion_in_place(client, post, people, asked, log_in):
    question, reply, peer = asked
    log_in(people["clinician"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert kind_button(html, question.id) == [
        "Make this a discussion: the thread started by SteadyHand"
    ]
    assert kind_button(html, reply.id) == []  # only a thread's first comment has a kind
    response = client.post(
        f"/comments/{question.id}/kind", data={"kind": "discussion"}, headers=HTMX
    )
    assert response.status_code == 200
    swapped = response.get_data(as_text=True)
    assert select_all(swapped, f"#question-status-{question.id}") == []
    assert kind_button(swapped, question.id) == [
        "Make this a question: the thread started by SteadyHand"
    ]
    assert buttons(swapped, reply.id) == []  # a discussion has no answer to mark
    assert fresh(question).kind == "discussion" and fresh(question).question_state is None
    logged = events("make_discussion")
    assert [(e.target_type, e.target_id, e.actor_name, e.from_status) for e in logged] == [
        ("question", question.id, "Helen Marsh", "waiting")
    ]


def test_an_admin_makes_a_shared_tip_a_question_without_javascript(
    client, post, people, make_comment, log_in
):
    tip = make_comment(
        post, people["patient"], "Does anyone else get hot hands?", kind="discussion"
    )
    log_in(people["admin"])
    response = client.post(f"/comments/{tip.id}/kind", data={"kind": "question"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/posts/{post.slug}#comment-{tip.id}"
    assert fresh(tip).kind == "question" and fresh(tip).question_state == "waiting"
    assert [(e.target_type, e.actor_name, e.to_status) for e in events("make_question")] == [
        ("question", "Community team", "waiting")
    ]


@pytest.mark.parametrize("role", ["patient", "caregiver"])
def test_askers_cannot_change_a_threads_kind(client, post, people, asked, log_in, role):
    question, reply, peer = asked
    log_in(people[role])
    assert kind_button(client.get(f"/posts/{post.slug}").get_data(as_text=True), question.id) == []
    response = client.post(f"/comments/{question.id}/kind", data={"kind": "discussion"})
    assert response.status_code == 403
    assert fresh(question).kind == "question"


def test_what_cannot_change_kind_is_explained(client, post, people, make_comment, asked, log_in):
    question, reply, peer = asked
    note = make_comment(post, people["clinician"], "A general note.")
    log_in(people["clinician"])
    assert kind_button(client.get(f"/posts/{post.slug}").get_data(as_text=True), note.id) == []
    forged = client.post(f"/comments/{note.id}/kind", data={"kind": "question"}, headers=HTMX)
    assert forged.status_code == 422
    assert text_of(forged.get_data(as_text=True), f"#comment-card-{note.id} .error-message") == (
        "Only a patient's or caregiver's thread can be a question."
    )
    assert client.post(f"/comments/{reply.id}/kind", data={"kind": "discussion"}).status_code == 422
    assert client.post(f"/comments/{question.id}/kind", data={}).status_code == 422
    assert fresh(note).kind == "discussion" and fresh(question).kind == "question"
