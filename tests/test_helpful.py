""" "This helped me" on clinicians' answers: one per member per answer, pressed again to take it
back, its count shown to everyone, and no down-votes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import Comment, HelpfulMark, User
from portal.questions import helpful, lifecycle

from .helpers import HTMX, select_all, select_one, text_of


@pytest.fixture()
def answer(post, people, make_comment) -> Comment:
    question = make_comment(post, people["caregiver"], "Can we travel after the infusion?")
    reply = make_comment(post, people["clinician"], "Yes, after 24 hours.", parent=question)
    lifecycle.mark_answer(reply, people["clinician"])
    db.session.commit()
    return reply


def marks(answer: Comment) -> tuple[int, int]:
    """(rows in helpful_marks, the answer's stored count): they must always agree."""
    db.session.expire_all()
    rows = db.session.scalar(
        select(func.count()).select_from(HelpfulMark).where(HelpfulMark.comment_id == answer.id)
    )
    return rows, db.session.get(Comment, answer.id).helpful_count


def button(html: str, answer: Comment):
    return select_one(html, f"#helpful-{answer.id} button")


def test_a_member_presses_this_helped_me_in_place_and_presses_again_to_take_it_back(
    client, post, people, answer, log_in
):
    log_in(people["patient"])
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    pressed = button(page, answer)
    assert pressed.get_text() == "This helped me" and pressed["aria-pressed"] == "false"
    form = select_one(page, f"#helpful-{answer.id} form")
    assert form["hx-target"] == f"#helpful-{answer.id}" and form["hx-swap"] == "outerHTML"

    response = client.post(f"/comments/{answer.id}/helpful", data={"helped": "yes"}, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert button(html, answer)["aria-pressed"] == "true"
    assert button(html, answer)["id"] == f"helpful-button-{answer.id}"  # focus stays on it
    assert text_of(html, f"#helpful-count-{answer.id}") == "1 person found this helpful"
    assert "you said this answer helped you" in text_of(html, "#announcer")
    assert marks(answer) == (1, 1)

    again = client.post(f"/comments/{answer.id}/helpful", data={"helped": "no"}, headers=HTMX)
    html = again.get_data(as_text=True)
    assert button(html, answer)["aria-pressed"] == "false"
    assert select_all(html, f"#helpful-count-{answer.id}") == []
    assert marks(answer) == (0, 0)


def test_pressing_works_without_javascript(client, post, people, answer, log_in):
    log_in(people["admin"])
    response = client.post(f"/comments/{answer.id}/helpful", data={"helped": "yes"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/posts/{post.slug}#comment-{answer.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert button(page, answer)["aria-pressed"] == "true"
    assert select_one(page, f"#helpful-{answer.id} input[name=helped]")["value"] == "no"
    assert text_of(page, f"#helpful-count-{answer.id}") == "1 person found this helpful"


def test_one_mark_per_member_however_often_they_press(client, people, answer, log_in):
    log_in(people["patient"])
    for _ in range(3):
        assert (
            client.post(f"/comments/{answer.id}/helpful", data={"helped": "yes"}).status_code == 303
        )
    assert marks(answer) == (1, 1)
    # No down-votes: taking back what was never given changes nothing.
    client.post("/logout")
    log_in(people["caregiver"])
    client.post(f"/comments/{answer.id}/helpful", data={"helped": "no"})
    assert marks(answer) == (1, 1)


def test_the_count_gathers_members_and_visitors_see_it_with_a_way_in(
    client, post, people, answer, log_in, make_user
):
    for member in (people["patient"], people["caregiver"], make_user("clinician", "Ravi Shah")):
        log_in(member)
        client.post(f"/comments/{answer.id}/helpful", data={"helped": "yes"})
        client.post("/logout")
    assert marks(answer) == (3, 3)
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    widget = select_one(html, f"#helpful-{answer.id}")
    assert text_of(widget, f"#helpful-count-{answer.id}") == "3 people found this helpful"
    assert select_all(widget, "button") == []
    login = select_one(widget, "a")
    assert text_of(login) == "Log in to say this helped you"
    assert login["href"] == f"/login?next=/posts/{post.slug}%23comment-{answer.id}"


def test_the_page_shows_what_this_member_already_said(client, post, people, answer, log_in):
    helpful.mark(answer, people["patient"])
    db.session.commit()
    log_in(people["patient"])
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert button(page, answer)["aria-pressed"] == "true"
    # A card drawn alone (htmx) works it out for itself.
    alone = client.get(f"/comments/{answer.id}", headers=HTMX).get_data(as_text=True)
    assert button(alone, answer)["aria-pressed"] == "true"


def test_the_answers_own_author_cannot_press(client, post, people, answer, log_in):
    log_in(people["clinician"])
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert select_all(page, f"#helpful-{answer.id} button") == []
    assert client.post(f"/comments/{answer.id}/helpful", data={"helped": "yes"}).status_code == 403
    assert marks(answer) == (0, 0)


def test_only_marked_answers_can_be_found_helpful(client, post, people, make_comment, log_in):
    question = make_comment(post, people["caregiver"], "Q")
    reply = make_comment(post, people["clinician"], "Not marked", parent=question)
    log_in(people["patient"])
    assert select_all(client.get(f"/posts/{post.slug}").get_data(as_text=True), ".helpful") == []
    response = client.post(f"/comments/{reply.id}/helpful", data={"helped": "yes"}, headers=HTMX)
    assert response.status_code == 422
    assert "Only a clinician's marked answer" in text_of(
        response.get_data(as_text=True), ".error-message"
    )
    plain = client.post(f"/comments/{reply.id}/helpful", data={"helped": "yes"})
    assert plain.status_code == 422
    assert marks(reply) == (0, 0)


def test_an_unreadable_press_is_explained(client, people, answer, log_in):
    log_in(people["patient"])
    response = client.post(f"/comments/{answer.id}/helpful", data={}, headers=HTMX)
    assert response.status_code == 422
    assert "could not be read" in response.get_data(as_text=True)
    assert marks(answer) == (0, 0)


def test_a_suspended_member_cannot_press(client, people, answer, log_in):
    log_in(people["suspended"])
    assert client.post(f"/comments/{answer.id}/helpful", data={"helped": "yes"}).status_code == 403
    assert marks(answer) == (0, 0)


def test_the_count_moves_in_the_database_so_a_press_elsewhere_is_not_lost(people, answer):
    loaded = db.session.get(Comment, answer.id)
    assert loaded.helpful_count == 0
    # Another member's press lands through another connection after this one read the count.
    with db.engine.begin() as other:
        other.execute(update(Comment).where(Comment.id == answer.id).values(helpful_count=5))
    assert helpful.mark(loaded, people["patient"]) is True
    db.session.commit()
    assert db.session.get(Comment, answer.id).helpful_count == 6


def test_a_double_press_racing_itself_counts_once(people, answer):
    answer_id, patient_id = answer.id, people["patient"].id
    assert helpful.mark(answer, people["patient"]) is True
    db.session.commit()
    # The second press did not see the first (as if both read before either wrote).
    db.session.expunge_all()
    again, patient = db.session.get(Comment, answer_id), db.session.get(User, patient_id)
    assert helpful.mark(again, patient) is False
    db.session.commit()
    assert marks(again) == (1, 1)
    assert helpful.unmark(again, patient) is True
    assert helpful.unmark(again, patient) is False
    db.session.commit()
    assert marks(again) == (0, 0)
