"""A member's data is theirs: export all of it, or delete the account."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment, Flag, Follow, NotificationPreference, User

from .helpers import TEST_PASSWORD


def test_export_holds_everything_the_member_wrote_and_nobody_elses(
    client, post, people, make_comment, log_in
):
    mine = make_comment(post, people["patient"], "My *own* words")
    make_comment(post, people["patient"], "Still waiting", status="pending")
    make_comment(post, people["caregiver"], "Not mine")
    db.session.add(Flag(comment=mine, reporter=people["patient"], reason="other", note="oops"))
    db.session.commit()
    log_in(people["patient"])
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    exported = json.loads(response.get_data(as_text=True))
    assert exported["account"]["display_name"] == "RiverWalker"
    assert exported["account"]["email"] == people["patient"].email
    texts = [c["text"] for c in exported["comments"]]
    assert texts == ["My *own* words", "Still waiting"]
    assert exported["comments"][0]["post"]["slug"] == post.slug
    assert exported["reports"][0]["note"] == "oops"


def test_export_holds_what_the_member_follows_and_how_they_are_told(
    client, post, people, make_comment, log_in
):
    question = make_comment(post, people["caregiver"], "A question")
    patient = people["patient"]
    db.session.add_all(
        [
            Follow(user=patient, post_id=post.id),
            Follow(user=patient, thread_id=question.id),
            Follow(user=people["caregiver"], post_id=post.id),
            NotificationPreference(user_id=patient.id, kind="reply", delivery="digest"),
        ]
    )
    patient.quote_in_email = True
    db.session.commit()
    log_in(patient)
    exported = json.loads(client.get("/account/export").get_data(as_text=True))
    following = [(f["post"], f["thread"]) for f in exported["following"]]
    assert following == [(post.id, None), (None, question.id)]
    assert exported["account"]["notification_choices"] == {"reply": "digest"}
    assert exported["account"]["quote_comments_in_emails"] is True


def test_export_holds_what_each_comment_was_for_and_the_answers_found_helpful(
    client, post, people, make_comment, log_in
):
    from portal.questions import helpful, lifecycle

    asked = make_comment(post, people["caregiver"], "For my wife: is it safe?", asked_for="my wife")
    make_comment(post, people["caregiver"], "A tip", kind="discussion")
    other = make_comment(post, people["patient"], "Same here?")
    answer = make_comment(post, people["clinician"], "Yes, with checks.", parent=other)
    lifecycle.mark_answer(answer, people["clinician"])
    helpful.mark(answer, people["caregiver"])
    db.session.commit()
    log_in(people["caregiver"])
    exported = json.loads(client.get("/account/export").get_data(as_text=True))
    kinds = [(c["kind"], c["asked_for"], c["question_state"]) for c in exported["comments"]]
    assert kinds == [("question", "my wife", "waiting"), ("discussion", None, None)]
    assert exported["comments"][0]["id"] == asked.id
    assert exported["found_helpful"] == [answer.id]


def test_export_needs_login(client):
    assert client.get("/account/export").status_code == 302


def test_account_page_links_to_export_and_delete(client, people, log_in):
    log_in(people["patient"])
    html = client.get("/account").get_data(as_text=True)
    assert 'href="/account/export"' in html and 'href="/account/delete"' in html


def test_deleting_the_account_removes_comments_but_keeps_threads_whole(
    client, post, people, make_comment, log_in
):
    answered = make_comment(post, people["patient"], "Answered question")
    make_comment(post, people["clinician"], "The answer", parent=answered)
    make_comment(post, people["patient"], "Lonely question")
    patient_id, clinician_id = people["patient"].id, people["clinician"].id
    log_in(people["patient"])
    assert "cannot be undone" in client.get("/account/delete").get_data(as_text=True)
    response = client.post("/account/delete", data={"password": TEST_PASSWORD, "understood": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, patient_id) is None
    remaining = list(db.session.scalars(select(Comment).order_by(Comment.id)))
    assert [(c.status, c.body_source, c.author_id) for c in remaining] == [
        ("deleted", "", None),
        ("approved", "The answer", clinician_id),
    ]
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "[deleted]" in page and "The answer" in page and "Lonely question" not in page
    assert "Log out" not in page


def test_a_leaving_clinicians_answers_reopen_and_a_leaving_members_helpful_marks_uncount(
    client, post, people, make_comment, make_user, log_in
):
    from portal.questions import helpful, lifecycle

    locum = make_user("clinician")
    question = make_comment(post, people["patient"], "Does it wear off?")
    answer = make_comment(post, locum, "It can; we check yearly.", parent=question)
    other = make_comment(post, people["caregiver"], "And for carers?")
    kept = make_comment(post, people["clinician"], "Ask us any time.", parent=other)
    lifecycle.mark_answer(answer, locum)
    lifecycle.mark_answer(kept, people["clinician"])
    helpful.mark(kept, people["patient"])
    helpful.mark(kept, locum)
    db.session.commit()
    log_in(locum)
    response = client.post("/account/delete", data={"password": TEST_PASSWORD, "understood": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert (question.question_state, question.answer_id) == ("waiting", None)
    assert kept.helpful_count == 1


def test_deleting_needs_the_password_and_the_confirmation(client, people, log_in):
    log_in(people["patient"])
    wrong = client.post("/account/delete", data={"password": "nope", "understood": "y"})
    assert wrong.status_code == 422 and "That is not your password." in wrong.get_data(as_text=True)
    unticked = client.post("/account/delete", data={"password": TEST_PASSWORD})
    assert unticked.status_code == 422
    assert "cannot be undone" in unticked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, people["patient"].id) is not None


def test_an_author_of_posts_is_asked_to_hand_them_over_first(client, post, people, log_in):
    log_in(people["clinician"])
    response = client.post("/account/delete", data={"password": TEST_PASSWORD, "understood": "y"})
    assert response.status_code == 422
    assert "ask an admin to hand them over" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, people["clinician"].id) is not None
