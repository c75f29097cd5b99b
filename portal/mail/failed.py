"""Emails that could not be sent: the admins' list, and trying one again.

An email is failed after MAIL_MAX_ATTEMPTS refused or unreachable tries, or at once when it
cannot be rendered. Nothing is dropped: it waits here until an admin tries it again (after
fixing the mail settings, say), which is recorded in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import paging
from ..extensions import db
from ..models import OutgoingEmail, User, utcnow
from ..moderation import audit

PER_PAGE = 50


@dataclass(frozen=True)
class FailedPage:
    emails: list[OutgoingEmail]
    page: int
    pages: int
    total: int


class NotFailed(Exception):
    """Only a failed email can be tried again (this one is queued, sending or sent)."""


def failed_count() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(OutgoingEmail).where(OutgoingEmail.status == "failed")
        )
        or 0
    )


def list_failed(page: int = 1, per_page: int = PER_PAGE) -> FailedPage:
    """Failed emails, most recently created first, with their recipients (three queries)."""
    found = paging.fetch_page(
        select(OutgoingEmail)
        .where(OutgoingEmail.status == "failed")
        .options(selectinload(OutgoingEmail.user))
        .order_by(OutgoingEmail.created_at.desc(), OutgoingEmail.id.desc()),
        select(func.count()).select_from(OutgoingEmail).where(OutgoingEmail.status == "failed"),
        page,
        per_page,
    )
    return FailedPage(emails=found.rows, page=found.page, pages=found.pages, total=found.total)


def try_again(email: OutgoingEmail, admin: User) -> None:
    """Queue a failed email again, with a fresh count of attempts, and record who did it.

    The commit hands it to the worker (portal/mail/outbox.py); the Message-ID is kept.
    """
    if email.status != "failed":
        raise NotFailed(email.status)
    email.status = "queued"
    email.attempts = 0
    email.next_attempt_at = utcnow()
    email.claimed_at = None
    email.claimed_by = ""
    audit.record(
        admin,
        "retry_email",
        "email",
        email.id,
        reason=email.last_error,
        from_status="failed",
        to_status="queued",
    )
    from .outbox import hand_over_after_commit

    hand_over_after_commit(email)
    db.session.commit()
