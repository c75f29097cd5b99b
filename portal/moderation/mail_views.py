"""Failed email, for admins: which messages could not be sent, and "try again"."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..mail import failed
from ..models import OutgoingEmail
from ..paging import page_arg
from ..permissions import can
from ..responding import page_or_fragment
from .blueprint import bp


def _render_list(announcement: str = "") -> Response:
    return page_or_fragment(
        "moderation/mail.html",
        "moderation/_mail_results.html",
        found=failed.list_failed(page_arg()),
        announcement=announcement,
    )


@bp.get("/moderation/mail", endpoint="mail")
@can("moderate")
def failed_mail() -> Response:
    return _render_list()


@bp.post("/moderation/mail/<int:email_id>/retry", endpoint="retry_email")
@can("moderate")
def retry_email(email_id: int) -> Response:
    email = db.session.get(OutgoingEmail, email_id)
    if email is None:
        abort(404)
    try:
        failed.try_again(email, current_user)
        message, category = f"Email {email_id} is queued again; the worker will send it.", "success"
    except failed.NotFailed:
        message, category = f"Email {email_id} had already left the failed list.", "info"
    if request.wants_fragment:
        return _render_list(message)
    flash(message, category)
    return redirect(url_for("moderation.mail"), 303)
