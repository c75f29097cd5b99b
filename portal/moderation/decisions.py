"""Moderators' decisions on comments: approve, reject, spam, several at once, and undo.

Every decision resolves the comment's open reports and appends one audit event; undo puts
back what the last decision changed and is itself logged.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, func, select, update

from .. import locking
from ..extensions import db
from ..forms import FieldError
from ..models import Comment, Flag, ModerationEvent, User, utcnow
from ..notifications import events as notifications
from ..questions import lifecycle as questions
from . import audit

DECISIONS = ("approve", "reject", "spam")
# Decisions undo can take back (a comment hidden by reports is restored by approving it).
UNDOABLE_ACTIONS = ("approve", "reject", "remove", "spam", "dismiss_reports")

# The short list of reasons a moderator picks from when rejecting; "other" means "written".
REJECT_REASONS: dict[str, str] = {
    "misinformation": "Medical information that could mislead or harm",
    "abusive": "Unkind or abusive",
    "advertising": "Advertising or spam",
    "private_information": "Shares someone's private information",
    "off_topic": "Not about this post",
    "other": "Another reason (write it below)",
}
MAX_REASON_LENGTH = 500


class ModerationError(FieldError):
    """A problem the moderator can fix; field names the form field it belongs to."""


def reject_reason(choice: str | None, written: str | None) -> str:
    """The reason a rejection is given: the words written, else the label of the choice."""
    written = (written or "").strip()
    if len(written) > MAX_REASON_LENGTH:
        raise ModerationError(
            "reason_other", f"Use at most {MAX_REASON_LENGTH} characters for the reason."
        )
    if written:
        return written
    if choice in REJECT_REASONS and choice != "other":
        return REJECT_REASONS[choice]
    if choice == "other":
        raise ModerationError("reason_other", "Write the reason the author will see.")
    raise ModerationError("reason", "Choose a reason, or write one, before rejecting.")


def has_reports(comment: Comment) -> bool:
    return bool(db.session.scalar(select(exists().where(Flag.comment_id == comment.id))))


def dismissal_words(closed: int, note: str = "") -> str:
    """What a dismissal did, for the audit log: "Dismissed 3 reports; the comment stays up"."""
    reports = "1 report" if closed == 1 else f"{closed} reports"
    said = f"Dismissed {reports}; the comment stays up"
    return f"{said}. {note}" if note else said


def _apply(
    comment: Comment, moderator: User, decision: str, reason: str, was_public: bool
) -> ModerationEvent:
    """Change one comment's status, close its open reports and log it, all at one moment."""
    now = utcnow()
    if decision == "approve":
        action, new_status = "approve", "approved"
    elif decision == "spam":
        action, new_status = "spam", "spam"
    elif was_public:
        # Readers saw it (it was reported): removing keeps the replies under it in place.
        action, new_status = "remove", "removed"
    else:
        action, new_status = "reject", "rejected"
    old_status = comment.status
    if decision == "approve" and old_status == "approved":
        # Reported but still public: approving again changes nothing but the reports.
        action = "dismiss_reports"
    comment.status = new_status
    if new_status != "approved":
        questions.answer_withdrawn(comment)
    comment.moderated_at = now
    comment.moderated_by_id = moderator.id
    comment.moderation_reason = reason if decision != "approve" else ""
    # The same moment marks the reports this decision closed, so that undo can reopen them.
    closed = db.session.execute(
        update(Flag)
        .where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
        .values(resolved_at=now)
    ).rowcount
    notifications.comment_moderated(comment, moderator, old_status, reports_closed_at=now)
    if action == "dismiss_reports":
        reason = dismissal_words(closed or 0, reason)
    return audit.record(
        moderator,
        action,
        "comment",
        comment.id,
        reason=reason,
        from_status=old_status,
        to_status=new_status,
        at=now,
    )


def _checked_reason(decision: str, reason_choice: str | None, reason_other: str | None) -> str:
    if decision not in DECISIONS:
        raise ModerationError("decision", "Choose approve, reject or spam.")
    if decision == "reject":
        return reject_reason(reason_choice, reason_other)
    written = (reason_other or "").strip()
    if len(written) > MAX_REASON_LENGTH:
        raise ModerationError(
            "reason_other", f"Use at most {MAX_REASON_LENGTH} characters for the reason."
        )
    return written


