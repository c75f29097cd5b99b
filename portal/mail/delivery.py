"""Sending the outbox: the worker's tasks, one email at a time, never twice at once.

deliver_email(id) claims the row with one conditional UPDATE (rowcount 1 means it is ours),
renders it, sends it through Flask-Mailman's configured backend and records the outcome:

    queued --claim--> sending --sent--> sent
                         |--refused / unreachable--> queued again, after a growing delay
                         |--the last allowed attempt fails, or it cannot be rendered--> failed

A claim is a lease: a worker that dies while sending leaves the row "sending", and once
MAIL_CLAIM_LEASE_SECONDS have passed another worker may take it. That email (the one in
flight) may then go out twice, with the same Message-ID; no other email can.

sweep_outbox() runs every minute and re-queues what is due but unsent: rows whose pointer
never reached the queue (a crash between commit and enqueue), and lapsed claims.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import and_, or_, select, update

from ..extensions import db, mail
from ..models import Notification, OutgoingEmail, utcnow
from ..tasks import huey, in_app_context
from .render import RenderError, new_message_id, render_email

logger = logging.getLogger(__name__)

SENT, RETRY, FAILED, NOT_MINE = "sent", "retry", "failed", "not mine"
MAX_ERROR_LENGTH = 500


def new_claim() -> str:
    """Who holds a claim: this host and process, and a nonce for this one attempt."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_CLAIM_LEASE_SECONDS"])


def claimable(now: datetime):
    """Rows a worker may take now: queued and due, or claimed by a worker whose lease ran out."""
    return or_(
        and_(OutgoingEmail.status == "queued", OutgoingEmail.next_attempt_at <= now),
        and_(OutgoingEmail.status == "sending", OutgoingEmail.claimed_at < now - _lease()),
    )


def claim(email_id: int, holder: str) -> bool:
    """Take the email for holder, atomically; False when it is not due or another worker has it.

    One UPDATE with the claimable condition in its WHERE: of two workers racing for a row,
    the database lets exactly one change it (PostgreSQL re-checks the condition after waiting
    for the other's row lock; SQLite runs one writer at a time).
    """
    now = utcnow()
    result = db.session.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.id == email_id, claimable(now))
        .values(status="sending", claimed_at=now, claimed_by=holder)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the attempts-th failure: MAIL_RETRY_DELAYS, the last repeating."""
    delays = current_app.config["MAIL_RETRY_DELAYS"] or (60,)
    return timedelta(seconds=delays[min(attempts, len(delays)) - 1])


def _still_ours(email_id: int, holder: str):
    return and_(
        OutgoingEmail.id == email_id,
        OutgoingEmail.status == "sending",
        OutgoingEmail.claimed_by == holder,
    )


def _record_sent(email_id: int, notification_id: int | None, holder: str, attempts: int) -> None:
    now = utcnow()
    result = db.session.execute(
        update(OutgoingEmail)
        .where(_still_ours(email_id, holder))
        .values(status="sent", sent_at=now, attempts=attempts, last_error="", claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        logger.warning("email %s was sent after its claim lapsed", email_id)
    if notification_id is not None:
        db.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.emailed_at.is_(None))
            .values(emailed_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def _record_failure(email_id: int, holder: str, attempts: int, error: str, final: bool) -> str:
    values: dict = {"attempts": attempts, "last_error": error[:MAX_ERROR_LENGTH]}
    if final:
        values.update(status="failed", claimed_at=None)
    else:
        delay = retry_delay(attempts)
        values.update(
            status="queued", next_attempt_at=utcnow() + delay, claimed_at=None, claimed_by=""
        )
    db.session.execute(
        update(OutgoingEmail)
        .where(_still_ours(email_id, holder))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if final:
        logger.error("email %s failed after %s attempts: %s", email_id, attempts, error)
        return FAILED
    logger.warning("email %s not sent (attempt %s), will retry: %s", email_id, attempts, error)
    _schedule_retry(email_id, values["next_attempt_at"])
    return RETRY


def _schedule_retry(email_id: int, when: datetime) -> None:
    # The sweep would find it too; a scheduled task keeps short delays short.
    try:
        deliver_email.schedule(args=(email_id,), eta=when)
    except Exception:
        logger.warning("could not schedule email %s; the sweep will find it", email_id)


def deliver(email_id: int, holder: str | None = None) -> str:
    """Claim, render and send one email, and record what happened ("sent", "retry", …)."""
    holder = holder or new_claim()
    if not claim(email_id, holder):
        return NOT_MINE
    email = db.session.get(OutgoingEmail, email_id)
    if email is None:  # deleted with its member since the claim
        return NOT_MINE
    attempts, template, notification_id = email.attempts + 1, email.template, email.notification_id
    if not email.message_id:
        email.message_id = new_message_id()  # kept, so a second try reuses it
    try:
        message = render_email(email)
    except RenderError as error:
        db.session.commit()
        return _record_failure(email_id, holder, attempts, f"could not render: {error}", True)
    db.session.commit()  # no transaction stays open while the mail server is talked to
    try:
        sent = mail.get_connection().send_messages([message])
        if not sent:
            raise RuntimeError("the mail backend accepted nothing")
    except Exception as error:  # refused, unreachable, timed out: try again later
        final = attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
        return _record_failure(email_id, holder, attempts, _describe(error), final)
    _record_sent(email_id, notification_id, holder, attempts)
    logger.info("email %s sent (%s)", email_id, template)
    return SENT


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}".strip()


def due_email_ids(limit: int | None = None) -> list[int]:
    """Emails due for longer than the sweep's grace period and still unsent, oldest first."""
    config = current_app.config
    overdue = utcnow() - timedelta(seconds=config["MAIL_SWEEP_GRACE_SECONDS"])
    return list(
        db.session.scalars(
            select(OutgoingEmail.id)
            .where(claimable(overdue))
            .order_by(OutgoingEmail.next_attempt_at, OutgoingEmail.id)
            .limit(limit or config["MAIL_SWEEP_BATCH"])
        )
    )


@huey.task()
@in_app_context
def deliver_email(email_id: int) -> str:
    """The task: send one outbox row (a no-op when it is not due or another worker has it)."""
    return deliver(email_id)


@huey.periodic_task(crontab(minute="*"))
@in_app_context
def sweep_outbox() -> int:
    """Every minute: queue again what is due and unsent (lost hand-overs, lapsed claims)."""
    ids = due_email_ids()
    for email_id in ids:
        deliver_email(email_id)
    if ids:
        logger.info("the sweep queued %s unsent emails", len(ids))
    return len(ids)
