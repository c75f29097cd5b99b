"""Seeding the demo: accounts, posts and a discussion, safe to run more than once.

What the demo says lives in content/ (read by loader.py); this module puts it in the database.
Demo passwords are generated on first seeding and written to instance/demo-logins.txt
(readable by the owner only), so that nothing secret lives in the code.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select, update

from .. import rendering, tags
from ..accounts import service as accounts
from ..extensions import db
from ..models import Comment, Notification, OutgoingEmail, Post, User, utcnow
from ..questions import helpful, lifecycle
from .loader import DemoComment, people, posts

LOGINS_FILE = "demo-logins.txt"
# Consecutive comments in the demo are this far apart, in the order the threads list them.
COMMENT_INTERVAL = timedelta(hours=3, minutes=17)


@dataclass
class SeedReport:
    users_created: int = 0
    posts_created: int = 0
    comments_created: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, email, password

    def summary(self) -> str:
        lines = [
            f"Demo: {self.users_created} accounts, {self.posts_created} posts, "
            f"{self.comments_created} comments created."
        ]
        if self.users_created == 0 and self.posts_created == 0:
            lines.append("The demo was already there; nothing changed.")
        return "\n".join(lines)


def logins_path() -> Path:
    return Path(current_app.instance_path) / LOGINS_FILE


def has_accounts() -> bool:
    """Whether anybody has an account yet; `make run` seeds only a database without any."""
    return accounts.count_users() > 0


def _demo_password() -> str:
    return "-".join(secrets.token_hex(3) for _ in range(3))  # 20 characters, easy to type


def _save_logins(logins: list[tuple[str, str, str]]) -> None:
    """Write the new accounts' logins beside the ones kept from before, one line per email: a
    demo seeded again into a fresh database gives its people new passwords, which replace the
    old lines instead of following them."""
    path = logins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    by_email: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 3:
                by_email[parts[1]] = line
    for role, email, password in logins:
        by_email[email] = f"{role:<10} {email:<32} {password}"
    path.write_text("".join(line + "\n" for line in by_email.values()))
    os.chmod(path, 0o600)


def _seed_users(report: SeedReport) -> dict[str, User]:
    by_key: dict[str, User] = {}
    for spec in people():
        user = accounts.find_by_email(spec.email)
        if user is None:
            password = _demo_password()
            user = accounts.create_user(
                email=spec.email,
                display_name=spec.display_name,
                password=password,
                role=spec.role,
                title=spec.title,
                specialty=spec.specialty,
                bio=spec.bio,
                email_verified=True,  # demo people post from the start
            )
            report.users_created += 1
            report.logins.append((spec.role, spec.email, password))
        by_key[spec.key] = user
    return by_key


def _add_comments(
    post: Post,
    specs: tuple[DemoComment, ...],
    by_key: dict[str, User],
    clock: datetime,
    report: SeedReport,
) -> None:
    created: dict[str, Comment] = {}
    for spec in specs:
        clock += COMMENT_INTERVAL
        parent = created[spec.reply_to] if spec.reply_to is not None else None
        author = by_key[spec.author]
        comment = Comment(
            post=post,
            author=author,
            parent=parent,
            status=spec.status,
            created_at=clock,
            kind=lifecycle.kind_for_new_comment(
                author, parent, asking=spec.kind != "discussion", holding=spec.holding
            ),
            asked_for=spec.asked_for,
            held_reason=(
                "New members' first comments are read by a moderator before they appear."
                if spec.status == "pending"
                else ""
            ),
        )
        rendering.set_comment_body(comment, spec.body)
        lifecycle.comment_added(comment)
        db.session.add(comment)
        db.session.flush()
        comment.root_id = parent.root_id if parent is not None else comment.id
        created[spec.id] = comment
        report.comments_created += 1
    _settle_questions(specs, created, by_key)


def _settle_questions(
    specs: tuple[DemoComment, ...], created: dict[str, Comment], by_key: dict[str, User]
) -> None:
    """Take each question to the state the demo shows, by the steps a clinician would take."""
    for spec in specs:
        comment = created[spec.id]
        if spec.claimed_by:
            lifecycle.claim(comment, by_key[spec.claimed_by])
        if spec.closed and spec.closed_by:
            lifecycle.close(comment, by_key[spec.closed_by], spec.closed, spec.close_note)
        if spec.marked_by:
            lifecycle.mark_answer(comment, by_key[spec.marked_by])
        for key in spec.helpful:
            helpful.mark(comment, by_key[key])


def _history_is_not_news(notifications_before: int, emails_before: int) -> None:
    """The demo's questions were answered, claimed and closed in its past: the notices those
    steps wrote are read already, and no email goes out about them."""
    now = utcnow()
    db.session.execute(
        update(Notification)
        .where(Notification.id > notifications_before)
        .values(read_at=now, emailed_at=now)
    )
    db.session.execute(delete(OutgoingEmail).where(OutgoingEmail.id > emails_before))


def _last_id(model) -> int:
    return db.session.scalar(select(func.max(model.id))) or 0


def seed_demo() -> SeedReport:
    """Create whatever part of the demo is missing; never duplicates or overwrites."""
    report = SeedReport()
    notifications_before, emails_before = _last_id(Notification), _last_id(OutgoingEmail)
    by_key = _seed_users(report)
    now = utcnow()
    for spec in posts():
        if db.session.scalar(select(Post.id).where(Post.slug == spec.slug)) is not None:
            continue
        published = now - timedelta(days=spec.days_ago)
        post = Post(
            slug=spec.slug,
            title=spec.title,
            summary=spec.summary,
            author=by_key[spec.author],
            status="published",
            created_at=published,
            published_at=published,
            tags=[tags.get_or_create(name) for name in spec.tags],
        )
        rendering.set_post_body(post, spec.body, spec.references)
        db.session.add(post)
        db.session.flush()
        report.posts_created += 1
        _add_comments(post, spec.comments, by_key, published, report)
    _history_is_not_news(notifications_before, emails_before)
    db.session.commit()
    if report.logins:
        _save_logins(report.logins)
    return report
