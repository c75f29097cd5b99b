"""A member's account, in one place: the one service every account-related view and command uses.

It owns creating an account (and the rules a new one must pass), authenticating at login,
changing the display name, the password and whether one's comments are listed on one's public
profile, exporting everything a member wrote, and deleting the account. Problems a person can
fix are raised as AccountError, naming the form field they belong to. Proving an address
(verification, a change of address) lives in addresses.py, reset links in resets.py; both
build on this module.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash, generate_password_hash

from .. import names
from ..extensions import db
from ..forms import FieldError
from ..models import (
    ROLES,
    Comment,
    Flag,
    Follow,
    HelpfulMark,
    NotificationPreference,
    Post,
    User,
    new_session_token,
    utcnow,
)
from ..permissions import CLINICAL
from ..questions import helpful
from ..questions import lifecycle as questions

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200


class AccountError(FieldError):
    """A user-fixable problem with account data; field names which form field it belongs to."""


# --- finding accounts -------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    """The form an email is stored and compared in: trimmed and lower-case."""
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    """The account registered under this email (compared normalised), or None."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def find_by_display_name(display_name: str) -> User | None:
    """The account whose display name is the same name as this one (compared case-folded)."""
    key = names.name_key(display_name)
    return db.session.scalar(select(User).where(User.display_name_key == key))


def email_taken(email: str) -> bool:
    """Whether an account already uses this email."""
    return find_by_email(email) is not None


def display_name_taken(display_name: str, *, except_user: User | None = None) -> bool:
    """Whether someone other than except_user already uses a name that reads like this one."""
    owner = find_by_display_name(display_name)
    return owner is not None and owner is not except_user


def count_users() -> int:
    """How many accounts there are."""
    return db.session.scalar(select(func.count()).select_from(User)) or 0


# --- creating and authenticating --------------------------------------------------------------


def hash_password(password: str) -> str:
    """A salted hash of password, by the configured method."""
    # scrypt (memory-hard) by default; the test suite alone picks a cheaper method for speed.
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    """A hash to check unknown emails against, so both failures cost the same time."""
    cached = current_app.extensions.get("portal_dummy_hash")
    if cached is None:
        cached = hash_password(secrets.token_hex(16))
        current_app.extensions["portal_dummy_hash"] = cached
    return cached


def check_new_account(display_name: str, password: str, role: str) -> str:
    """Every rule a new account passes except the email's; returns the normalised display name.

    Registration checks these before it looks at the email, so that what it answers about
    them never depends on whether the address already has an account.
    """
    if role not in ROLES:
        raise AccountError("role", f"Role must be one of: {', '.join(ROLES)}.")
    display_name = names.normalise(display_name)
    for message in names.problems(display_name, staff=role in CLINICAL):
        raise AccountError("display_name", message)
    check_new_password(password, "password")
    if display_name_taken(display_name):
        raise AccountError("display_name", "This display name is taken. Please choose another.")
    return display_name


