"""Reporting a comment: a small form inline under the comment (htmx) or on its own page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db, limiter
from ..forms import attach_error
from ..models import Comment
from ..permissions import can
from ..posts import queries
from . import reports
from .blueprint import bp, wants_fragment
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
    if comment.author_id == current_user.id:
        abort(403)  # the Report action is never offered on one's own comment
    return comment


def _permalink(comment: Comment) -> str:
    return url_for("posts.show", slug=comment.post.slug, _anchor=f"comment-{comment.id}")


def _form_response(comment: Comment, form: ReportForm, status: int = 200):
    template = "comments/_report_form.html" if wants_fragment() else "comments/report.html"
    return render_template(template, comment=comment, form=form), status


def _notice_response(comment: Comment, message: str) -> str | Response:
    if wants_fragment():
        return render_template("moderation/_report_notice.html", comment=comment, message=message)
    flash(message, "success")
    return redirect(_permalink(comment), 303)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@can("report")
@limiter.limit("20 per hour", methods=["POST"])
def report(comment_id: int):
    """GET: the form (or a friendly note when already reported); POST: send the report."""
    comment = _reportable_or_404(comment_id)
    form = ReportForm()
    if form.is_submitted():
        try:
            if not form.validate_on_submit():
                raise reports.ReportError(
                    "reason", "This form could not be read. Please reload the page and try again."
                )
            outcome = reports.report(comment, current_user, form.reason.data, form.note.data)
        except reports.ReportError as error:
            attach_error(form, error)
            return _form_response(comment, form, 422)
        if not outcome.created:
            return _notice_response(comment, ALREADY)
        return _notice_response(comment, THANKS_HIDDEN if outcome.hidden else THANKS)
    if reports.already_reported(comment, current_user):
        if wants_fragment():
            return render_template(
                "moderation/_report_notice.html", comment=comment, message=ALREADY
            )
        return render_template("comments/report.html", comment=comment, form=None, message=ALREADY)
    return _form_response(comment, form)
