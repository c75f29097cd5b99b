"""Logins kept on the server: one row per login, so that logging out really ends it.

The login cookie's id is "<user id>:<session_token>:<login key>" (User.get_id), in the session
cookie and the remember cookie alike. A request is logged in only while its login's row has
not ended, so logging out (or "log out of all other devices") makes a copied session cookie or
a copied remember cookie worthless; a new session_token (a password change or reset) still
ends every login at once.

Cost: the check is a condition on the statement that already loads the member (an EXISTS on
the unique key_hash index), so it adds no statement; "last seen" is written at most every
SEEN_EVERY, from the session's own note of when it last wrote it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import after_this_request, current_app, request, session
from sqlalchemy import (
    ColumnElement,
    bindparam,
    delete,
    event,
    exists,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from .extensions import db
from .models import LoginSession, User, UTCDateTime, utcnow

# How stale "last seen" may be: a write per login every five minutes at most, not per request.
SEEN_EVERY = timedelta(minutes=5)
# The session's note of when "last seen" was last written (seconds since the epoch).
SEEN_NOTE = "_login_seen"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def lifetime() -> timedelta:
    """How long a login lasts unused: as long as "Keep me logged in" does."""
    return timedelta(days=current_app.config.get("PORTAL_REMEMBER_DAYS", 30))


def begin(user: User, remember: bool, *, replacing: str = "") -> str:
    """Record a new login of user on this device and return its key (set on user too).

    replacing: the key of the login this device had until now, which ends with it.
    """
    key = secrets.token_urlsafe(24)
    now = utcnow()
    if replacing:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.key_hash == _hash(replacing), LoginSession.ended_at.is_(None))
            .values(ended_at=now)
        )
    # Logins long ended or long unused are of no more use to anyone: this member's go now.
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id,
            or_(LoginSession.ended_at.is_not(None), LoginSession.last_seen_at < now - lifetime()),
        )
    )
    db.session.add(
        LoginSession(
            user_id=user.id,
            key_hash=_hash(key),
            device=describe_device(request.headers.get("User-Agent", "")),
            remember=remember,
            created_at=now,
            last_seen_at=now,
        )
    )
    db.session.commit()
    user.login_key = key
    session[SEEN_NOTE] = time.time()
    return key


# Built once: making the clause anew costs a request about 0.1 ms, ten times what the
# database spends on it; the key and the time come in as bound values.
_STILL_OPEN = exists().where(
    LoginSession.key_hash == bindparam("login_key_hash"),
    LoginSession.user_id == User.id,
    LoginSession.ended_at.is_(None),
    LoginSession.last_seen_at >= bindparam("login_seen_since", type_=UTCDateTime()),
)


def still_open(key: str) -> tuple[ColumnElement[bool], dict[str, Any]]:
    """The condition, on the statement that loads User, that this login has not ended, with
    the values of its bound parameters."""
    return _STILL_OPEN, {"login_key_hash": _hash(key), "login_seen_since": utcnow() - lifetime()}


def note_seen(key: str) -> None:
    """Move the login's "last seen" on, if the session has not done so for SEEN_EVERY."""
    seen = session.get(SEEN_NOTE)
    now = time.time()
    if isinstance(seen, int | float) and now - seen < SEEN_EVERY.total_seconds():
        return

    # After the view, once its own writes are committed, and in a transaction of its own, so
    # that it neither commits a view's half-done work nor waits on it.
    @after_this_request
    def write_last_seen(response: Response) -> Response:
        try:
            with db.engine.begin() as connection:
                connection.execute(
                    update(LoginSession)
                    .where(LoginSession.key_hash == _hash(key), LoginSession.ended_at.is_(None))
                    .values(last_seen_at=utcnow())
                )
        except SQLAlchemyError:  # a busy database: "last seen" can wait for the next request
            current_app.logger.warning("could not note when a login was last seen")
            return response
        session[SEEN_NOTE] = now
        return response


def end(key: str) -> None:
    """End one login (logging out on this device): its cookies, and any copies, stop working."""
    if not key:
        return
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.key_hash == _hash(key), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    db.session.commit()


def end_all(user: User, *, except_key: str = "") -> int:
    """End every login of user but except_key's; the caller commits. Returns how many."""
    statement = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
    )
    if except_key:
        statement = statement.where(LoginSession.key_hash != _hash(except_key))
    result = db.session.execute(statement.values(ended_at=utcnow()))
    return result.rowcount or 0  # type: ignore[attr-defined]


@event.listens_for(Session, "before_flush")
def _token_changes_end_every_login(orm_session: Session, flush_context, instances) -> None:
    """A new session_token (a password changed or reset, two-step login turned on, wherever
    it is done) ends every login of the member on the server, in the same transaction, so
    that the account page never lists a login whose cookies no longer work."""
    for user in list(orm_session.dirty):
        if isinstance(user, User) and inspect(user).attrs.session_token.history.added:
            orm_session.execute(
                update(LoginSession)
                .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
                .values(ended_at=utcnow())
            )


def end_other(user: User, login_id: int, *, this_key: str) -> str | None:
    """End one of user's other open logins (not this device's); returns its device, or None
    when user has no such open login. The caller commits."""
    row = db.session.scalar(
        select(LoginSession).where(
            LoginSession.id == login_id,
            LoginSession.user_id == user.id,
            LoginSession.ended_at.is_(None),
            LoginSession.key_hash != _hash(this_key),
        )
    )
    if row is None:
        return None
    row.ended_at = utcnow()
    return row.device or "An unknown browser"


@dataclass(frozen=True)
class OpenLogin:
    id: int
    device: str
    started: datetime
    last_seen: datetime
    remembered: bool
    this_device: bool


def open_logins(user: User) -> list[OpenLogin]:
    """The member's logins that still work, this device's first, then the latest seen."""
    this_hash = _hash(user.login_key) if user.login_key else ""
    rows = db.session.scalars(
        select(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.ended_at.is_(None),
            LoginSession.last_seen_at >= utcnow() - lifetime(),
        )
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    )
    logins = [
        OpenLogin(
            id=row.id,
            device=row.device or "An unknown browser",
            started=row.created_at,
            last_seen=row.last_seen_at,
            remembered=row.remember,
            this_device=row.key_hash == this_hash,
        )
        for row in rows
    ]
    return sorted(logins, key=lambda login: not login.this_device)


def is_remembered(key: str) -> bool:
    """Whether this login was started with "Keep me logged in"."""
    if not key:
        return False
    return bool(
        db.session.scalar(select(LoginSession.remember).where(LoginSession.key_hash == _hash(key)))
    )


# --- a short, readable name for a device -----------------------------------------------------

# Order matters: Edge and Opera say "Chrome" too, and Chrome says "Safari".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str) -> str:
    """A few words such as "Firefox on Windows": enough to recognise a login by, no more."""
    agent = user_agent[:512]
    browser = next((name for marker, name in _BROWSERS if marker in agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in agent), "")
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system
    # Something else (a script, a test client): its first word, shortened.
    first = re.split(r"[\s/;(]", agent.strip(), maxsplit=1)[0][:40]
    return first or "An unknown browser"
