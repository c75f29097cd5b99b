"""Reading posts: the home page list, one post by slug, comment counts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask import abort, redirect, url_for
from flask_login import current_user
from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from .. import paging
from ..extensions import db
from ..models import Comment, Post, SlugRedirect, Tag, User, post_tags
from ..permissions import allowed


@dataclass(frozen=True)
class PostPage:
    posts: list[Post]
    comment_counts: dict[int, int]
    page: int
    pages: int
    total: int


def approved_comment_counts(post_ids: list[int]) -> dict[int, int]:
    """Approved comments per post, in one query."""
    if not post_ids:
        return {}
    rows = db.session.execute(
        select(Comment.post_id, func.count())
        .where(Comment.post_id.in_(post_ids), Comment.status == "approved")
        .group_by(Comment.post_id)
    )
    return {post_id: count for post_id, count in rows}


def published_page(page: int, per_page: int, tag: Tag | None = None) -> PostPage:
    """One page of published posts, newest first, with authors, tags and comment counts."""
    conditions = [Post.status == "published"]
    if tag is not None:
        conditions.append(Post.tags.contains(tag))
    found = paging.fetch_page(
        select(Post)
        .where(*conditions)
        # Authors in the same query (one each); tags by a second (a list each).
        .options(joinedload(Post.author), selectinload(Post.tags))
        .order_by(Post.published_at.desc(), Post.id.desc()),
        select(func.count()).select_from(Post).where(*conditions),
        page,
        per_page,
    )
    counts = approved_comment_counts([post.id for post in found.rows])
    return PostPage(
        posts=found.rows,
        comment_counts=counts,
        page=found.page,
        pages=found.pages,
        total=found.total,
    )


# Statements read on every page view are built once: building one cost more than running it.
# (SQLAlchemy statements are immutable, so one object serves every request and thread.)


@cache
def _post_at_slug():
    # Its tags joined too (a post has a few): one statement rather than a second for them.
    return (
        select(Post)
        .where(Post.slug == bindparam("slug"))
        .options(joinedload(Post.author), joinedload(Post.tags))
    )


def post_by_slug(slug: str) -> Post | None:
    return db.session.execute(_post_at_slug(), {"slug": slug}).unique().scalar_one_or_none()


def renamed_post(slug: str) -> Post | None:
    """The post that used to be at slug, if it has been renamed."""
    return db.session.scalar(
        select(Post)
        .join(SlugRedirect, SlugRedirect.post_id == Post.id)
        .where(SlugRedirect.old_slug == slug)
    )


def post_at_slug_or_redirect(slug: str, endpoint: str) -> Post:
    """The post at slug. A renamed post's old slug answers 301 to endpoint at its new slug,
    but only for readers of the post: a draft's new title is not told to strangers. Anything
    else answers 404. Whether the post at slug itself may be read is the caller's question."""
    post = post_by_slug(slug)
    if post is not None:
        return post
    renamed = renamed_post(slug)
    if renamed is not None and can_read(renamed):
        abort(redirect(url_for(endpoint, slug=renamed.slug), 301))
    abort(404)


def can_read(post: Post) -> bool:
    """Published posts are public; drafts belong to their author and admins."""
    if post.is_published:
        return True
    if not current_user.is_authenticated:
        return False
    return post.author_id == current_user.id or allowed(current_user, "read_any_draft")


def get_readable_or_404(slug: str) -> Post:
    post = post_by_slug(slug)
    if post is None or not can_read(post):
        abort(404)
    return post


@dataclass(frozen=True)
class RecentComment:
    comment_id: int
    author_name: str
    post_slug: str
    post_title: str


@dataclass(frozen=True)
class RecentPost:
    slug: str
    title: str


@dataclass(frozen=True)
class RecentActivity:
    posts: list[RecentPost]
    comments: list[RecentComment]


@cache
def _recent_statements(limit: int) -> tuple:
    # Only what the sidebar shows: whole posts carry their bodies, on every page.
    posts = (
        select(Post.slug, Post.title)
        .where(Post.status == "published")
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(limit)
    )
    # The post's status is asked in an EXISTS, not of the join: filtering the joined posts made
    # SQLite read every published post first (a Bloom filter over them) instead of walking
    # the newest approved comments by index and stopping at the limit: 0.06 ms at the usual
    # size, 0.7-1 ms at ten times it, on every page with the sidebar.
    published = aliased(Post)
    comments = (
        select(Comment.id, User.display_name, Post.slug, Post.title)
        .join(Post, Comment.post_id == Post.id)
        .outerjoin(User, Comment.author_id == User.id)
        .where(
            Comment.status == "approved",
            exists().where(published.id == Comment.post_id, published.status == "published"),
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    return posts, comments


def recent_activity(limit: int = 5) -> RecentActivity:
    """The newest published posts and approved comments, for the sidebar (two queries)."""
    posts_statement, comments_statement = _recent_statements(limit)
    posts = [RecentPost(slug, title) for slug, title in db.session.execute(posts_statement)]
    rows = db.session.execute(comments_statement)
    comments = [
        RecentComment(comment_id, name or "[deleted account]", slug, title)
        for comment_id, name, slug, title in rows
    ]
    return RecentActivity(posts=posts, comments=comments)


@dataclass(frozen=True)
class TagCount:
    name: str
    slug: str
    posts: int


def tags_in_use() -> list[TagCount]:
    """Treatment tags that published posts carry, by name, with how many posts each (one query)."""
    rows = db.session.execute(
        select(Tag.name, Tag.slug, func.count(Post.id))
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(Post.status == "published")
        .group_by(Tag.id, Tag.name, Tag.slug)
        .order_by(Tag.name)
    )
    return [TagCount(name, slug, count) for name, slug, count in rows]
