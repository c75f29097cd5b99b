"""Public profiles: what anyone may see about a member.

Clinicians (and admins) are public professionals: their page shows title, specialty, bio, posts
and recent answers. Patients and caregivers are pseudonymous: their page shows the display name,
the role and approved comments, and they may keep even that list to themselves (a setting on
their account page, kept by the accounts service). No profile ever shows an email address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from .. import paging
from ..extensions import db
from ..models import Comment, Post, User

ACTIVITY_PER_PAGE = 20


@dataclass(frozen=True)
class Activity:
    """A page of someone's approved comments (or, for clinicians, answers) on published posts."""

    comments: list[Comment]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Profile:
    user: User
    is_professional: bool
    posts: list[Post]
    activity: Activity | None  # None when the member keeps their comments to themselves
    list_hidden: bool
    is_own: bool


def _visible_comments(user: User, *, replies_only: bool):
    query = (
        select(Comment)
        .join(Post, Comment.post_id == Post.id)
        .where(
            Comment.author_id == user.id,
            Comment.status == "approved",
            Post.status == "published",
        )
    )
    if replies_only:
        query = query.where(Comment.parent_id.is_not(None))
    return query


def activity_for(user: User, page: int, per_page: int = ACTIVITY_PER_PAGE) -> Activity:
    """Newest first: a clinician's answers (their replies), anyone else's approved comments."""
    query = _visible_comments(user, replies_only=user.is_staff)
    found = paging.fetch_page(
        query.options(contains_eager(Comment.post)).order_by(
            Comment.created_at.desc(), Comment.id.desc()
        ),
        query.with_only_columns(func.count(Comment.id)),
        page,
        per_page,
    )
    return Activity(comments=found.rows, total=found.total, page=found.page, pages=found.pages)


def published_posts_by(user: User) -> list[Post]:
    return list(
        db.session.scalars(
            select(Post)
            .where(Post.author_id == user.id, Post.status == "published")
            .order_by(Post.published_at.desc(), Post.id.desc())
        )
    )


def profile_for(user: User, viewer: Any, page: int = 1) -> Profile:
    """Everything the profile page shows about user to viewer."""
    is_own = bool(getattr(viewer, "is_authenticated", False)) and viewer.id == user.id
    hidden = not user.is_staff and user.hide_comment_list
    return Profile(
        user=user,
        is_professional=user.is_staff,
        posts=published_posts_by(user) if user.is_staff else [],
        activity=activity_for(user, page) if is_own or not hidden else None,
        list_hidden=hidden,
        is_own=is_own,
    )
