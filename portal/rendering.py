"""Turning stored Markdown sources into stored HTML, at write time and on policy changes."""

from __future__ import annotations

from sqlalchemy import select

from . import sanitize
from .extensions import db
from .models import Comment, Post


def render_comment(source: str) -> str:
    return sanitize.render_markdown(source)


def set_comment_body(comment: Comment, source: str) -> None:
    comment.body_source = source
    comment.body_html = render_comment(source)


def set_post_body(post: Post, body: str, references: str = "") -> None:
    post.body_source = body
    post.body_html = sanitize.render_post_markdown(body)
    post.references_source = references
    post.references_html = sanitize.render_post_markdown(references) if references else ""


def resanitize_all(batch_size: int = 500) -> tuple[int, int]:
    """Re-render every post and comment from its source; returns how many of each."""
    posts = 0
    for post in db.session.scalars(select(Post).execution_options(yield_per=batch_size)):
        set_post_body(post, post.body_source, post.references_source)
        posts += 1
    comments = 0
    for comment in db.session.scalars(select(Comment).execution_options(yield_per=batch_size)):
        set_comment_body(comment, comment.body_source)
        comments += 1
    db.session.commit()
    return posts, comments
