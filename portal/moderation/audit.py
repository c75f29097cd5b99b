"""The audit log: every moderation and account action appends one event, and nothing edits it.

record() is the only code that writes ModerationEvent rows; the log page reads them here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from .. import paging
from ..extensions import db
from ..models import ModerationEvent, User, utcnow

# action -> how the log says it
ACTIONS: dict[str, str] = {
    "approve": "Approved",
    # A reported comment that stays up: its reports are closed (the reason says how many).
    "dismiss_reports": "Dismissed the reports",
    "reject": "Rejected",
    "remove": "Removed",
    "spam": "Marked as spam",
    "undo": "Undid a decision",
    "hide_after_reports": "Hidden after reports",
    "suspend": "Suspended",
    "ban": "Banned",
    "lift": "Lifted a restriction",
    "verify_clinician": "Verified a clinician",
    "send_password_reset": "Sent a password reset link",
    "reset_password_console": "Set a new password from the command line",
    "change_settings": "Changed the rules",
    # The site (actor None) held a comment whose words suggest someone in crisis.
    "crisis_held": "Held as urgent: may be in crisis",
    "retry_email": "Tried a failed email again",
    "revoke_clinician": "Revoked a clinician's verification",
    "make_author": "Made a non-clinical author",
    # A question's state (questions.lifecycle): from_status and to_status hold the states.
    "make_question": "Made a thread a question",
    "make_discussion": "Made a thread a discussion",
    "claim_question": "Claimed a question",
    "release_question": "Let go of a claimed question",
    "holding_reply": "Posted a holding reply",
    "mark_answer": "Marked a reply as the answer",
    "accept_answer": "Asker marked a reply as the answer",
    "unmark_answer": "Took back a marked answer",
    "answer_withdrawn": "An answer stopped being public",
    # A moderator undid the removal of the answer: it answers its question again.
    "answer_returned": "An answer was made public again",
    "close_question": "Closed a question",
    "reopen_question": "Reopened a question",
    # A moderator removed part of a comment; the reason keeps the words removed (admins only).
    "redact": "Removed part of a comment",
    # Two-step login (portal/two_factor/): a member turned theirs off, or an admin reset it.
    "two_factor_off": "Turned off two-step login",
    "two_factor_reset": "Reset a member's two-step login",
}
TARGET_TYPES: dict[str, str] = {
    "comment": "Comment",
    "user": "Member",
    "settings": "Rules",
    "email": "Email",
    "question": "Question",
}
MAX_REASON_LENGTH = 500


def record(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int,
    *,
    reason: str = "",
    from_status: str | None = None,
    to_status: str | None = None,
    at: datetime | None = None,
) -> ModerationEvent:
    """Append one event to the audit log (the caller commits with the change it records).

    actor None means the site itself acted (for example, reports hid a comment).
    """
    if action not in ACTIONS:
        raise KeyError(f"unknown audit action {action!r}")
    if target_type not in TARGET_TYPES:
        raise KeyError(f"unknown audit target {target_type!r}")
    event = ModerationEvent(
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.display_name if actor is not None else "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=(reason or "")[:MAX_REASON_LENGTH],
        from_status=from_status,
        to_status=to_status,
        created_at=at or utcnow(),
    )
    db.session.add(event)
    return event


@dataclass(frozen=True)
class LogFilters:
    action: str = ""
    actor: str = ""
    target_type: str = ""
    target_id: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.action or self.actor or self.target_type or self.target_id is not None)

    def as_args(self) -> dict[str, str | int]:
        """The filters as query-string arguments, for links to other pages of the same view."""
        args: dict[str, str | int] = {}
        if self.action:
            args["action"] = self.action
        if self.actor:
            args["actor"] = self.actor
        if self.target_type:
            args["target_type"] = self.target_type
        if self.target_id is not None:
            args["target_id"] = self.target_id
        return args


@dataclass(frozen=True)
class LogPage:
    events: list[ModerationEvent]
    page: int
    pages: int
    total: int


def list_events(filters: LogFilters, page: int = 1, per_page: int = 50) -> LogPage:
    """Events newest first, narrowed by action, actor name and target (two queries)."""
    conditions = []
    if filters.action:
        conditions.append(ModerationEvent.action == filters.action)
    if filters.actor:
        conditions.append(func.lower(ModerationEvent.actor_name) == filters.actor.casefold())
    if filters.target_type:
        conditions.append(ModerationEvent.target_type == filters.target_type)
    if filters.target_id is not None:
        conditions.append(ModerationEvent.target_id == filters.target_id)
    found = paging.fetch_page(
        select(ModerationEvent)
        .where(*conditions)
        .order_by(ModerationEvent.created_at.desc(), ModerationEvent.id.desc()),
        select(func.count()).select_from(ModerationEvent).where(*conditions),
        page,
        per_page,
    )
    return LogPage(events=found.rows, page=found.page, pages=found.pages, total=found.total)
