"""The post page: a post with a page of its discussion, and the comment form in its place.

Every view that answers with the post page (reading it, or a comment that needs another
try) renders it here, so the page is put together in one way.
"""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_login import current_user

from ..comments import kept_threads, threads
from ..comments.forms import CommentForm
from ..models import Comment, Post
from ..paging import page_arg


def load_discussion(post: Post, *, whole: bool = False) -> threads.ThreadPage:
    """The page of threads the request asks for (?page=, ?order=), as this viewer sees it:
    for most members from a drawing kept for every member of their role (kept_threads),
    unless whole (a reply form opens inside a thread)."""
    page = max(page_arg(), 1)
    per_page = current_app.config["THREADS_PER_PAGE"]
    order = threads.order_from(request.args.get("order"))
    viewer = current_user._get_current_object()
    if not whole and kept_threads.draws_alike(viewer):
        order_arg = None if order == threads.DEFAULT_ORDER else order
        # Permalinks and "log in" links return here: the address of this page of threads.
        post_url = url_for(
            "posts.show", slug=post.slug, page=page if page > 1 else None, order=order_arg
        )
        drawn = kept_threads.load_page(post, viewer, post_url, page, per_page, order)
        if drawn is not None:
            return drawn
    return threads.load_page(post, viewer, page, per_page, order)


def render_post_page(
    post: Post,
    *,
    form: CommentForm | None = None,
    reply_to: Comment | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The post page; form (with its errors and text) sits under reply_to, or at the bottom."""
    html = render_template(
        "posts/show.html",
        post=post,
        thread_page=load_discussion(post, whole=reply_to is not None),
        orders=threads.ORDERS,
        # A visitor gets no form (a link to log in): making one would start a session for them.
        form=form or (CommentForm(formdata=None) if current_user.is_authenticated else None),
        reply_to=reply_to,
    )
    return html, status


# The element the discussion's controls swap; the post page answers with it alone only when
# htmx asks for it, so any other htmx request for the post's address still gets the page.
DISCUSSION_REGION = "discussion-view"


def wants_discussion_region() -> bool:
    return request.wants_fragment and request.htmx.target == DISCUSSION_REGION


def render_discussion_view(post: Post) -> str:
    """For htmx: the discussion's list region alone, in the order asked for."""
    page = load_discussion(post)
    return render_template(
        "posts/_discussion_view_swap.html",
        post=post,
        thread_page=page,
        orders=threads.ORDERS,
        announcement=f"Showing all comments, {threads.ORDERS[page.order].lower()}.",
    )
