"""A login that has passed the password and waits for the second factor.

It lives in the session as the member's id, when the password was checked, "keep me logged
in", where to go next and a fingerprint of the member's session token, nothing more. It is not
a login: current_user stays anonymous until the code is right. It lasts a few minutes, and a
password change meanwhile (a new session token) ends it.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from flask import session

from ..auth_session import end_session
from ..extensions import db
from ..models import User

SESSION_KEY = "two_factor_pending"
LIFETIME_SECONDS = 5 * 60


@dataclass(frozen=True)
class PendingLogin:
    user: User
    remember: bool
    next_path: str | None


def _fingerprint(token: str) -> str:
    # The session cookie is signed, not encrypted: it carries no usable part of the token.
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def begin(user: User, remember: bool, next_path: str | None) -> None:
    """Start afresh (whoever was logged in here is logged out), holding only the half login."""
    end_session()
    session[SESSION_KEY] = {
        "user": user.id,
        "at": int(time.time()),
        "remember": bool(remember),
        "next": next_path or "",
        "token": _fingerprint(user.session_token),
    }


def current() -> PendingLogin | None:
    """The half-done login of this session, if it is still fresh and still the member's."""
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return None
    checked_at = held.get("at")
    if not isinstance(checked_at, int) or time.time() - checked_at > LIFETIME_SECONDS:
        return None
    user_id = held.get("user")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or held.get("token") != _fingerprint(user.session_token):
        return None
    return PendingLogin(
        user=user, remember=bool(held.get("remember")), next_path=held.get("next") or None
    )


def expired() -> bool:
    """A half login was here but is no longer usable (too old, or the password changed)."""
    return SESSION_KEY in session and current() is None


def next_path() -> str | None:
    held = session.get(SESSION_KEY)
    return (held.get("next") or None) if isinstance(held, dict) else None


def end() -> None:
    session.pop(SESSION_KEY, None)
