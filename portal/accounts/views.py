"""A member's own account: display name and password."""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from .. import users
from ..extensions import limiter
from ..forms import attach_error
from ..permissions import can
from . import data
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
            users.change_display_name(current_user, form.display_name.data)
        except users.AccountError as error:
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
            users.change_password(current_user, form.current_password.data, form.new_password.data)
        except users.AccountError as error:
            attach_error(form, error)
        else:
            # The token changed, so this session logs in again under it; others are signed out.
            login_user(current_user._get_current_object())
            flash("Your password is changed. Other devices have been logged out.", "success")
            return redirect(url_for("accounts.show"), 303)
    name_form = DisplayNameForm(formdata=None, display_name=current_user.display_name)
    return _render(name_form, form, 422)


@bp.get("/export")
@can("manage_account")
def export() -> Response:
    """Everything the member wrote, as a JSON download."""
    body = json.dumps(data.export_for(current_user), ensure_ascii=False, indent=2)
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
            data.delete_account(current_user._get_current_object(), form.password.data)
        except users.AccountError as error:
            attach_error(form, error)
        else:
            logout_user()
            session.clear()
            flash("Your account and what you wrote have been deleted.", "success")
            return redirect(url_for("posts.index"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/delete.html", form=form), status
