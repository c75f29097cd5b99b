"""Question actions on the post page: marking an answer, taking the mark back, changing a
thread's kind, and "This helped me".

htmx gets the changed thread (or the "This helped me" control) in place; a plain browser
goes back to the comment's permalink (303), or sees the post page again with the reason (422).
The decisions are questions.lifecycle's and questions.helpful's; these views only ask them.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from ..comments import threads
from ..extensions import db
from ..forms import UNREADABLE_FORM, FieldError
from ..models import Comment
from ..permissions import can
from ..posts import queries
from ..posts.page import render_post_page
from ..responding import htmx_answer
from . import helpful, lifecycle, offers

bp = Blueprint("questions", __name__)


def _approved_comment_or_404(comment_id: int) -> Comment:
    """A public comment on a post this reader may read: the only kind these actions touch."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status != "approved" or not queries.can_read(comment.post):
        abort(404)
    return comment


def _thread_for_viewer(root: Comment) -> threads.ThreadNode | None:
    """root's whole thread as the viewer sees it on the post page (None if nothing shows)."""
    replies = list(
        db.session.scalars(
            select(Comment)
            .where(Comment.root_id == root.id, Comment.parent_id.is_not(None))
            .options(joinedload(Comment.author))
            .order_by(Comment.created_at, Comment.id)
        )
    )
    viewer_id = current_user.id if current_user.is_authenticated else None
    nodes = threads.build_threads([root], replies, viewer_id)
    return nodes[0] if nodes else None


def _thread_answer(
    comment: Comment, announcement: str, status: int = 200, error: str | None = None
) -> Response:
    """htmx: comment's thread, redrawn with its new state, focus on comment, and the news."""
    root = lifecycle.thread_root(comment)
    node = _thread_for_viewer(root)
    if node is None:
        html = render_template(
            "comments/_oob_status.html", approved_total=None, announcement=announcement
        )
        return htmx_answer(html, status, reswap="none")
    answers = [c.id for c in _comments_in(node) if c.kind == "answer"]
    html = render_template(
        "questions/_thread_changed.html",
        node=node,
        post=comment.post,
        focus_id=comment.id,
        helpful_marked=helpful.marked_by(current_user, answers),
        question_error_for=comment.id if error else None,
        question_error=error,
        # An error speaks from beside the button (role="alert"), so the live region stays quiet.
        announcement="" if error else announcement,
    )
    return htmx_answer(html, status, retarget=f"#comment-{root.id}", reswap="outerHTML")


def _comments_in(node: threads.ThreadNode) -> list[Comment]:
    found = [node.comment]
    for child in node.children:
        found.extend(_comments_in(child))
    return found


def _done(comment: Comment, announcement: str) -> Response:
    if request.wants_fragment:
        return _thread_answer(comment, announcement)
    flash(announcement, "success")
    return redirect(url_for("posts.show", **threads.permalink_args(comment, current_user)), 303)


def _refused(comment: Comment, message: str) -> Response | tuple[str, int]:
    """The step could not be taken: the reason beside the comment (htmx) or atop the page."""
    if request.wants_fragment:
        return _thread_answer(comment, message, 422, error=message)
    flash(message, "error")
    return render_post_page(comment.post, status=422)


@bp.post("/comments/<int:comment_id>/mark-answer", endpoint="mark_answer")
@can("comment")
def mark_answer(comment_id: int):
    """A clinician marks their reply as the answer, or the asker says it answered them."""
    reply = _approved_comment_or_404(comment_id)
    if not offers.is_party_to(reply, current_user):
        abort(403)
    try:
        question = lifecycle.mark_answer(reply, current_user)
    except FieldError as error:
        return _refused(reply, error.message)
    db.session.commit()
    if question.author_id == current_user.id:
        said = "Marked as the answer to your question. Everyone can now find it."
    else:
        said = "Your reply is marked as the answer. The asker has been told."
    return _done(reply, said)


@bp.post("/comments/<int:comment_id>/unmark-answer", endpoint="unmark_answer")
@can("comment")
def unmark_answer(comment_id: int):
    """The answer's clinician or the asker says it is not the answer after all."""
    answer = _approved_comment_or_404(comment_id)
    if not offers.is_party_to(answer, current_user):
        abort(403)
    try:
        if answer.kind != "answer":
            raise lifecycle.QuestionError("answer", "This reply is not marked as the answer.")
        lifecycle.unmark_answer(lifecycle.thread_root(answer), current_user)
    except FieldError as error:
        return _refused(answer, error.message)
    db.session.commit()
    return _done(answer, "No longer marked as the answer: the question is waiting again.")


KIND_CHANGED = {
    "question": "This thread is now a question for a clinician: it waits for an answer.",
    "discussion": "This thread is now a discussion: it no longer waits for a clinician.",
}


@bp.post("/comments/<int:comment_id>/kind", endpoint="change_kind")
@can("change_thread_kind")
def change_kind(comment_id: int):
    """A clinician or moderator makes a thread a question or a discussion (audit-logged)."""
    thread = _approved_comment_or_404(comment_id)
    kind = request.form.get("kind", "")
    try:
        lifecycle.change_kind(thread, current_user, kind)
    except FieldError as error:
        return _refused(thread, error.message)
    db.session.commit()
    return _done(thread, KIND_CHANGED[kind])


@bp.post("/comments/<int:comment_id>/helpful", endpoint="helpful")
@can("mark_helpful")
def mark_helpful(comment_id: int):
    """ "This helped me", pressed or taken back (the form says which, so a double press is one)."""
    answer = _approved_comment_or_404(comment_id)
    if answer.author_id == current_user.id:
        abort(403)
    wanted = {"yes": True, "no": False}.get(request.form.get("helped", ""))
    try:
        if wanted is None:
            raise helpful.HelpfulError("helped", UNREADABLE_FORM)
        if wanted:
            helpful.mark(answer, current_user)
        else:
            helpful.unmark(answer, current_user)
    except FieldError as error:
        db.session.rollback()
        return _helpful_answer(answer, error.message, 422, error=error.message)
    db.session.commit()
    said = (
        "Thank you: you said this answer helped you."
        if wanted
        else "You took back “This helped me”."
    )
    return _helpful_answer(answer, said)


def _helpful_answer(
    answer: Comment, announcement: str, status: int = 200, error: str | None = None
) -> Response | tuple[str, int]:
    if not request.wants_fragment:
        if error:
            flash(error, "error")
            return render_post_page(answer.post, status=status)
        flash(announcement, "success")
        return redirect(url_for("posts.show", **threads.permalink_args(answer, current_user)), 303)
    html = render_template(
        "questions/_helpful_changed.html",
        comment=answer,
        post=answer.post,
        helped=helpful.has_marked(current_user, answer),
        helpful_error=error,
        announcement=announcement,
    )
    return htmx_answer(html, status)
