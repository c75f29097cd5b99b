"""How each member wants each kind of notification: by email at once, in a daily digest, or
only in the portal; and whether emails quote the comment's words.

No row means the kind's default. Clinicians' new-questions notice defaults to the digest;
everything else is emailed at once. Every kind is always shown in the portal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import case, delete, func, select

from ..extensions import db
from ..forms import FieldError
from ..models import DELIVERIES, NOTIFICATION_KINDS, NotificationPreference, User

DEFAULT_DELIVERY: dict[str, str] = {kind: "immediate" for kind in NOTIFICATION_KINDS} | {
    "questions_waiting": "digest",
}

# kind -> how the preferences form and the notifications page name it
KIND_LABELS: dict[str, str] = {
    "reply": "Replies to my comments",
    "answer": "A clinician's answer to my question",
    "comment_approved": "My held comment is published",
    "comment_not_published": "My comment is not published, and why",
    "report_handled": "A moderator has looked at a comment I reported",
    "account_action": "A moderator's action on my account",
    "followed_post": "New comments in discussions I follow",
    "followed_thread": "New replies in threads I follow",
    "question_closed": "A clinician closed my question, and why",
    "redacted": "A moderator removed part of my comment, and why",
    "crisis_held": "A comment from someone who may be in crisis is waiting",
    "questions_waiting": "New questions waiting on my posts",
    "queue_waiting": "The moderation queue has waited too long",
}

# delivery -> how the form says it
DELIVERY_LABELS: dict[str, str] = {
    "immediate": "Email at once",
    "digest": "Daily digest",
    "in_app": "Portal only, no email",
}

# What an unsubscribe link may name besides a kind: every kind, or whatever the digest carries.
ALL_KINDS = "all"
DIGEST = "digest"


class PreferenceError(FieldError):
    """A submitted choice the form never offers; field names the kind."""


def kinds_for(user: User) -> list[str]:
    """The kinds this member can receive: staff hear about questions, admins about the queue."""
    return [
        kind
        for kind in NOTIFICATION_KINDS
        if (kind != "questions_waiting" or user.is_staff)
        and (kind not in ("queue_waiting", "crisis_held") or user.is_admin)
    ]


def deliveries_for(user: User) -> dict[str, str]:
    """Every kind's delivery for this member, defaults filled in (one query)."""
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NOTIFICATION_KINDS}


def delivery_for(user: User, kind: str) -> str:
    """How this member wants kind delivered (one query)."""
    chosen = db.session.scalar(
        select(NotificationPreference.delivery).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind
        )
    )
    return chosen or DEFAULT_DELIVERY[kind]


def deliveries_of(user_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], str]:
    """(user id, kind) -> delivery for many members at once (one query), defaults filled in."""
    user_ids, kinds = list(user_ids), list(kinds)
    chosen: dict[tuple[int, str], str] = {}
    for start in range(0, len(user_ids), 500):  # keeps the IN list within every database's limit
        rows = db.session.execute(
            select(
                NotificationPreference.user_id,
                NotificationPreference.kind,
                NotificationPreference.delivery,
            ).where(
                NotificationPreference.user_id.in_(user_ids[start : start + 500]),
                NotificationPreference.kind.in_(kinds),
            )
        )
        chosen.update({(user_id, kind): delivery for user_id, kind, delivery in rows})
    return {
        (user_id, kind): chosen.get((user_id, kind), DEFAULT_DELIVERY[kind])
        for user_id in user_ids
        for kind in kinds
    }


def effective_delivery(kind_column, preference_column):
    """SQL: the delivery a notification's kind has for its member (the default when no row)."""
    default = case(DEFAULT_DELIVERY, value=kind_column, else_="immediate")
    return func.coalesce(preference_column, default)


def _set(user: User, kind: str, delivery: str) -> None:
    # No row means the default, so choosing the default removes the row.
    db.session.execute(
        delete(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind
        )
    )
    if delivery != DEFAULT_DELIVERY[kind]:
        db.session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery))


def save(user: User, choices: Mapping[str, str | None], quote_in_email: bool) -> None:
    """Store the member's delivery for each kind the form showed, and the quoting choice.

    Raises PreferenceError for a delivery the form does not offer; nothing is stored then.
    """
    kinds = kinds_for(user)
    current = deliveries_for(user)
    wanted: dict[str, str] = {}
    for kind in kinds:
        delivery = choices.get(kind) or current[kind]
        if delivery not in DELIVERIES:
            raise PreferenceError(kind, f"Choose how to hear about “{KIND_LABELS[kind]}”.")
        wanted[kind] = delivery
    for kind, delivery in wanted.items():
        if delivery != current[kind]:
            _set(user, kind, delivery)
    user.quote_in_email = bool(quote_in_email)
    db.session.commit()


def kinds_named_by(token_kind: str, user: User) -> list[str]:
    """The kinds an unsubscribe link turns off: one kind, all of them, or those in the digest."""
    if token_kind == ALL_KINDS:
        return list(NOTIFICATION_KINDS)
    if token_kind == DIGEST:
        return [kind for kind, delivery in deliveries_for(user).items() if delivery == "digest"]
    if token_kind in NOTIFICATION_KINDS:
        return [token_kind]
    return []


def stop_emails(user: User, token_kind: str) -> list[str]:
    """One-click unsubscribe: the kinds named become portal-only. Returns the kinds changed."""
    kinds = kinds_named_by(token_kind, user)
    current = deliveries_for(user)
    changed = [kind for kind in kinds if current[kind] != "in_app"]
    for kind in changed:
        _set(user, kind, "in_app")
    db.session.commit()
    return changed


@dataclass(frozen=True)
class Choice:
    kind: str
    label: str
    delivery: str


@dataclass(frozen=True)
class Settings:
    """What the preferences form shows: a choice per kind this member can get, and quoting."""

    choices: list[Choice]
    deliveries: dict[str, str]
    quote_in_email: bool


def settings_for(user: User) -> Settings:
    """The member's current settings, for the form (one query)."""
    current = deliveries_for(user)
    return Settings(
        choices=[Choice(kind, KIND_LABELS[kind], current[kind]) for kind in kinds_for(user)],
        deliveries=DELIVERY_LABELS,
        quote_in_email=bool(user.quote_in_email),
    )