def moderate(
    comment: Comment,
    moderator: User,
    decision: str,
    reason_choice: str | None = None,
    reason_other: str | None = None,
) -> ModerationEvent:
    """Approve, reject (with a reason the author sees) or mark as spam one comment.

    Rejecting a comment readers could see (one that was reported) removes it instead, so the
    thread keeps its shape. Raises ModerationError for a missing or too long reason.
    """
    reason = _checked_reason(decision, reason_choice, reason_other)
    # Another moderator may be deciding on it right now: wait for them, then see their result.
    comment = locking.lock(Comment, comment.id) or comment
    if comment.status == "deleted":
        raise ModerationError("decision", "Its author has deleted this comment.")
    event = _apply(comment, moderator, decision, reason, was_public=has_reports(comment))
    db.session.commit()
    return event


def moderate_many(
    comment_ids: Sequence[int],
    moderator: User,
    decision: str,
    reason_choice: str | None = None,
    reason_other: str | None = None,
) -> list[ModerationEvent]:
    """The same decision for several comments at once, loaded together in one query."""
    if decision not in ("approve", "reject"):
        raise ModerationError("decision", "Choose approve or reject for the selected comments.")
    if not comment_ids:
        raise ModerationError("comment_ids", "Select at least one comment first.")
    reason = _checked_reason(decision, reason_choice, reason_other)
    locked = locking.lock_many(Comment, comment_ids)
    comments = sorted(
        (comment for comment in locked if comment.status != "deleted"),
        key=lambda comment: comment.created_at,
    )
    reported = set(
        db.session.scalars(
            select(Flag.comment_id).where(Flag.comment_id.in_([c.id for c in comments]))
        )
    )
    events = [
        _apply(comment, moderator, decision, reason, was_public=comment.id in reported)
        for comment in comments
    ]
    db.session.commit()
    return events


def latest_event_ids(comment_ids: Sequence[int]) -> dict[int, int]:
    """The newest audit event about each of these comments, in one query."""
    if not comment_ids:
        return {}
    rows = db.session.execute(
        select(ModerationEvent.target_id, func.max(ModerationEvent.id))
        .where(
            ModerationEvent.target_type == "comment",
            ModerationEvent.target_id.in_(comment_ids),
        )
        .group_by(ModerationEvent.target_id)
    )
    return {target_id: event_id for target_id, event_id in rows}


def can_undo(event: ModerationEvent, comment: Comment | None, latest_id: int | None) -> bool:
    """Only the latest decision on a comment can be undone, while the comment is as it left it."""
    return (
        event.action in UNDOABLE_ACTIONS
        and event.target_type == "comment"
        and comment is not None
        and comment.status == event.to_status
        and latest_id == event.id
    )


def _reason_before(event: ModerationEvent) -> str:
    """The reason the comment carried before this event, from the decision that gave it."""
    if event.from_status not in ("rejected", "removed", "spam"):
        return ""
    reason = db.session.scalar(
        select(ModerationEvent.reason)
        .where(
            ModerationEvent.target_type == "comment",
            ModerationEvent.target_id == event.target_id,
            ModerationEvent.to_status == event.from_status,
            ModerationEvent.id < event.id,
        )
        .order_by(ModerationEvent.id.desc())
        .limit(1)
    )
    return reason or ""


def undo(event: ModerationEvent, moderator: User) -> ModerationEvent:
    """Take back a decision: the comment's status and open reports return to what they were."""
    comment = locking.lock(Comment, event.target_id) if event.target_type == "comment" else None
    latest = latest_event_ids([event.target_id]).get(event.target_id) if comment else None
    if not can_undo(event, comment, latest):
        raise ModerationError(
            "event",
            "This decision cannot be undone any more: the comment has changed since.",
        )
    assert comment is not None and event.from_status is not None
    now = utcnow()
    comment.status = event.from_status
    if event.from_status == "pending":
        # Back in the queue, as if nobody had decided yet.
        comment.moderated_at, comment.moderated_by_id = None, None
    else:
        comment.moderated_at, comment.moderated_by_id = now, moderator.id
    comment.moderation_reason = _reason_before(event)
    db.session.execute(
        update(Flag)
        .where(Flag.comment_id == comment.id, Flag.resolved_at == event.created_at)
        .values(resolved_at=None)
    )
    if comment.status == "approved":
        questions.answer_returned(comment, moderator, since=event.created_at)
    notifications.comment_moderated(comment, moderator, event.to_status)
    undone = audit.record(
        moderator,
        "undo",
        "comment",
        comment.id,
        reason=f"Undid “{audit.ACTIONS[event.action].lower()}” by {event.actor_name}",
        from_status=event.to_status,
        to_status=event.from_status,
        at=now,
    )
    db.session.commit()
    return undone
