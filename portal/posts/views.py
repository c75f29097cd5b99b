"""Reading: the home page and a post with its discussion."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from ..comments import threads
from ..extensions import db
from ..models import Comment
from ..numbers import database_id
from ..paging import page_arg
from ..responding import page_or_fragment
from . import queries
from .answers import answers_page
from .page import (
    load_discussion,
    render_discussion_view,
    render_post_page,
    wants_discussion_region,
)

bp = Blueprint("posts", __name__)


@bp.get("/")
def index() -> str:
    listing = queries.published_page(page_arg(), current_app.config["POSTS_PER_PAGE"])
    return render_template(
        "posts/index.html", listing=listing, treatment_tags=queries.tags_in_use()
    )


@bp.get("/posts/<slug>")
def show(slug: str):
    post = queries.post_at_slug_or_redirect(slug, "posts.show")
    if not queries.can_read(post):
        abort(404)
    if wants_discussion_region():
        # The discussion's order menu and "All comments" swap the list region in place.
        return render_discussion_view(post)
    reply_to = None
    reply_id = request.args.get("replytocom", type=database_id)
    if reply_id is not None and current_user.is_authenticated:
        reply_to = db.session.scalar(
            threads.select_visible(post, current_user).where(Comment.id == reply_id)
        )
    return render_post_page(post, reply_to=reply_to)


@bp.get("/posts/<slug>/threads")
def more_threads(slug: str) -> str | Response:
    """The next page of top-level threads: a fragment for htmx, the full page otherwise."""
    post = queries.get_readable_or_404(slug)
    order = threads.order_from(request.args.get("order"))
    if not request.wants_fragment:
        order_arg = None if order == threads.DEFAULT_ORDER else order
        return redirect(url_for("posts.show", slug=slug, page=page_arg(), order=order_arg))
    page = load_discussion(post)
    return render_template("comments/_thread_page.html", post=post, thread_page=page)


@bp.get("/posts/<slug>/answers")
def answers(slug: str) -> Response:
    """Clinicians' answers on a post: a page of its own, or for htmx the discussion's list
    region, swapped in place of the threads."""
    post = queries.post_at_slug_or_redirect(slug, "posts.answers")
    if not queries.can_read(post):
        abort(404)
    found = answers_page(post, current_user, page_arg(), current_app.config["THREADS_PER_PAGE"])
    return page_or_fragment(
        "posts/answers.html",
        "posts/_answers_swap.html",
        post=post,
        answers_page=found,
        announcement=f"Showing clinicians' answers ({found.total}).",
    )
