"""Public profiles: what anyone may see about a member.

Clinicians, admins and non-clinical authors are public professionals: their page shows title,
specialty, bio and posts; a clinician's also their most helpful answers, and clinicians' and
admins' their recent replies. Patients and caregivers are pseudonymous: their page shows the
display name, the role and approved comments, and they may keep even that list to themselves (a
setting on their account page, kept by the accounts service). No profile ever shows an email
address, nor a clinician's registration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, contains_eager

from .. import paging
from ..extensions import db
from ..models import POST_STATUSES, Comment, Post, User
from ..paging import Slice
from ..permissions import WRITERS
from ..sanitize import plain_excerpt

ACTIVITY_PER_PAGE = 20
HELPFUL_ANSWERS_SHOWN = 5
# The newest posts a profile lists; "All posts by …" leads to the rest, a page at a time.
POSTS_SHOWN = 10
QUESTION_OPENING_LENGTH = 120


@dataclass(frozen=True)
class Activity:
    """A page of someone's approved comments (or, for clinicians, replies) on published posts."""

    comments: list[Comment]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class PublishedPost:
    """What the profile lists of a post: its title, address and day."""

    slug: str
    title: str
    published_at: datetime | None


@dataclass(frozen=True)
class HelpfulAnswer:
    """One of a clinician's answers, with the opening words of the question it answers."""

    answer: Comment  # its post loaded
    question_opening: str  # "" when the question is no longer public


@dataclass(frozen=True)
class Profile:
    user: User
    is_professional: bool  # named, with title, bio and posts (clinicians, admins, authors)
    lists_replies: bool  # their activity is their replies (clinicians and admins)
    posts: list[PublishedPost]  # the newest of their published posts (professionals only)
    more_posts: bool  # and they have published more than those
    activity: Activity | None  # None when the member keeps their comments to themselves
    list_hidden: bool
    is_own: bool
    helpful_answers: list[HelpfulAnswer] | None  # verified clinicians only


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


def _visible_count(user: User, *, replies_only: bool):
    """How many _visible_comments there are, read from the author's own index: a comment is on
    a published post unless its post is one of the few that are not (found by the posts'
    status). Joined to each comment's post, the count read a post for every comment its
    author ever wrote."""
    unpublished = select(Post.id).where(
        Post.status.in_([status for status in POST_STATUSES if status != "published"])
    )
    query = (
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.author_id == user.id,
            Comment.status == "approved",
            Comment.post_id.not_in(unpublished),
        )
    )
    if replies_only:
        query = query.where(Comment.parent_id.is_not(None))
    return query


def activity_for(user: User, page: int, per_page: int = ACTIVITY_PER_PAGE) -> Activity:
    """Newest first: a clinician's replies, anyone else's approved comments."""
    query = _visible_comments(user, replies_only=user.is_staff)
    found = paging.fetch_page(
        query.options(contains_eager(Comment.post)).order_by(
            Comment.created_at.desc(), Comment.id.desc()
        ),
        _visible_count(user, replies_only=user.is_staff),
        page,
        per_page,
    )
    return Activity(comments=found.rows, total=found.total, page=found.page, pages=found.pages)


def most_helpful_answers(user: User, limit: int = HELPFUL_ANSWERS_SHOWN) -> list[HelpfulAnswer]:
    """user's public marked answers, most found helpful first, then newest (one statement)."""
    question = aliased(Comment)
    rows = db.session.execute(
        select(Comment, question.body_html, question.status)
        .join(Post, Comment.post_id == Post.id)
        .join(question, question.id == Comment.root_id)
        .where(
            Comment.author_id == user.id,
            Comment.kind == "answer",
            Comment.status == "approved",
            Post.status == "published",
        )
        .options(contains_eager(Comment.post))
        .order_by(Comment.helpful_count.desc(), Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    return [
        HelpfulAnswer(
            answer=answer,
            question_opening=(
                plain_excerpt(body_html, QUESTION_OPENING_LENGTH) if status == "approved" else ""
            ),
        )
        for answer, body_html, status in rows
    ]


# Three columns, not whole posts: an author with a hundred posts made the page load a hundred
# bodies it does not show.
_POST_COLUMNS = (Post.slug, Post.title, Post.published_at)
_NEWEST_FIRST = (Post.published_at.desc(), Post.id.desc())


def _published(user: User) -> tuple:
    return (Post.author_id == user.id, Post.status == "published")


def newest_posts_by(user: User, limit: int = POSTS_SHOWN) -> tuple[list[PublishedPost], bool]:
    """The newest of user's published posts, and whether there are more (one statement): a
    profile costs the same however much its author has written."""
    rows = db.session.execute(
        select(*_POST_COLUMNS).where(*_published(user)).order_by(*_NEWEST_FIRST).limit(limit + 1)
    ).all()
    return [PublishedPost(*row) for row in rows[:limit]], len(rows) > limit


def published_posts_by(user: User, page: int, per_page: int) -> Slice[Any]:
    """A page of user's published posts, newest first (PublishedPost rows), with their total."""
    found = paging.fetch_page(
        select(*_POST_COLUMNS).where(*_published(user)).order_by(*_NEWEST_FIRST),
        select(func.count()).select_from(Post).where(*_published(user)),
        page,
        per_page,
        columns=True,
    )
    posts = [PublishedPost(*row) for row in found.rows]
    return Slice(rows=posts, page=found.page, pages=found.pages, total=found.total)


def profile_for(user: User, viewer: Any, page: int = 1) -> Profile:
    """Everything the profile page shows about user to viewer."""
    is_own = bool(getattr(viewer, "is_authenticated", False)) and viewer.id == user.id
    is_professional = user.role in WRITERS
    hidden = user.asks_questions and user.hide_comment_list
    posts, more_posts = newest_posts_by(user) if is_professional else ([], False)
    return Profile(
        user=user,
        is_professional=is_professional,
        lists_replies=user.is_staff,
        posts=posts,
        more_posts=more_posts,
        activity=activity_for(user, page) if is_own or not hidden else None,
        list_hidden=hidden,
        is_own=is_own,
        helpful_answers=most_helpful_answers(user) if user.is_clinician else None,
    )
