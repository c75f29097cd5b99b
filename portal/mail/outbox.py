"""Putting an email in the outbox: a row in the same transaction as the event that causes it.

Nothing here sends. When the transaction commits, the new rows' ids are handed to the task
queue; if that hand-over is lost (a crash, the queue away), the worker's periodic sweep finds
the rows anyway, because the row, not the queue message, is the truth.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Notification, OutgoingEmail, User

_PENDING_KEY = "outbox_new_email_ids"


def queue_email(
    user: User | None,
    template: str,
    *,
    notification: Notification | None = None,
    link: str = "",
    to_address: str | None = None,
) -> OutgoingEmail:
    """Add an email to the current transaction; it is sent after the commit, by the worker.

    template names a folder under templates/email/ holding subject.txt, body.txt and
    body.html. to_address defaults to the user's address (a change of address sends to the
    new one before it is confirmed, so it is given).
    """
    address = to_address or (user.email if user is not None else None)
    if not address:
        raise ValueError("an email needs an address")
    email = OutgoingEmail(
        user=user, to_address=address, template=template, notification=notification, link=link
    )
    db.session.add(email)
    hand_over_after_commit(email)
    return email


def hand_over_after_commit(email: OutgoingEmail) -> None:
    """Give email to the worker once the current transaction commits (nothing if it rolls back)."""
    db.session.flush()
    db.session.info.setdefault(_PENDING_KEY, []).append(email.id)


@event.listens_for(Session, "after_commit")
def _hand_over_to_the_queue(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    if ids:
        from ..tasks import enqueue_delivery

        enqueue_delivery(ids)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
