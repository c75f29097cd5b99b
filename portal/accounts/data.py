"""A member's own data: exporting everything they wrote, and deleting their account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash

from ..extensions import db
from ..models import Comment, Flag, Post, User
from ..users import AccountError


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
        }
        for comment, slug, title in rows
    ]
    reports = [
        {
            "comment": flag.comment_id,
            "reason": flag.reason,
            "note": flag.note,
            "made": flag.created_at.isoformat(),
        }
        for flag in db.session.scalars(select(Flag).where(Flag.reporter_id == user.id))
    ]
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
        },
        "comments": comments,
        "reports": reports,
    }


def owns_posts(user: User) -> bool:
    return bool(db.session.scalar(select(exists().where(Post.author_id == user.id))))


def delete_account(user: User, password: str) -> None:
    """Delete the account and what it wrote; comments others replied to stay as "[deleted]"."""
    if not check_password_hash(user.password_hash, password):
        raise AccountError("password", "That is not your password.")
    if owns_posts(user):
        raise AccountError(
            "password",
            "Your account has published or draft posts. Please ask an admin to hand them over "
            "before deleting the account.",
        )
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
