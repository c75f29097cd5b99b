"""Readers' reports of comments: one per reader per comment, and enough of them hide it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from .. import locking
from ..extensions import db
from ..forms import FieldError
from ..models import Comment, Flag, User, utcnow
from ..permissions import allowed, restriction_message
from ..questions import lifecycle as questions
from . import audit, rules

# reason -> how the form and the queue say it
REPORT_REASONS: dict[str, str] = {
    "misinformation": "Medical misinformation",
    "abusive": "Abusive or unkind",
    "spam": "Spam or advertising",
    "private_information": "Shares private information",
    "other": "Something else",
}
MAX_NOTE_LENGTH = 500


class ReportError(FieldError):
    """A problem the reader can fix; field names the form field it belongs to."""


@dataclass(frozen=True)
class ReportOutcome:
    created: bool  # False: this reader had already reported the comment
    hidden: bool  # True: this report was the one that hid the comment


def is_reportable(comment: Comment) -> bool:
    """Readers can report what they can see: approved comments on published posts."""
    return comment.status == "approved" and comment.post.is_published


def can_report(reader: Any, comment: Comment) -> bool:
    """The one answer to "may this reader report this comment?", for the Report link and the view.

    Members who may post report approved comments on published posts, never their own.
    """
    return allowed(reader, "report") and comment.author_id != reader.id and is_reportable(comment)


def already_reported(comment: Comment, reader: User) -> bool:
    return bool(
        db.session.scalar(
            select(exists().where(Flag.comment_id == comment.id, Flag.reporter_id == reader.id))
        )
    )


def weighted_open_reports(comment: Comment) -> tuple[int, float]:
    """The comment's undecided reports: how many, and what they weigh together (two queries).

    Each report weighs what rules.report_weight says of its reader today.
    """
    reporters = list(
        db.session.scalars(
            select(User)
            .join(Flag, Flag.reporter_id == User.id)
            .where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
        )
    )
    if not reporters:
        return 0, 0.0
    approved = dict(
        db.session.execute(
            select(Comment.author_id, func.count())
            .where(
                Comment.author_id.in_([reader.id for reader in reporters]),
                Comment.status == "approved",
            )
            .group_by(Comment.author_id)
        ).all()
    )
    now = utcnow()
    weight = sum(rules.report_weight(r, approved.get(r.id, 0), now) for r in reporters)
    return len(reporters), weight


def check_report(comment: Comment, reader: User, reason: str | None, note: str | None) -> str:
    """The note, cleaned, once everything about the report is checked; else ReportError."""
    message = restriction_message(reader)
    if message:
        raise ReportError("reason", message)
    if comment.author_id == reader.id:
        raise ReportError("reason", "You cannot report your own comment.")
    if not is_reportable(comment):
        raise ReportError("reason", "This comment can no longer be reported.")
    if reason not in REPORT_REASONS:
        raise ReportError("reason", "Choose what is wrong with this comment.")
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ReportError(
            "note",
            f"Notes can be at most {MAX_NOTE_LENGTH} characters; this one has {len(note)}.",
        )
    return note


def report(comment: Comment, reader: User, reason: str | None, note: str | None) -> ReportOutcome:
    """Store one reader's report; the report that reaches the limit hides the comment.

    A second report of the same comment by the same reader changes nothing and says so.
    """
    note = check_report(comment, reader, reason, note)
    # Reports racing past the threshold take turns, so exactly one of them hides the comment.
    comment = locking.lock(Comment, comment.id) or comment
    if already_reported(comment, reader):
        return ReportOutcome(created=False, hidden=False)
    db.session.add(Flag(comment_id=comment.id, reporter_id=reader.id, reason=reason, note=note))
    try:
        db.session.flush()
    except IntegrityError:  # the same reader, twice at once: the first one counts
        db.session.rollback()
        return ReportOutcome(created=False, hidden=False)
    hidden = False
    # A verified clinician's comment stays up: the queue shows it to admins first instead.
    if comment.status == "approved" and not rules.never_hidden_by_reports(comment.author):
        count, weight = weighted_open_reports(comment)
        if rules.hidden_by_reports(weight):
            comment.status = "pending"
            comment.held_reason = rules.HIDDEN_AFTER_REPORTS
            questions.answer_withdrawn(comment)
            audit.record(
                None,
                "hide_after_reports",
                "comment",
                comment.id,
                reason=f"Hidden after {count} reports from readers, weighing {weight:g}",
                from_status="approved",
                to_status="pending",
            )
            hidden = True
    db.session.commit()
    return ReportOutcome(created=True, hidden=hidden)
