"""Conditional GETs for post pages: visitors get an ETag, and a 304 when nothing changed.

The tag is a hash of what the page shows, read without rendering it: the post and its author
and tags (already loaded), one aggregate query over the discussion and the sidebar's newest
entries, the page's query string and the code that renders it. What that query cannot see
cheaply (an older comment approved into the sidebar, another post renamed) is bounded by a
time bucket, so no page is stale for longer than STALE_AT_MOST.

Logged-in members never get one: their pages hold their own pending comments and actions.
"""

from __future__ import annotations

import hashlib
import time
from functools import cache
from pathlib import Path

from flask import Response, current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import case, func, select

from ..comments.threads import TOMBSTONE_STATUSES
from ..extensions import db
from ..models import Comment, Post, User

STALE_AT_MOST = 300  # seconds


@cache
def _code_fingerprint(*roots: str) -> str:
    """Changes whenever a template or module changes, so a deploy never serves an old page.

    Read once per process; by content, so every worker and every host agrees.
    """
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            if path.suffix in (".html", ".py"):
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _discussion_version(post: Post) -> tuple:
    """One query: this post's visible comments and their authors, and the sidebar's newest."""
    visible = Comment.status.in_(("approved", *TOMBSTONE_STATUSES))
    newest_comment = (
        select(func.max(Comment.created_at)).where(Comment.status == "approved").scalar_subquery()
    )
    newest_post = (
        select(func.max(Post.published_at)).where(Post.status == "published").scalar_subquery()
    )
    row = db.session.execute(
        select(
            func.count(Comment.id),
            func.sum(case((Comment.status == "approved", 1), else_=0)),
            func.max(Comment.id),
            func.max(Comment.edited_at),
            func.max(Comment.moderated_at),
            # Questions answered, claimed, held or closed, and "This helped me" presses.
            func.max(Comment.state_changed_at),
            func.max(Comment.holding_at),
            func.sum(Comment.helpful_count),
            func.aggregate_strings(func.coalesce(User.display_name + User.role, "-"), ","),
            newest_comment,
            newest_post,
        )
        .select_from(Comment)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.post_id == post.id, visible)
    ).one()
    return tuple(row)


def visitor_etag(post: Post) -> str | None:
    """The page's ETag for a visitor, or None when this response must not have one."""
    if current_user.is_authenticated or session.get("_flashes"):
        return None  # a member's own page, or a message to show once
    generate_csrf()  # the page will carry this session's token: make sure it exists now
    author = post.author
    parts = (
        _code_fingerprint(current_app.root_path, current_app.template_folder or ""),
        request.query_string,
        request.wants_fragment,
        # The page carries this session's CSRF token; a new session needs a fresh copy.
        session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")),
        int(time.time() // STALE_AT_MOST),
        post.id,
        post.slug,
        post.title,
        post.summary,
        post.status,
        post.comments_open,
        post.published_at,
        post.updated_at,
        hashlib.sha256((post.body_html + post.references_html).encode()).hexdigest(),
        (
            author.display_name,
            author.role,
            author.title,
            author.specialty,
            author.bio,
            author.verified_at,
        ),
        tuple(tag.name for tag in post.tags),
        _discussion_version(post),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def unchanged(etag: str | None) -> bool:
    """Whether the visitor's cached copy (If-None-Match) is still this page."""
    return etag is not None and request.if_none_match.contains_weak(etag)


def not_modified(etag: str) -> Response:
    response = Response(status=304)
    response.set_etag(etag, weak=True)
    return response


def tag_response(response: Response, etag: str | None) -> Response:
    # Weak: the same page is sent gzip-compressed or not, and stays the same page.
    if etag is not None and response.status_code == 200:
        response.set_etag(etag, weak=True)
    return response
