"""Removing part of a comment: the moderator edits its text and says why (moderation.redaction).

The form works as a plain page; htmx posts it in place and, once saved, goes back to the queue.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField, TextAreaField

from .. import personal_data
from ..extensions import db
from ..forms import UNREADABLE_FORM, FieldError, attach_error, strip
from ..models import Comment
from ..permissions import can
from ..responding import htmx_answer, page_or_fragment
from . import redaction
from .blueprint import bp


class RedactionForm(FlaskForm):
    body = TextAreaField(
        "The comment, as it will read",
        description="Delete the words to take out. You may put “[removed]” in their place.",
        render_kw={"rows": 10},
    )
    reason = StringField(
        "Why (the author reads this)",
        description=(
            f"Up to {redaction.MAX_REASON_LENGTH} characters, for example “We removed your "
            "phone number: the community rules ask members not to share contact details.”"
        ),
        filters=[strip],
    )
    approve = BooleanField("Approve it at the same time, so that it appears")


def _redactable_or_404(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status not in redaction.REDACTABLE:
        abort(404)
    return comment


def _render(form: RedactionForm, comment: Comment, status: int = 200) -> Response:
    source = comment.body_source
    return page_or_fragment(
        "moderation/redact.html",
        "moderation/_redact_form.html",
        status=status,
        form=form,
        comment=comment,
        marked_source=personal_data.marked(source, personal_data.find(source)),
    )


@bp.route(
    "/moderation/comments/<int:comment_id>/redact", methods=["GET", "POST"], endpoint="redact"
)
@can("moderate")
def redact(comment_id: int) -> Response:
    comment = _redactable_or_404(comment_id)
    if request.method == "GET":
        return _render(RedactionForm(formdata=None, body=comment.body_source), comment)
    form = RedactionForm()
    try:
        if not form.validate_on_submit():
            raise redaction.RedactionError("", UNREADABLE_FORM)
        redaction.redact(
            comment, current_user, form.body.data, form.reason.data, approve=form.approve.data
        )
    except FieldError as error:
        attach_error(form, error)
        return _render(form, comment, 422)
    approved = form.approve.data and comment.status == "approved"
    flash(
        "Part of the comment is removed"
        + (" and it is approved" if approved else "")
        + "; its author is told why.",
        "success",
    )
    back = url_for("moderation.queue")
    if request.wants_fragment:
        return htmx_answer(redirect=back)
    return redirect(back, 303)
