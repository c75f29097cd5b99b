"""Reporting a comment: a small form inline under the comment (htmx) or on its own page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db, limiter
from ..forms import UNREADABLE_FORM, attach_error
from ..models import Comment
from ..permissions import can
from ..posts import queries
from ..responding import htmx_answer, page_or_fragment
from . import reports
from .blueprint import bp
from .forms import ReportForm

THANKS = "Thank you. A moderator will look at this comment."
THANKS_HIDDEN = (
    "Thank you. Several readers have reported this comment, so it is now hidden "
    "until a moderator looks at it."
)
ALREADY = "You have already reported this comment. Thank you: a moderator will look at it."


def _reportable_or_404(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or not queries.can_read(comment.post):
        abort(404)
    if not reports.is_reportable(comment):
        abort(404)
    if not reports.can_report(current_user, comment):
        abort(403)  # what is left is one's own comment, where Report is never offered
    return comment


def _permalink(comment: Comment) -> str:
    return url_for("posts.show", slug=comment.post.slug, _anchor=f"comment-{comment.id}")


def _form_response(comment: Comment, form: ReportForm, status: int = 200) -> Response:
    return page_or_fragment(
        "comments/report.html",
        "comments/_report_form.html",
        status=status,
        comment=comment,
        form=form,
    )


def _notice_response(comment: Comment, message: str) -> Response:
    if request.wants_fragment:
        return htmx_answer(
            render_template("moderation/_report_notice.html", comment=comment, message=message)
        )
    flash(message, "success")
    return redirect(_permalink(comment), 303)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@can("report")
@limiter.limit("20 per hour", methods=["POST"])
def report(comment_id: int) -> Response:
    """GET: the form (or a friendly note when already reported); POST: send the report."""
    comment = _reportable_or_404(comment_id)
    form = ReportForm()
    if form.is_submitted():
        try:
            if not form.validate_on_submit():
                raise reports.ReportError("reason", UNREADABLE_FORM)
            outcome = reports.report(comment, current_user, form.reason.data, form.note.data)
        except reports.ReportError as error:
            attach_error(form, error)
            return _form_response(comment, form, 422)
        if not outcome.created:
            return _notice_response(comment, ALREADY)
        return _notice_response(comment, THANKS_HIDDEN if outcome.hidden else THANKS)
    if reports.already_reported(comment, current_user):
        # The page shows the notice where the form would be; htmx gets the notice alone.
        return page_or_fragment(
            "comments/report.html",
            "moderation/_report_notice.html",
            comment=comment,
            form=None,
            message=ALREADY,
        )
    return _form_response(comment, form)
