"""What a member sees of moderation on their own account page: how their comments fared."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Comment, User

# status -> what the author is told
OUTCOMES: dict[str, str] = {
    "approved": "Approved",
    "pending": "Waiting for a moderator",
    "rejected": "Not published",
    "removed": "Removed",
    "spam": "Not published (marked as spam)",
}


@dataclass(frozen=True)
class Outcome:
    comment: Comment
    label: str
    reason: str


def recent_outcomes(user: User, limit: int = 10) -> list[Outcome]:
    """The author's comments a moderator (or a rule) decided or still holds, newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    comments = db.session.scalars(
        select(Comment)
        .where(
            Comment.author_id == user.id,
            or_(
                Comment.moderated_at.is_not(None),
                Comment.status.in_(("pending", "rejected")),
            ),
            Comment.status.in_(tuple(OUTCOMES)),
        )
        .options(joinedload(Comment.post))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    return [Outcome(comment, OUTCOMES[comment.status], _reason(comment)) for comment in comments]


def _reason(comment: Comment) -> str:
    if comment.status == "approved":
        return ""
    if comment.status == "pending":
        return comment.held_reason
    # A moderator's reason, or the rule's words when a rule refused it on the spot.
    return comment.moderation_reason or comment.held_reason
