"""Slowing down password guessing without letting a stranger lock the owner out.

Only failures count: a password that was checked and was wrong. Each rule counts them under
its own key, and after its free failures asks for a growing wait before the next try, doubling
up to a ceiling:

- one account from one client address: a few failures, then 30 s, 1 min, 2 min ... 15 min;
- one client address, whatever the accounts: more failures, then 1 min ... 1 hour;
- one account from anywhere: short waits, 5 s ... 1 min at most, so that guessing spread over
  many addresses is slowed while the owner, on a fresh client, waits a minute at the worst;
  the reset link (auth.forgot_password, which the page offers) always lets them in. A browser
  that has logged in to the account before carries a signed "known device" cookie, and this
  rule does not apply to it at all (OWASP's device cookies): strangers never slow the owner
  on their own devices.

A wait is never slept through on the server (that would tie up a worker): the page says how
long it is and the browser tries again. A success forgets the failures of that account from
that address. Failures older than FORGET_AFTER are forgotten.

Why a table, not Flask-Limiter's storage: a wait that grows with each failure needs the time of
the last failure, which the limiter's windows do not expose alike in memory and in Redis; a
table is shared by every worker as the database is, and tests can move a failure into the past
instead of sleeping.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import LoginFailure, User, utcnow

FORGET_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class Rule:
    name: str
    free: int  # failures allowed before any wait
    first_wait: int  # seconds, after the last free failure
    longest_wait: int  # seconds: the ceiling the doubling stops at

    def wait_after(self, failures: int) -> int:
        if failures < self.free:
            return 0
        return min(self.longest_wait, self.first_wait * 2 ** min(failures - self.free, 30))


ACCOUNT_FROM_ADDRESS = Rule("login-account-address", free=3, first_wait=30, longest_wait=900)
FROM_ADDRESS = Rule("login-address", free=10, first_wait=60, longest_wait=3600)
ACCOUNT = Rule("login-account", free=10, first_wait=5, longest_wait=60)
# Deleting one's account asks for the password of someone already logged in: counted per member.
DELETION = Rule("delete-account", free=3, first_wait=30, longest_wait=900)

Keys = list[tuple[Rule, str]]


def login_keys(email: str) -> Keys:
    """What a login attempt with this (normalised) email is counted under."""
    address = get_remote_address() or ""
    return [
        (ACCOUNT_FROM_ADDRESS, f"{email}|{address}"),
        (FROM_ADDRESS, address),
        (ACCOUNT, email),
    ]


def keys_to_check(keys: Keys, email: str) -> Keys:
    """The keys a login attempt must wait for: on a known device, not the account-wide one."""
    if is_known_device(email):
        return [(rule, value) for rule, value in keys if rule is not ACCOUNT]
    return keys


# --- known devices: browsers that have logged in to an account before -------------------------

KNOWN_DEVICE_DAYS = 180
# A browser shared by a family knows a few accounts; more than this and the oldest is dropped.
KNOWN_ACCOUNTS_PER_DEVICE = 5


def _known_device_cookie() -> tuple[str, bool]:
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    return ("__Host-known_device" if secure else "known_device"), secure


def _device_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="known-device")


def _account_fingerprint(email: str) -> str:
    # The cookie is signed, not encrypted: it names no address, only a hash of one.
    return hashlib.sha256(f"known-device:{email}".encode()).hexdigest()[:20]


def _known_fingerprints() -> list[str]:
    name, _ = _known_device_cookie()
    value = request.cookies.get(name)
    if not value:
        return []
    try:
        known = _device_signer().loads(value)
    except BadSignature:
        return []
    return [item for item in known if isinstance(item, str)] if isinstance(known, list) else []


def is_known_device(email: str) -> bool:
    """Whether this browser has logged in to the account with this email before."""
    return _account_fingerprint(email) in _known_fingerprints()


def remember_device(response: Response, email: str) -> Response:
    """After a login: this browser is known to the account from now on."""
    fingerprint = _account_fingerprint(email)
    known = [fingerprint] + [item for item in _known_fingerprints() if item != fingerprint]
    name, secure = _known_device_cookie()
    response.set_cookie(
        name,
        _device_signer().dumps(known[:KNOWN_ACCOUNTS_PER_DEVICE]),
        max_age=int(timedelta(days=KNOWN_DEVICE_DAYS).total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="Lax",
    )
    return response


def deletion_keys(member: User) -> Keys:
    return [(DELETION, str(member.id))]


def _hash(rule: Rule, value: str) -> str:
    # Hashed: the table keeps no address or email, and every key has one length.
    return hashlib.sha256(f"{rule.name}:{value}".encode()).hexdigest()


def enabled() -> bool:
    """Off with the other rate limits (PORTAL_RATELIMIT_ENABLED; tests not marked rate_limits)."""
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def seconds_to_wait(keys: Keys) -> int:
    """How long until these keys allow another try (0: now). One statement."""
    if not enabled():
        return 0
    rules = {_hash(rule, value): rule for rule, value in keys}
    now = utcnow()
    rows = db.session.execute(
        select(LoginFailure.key_hash, LoginFailure.failures, LoginFailure.last_failure_at).where(
            LoginFailure.key_hash.in_(rules), LoginFailure.last_failure_at >= now - FORGET_AFTER
        )
    )
    waits = [0]
    for key_hash, failures, last_failure_at in rows:
        wait = rules[key_hash].wait_after(failures)
        if wait:  # (a failure still free may carry a time a moment after this request's)
            allowed_at = last_failure_at + timedelta(seconds=wait)
            waits.append(math.ceil((allowed_at - now).total_seconds()))
    return max(waits)


def record_failure(keys: Keys) -> None:
    """Count a wrong password under each key (atomically, whichever worker) and commit."""
    if not enabled():
        return
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stale = LoginFailure.last_failure_at < now - FORGET_AFTER
    for rule, value in keys:
        statement = insert(LoginFailure).values(
            key_hash=_hash(rule, value), failures=1, last_failure_at=now
        )
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[LoginFailure.key_hash],
                set_={
                    "failures": case((stale, 1), else_=LoginFailure.failures + 1),
                    "last_failure_at": now,
                },
            )
        )
    # Forgotten failures are of no more use: clearing them here keeps the table small. Rows
    # another request holds are skipped, so two requests clearing at once never wait on
    # each other (a deadlock on PostgreSQL); a later failure clears them.
    forgotten = (
        select(LoginFailure.id)
        .where(LoginFailure.last_failure_at < now - FORGET_AFTER)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(delete(LoginFailure).where(LoginFailure.id.in_(forgotten)))
    db.session.commit()


def forget(keys: Keys) -> None:
    """The right password: these keys start again from nothing."""
    hashes = [_hash(rule, value) for rule, value in keys]
    db.session.execute(delete(LoginFailure).where(LoginFailure.key_hash.in_(hashes)))
    db.session.commit()


def wait_words(seconds: int) -> str:
    """A wait as a person says it: "30 seconds", "2 minutes"."""
    if seconds < 90:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = round(seconds / 60)
    return f"{minutes} minutes"
