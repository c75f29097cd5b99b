"""Has this been asked? Answered questions like the one being written, beside the form.

With htmx the form's "similar questions" region asks here as the writer pauses; without it,
the form's "Check for similar questions" button posts the whole form here and the post page
comes back with the form exactly as it was and the questions beside it. Nothing is stored.
The draft is health text, so it only ever travels in a POST body, never in an address.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..comments.forms import CommentForm
from ..errors import rescues_form
from ..extensions import limiter
from ..permissions import can
from ..posts import queries
from ..posts.page import render_post_page
from ..responding import htmx_answer
from . import similar

bp = Blueprint("similar_questions", __name__)

# A look is cheap but each pause in typing sends one: generous, per member, and its own budget
# (looking never spends the allowance for posting).
SIMILAR_LOOKUP_LIMIT = "60 per minute;600 per hour"


def _member_key() -> str:
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return get_remote_address()


@bp.post("/posts/<slug>/similar-questions")
@can("comment")
@limiter.limit(SIMILAR_LOOKUP_LIMIT, key_func=_member_key)
def check(slug: str):
    # Only those who ask (patients and caregivers) are offered this; clinicians answer.
    if not current_user.asks_questions:
        abort(403)
    post = queries.get_readable_or_404(slug)
    form = CommentForm()
    form.similar_check = similar.check(form.body.data)
    if not request.wants_fragment:
        return render_post_page(post, form=form)
    shown_before = request.form.get("similar_shown", "")
    html = render_template(
        "search/_similar_questions_swap.html",
        check=form.similar_check,
        form_id="comment-form",
        announce=form.similar_check.ids != shown_before,
        explicit=request.form.get("check_similar") == "1",
    )
    return htmx_answer(html)


@rescues_form("similar_questions.check")
def _keep_the_draft(status: int, message: str):
    """Refused before the view ran (an expired form, too many looks): the page again, the
    draft as it was and the reason beside it."""
    post = queries.get_readable_or_404(request.view_args["slug"])
    form = CommentForm(meta={"csrf": False})
    form.body.errors = [message]
    return render_post_page(post, form=form, status=status)
