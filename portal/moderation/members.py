"""Admins' actions on accounts: find, suspend, ban, lift, verify a clinician or revoke that,
make a non-clinical author.

Restricting an account leaves what its owner wrote where it is, for moderators to decide.
Every action appends an audit event. A clinician's professional registration is kept for
admins: only the members admin shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, or_, select

from .. import names, paging
from ..extensions import db
from ..forms import FieldError
from ..models import User, utcnow
from ..notifications import events as notifications
from ..notifications.service import notify
from ..questions import lifecycle
from ..templating import human_date
from . import audit

MAX_REASON_LENGTH = 500
MAX_TITLE_LENGTH = 120
MAX_BIO_LENGTH = 2000
LONGEST_SUSPENSION_DAYS = 366
PER_PAGE = 50
MAX_REGISTRATION_BODY_LENGTH = 60
MAX_REGISTRATION_NUMBER_LENGTH = 30
# A regulator's name ("GMC", "Nursing and Midwifery Council"): letters, digits and a little
# punctuation. A registration number ("1234567", "12A3456E", "PH123456"): plain letters and
# digits, perhaps grouped by spaces, hyphens or slashes, with at least one digit.
REGISTRATION_BODY = re.compile(r"[^\W_](?:[^\W_]|[ &.'()-])*", re.UNICODE)
REGISTRATION_NUMBER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|[ /-](?=[A-Za-z0-9]))*")
# What a revoked clinician becomes: a member, or a non-clinical author who keeps their posts.
ROLES_AFTER_REVOKING = ("patient", "author")


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
        reason=f"Until {human_date(ends)}: {reason}",
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


def _checked_profile(**fields: tuple[str | None, int]) -> dict[str, str]:
    """Each field stripped, and no longer than its limit."""
    checked = {}
    for field, (value, limit) in fields.items():
        value = (value or "").strip()
        if len(value) > limit:
            raise MemberActionError(field, f"Use at most {limit:,} characters.")
        checked[field] = value
    return checked


def checked_registration(body: str | None, number: str | None) -> tuple[str, str]:
    """The professional registration an admin checked, tidied; raises MemberActionError."""
    body = " ".join((body or "").split())
    number = " ".join((number or "").split())
    if not body:
        raise MemberActionError(
            "registration_body", "Enter the body they are registered with, like GMC, NMC or HCPC."
        )
    if len(body) > MAX_REGISTRATION_BODY_LENGTH:
        raise MemberActionError(
            "registration_body", f"Use at most {MAX_REGISTRATION_BODY_LENGTH} characters."
        )
    if not REGISTRATION_BODY.fullmatch(body):
        raise MemberActionError(
            "registration_body",
            "Use letters, numbers, spaces and & . ' ( ) - only, like “GMC” or “NMC”.",
        )
    if not number:
        raise MemberActionError("registration_number", "Enter their registration number.")
    if len(number) > MAX_REGISTRATION_NUMBER_LENGTH:
        raise MemberActionError(
            "registration_number", f"Use at most {MAX_REGISTRATION_NUMBER_LENGTH} characters."
        )
    if not REGISTRATION_NUMBER.fullmatch(number) or not any(ch.isdigit() for ch in number):
        raise MemberActionError(
            "registration_number",
            "Use the letters A to Z and digits, as the register shows it, like 1234567 or "
            "12A3456E.",
        )
    return body, number


def verify_clinician(
    user: User,
    admin: User,
    title: str | None,
    specialty: str | None,
    bio: str | None,
    registration_body: str | None,
    registration_number: str | None,
) -> None:
    """Make a member a verified clinician with the profile readers see beside their posts.

    Records who verified them, when, and the registration they gave. Saving the profile of
    someone already verified keeps the date they were first verified ("since" on their
    pages); a changed registration is recorded as checked by this admin.
    """
    if user.is_admin:
        raise MemberActionError("", "Admins already have every permission a clinician has.")
    profile = _checked_profile(
        title=(title, MAX_TITLE_LENGTH),
        specialty=(specialty, MAX_TITLE_LENGTH),
        bio=(bio, MAX_BIO_LENGTH),
    )
    if not profile["title"]:
        raise MemberActionError("title", "Enter their job title, like “Consultant Neurologist”.")
    if not profile["specialty"]:
        raise MemberActionError("specialty", "Enter their specialty, like “Multiple sclerosis”.")
    body, number = checked_registration(registration_body, registration_number)
    old_role = user.role
    newly_verified = not user.is_clinician
    registration_changed = (body, number) != (user.registration_body, user.registration_number)
    user.role = "clinician"
    user.title, user.specialty, user.bio = profile["title"], profile["specialty"], profile["bio"]
    if newly_verified or user.verified_at is None:
        user.verified_at = utcnow()
    if newly_verified or registration_changed or user.verified_by_id is None:
        user.verified_by_id = admin.id
    user.registration_body, user.registration_number = body, number
    audit.record(
        admin,
        "verify_clinician",
        "user",
        user.id,
        reason=f"{profile['title']}, {profile['specialty']}; registered with {body}, {number}",
        from_status=old_role,
        to_status="clinician",
    )
    db.session.commit()


def make_author(user: User, admin: User, title: str | None, bio: str | None) -> None:
    """Make a member a non-clinical author (a researcher, charity staff), or edit their profile.

    Authors write posts and skip pre-moderation, but never answer as clinicians; their badge
    says "Author" and their title.
    """
    if user.is_admin:
        raise MemberActionError("", "Admins already have every permission an author has.")
    if user.is_clinician:
        raise MemberActionError(
            "",
            "This account is a verified clinician. Revoke the verification first: you can keep "
            "them as an author there.",
        )
    profile = _checked_profile(title=(title, MAX_TITLE_LENGTH), bio=(bio, MAX_BIO_LENGTH))
    if not profile["title"]:
        raise MemberActionError(
            "title", "Enter what they do, like “Neuroscientist” or “Charity information officer”."
        )
    old_role = user.role
    user.role, user.title, user.bio = "author", profile["title"], profile["bio"]
    audit.record(
        admin,
        "make_author",
        "user",
        user.id,
        reason=profile["title"],
        from_status=old_role,
        to_status="author",
    )
    db.session.commit()


def revoke_clinician(
    user: User, admin: User, reason: str | None, becomes: str | None, author_title: str | None
) -> int:
    """Withdraw a clinician's verification: their badge goes from everything they wrote.

    They become a patient, or a non-clinical author with a new title (their posts keep a
    named author). Their registration and who verified them are cleared; questions they
    answered wait again (questions.lifecycle). Returns how many questions went back.
    """
    if not user.is_clinician:
        raise MemberActionError("", "This account is not a verified clinician.")
    reason = _checked_reason(reason, required=True)
    if becomes not in ROLES_AFTER_REVOKING:
        raise MemberActionError("becomes", "Choose what the account becomes.")
    title = (author_title or "").strip()
    if becomes == "author":
        if not title:
            raise MemberActionError(
                "author_title", "Enter what they do as an author, like “Neuroscientist”."
            )
        if len(title) > MAX_TITLE_LENGTH:
            raise MemberActionError("author_title", f"Use at most {MAX_TITLE_LENGTH:,} characters.")
        user.title = title
    user.role = becomes
    user.verified_at = user.verified_by_id = None
    user.registration_body = user.registration_number = ""
    reopened = lifecycle.clinician_revoked(user, admin)
    audit.record(
        admin,
        "revoke_clinician",
        "user",
        user.id,
        reason=reason,
        from_status="clinician",
        to_status=becomes,
    )
    now_as = "a non-clinical author" if becomes == "author" else "a member's account"
    notify(
        user,
        "account_action",
        detail=(
            f"Your verification as a clinician was withdrawn: your account is now {now_as}, "
            f"and your replies no longer carry the clinician badge. Reason: {reason}"
        ),
        actor=admin,
    )
    db.session.commit()
    return reopened
