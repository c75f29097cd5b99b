"""The demo's held comments can be cleared from the queue, with htmx and with plain forms."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts import service as accounts
from portal.demo import seed_demo
from portal.extensions import db
from portal.models import Comment, ModerationEvent, User

from .helpers import HTMX, TEST_PASSWORD, select_all


def held_count() -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(Comment).where(Comment.status == "pending")
    )


def test_an_admin_clears_the_demo_queue_with_and_without_javascript(app, client):
    seed_demo()
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    admin.password_hash = accounts.hash_password(TEST_PASSWORD)
    db.session.commit()
    client.post("/login", data={"email": admin.email, "password": TEST_PASSWORD})
    held = held_count()
    assert held >= 2

    page = client.get("/moderation").get_data(as_text=True)
    rows = [int(row["id"].removeprefix("queue-item-")) for row in select_all(page, "li.queue-item")]
    assert len(rows) == held
    for index, comment_id in enumerate(rows):
        if index % 2:  # every other one as htmx does it: the row answers in place
            response = client.post(
                f"/moderation/comments/{comment_id}", data={"decision": "approve"}, headers=HTMX
            )
            assert response.status_code == 200
            assert "<html" not in response.get_data(as_text=True)
        else:  # and the rest as a plain form, without JavaScript
            response = client.post(
                f"/moderation/comments/{comment_id}", data={"decision": "approve"}
            )
            assert response.status_code == 303
    assert held_count() == 0
    assert "Nothing here right now." in client.get("/moderation").get_data(as_text=True)
    approvals = db.session.scalar(
        select(func.count()).select_from(ModerationEvent).where(ModerationEvent.action == "approve")
    )
    assert approvals == held
