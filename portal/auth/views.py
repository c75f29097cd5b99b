"""Registering, logging in and out, and a forgotten password; the accounts services do the work.

Registration and "forgot your password?" answer the same whether or not the address has an
account: a "check your email" page. What differs goes by email, to the address's owner.
"""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import two_factor
from ..accounts import addresses, link_pages, resets
from ..accounts import service as accounts
from ..auth_session import end_session, start_session
from ..errors import render_error, rescues_form
from ..extensions import limiter
from ..forms import attach_error
from ..models import User
from ..permissions import restriction_message
from ..safe_urls import same_site_path
from . import throttle
from .forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "That email and password do not match an account. Check both and try again."


def _greeting(user: User) -> tuple[str, str]:
    """What a member reads on logging in: a restricted account is told so at once, not welcomed."""
    restricted = restriction_message(user)
    if restricted:
        return f"You are logged in. {restricted}", "warning"
    return f"Welcome back, {user.display_name}.", "success"


@bp.route("/login", methods=["GET", "POST"])
# Every try costs a password hash: this guards the server against floods from one address.
# Guessing is slowed by counting failures (throttle.py), which a stranger cannot turn against
# the owner of an account.
@limiter.limit("30 per minute", methods=["POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = same_site_path(request.args.get("next")) or ""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(same_site_path(form.next.data) or url_for("posts.index"))
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data)
        keys = throttle.login_keys(email)
        wait = throttle.seconds_to_wait(throttle.keys_to_check(keys, email))
        if wait:
            return _slow_down(form, wait)
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            throttle.forget(keys[:1])  # this account from this address; the others stand
            next_path = same_site_path(form.next.data)
            second_step = two_factor.after_password(user, form.remember.data, next_path)
            if second_step is not None:
                return second_step
            start_session(user, remember=form.remember.data)
            flash(*_greeting(user))
            response = redirect(same_site_path(form.next.data) or url_for("posts.index"), 303)
            return throttle.remember_device(response, email)
        throttle.record_failure(keys)
        form.form_errors.append(LOGIN_FAILED)
        wait = throttle.seconds_to_wait(throttle.keys_to_check(keys, email))
        if wait:
            form.form_errors.append(_wait_message(wait))
    if request.method == "POST":
        return render_template("auth/login.html", form=form), 422
    return render_template("auth/login.html", form=form)


def _wait_message(wait: int) -> str:
    return (
        f"There have been several wrong passwords, so the next try must wait "
        f"{throttle.wait_words(wait)}."
    )


def _slow_down(form: LoginForm, wait: int) -> Response:
    """429 without looking at the password: the wait, and the way in that needs none."""
    message = f"Please slow down. {_wait_message(wait)} Your password was not checked this time."
    g.login_slow_down = message  # a login from the session-ended page keeps its text
    if request.wants_fragment:
        html, status = render_error(429, message)
    else:
        html = render_template("auth/login.html", form=form, slow_down=message, wait=wait)
        status = 429
    response = make_response(html, status)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def register() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("accounts.show"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = addresses.register(
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                role=form.role.data,
            )
        except accounts.AccountError as error:
            attach_error(form, error)
        else:
            # A taken address creates nothing (its owner is emailed). Nobody is logged in
            # either way, so that neither the page nor the header tells who is a member.
            del user
            session.clear()
            session["check_email"] = accounts.normalise_email(form.email.data)
            back_to = same_site_path(request.args.get("next"))
            return redirect(url_for("auth.check_email", next=back_to), 303)
    if request.method == "POST":
        return render_template("auth/register.html", form=form), 422
    return render_template("auth/register.html", form=form)


def minutes_until_allowed() -> int:
    """Whole minutes until the limit this request hit lets the next one through (at least 1)."""
    limit = limiter.current_limit
    if limit is None:
        return 1
    # reset_at is a whole second, rounded up: round, so that a fresh hour reads "60", not "61".
    return max(1, round((limit.reset_at - time.time()) / 60))


@rescues_form("auth.register")
def _keep_the_registration(status: int, message: str):
    """Too many registrations from here: the form again, what was typed kept (passwords are
    never sent back), and the real wait rather than "a few minutes"."""
    form = RegisterForm(meta={"csrf": False})
    minutes = minutes_until_allowed()
    form.form_errors.append(
        "Too many accounts have been registered from this connection in the last hour. "
        f"Please try again in {minutes} minute{'' if minutes == 1 else 's'}; "
        "what you typed here is kept."
    )
    return render_template("auth/register.html", form=form), status


@bp.get("/register/check-email")
def check_email() -> str:
    """After registering: the link is on its way (the same page for an address in use)."""
    return render_template(
        "auth/check_email.html",
        purpose="register",
        address=session.get("check_email"),
        lifetime=addresses.link_lifetime_words(addresses.VERIFY_LINK_LIFETIME),
        next_path=same_site_path(request.args.get("next")),
    )


def _reset_address_key() -> str:
    """Rate-limit key per address asked about, so spreading requests over clients fails."""
    return "reset-address:" + accounts.normalise_email(request.form.get("email", ""))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes;20 per day", methods=["POST"])
# Only requests that were read count against an address, so a typo costs its owner nothing.
@limiter.limit(
    "3 per hour",
    methods=["POST"],
    key_func=_reset_address_key,
    deduct_when=lambda response: response.status_code == 303,
)
def forgot_password() -> str | Response | tuple[str, int]:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        resets.request_reset(form.email.data)
        session["reset_email"] = accounts.normalise_email(form.email.data)
        return redirect(url_for("auth.reset_link_sent"), 303)
    if request.method == "POST":
        return render_template("auth/forgot_password.html", form=form), 422
    return render_template("auth/forgot_password.html", form=form)


@rescues_form("auth.forgot_password")
def _keep_the_address(status: int, message: str):
    """Too many requests: the form again, the address kept and the reason beside it."""
    form = ForgotPasswordForm(meta={"csrf": False})
    form.email.errors = [message]
    return render_template("auth/forgot_password.html", form=form), status


@bp.get("/password/forgot/sent")
def reset_link_sent() -> str:
    """The same answer for every address: if it has an account, a link is on its way."""
    return render_template(
        "auth/check_email.html",
        purpose="reset",
        address=session.get("reset_email"),
        lifetime=addresses.link_lifetime_words(resets.RESET_LINK_LIFETIME),
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_password(token: str) -> Response:
    user = resets.user_for_link(token)
    if user is None:
        return link_pages.dead_link("reset")
    form = ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            resets.reset_password(user, form.password.data)
        except accounts.AccountError as error:
            attach_error(form, error)
        else:
            # Every other session is logged out; this one starts afresh under the new token.
            start_session(user)
            flash(
                "Your password is changed, and every other device has been logged out.",
                "success",
            )
            return redirect(url_for("posts.index"), 303)
    if request.method == "POST":
        status = 422
    page = render_template("auth/reset_password.html", form=form, token=token)
    return link_pages.token_page(page, status)


@bp.post("/logout")
def logout() -> Response:
    end_session()
    flash("You have logged out.", "info")
    return redirect(url_for("posts.index"), 303)
