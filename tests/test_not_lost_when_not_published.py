"""Not published is not lost: an author whose comment was rejected or removed reads its text
and the reason, and can edit it and post it again as a new comment (issue 15, point 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment, Notification, utcnow
from portal.notifications import service

from .helpers import HTMX, select_all, select_one, text_of


@pytest.fixture()
def held_back(people, post, make_comment):
    """A caregiver's reply that a moderator did not publish, and the notice telling them."""

    def make(
        status: str = "rejected", parent: Comment | None = None, body: str = "Try X."
    ) -> Notification:
        parent = parent or make_comment(post, people["patient"], "What helped you?")
        comment = make_comment(post, people["caregiver"], body, parent=parent, status=status)
        comment.moderation_reason = "Please ask your team first."
        notice = service.notify(
            people["caregiver"],
            "comment_not_published",
            comment=comment,
            detail=comment.moderation_reason,
        )
        db.session.commit()
        return notice

    return make


def _newest(author_id: int) -> Comment:
    return db.session.scalars(
        select(Comment).where(Comment.author_id == author_id).order_by(Comment.id.desc())
    ).first()


@pytest.mark.parametrize("status", ["rejected", "removed"])
def test_the_author_sees_the_text_the_reason_and_a_form_to_post_it_again(
    client, log_in, people, held_back, status
):
    notice = held_back(status, body="Try **this** supplement.")
    log_in(people["caregiver"])
    page = client.get(f"/notifications/{notice.id}")
    assert page.status_code == 200
    assert "Reason: Please ask your team first." in text_of(page, ".notification__headline")
    assert "Try this supplement." in text_of(page, ".notification__text")
    form = select_one(page, f"form#post-again-{notice.id}")
    assert form["action"] == f"/notifications/{notice.id}/post-again"
    area = select_one(form, "textarea[name=body]")
    assert area.get_text() == "Try **this** supplement."  # the source, as they wrote it
    assert select_one(form, f"label[for={area['id']}]")
    assert select_one(form, "button[type=submit]").get_text(strip=True) == "Post as a new comment"


def test_posting_again_without_javascript_makes_a_new_reply_under_the_same_comment(
    client, log_in, people, held_back
):
    notice = held_back()
    old = db.session.get(Notification, notice.id).comment
    log_in(people["caregiver"])
    response = client.post(
        f"/notifications/{notice.id}/post-again", data={"body": "I asked my nurse; she said yes."}
    )
    assert response.status_code == 303
    db.session.expire_all()
    new = _newest(people["caregiver"].id)
    assert new.id != old.id and new.parent_id == old.parent_id
    assert new.body_source == "I asked my nurse; she said yes."
    assert new.status in ("pending", "approved")  # the usual rules decided
    assert db.session.get(Comment, old.id).status == "rejected"  # the old one stays as it was
    assert db.session.get(Notification, notice.id).read_at is not None
    assert response.headers["Location"].endswith(f"#comment-{new.id}")
    page = client.get(response.headers["Location"])
    assert "posted again" in text_of(page, ".flash")
    assert "I asked my nurse" in text_of(page, f"#comment-card-{new.id}")


def test_posting_again_with_htmx_goes_to_the_new_comment(client, log_in, people, held_back):
    notice = held_back()
    log_in(people["caregiver"])
    response = client.post(
        f"/notifications/{notice.id}/post-again", data={"body": "Reworded."}, headers=HTMX
    )
    assert response.status_code == 200
    new = _newest(people["caregiver"].id)
    assert response.headers["HX-Redirect"].endswith(f"#comment-{new.id}")


def test_a_reply_whose_comment_has_gone_starts_a_thread_instead(
    client, log_in, people, held_back, post, make_comment
):
    parent = make_comment(post, people["patient"], "Gone soon.")
    notice = held_back(parent=parent)
    parent.status = "removed"
    db.session.commit()
    log_in(people["caregiver"])
    response = client.post(
        f"/notifications/{notice.id}/post-again",
        data={"body": "Still worth saying."},
    )
    assert response.status_code == 303
    new = _newest(people["caregiver"].id)
    assert new.parent_id is None and new.post_id == post.id


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_empty_text_is_refused_beside_the_field(client, log_in, people, held_back, headers):
    notice = held_back()
    log_in(people["caregiver"])
    before = _newest(people["caregiver"].id).id
    response = client.post(
        f"/notifications/{notice.id}/post-again", data={"body": "   "}, headers=headers
    )
    assert response.status_code == 422
    assert "Write something before posting." in text_of(response, f"#again-{notice.id}-body-error")
    assert _newest(people["caregiver"].id).id == before


def test_the_rules_apply_again_so_a_suspended_author_keeps_the_text(
    client, log_in, people, held_back
):
    notice = held_back()
    caregiver = people["caregiver"]
    caregiver.status, caregiver.status_reason = "suspended", "A pause"
    caregiver.suspended_until = utcnow().replace(year=utcnow().year + 1)
    db.session.commit()
    log_in(caregiver)
    response = client.post(f"/notifications/{notice.id}/post-again", data={"body": "Kept words"})
    assert response.status_code == 422
    assert "suspended" in text_of(response, f"#again-{notice.id}-body-error")
    assert select_one(response, "textarea[name=body]").get_text() == "Kept words"


def test_nobody_else_can_post_it_and_published_comments_have_no_form(
    client, log_in, people, held_back, post, make_comment
):
    notice = held_back()
    log_in(people["patient"])
    assert client.get(f"/notifications/{notice.id}").status_code == 404
    assert (
        client.post(f"/notifications/{notice.id}/post-again", data={"body": "x"}).status_code == 404
    )
    client.post("/logout")
    log_in(people["caregiver"])
    comment = db.session.get(Notification, notice.id).comment
    comment.status = "approved"
    db.session.commit()
    page = client.get(f"/notifications/{notice.id}")
    assert not select_all(page, "form.comment-form--again")
    assert (
        client.post(f"/notifications/{notice.id}/post-again", data={"body": "x"}).status_code == 404
    )
