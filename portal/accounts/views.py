"""A member's own account page and every setting on it.

Display name, email address, password, whether the public profile lists their comments, the
export download and deleting the account; the accounts services do the work behind each.
The links emails carry land here too: verifying an address and confirming a new one.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import login_sessions
from ..auth import throttle
from ..auth_session import current_login_key, end_session, start_session
from ..extensions import db, limiter
from ..forms import attach_error
from ..permissions import can
from ..responding import page_or_fragment
from ..safe_urls import same_site_path
from . import addresses, link_pages, service
from .forms import DeleteAccountForm, DisplayNameForm, EmailChangeForm, PasswordChangeForm

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _render(
    name_form: DisplayNameForm,
    password_form: PasswordChangeForm,
    status: int = 200,
    email_form: EmailChangeForm | None = None,
):
    email_form = email_form or EmailChangeForm(formdata=None, prefix="email")
    return (
        render_template(
            "accounts/show.html",
            name_form=name_form,
            password_form=password_form,
            email_form=email_form,
            logins=login_sessions.open_logins(current_user),
        ),
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
    remembered = login_sessions.is_remembered(current_login_key())
    if form.validate_on_submit():
        try:
            service.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except service.AccountError as error:
            attach_error(form, error)
        else:
            # The token changed and every login ended: this device starts a fresh one, kept
            # as long as before; the others are signed out.
            start_session(current_user._get_current_object(), remember=remembered)
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
    member = current_user._get_current_object()
    # Known to the member already, so said before any password is asked for: the answer to a
    # password never differs by whether it was right, until it is right and the account goes.
    if service.owns_posts(member):
        status = 422 if request.method == "POST" else 200
        return (
            render_template(
                "accounts/delete.html",
                form=None,
                owns_posts=True,
                owns_posts_message=service.OWNS_POSTS,
            ),
            status,
        )
    form = DeleteAccountForm()
    if form.validate_on_submit():
        keys = throttle.deletion_keys(member)
        wait = throttle.seconds_to_wait(keys)
        if wait:
            # The same answer whatever the password: it is not checked while the wait runs.
            form.password.errors.append(
                "There have been several wrong passwords, so the next try must wait "
                f"{throttle.wait_words(wait)}. Your password was not checked this time."
            )
            response = make_response(render_template("accounts/delete.html", form=form), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        try:
            service.delete_account(member, form.password.data)
        except service.AccountError as error:
            throttle.record_failure(keys)
            attach_error(form, error)
        else:
            end_session()
            flash("Your account and what you wrote have been deleted.", "success")
            return redirect(url_for("posts.index"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/delete.html", form=form), status


# --- where the member is logged in ----------------------------------------------------------


@bp.post("/logins/end-others")
@can("manage_account")
def end_other_logins() -> Response:
    """The account page's "Log out of all other devices": every login but this one ends."""
    ended = login_sessions.end_all(current_user, except_key=current_login_key())
    db.session.commit()
    if ended == 0:
        return _logins_done("You were not logged in on any other device.")
    return _logins_done(f"You are logged out of {ended} other device{'' if ended == 1 else 's'}.")


@bp.post("/logins/<int:login_id>/end")
@can("manage_account")
def end_other_login(login_id: int) -> Response:
    """One other device logged out (a lost phone), the rest left as they are."""
    device = login_sessions.end_other(current_user, login_id, this_key=current_login_key())
    if device is None:
        abort(404)
    db.session.commit()
    return _logins_done(f"{device} is logged out.")


def _logins_done(message: str) -> Response:
    if request.wants_fragment:
        return page_or_fragment(
            "accounts/show.html",
            "accounts/_logins.html",
            logins=login_sessions.open_logins(current_user),
            announcement=message,
        )
    flash(message, "success")
    return redirect(url_for("accounts.show", _anchor="logins"), 303)


# --- the email address: verifying it, and moving to a new one -----------------------------


def _member_key() -> str:
    """Rate-limit key per member, so that a new address (or client) is no new allowance."""
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return f"visitor:{get_remote_address()}"  # sent to log in anyway


@bp.post("/verify/resend")
@can("manage_account")
@limiter.limit("3 per 15 minutes;10 per day", key_func=_member_key)
def resend_verification() -> str | Response:
    """The "Send the link again" button of the banner on every page and of comment forms."""
    if addresses.send_verification_link(current_user):
        lifetime = addresses.link_lifetime_words(addresses.VERIFY_LINK_LIFETIME)
        message = f"We have emailed you a new link. It works for {lifetime}."
    else:
        message = "Your email address is already confirmed."
    if request.wants_fragment:
        return render_template("accounts/_verification_sent.html", message=message)
    flash(message, "success")
    back_to = same_site_path(request.form.get("next")) or same_site_path(request.referrer)
    return redirect(back_to or url_for("accounts.show"), 303)


@bp.get("/verify/<token>")
def verify_email(token: str) -> Response:
    """The link in the verification email: the address is proven (logged in or not)."""
    user = addresses.verify_email(token)
    if user is None:
        return link_pages.dead_link("verify")
    return link_pages.token_page(render_template("accounts/email_confirmed.html", member=user))


def _email_section(email_form: EmailChangeForm, status: int = 200, announcement: str = ""):
    """The account page's email section: the page, or for htmx the section alone."""
    return page_or_fragment(
        "accounts/show.html",
        "accounts/_email.html",
        status=status,
        email_form=email_form,
        name_form=DisplayNameForm(formdata=None, display_name=current_user.display_name),
        password_form=PasswordChangeForm(formdata=None),
        announcement=announcement,
        logins=login_sessions.open_logins(current_user),
    )


def _email_section_done(message: str) -> Response:
    if request.wants_fragment:
        return _email_section(EmailChangeForm(formdata=None, prefix="email"), announcement=message)
    flash(message, "success")
    return redirect(url_for("accounts.show", _anchor="email-settings"), 303)


@bp.post("/email")
@can("manage_account")
@limiter.limit("5 per 15 minutes", key_func=_member_key)
def change_email() -> Response:
    """Ask to move the account to a new address: a link goes there; nothing changes yet."""
    form = EmailChangeForm(prefix="email")
    if form.validate_on_submit():
        try:
            address = addresses.request_email_change(
                current_user, form.new_email.data, form.password.data
            )
        except service.AccountError as error:
            attach_error(form, error)
        else:
            return _email_section_done(
                f"We have sent a link to {address}. Your address changes when you open it."
            )
    return _email_section(form, 422)


@bp.post("/email/cancel")
@can("manage_account")
def cancel_email_change() -> Response:
    addresses.cancel_email_change(current_user)
    return _email_section_done("The change of address is cancelled. Your address stays as it was.")


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str) -> Response:
    """The link sent to a new address: a page with one button that makes it the account's."""
    change = addresses.email_change_in(token)
    if change is None:
        return link_pages.dead_link("change")
    member, address = change
    problem = ""
    if request.method == "POST":  # the CSRF check has passed: the button was pressed here
        try:
            addresses.confirm_email_change(token)
        except service.AccountError as error:
            problem = error.message
        else:
            page = render_template("accounts/email_changed.html", member=member)
            return link_pages.token_page(page)
    page = render_template(
        "accounts/confirm_email_change.html",
        member=member,
        address=address,
        token=token,
        problem=problem,
    )
    return link_pages.token_page(page, 409 if problem else 200)
