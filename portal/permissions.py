"""Who may do what: the one place every view asks.

Views never compare role strings; they decorate with @can("action") or ask allowed().
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from .models import ROLES, User, utcnow

F = TypeVar("F", bound=Callable[..., Any])

# Role groups: the only place roles are named together. User.is_staff, .is_clinician, .is_admin,
# .is_caregiver and .asks_questions read them, so no other code compares role strings.
EVERY_MEMBER = frozenset(ROLES)
CLINICAL = frozenset({"clinician", "admin"})
CLINICIANS = frozenset({"clinician"})  # only their replies mark a question answered
ADMIN = frozenset({"admin"})
CAREGIVERS = frozenset({"caregiver"})
# Non-clinical authors (researchers, charity staff): they write posts, never answer as clinicians.
AUTHORS = frozenset({"author"})
WRITERS = CLINICAL | AUTHORS
ASKERS = frozenset({"patient", "caregiver"})

# action -> roles that may perform it (while their account is active)
POLICY: dict[str, frozenset[str]] = {
    "comment": EVERY_MEMBER,
    "report": EVERY_MEMBER,
    "manage_account": EVERY_MEMBER,
    # Reading one's notifications and following discussions: reading, not posting.
    "read_notifications": EVERY_MEMBER,
    "follow": EVERY_MEMBER,
    "write_posts": WRITERS,
    "answer_questions": CLINICAL,
    # Claiming, holding replies, marking answers and closing: verified clinicians only.
    "handle_questions": CLINICIANS,
    "change_thread_kind": CLINICAL,
    "mark_helpful": EVERY_MEMBER,
    "skip_premoderation": WRITERS,
    "moderate": ADMIN,
    "manage_users": ADMIN,
    "view_audit_log": ADMIN,
    "edit_moderation_settings": ADMIN,
    "read_any_draft": ADMIN,
    "edit_any_post": ADMIN,
    # Patients and caregivers may keep their comment list off their public profile.
    "hide_comment_list": ASKERS,
}

# Actions a suspended or banned member may still take: reading and leaving are not posting.
ALLOWED_WHILE_RESTRICTED = frozenset(
    {"manage_account", "hide_comment_list", "read_notifications", "follow"}
)


class AccountRestricted(Exception):
    """Raised when a suspended or banned account tries to act; rendered as a 403 page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def restriction_message(user: User, now: datetime | None = None) -> str | None:
    """Why this account may not post right now, in plain words, or None if it may."""
    if user.status == "banned":
        reason = f" Reason: {user.status_reason}" if user.status_reason else ""
        return f"Your account has been banned, so you cannot post or report.{reason}"
    if user.status == "suspended":
        until = user.suspended_until
        if until is not None and until <= (now or utcnow()):
            return None  # the suspension has run out
        # Imported here: templating reads this module. One way of writing times, everywhere.
        from .templating import human_datetime

        when = f" until {human_datetime(until)}" if until else ""
        reason = f" Reason: {user.status_reason}" if user.status_reason else ""
        return f"Your account is suspended{when}, so you cannot post or report.{reason}"
    return None


def unconfirmed_email_message(user: User) -> str | None:
    """Why this member may not post yet (their email address is not proven), or None.

    Until the link sent at registration is opened, a member reads and sets up their account
    but their comments are refused, text kept, with a button to send the link again.
    """
    if user.email_verified_at is not None:
        return None
    # The address itself is left out: it is private, and this shows wherever a form is.
    return (
        "Please confirm your email address before posting: open the link we emailed you. "
        "What you wrote stays here until then."
    )


def allowed(user: Any, action: str) -> bool:
    """True when user may perform action now (role and account status both checked)."""
    if action not in POLICY:
        raise KeyError(f"unknown action {action!r}")
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role not in POLICY[action]:
        return False
    return action in ALLOWED_WHILE_RESTRICTED or restriction_message(user) is None


def require(action: str) -> None:
    """Abort the request unless the current user may perform action."""
    if not current_user.is_authenticated:
        from .extensions import login_manager

        abort(login_manager.unauthorized())
    if current_user.role not in POLICY[action]:
        abort(403)
    if action not in ALLOWED_WHILE_RESTRICTED:
        message = restriction_message(current_user)
        if message:
            raise AccountRestricted(message)


def can(action: str) -> Callable[[F], F]:
    """Decorator: the view runs only for a logged-in user allowed to perform action."""
    if action not in POLICY:
        raise KeyError(f"unknown action {action!r}")

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            require(action)
            return view(*args, **kwargs)

        guarded.required_action = action  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate
