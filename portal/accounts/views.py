"""A member's own account page and every setting on it.

Display name, password, whether the public profile lists their comments, the export download
and deleting the account; the accounts service does the work behind each.
"""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from ..extensions import limiter
from ..forms import attach_error
from ..permissions import can
from . import service
from .forms import DeleteAccountForm, DisplayNameForm, PasswordChangeForm

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _render(name_form: DisplayNameForm, password_form: PasswordChangeForm, status: int = 200):
    return (
        render_template("accounts/show.html", name_form=name_form, password_form=password_form),
        status,
    )


@bp.get("")
@can("manage_account")
def show():
    return _render(DisplayNameForm(display_name=current_user.display_name), PasswordChangeForm())


@bp.post("/name")
@can("manage_account")
def change_name() -> Response | tuple[str, int]:
    form = DisplayNameForm()
    if form.validate_on_submit():
        try:
            service.change_display_name(current_user, form.display_name.data)
        except service.AccountError as error:
            attach_error(form, error)
        else:
            flash("Your display name is changed.", "success")
            return redirect(url_for("accounts.show"), 303)
    return _render(form, PasswordChangeForm(), 422)


@bp.post("/password")
@can("manage_account")
@limiter.limit("5 per 15 minutes")
def change_password() -> Response | tuple[str, int]:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            service.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except service.AccountError as error:
            attach_error(form, error)
        else:
            # The token changed, so this session logs in again under it; others are signed out.
            login_user(current_user._get_current_object())
            flash("Your password is changed. Other devices have been logged out.", "success")
            return redirect(url_for("accounts.show"), 303)
    name_form = DisplayNameForm(formdata=None, display_name=current_user.display_name)
    return _render(name_form, form, 422)


@bp.post("/comment-list")
@can("hide_comment_list")
def comment_list_setting() -> str | Response:
    """Patients and caregivers may keep their comment list off their public profile."""
    hidden = request.form.get("hide_comment_list") == "y"
    service.set_comment_list_hidden(current_user, hidden)
    message = (
        "Your comments are now hidden from your profile page."
        if hidden
        else "Your comments are now listed on your profile page."
    )
    if request.wants_fragment:
        return render_template("accounts/_profile_settings.html", saved_message=message)
    flash(message, "success")
    return redirect(url_for("accounts.show", _anchor="profile-settings"), 303)


@bp.get("/export")
@can("manage_account")
def export() -> Response:
    """Everything the member wrote, as a JSON download."""
    body = json.dumps(service.export_for(current_user), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="treatment-talk-export.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@can("manage_account")
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            service.delete_account(current_user._get_current_object(), form.password.data)
        except service.AccountError as error:
            attach_error(form, error)
        else:
            logout_user()
            session.clear()
            flash("Your account and what you wrote have been deleted.", "success")
            return redirect(url_for("posts.index"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/delete.html", form=form), status
