"""The post page: a post with a page of its discussion, and the comment form in its place.

Every view that answers with the post page (reading it, or a comment that needs another
try) renders it here, so the page is put together in one way.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from ..comments import threads
from ..comments.forms import CommentForm
from ..models import Comment, Post
from ..paging import page_arg


def render_post_page(
    post: Post,
    *,
    form: CommentForm | None = None,
    reply_to: Comment | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The post page; form (with its errors and text) sits under reply_to, or at the bottom."""
    page = threads.load_page(post, current_user, page_arg(), current_app.config["THREADS_PER_PAGE"])
    html = render_template(
        "posts/show.html",
        post=post,
        thread_page=page,
        form=form or CommentForm(formdata=None),
        reply_to=reply_to,
    )
    return html, status
