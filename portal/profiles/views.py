"""Public profile pages, and the account setting that keeps a member's comment list private."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import User
from ..permissions import can
from . import service

bp = Blueprint("profiles", __name__)


@bp.get("/people/<int:user_id>")
def show(user_id: int) -> str:
    """A member's public page; htmx asks only for another page of their comments."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    page = request.args.get("page", 1, type=int) or 1
    profile = service.profile_for(user, current_user, page)
    if request.htmx and not request.htmx.history_restore_request:
        return render_template("profiles/_activity.html", profile=profile)
    return render_template("profiles/show.html", profile=profile)


@bp.post("/account/comment-list")
@can("hide_comment_list")
def comment_list_setting() -> str | Response:
    hidden = request.form.get("hide_comment_list") == "y"
    service.set_comment_list_hidden(current_user, hidden)
    message = (
        "Your comments are now hidden from your profile page."
        if hidden
        else "Your comments are now listed on your profile page."
    )
    if request.htmx:
        return render_template("accounts/_profile_settings.html", saved_message=message)
    flash(message, "success")
    return redirect(url_for("accounts.show", _anchor="profile-settings"), 303)