def add_user(
    *,
    email: str,
    display_name: str,
    password: str,
    role: str = "patient",
    title: str = "",
    specialty: str = "",
    bio: str = "",
    email_verified: bool = False,
) -> User:
    """create_user without the commit, so that what belongs with it (its verification email)
    is written in the same transaction."""
    email = normalise_email(email)
    display_name = check_new_account(display_name, password, role)
    if email_taken(email):
        raise AccountError("email", "An account with this email already exists.")
    now = utcnow()
    user = User(
        email=email,
        display_name=display_name,
        display_name_key=names.name_key(display_name),
        password_hash=hash_password(password),
        role=role,
        title=title,
        specialty=specialty,
        bio=bio,
        verified_at=now if role in CLINICAL else None,
        email_verified_at=now if email_verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_user(**account: Any) -> User:
    """Create an account after checking every rule; raises AccountError naming the field.

    Takes add_user's fields. email_verified: the address counts as proven (accounts the site
    owner or the demo makes); a self-registered member proves it with the link
    addresses.register sends.
    """
    user = add_user(**account)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None; unknown emails cost a hash check too."""
    user = find_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


# --- changing an account ----------------------------------------------------------------------


def change_display_name(user: User, new_name: str) -> None:
    """Rename user after the same checks a new account passes; raises AccountError."""
    new_name = names.normalise(new_name)
    for message in names.problems(new_name, staff=user.is_staff):
        raise AccountError("display_name", message)
    if display_name_taken(new_name, except_user=user):
        raise AccountError("display_name", "This display name is taken. Please choose another.")
    user.display_name = new_name
    user.display_name_key = names.name_key(new_name)
    db.session.commit()


def check_new_password(password: str, field: str = "new_password") -> None:
    """The one rule a new password passes, wherever it is chosen; raises AccountError."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(field, f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(field, f"Use at most {MAX_PASSWORD_LENGTH} characters.")


def set_password(user: User, new: str, field: str = "new_password") -> None:
    """Check and set a new password; every session, remember cookie and reset link dies.

    The login cookie's id holds session_token and a reset link holds reset_nonce, so new
    values of both retire them all (and the logins kept on the server end with the token:
    login_sessions.py). The caller commits (and logs this session in again).
    """
    check_new_password(new, field)
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()
    user.reset_nonce = new_session_token()


def check_password(user: User, password: str) -> bool:
    """Whether password is this member's current one."""
    return check_password_hash(user.password_hash, password or "")


def change_password(user: User, current: str, new: str) -> None:
    """Check the current password, set the new one, and sign out every other session."""
    if not check_password(user, current):
        raise AccountError("current_password", "That is not your current password.")
    set_password(user, new, "new_password")
    db.session.commit()


def set_comment_list_hidden(user: User, hidden: bool) -> None:
    """Keep one's comments off one's public profile (they stay under their posts)."""
    user.hide_comment_list = hidden
    db.session.commit()


# --- a member's own data: export and deletion -------------------------------------------------


def export_for(user: User) -> dict[str, Any]:
    """Everything this member wrote or set, as plain data (what the export download holds)."""
    rows = db.session.execute(
        select(Comment, Post.slug, Post.title)
        .join(Post, Comment.post_id == Post.id)
        .where(Comment.author_id == user.id)
        .order_by(Comment.created_at)
    )
    comments = [
        {
            "id": comment.id,
            "post": {"slug": slug, "title": title},
            "in_reply_to": comment.parent_id,
            "written": comment.created_at.isoformat(),
            "edited": comment.edited_at.isoformat() if comment.edited_at else None,
            "status": comment.status,
            "text": comment.body_source,
            # What it was for: a question (with whom it was asked for and where it stands), a
            # discussion, or a reply (a clinician's holding reply or marked answer).
            "kind": comment.kind,
            "asked_for": comment.asked_for or None,
            "question_state": comment.question_state,
        }
        for comment, slug, title in rows
    ]
    found_helpful = list(
        db.session.scalars(
            select(HelpfulMark.comment_id)
            .where(HelpfulMark.user_id == user.id)
            .order_by(HelpfulMark.created_at)
        )
    )
    reports = [
        {
            "comment": flag.comment_id,
            "reason": flag.reason,
            "note": flag.note,
            "made": flag.created_at.isoformat(),
        }
        for flag in db.session.scalars(select(Flag).where(Flag.reporter_id == user.id))
    ]
    following = [
        {"post": follow.post_id, "thread": follow.thread_id, "since": follow.created_at.isoformat()}
        for follow in db.session.scalars(
            select(Follow).where(Follow.user_id == user.id).order_by(Follow.created_at)
        )
    ]
    notification_choices = {
        choice.kind: choice.delivery
        for choice in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    return {
        "account": {
            "display_name": user.display_name,
            "email": user.email,
            "role": user.role,
            "joined": user.created_at.isoformat(),
            "title": user.title,
            "specialty": user.specialty,
            "bio": user.bio,
            "hide_comment_list": user.hide_comment_list,
            "quote_comments_in_emails": user.quote_in_email,
            # Kinds not listed here use the portal's default delivery.
            "notification_choices": notification_choices,
        },
        "comments": comments,
        "reports": reports,
        "following": following,
        # The answers this member said "This helped me" of, by comment id.
        "found_helpful": found_helpful,
    }


OWNS_POSTS = (
    "Your account has published or draft posts. Please ask an admin to hand them over "
    "before deleting the account."
)


def owns_posts(user: User) -> bool:
    """Whether user wrote any post (published or draft); such accounts are not self-deleted."""
    return bool(db.session.scalar(select(exists().where(Post.author_id == user.id))))


def delete_account(user: User, password: str) -> None:
    """Delete the account and what it wrote; comments others replied to stay as "[deleted]".

    An author of posts is refused before the password is looked at, so that the answer never
    tells a right password from a wrong one without the account going.
    """
    if owns_posts(user):
        raise AccountError("password", OWNS_POSTS)
    if not check_password_hash(user.password_hash, password):
        raise AccountError("password", "That is not your password.")
    # Before their comments go: what they answered waits again, what they found helpful counts
    # one fewer.
    questions.author_leaving(user)
    helpful.member_leaving(user)
    reply = aliased(Comment)
    has_replies = exists().where(reply.parent_id == Comment.id)
    db.session.execute(
        update(Comment)
        .where(Comment.author_id == user.id, has_replies)
        .values(status="deleted", body_source="", body_html="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(Comment)
        .where(Comment.author_id == user.id, ~has_replies)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(user)
    db.session.commit()
