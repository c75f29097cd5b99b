"""Creating accounts, checking passwords and changing account details."""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from . import names
from .extensions import db
from .forms import FieldError
from .models import ROLES, User, new_session_token, utcnow

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200


class AccountError(FieldError):
    """A user-fixable problem with account data; field names which form field it belongs to."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    # scrypt (memory-hard) by default; the test suite alone picks a cheaper method for speed.
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    """A hash to check unknown emails against, so both failures cost the same time."""
    cached = current_app.extensions.get("portal_dummy_hash")
    if cached is None:
        cached = hash_password(secrets.token_hex(16))
        current_app.extensions["portal_dummy_hash"] = cached
    return cached


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def find_by_display_name(display_name: str) -> User | None:
    key = names.name_key(display_name)
    return db.session.scalar(select(User).where(User.display_name_key == key))


def email_taken(email: str) -> bool:
    return find_by_email(email) is not None


def display_name_taken(display_name: str, *, except_user: User | None = None) -> bool:
    owner = find_by_display_name(display_name)
    return owner is not None and owner is not except_user


def create_user(
    *,
    email: str,
    display_name: str,
    password: str,
    role: str = "patient",
    title: str = "",
    specialty: str = "",
    bio: str = "",
) -> User:
    """Create an account after checking every rule; raises AccountError naming the field."""
    if role not in ROLES:
        raise AccountError("role", f"Role must be one of: {', '.join(ROLES)}.")
    email = normalise_email(email)
    display_name = names.normalise(display_name)
    for message in names.problems(display_name, staff=role in ("clinician", "admin")):
        raise AccountError("display_name", message)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password", f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if email_taken(email):
        raise AccountError("email", "An account with this email already exists.")
    if display_name_taken(display_name):
        raise AccountError("display_name", "This display name is taken. Please choose another.")
    user = User(
        email=email,
        display_name=display_name,
        display_name_key=names.name_key(display_name),
        password_hash=hash_password(password),
        role=role,
        title=title,
        specialty=specialty,
        bio=bio,
        verified_at=utcnow() if role in ("clinician", "admin") else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None; unknown emails cost a hash check too."""
    user = find_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def change_display_name(user: User, new_name: str) -> None:
    new_name = names.normalise(new_name)
    for message in names.problems(new_name, staff=user.is_staff):
        raise AccountError("display_name", message)
    if display_name_taken(new_name, except_user=user):
        raise AccountError("display_name", "This display name is taken. Please choose another.")
    user.display_name = new_name
    user.display_name_key = names.name_key(new_name)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """Check the current password, set the new one, and sign out every other session."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError("current_password", "That is not your current password.")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError("new_password", f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()
    db.session.commit()


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0
