"""Email addresses: proving one is a member's own, and moving an account to a new one.

Registering sends a signed, time-limited verification link; until it is opened the member
reads and sets up their account but cannot post (permissions.unconfirmed_email_message).
Registering with an address that already has an account creates nothing and tells that
address's owner instead, so the answer on screen never says who is a member. A new address
takes effect only when a link sent to it is opened; the old address is then told.

Every email is a row written in the transaction of its cause (mail.outbox); nothing here sends.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, select

from ..extensions import db
from ..links import absolute_url
from ..mail import context as email_context
from ..mail.outbox import queue_email
from ..models import OutgoingEmail, User, new_session_token, utcnow
from ..tokens import make_token, read_token
from . import service
from .service import AccountError

VERIFY_LINK_LIFETIME = timedelta(days=3)
CHANGE_LINK_LIFETIME = timedelta(days=2)
# At most one "someone tried to use your address" email per account in this time, however
# often a stranger tries: it must not become a way to flood someone's inbox.
ATTEMPT_NOTICE_INTERVAL = timedelta(hours=1)


def link_lifetime_words(lifetime: timedelta) -> str:
    """How long a link works, in the words pages and emails use ("3 days", "1 hour")."""
    hours = int(lifetime.total_seconds() // 3600)
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{hours} hour{'s' if hours != 1 else ''}"


# --- registering ------------------------------------------------------------------------------


def register(*, email: str, display_name: str, password: str, role: str) -> User | None:
    """Create an account and queue its verification link; returns it, or None when the
    address already has an account (nothing is created and its owner is told instead).

    Raises AccountError only for what says nothing about other members' addresses (the
    display name, the password, the role), so both outcomes look alike to whoever registers.
    """
    address = service.normalise_email(email)
    owner = service.find_by_email(address)
    if owner is None:
        user = service.add_user(
            email=address, display_name=display_name, password=password, role=role
        )
        _queue_verification_link(user)
        db.session.commit()
        return user
    service.check_new_account(display_name, password, role)
    service.hash_password(password)  # the work a new account costs, so timing tells nothing
    tell_owner_of_attempt(owner)
    db.session.commit()
    return None


def tell_owner_of_attempt(owner: User) -> None:
    """Queue "someone tried to use your address" to owner, unless one went out lately."""
    since = utcnow() - ATTEMPT_NOTICE_INTERVAL
    recent = db.session.scalar(
        select(
            exists().where(
                OutgoingEmail.user_id == owner.id,
                OutgoingEmail.template == "register_attempt",
                OutgoingEmail.created_at >= since,
            )
        )
    )
    if not recent:
        queue_email(owner, "register_attempt")


# --- verifying an address ---------------------------------------------------------------------


def _queue_verification_link(user: User) -> None:
    token = make_token("verify-email", {"user": user.id, "email": user.email})
    queue_email(user, "verify_email", link=absolute_url("accounts.verify_email", token=token))


def send_verification_link(user: User) -> bool:
    """Queue a fresh verification link; False (and nothing sent) if the address is proven."""
    if user.email_verified_at is not None:
        return False
    _queue_verification_link(user)
    db.session.commit()
    return True


def verify_email(token: str) -> User | None:
    """Mark the address in a verification link as proven; the member, or None for a link
    that is forged, too old, or for an address the account no longer uses.

    Opening a valid link twice is harmless: the second time changes nothing.
    """
    payload = read_token("verify-email", token, int(VERIFY_LINK_LIFETIME.total_seconds()))
    user = _user_in(payload)
    if user is None or user.email != payload.get("email"):
        return None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.commit()
    return user


def _user_in(payload: object) -> User | None:
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    return db.session.get(User, payload["user"])


# --- changing the address ---------------------------------------------------------------------


def request_email_change(user: User, new_email: str, password: str) -> str:
    """Ask to move the account to new_email; returns the address now waiting.

    The current password is required. The link goes to the new address and the account keeps
    the old one until it is opened. An address that belongs to another account gets that
    account's owner a notice instead, and this member the same answer as for any other.
    """
    if not service.check_password(user, password):
        raise AccountError("password", "That is not your current password.")
    address = service.normalise_email(new_email)
    if address == user.email:
        raise AccountError("new_email", "This is already your email address.")
    user.pending_email = address
    owner = service.find_by_email(address)
    if owner is None:
        token = make_token("change-email", {"user": user.id, "new": address, "old": user.email})
        link = absolute_url("accounts.confirm_email_change", token=token)
        queue_email(user, "change_email_confirm", link=link, to_address=address)
    else:
        tell_owner_of_attempt(owner)
    db.session.commit()
    return address


def cancel_email_change(user: User) -> None:
    """Forget the address waiting for confirmation; its link stops working."""
    user.pending_email = None
    db.session.commit()


def email_change_in(token: str) -> tuple[User, str] | None:
    """The member and new address of a valid change link, or None.

    A link dies when it is old, when the change is cancelled or replaced by a newer one
    (pending_email differs), and once it has been used (the account's email differs).
    """
    payload = read_token("change-email", token, int(CHANGE_LINK_LIFETIME.total_seconds()))
    user = _user_in(payload)
    if user is None or user.pending_email is None:
        return None
    if payload.get("old") != user.email or payload.get("new") != user.pending_email:
        return None
    return user, user.pending_email


def confirm_email_change(token: str) -> User | None:
    """Move the account to the address in a valid change link and tell the old address.

    Returns None for a dead link. Raises AccountError when another account took the address
    meanwhile; the change is then dropped.
    """
    change = email_change_in(token)
    if change is None:
        return None
    user, address = change
    if service.email_taken(address):
        user.pending_email = None
        db.session.commit()
        raise AccountError(
            "", "That address now belongs to another account, so your address was not changed."
        )
    old_address = user.email
    user.email = address
    user.pending_email = None
    user.email_verified_at = utcnow()
    user.reset_nonce = new_session_token()  # reset links sent to the old address die
    queue_email(user, "change_email_notice", to_address=old_address)
    db.session.commit()
    return user


# --- what the emails say beyond the base context (rendered by the worker) ------------------


@email_context.register("verify_email")
def _verify_email_context(email: OutgoingEmail) -> dict[str, str]:
    return {"lifetime": link_lifetime_words(VERIFY_LINK_LIFETIME)}


@email_context.register("change_email_confirm")
def _change_email_context(email: OutgoingEmail) -> dict[str, str]:
    return {"lifetime": link_lifetime_words(CHANGE_LINK_LIFETIME)}


@email_context.register("register_attempt")
def _register_attempt_context(email: OutgoingEmail) -> dict[str, str]:
    return {
        "login_url": absolute_url("auth.login"),
        "forgot_url": absolute_url("auth.forgot_password"),
    }
