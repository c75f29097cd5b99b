"""Admins' actions on accounts: find, suspend, ban, lift, verify a clinician.

Restricting an account leaves what its owner wrote where it is, for moderators to decide.
Every action appends an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, or_, select

from .. import names, paging
from ..extensions import db
from ..forms import FieldError
from ..models import User, utcnow
from ..notifications import events as notifications
from . import audit

MAX_REASON_LENGTH = 500
MAX_TITLE_LENGTH = 120
MAX_BIO_LENGTH = 2000
LONGEST_SUSPENSION_DAYS = 366
PER_PAGE = 50


class MemberActionError(FieldError):
    """A problem the admin can fix; field names the form field it belongs to ("": the action)."""


@dataclass(frozen=True)
class MemberPage:
    users: list[User]
    page: int
    pages: int
    total: int


def search(query: str = "", page: int = 1, per_page: int = PER_PAGE) -> MemberPage:
    """Accounts whose display name or email contains query, newest first (two queries)."""
    query = (query or "").strip()
    conditions = []
    if query:
        conditions.append(
            or_(
                User.display_name_key.contains(names.name_key(query), autoescape=True),
                User.email.contains(query.lower(), autoescape=True),
            )
        )
    found = paging.fetch_page(
        select(User).where(*conditions).order_by(User.created_at.desc(), User.id.desc()),
        select(func.count()).select_from(User).where(*conditions),
        page,
        per_page,
    )
    return MemberPage(users=found.rows, page=found.page, pages=found.pages, total=found.total)


def _checked_reason(reason: str | None, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise MemberActionError("reason", "Write the reason the member will see.")
    if len(reason) > MAX_REASON_LENGTH:
        raise MemberActionError("reason", f"Use at most {MAX_REASON_LENGTH} characters.")
    return reason


def _not_yourself(user: User, admin: User) -> None:
    if user.id == admin.id:
        raise MemberActionError("", "You cannot restrict your own account.")


def suspension_end(until: date | None, today: date | None = None) -> datetime:
    """The moment a suspension "until" this date ends: the start of that day, UTC."""
    today = today or utcnow().date()
    if until is None:
        raise MemberActionError("until", "Enter the date the suspension ends, like 2025-06-30.")
    if until <= today:
        raise MemberActionError("until", "Choose a date after today.")
    if (until - today).days > LONGEST_SUSPENSION_DAYS:
        raise MemberActionError(
            "until", "Suspensions can last up to a year. For longer, ban the account."
        )
    return datetime.combine(until, time(0, 0), tzinfo=UTC)


def suspend(user: User, admin: User, until: date | None, reason: str | None) -> None:
    """Stop a member posting and reporting until a date, telling them why."""
    _not_yourself(user, admin)
    ends = suspension_end(until)
    reason = _checked_reason(reason, required=True)
    old_status = user.status
    user.status, user.suspended_until, user.status_reason = "suspended", ends, reason
    audit.record(
        admin,
        "suspend",
        "user",
        user.id,
        reason=f"Until {ends:%d %B %Y}: {reason}",
        from_status=old_status,
        to_status="suspended",
    )
    notifications.account_action(user, admin, "suspend", reason)
    db.session.commit()


def ban(user: User, admin: User, reason: str | None) -> None:
    """Stop a member posting and reporting for good, telling them why."""
    _not_yourself(user, admin)
    reason = _checked_reason(reason, required=True)
    old_status = user.status
    user.status, user.suspended_until, user.status_reason = "banned", None, reason
    audit.record(
        admin, "ban", "user", user.id, reason=reason, from_status=old_status, to_status="banned"
    )
    notifications.account_action(user, admin, "ban", reason)
    db.session.commit()


def lift(user: User, admin: User, reason: str | None = "") -> None:
    """End a suspension or ban now."""
    if user.status == "active":
        raise MemberActionError("", "This account is not suspended or banned.")
    reason = _checked_reason(reason, required=False)
    old_status = user.status
    user.status, user.suspended_until, user.status_reason = "active", None, ""
    audit.record(
        admin, "lift", "user", user.id, reason=reason, from_status=old_status, to_status="active"
    )
    notifications.account_action(user, admin, "lift", reason)
    db.session.commit()


def verify_clinician(
    user: User, admin: User, title: str | None, specialty: str | None, bio: str | None
) -> None:
    """Make a member a verified clinician with the profile readers see beside their posts."""
    if user.is_admin:
        raise MemberActionError("", "Admins already have every permission a clinician has.")
    title, specialty, bio = (title or "").strip(), (specialty or "").strip(), (bio or "").strip()
    if not title:
        raise MemberActionError("title", "Enter their job title, like “Consultant Neurologist”.")
    if not specialty:
        raise MemberActionError("specialty", "Enter their specialty, like “Multiple sclerosis”.")
    for field, value, limit in (
        ("title", title, MAX_TITLE_LENGTH),
        ("specialty", specialty, MAX_TITLE_LENGTH),
        ("bio", bio, MAX_BIO_LENGTH),
    ):
        if len(value) > limit:
            raise MemberActionError(field, f"Use at most {limit:,} characters.")
    old_role = user.role
    user.role, user.title, user.specialty, user.bio = "clinician", title, specialty, bio
    user.verified_at = user.verified_at or utcnow()
    audit.record(
        admin,
        "verify_clinician",
        "user",
        user.id,
        reason=f"{title}, {specialty}",
        from_status=old_role,
        to_status="clinician",
    )
    db.session.commit()
