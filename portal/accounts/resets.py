"""Password reset links: asked for on the login page, sent by an admin, or skipped by the
site owner's command.

A link carries the member's id and reset_nonce, and works for an hour. Sending a link rotates
the nonce (older links die), and so does setting any password (this link dies once used).
Setting a password also rotates session_token, which logs out every other session and
remember-me cookie. Asking for a link answers the same whether or not the address has an
account; the views add the rate limits.
"""

from __future__ import annotations

from datetime import timedelta

from ..extensions import db
from ..links import absolute_url
from ..mail import context as email_context
from ..mail.outbox import queue_email
from ..models import OutgoingEmail, User, new_session_token, utcnow
from ..moderation import audit
from ..tokens import make_token, read_token
from . import service
from .addresses import link_lifetime_words

RESET_LINK_LIFETIME = timedelta(hours=1)


@email_context.register("reset_password")
def _reset_email_context(email: OutgoingEmail) -> dict[str, str]:
    return {"lifetime": link_lifetime_words(RESET_LINK_LIFETIME)}


def request_reset(email: str) -> None:
    """Send a reset link if an account uses this address; nothing tells whether one does."""
    user = service.find_by_email(email)
    if user is not None:
        send_reset_link(user)


def send_reset_link(user: User, *, sent_by: User | None = None) -> None:
    """Queue a new reset link to the member's address; every older link stops working.

    sent_by: the admin who sent it from the member's page (recorded in the audit log).
    """
    user.reset_nonce = new_session_token()
    token = make_token("reset-password", {"user": user.id, "nonce": user.reset_nonce})
    queue_email(user, "reset_password", link=absolute_url("auth.reset_password", token=token))
    if sent_by is not None:
        audit.record(sent_by, "send_password_reset", "user", user.id)
    db.session.commit()


def user_for_link(token: str) -> User | None:
    """The member a reset link is for, or None when it is forged, over an hour old, used,
    or replaced by a newer link or a password change."""
    payload = read_token("reset-password", token, int(RESET_LINK_LIFETIME.total_seconds()))
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    user = db.session.get(User, payload["user"])
    if user is None or not user.reset_nonce or payload.get("nonce") != user.reset_nonce:
        return None
    return user


def reset_password(user: User, new_password: str) -> None:
    """Set the password from a valid link (user_for_link): the link and every other session
    die with it. The link also proves the address, so an unconfirmed one is confirmed."""
    service.set_password(user, new_password, "password")
    user.email_verified_at = user.email_verified_at or utcnow()
    db.session.commit()


def set_password_from_console(user: User, new_password: str) -> None:
    """The site owner's way in when no admin can log in: set the password, log out everywhere."""
    service.set_password(user, new_password, "password")
    audit.record(None, "reset_password_console", "user", user.id)
    db.session.commit()
