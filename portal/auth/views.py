"""Registering, logging in and logging out; the accounts service does the account work."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from ..accounts import service as accounts
from ..extensions import limiter
from ..forms import attach_error
from ..models import User
from ..safe_urls import same_site_path
from .forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "That email and password do not match an account. Check both and try again."


def _start_session(user: User, remember: bool = False) -> None:
    # A fresh session on login: nothing planted before it (fixation) survives.
    session.clear()
    login_user(user, remember=remember)


def _login_account_key() -> str:
    """Rate-limit key per account, so that spreading guesses over addresses does not help."""
    return "login-account:" + accounts.normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"], key_func=_login_account_key)
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = same_site_path(request.args.get("next")) or ""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(same_site_path(form.next.data) or url_for("posts.index"))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user, remember=form.remember.data)
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(same_site_path(form.next.data) or url_for("posts.index"), 303)
        form.form_errors.append(LOGIN_FAILED)
    if request.method == "POST":
        return render_template("auth/login.html", form=form), 422
    return render_template("auth/login.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def register() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("accounts.show"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                role=form.role.data,
            )
        except accounts.AccountError as error:
            attach_error(form, error)
        else:
            _start_session(user)
            flash("Your account is ready. Welcome to Treatment Talk.", "success")
            return redirect(same_site_path(request.args.get("next")) or url_for("posts.index"), 303)
    if request.method == "POST":
        return render_template("auth/register.html", form=form), 422
    return render_template("auth/register.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    session.clear()
    flash("You have logged out.", "info")
    return redirect(url_for("posts.index"), 303)
