"""What the feeds say: the newest published posts, and the newest approved comments on one post.

Entries carry the stored, sanitized HTML and public display names only; never an email address.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..links import absolute_url
from ..models import Comment, Post, User, utcnow
from ..posts import queries
from .atom import Entry, Feed, Person

POSTS_IN_FEED = 20
COMMENTS_IN_FEED = 50


def _tag_uri(moment: datetime, specific: str) -> str:
    # RFC 4151 tag URIs: stable ids that survive a post's slug changing.
    host = urlsplit(current_app.config["PORTAL_BASE_URL"]).hostname or "localhost"
    return f"tag:{host},{moment:%Y-%m-%d}:{specific}"


def _person(user: User | None) -> Person:
    if user is None:
        return Person("[deleted account]")
    return Person(user.display_name, absolute_url("profiles.show", user_id=user.id))


def _newest(entries: list[Entry], fallback: datetime) -> datetime:
    return max((entry.updated for entry in entries), default=fallback)


def _post_entry(post: Post) -> Entry:
    published = post.published_at or post.created_at
    return Entry(
        id=_tag_uri(post.created_at, f"post-{post.id}"),
        title=post.title,
        updated=post.updated_at or published,
        published=published,
        link=absolute_url("posts.show", slug=post.slug),
        author=_person(post.author),
        summary=post.summary,
        content_html=post.body_html,
        categories=[(tag.slug, tag.name) for tag in post.tags],
    )


def site_feed() -> Feed:
    """The newest published posts, newest first."""
    posts = queries.published_page(1, POSTS_IN_FEED).posts
    entries = [_post_entry(post) for post in posts]
    return Feed(
        id=absolute_url("feeds.posts"),
        title="Treatment Talk: new posts",
        subtitle="Clinicians' posts about treatments.",
        updated=_newest(entries, utcnow()),
        self_url=absolute_url("feeds.posts"),
        page_url=absolute_url("posts.index"),
        entries=entries,
    )


def _comment_entry(post: Post, comment: Comment) -> Entry:
    name = comment.author.display_name if comment.author else "[deleted account]"
    verb = "replied" if comment.parent_id else "commented"
    return Entry(
        id=_tag_uri(comment.created_at, f"comment-{comment.id}"),
        title=f"{name} {verb} on “{post.title}”",
        updated=comment.edited_at or comment.created_at,
        published=comment.created_at,
        link=absolute_url("posts.show", slug=post.slug, _anchor=f"comment-{comment.id}"),
        author=_person(comment.author),
        content_html=comment.body_html,
    )


def comments_feed(post: Post) -> Feed:
    """The newest approved comments and replies on one published post, newest first."""
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.post_id == post.id, Comment.status == "approved")
        .options(joinedload(Comment.author))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(COMMENTS_IN_FEED)
    )
    entries = [_comment_entry(post, comment) for comment in comments]
    return Feed(
        id=_tag_uri(post.created_at, f"post-{post.id}/comments"),
        title=f"Comments on “{post.title}”",
        updated=_newest(entries, post.published_at or post.created_at),
        self_url=absolute_url("feeds.comments", slug=post.slug),
        page_url=absolute_url("posts.show", slug=post.slug, _anchor="comments"),
        entries=entries,
    )
