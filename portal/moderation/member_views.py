"""Admins' list of members: search, suspend, ban, lift, verify clinicians or revoke that, make
non-clinical authors, send a reset link, reset a lost second factor.

This is the one place outside a member's own account page where an email address is shown,
and the only place a clinician's professional registration is.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from ..accounts import resets
from ..extensions import db
from ..forms import UNREADABLE_FORM, attach_error
from ..models import User
from ..paging import page_arg
from ..permissions import can
from ..responding import page_or_fragment
from ..two_factor import service as two_factor
from ..two_factor.forms import ResetForm as TwoFactorResetForm
from . import members
from .blueprint import bp
from .forms import AuthorForm, BanForm, LiftForm, RevokeForm, SuspendForm, VerifyForm


@bp.get("/moderation/users", endpoint="users")
@can("manage_users")
def user_list() -> Response:
    query = request.args.get("q", "").strip()[:100]
    found = members.search(query, page_arg())
    return page_or_fragment(
        "moderation/users.html", "moderation/_user_results.html", found=found, query=query
    )


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _blank_forms(user: User) -> dict[str, FlaskForm]:
    # Each form has its own prefix, so that the fields' ids stay unique on the page.
    return {
        "suspend_form": SuspendForm(formdata=None, prefix="suspend"),
        "ban_form": BanForm(formdata=None, prefix="ban"),
        "lift_form": LiftForm(formdata=None, prefix="lift"),
        "verify_form": VerifyForm(
            formdata=None,
            prefix="verify",
            title=user.title,
            specialty=user.specialty,
            bio=user.bio,
            registration_body=user.registration_body,
            registration_number=user.registration_number,
        ),
        "author_form": AuthorForm(formdata=None, prefix="author", title=user.title, bio=user.bio),
        "revoke_form": RevokeForm(formdata=None, prefix="revoke"),
        "reset_form": FlaskForm(formdata=None, prefix="reset"),
        "two_step_form": TwoFactorResetForm(formdata=None, prefix="two_step"),
    }


def _render_member(
    user: User, status: int = 200, announcement: str = "", **forms: FlaskForm
) -> Response:
    context = {**_blank_forms(user), **forms}
    return page_or_fragment(
        "moderation/user.html",
        "moderation/_user_panel.html",
        status=status,
        member=user,
        announcement=announcement,
        **context,
    )


@bp.get("/moderation/users/<int:user_id>", endpoint="user")
@can("manage_users")
def show_user(user_id: int) -> Response:
    return _render_member(_user_or_404(user_id))


def _act(
    user_id: int,
    form: FlaskForm,
    form_name: str,
    action: Callable[[User], object],
    done: str,
) -> Response:
    """Run one account action from its form; errors go back beside the form's fields."""
    user = _user_or_404(user_id)
    if not form.validate_on_submit():
        if not form.errors or "csrf_token" in form.errors:
            form.form_errors.append(UNREADABLE_FORM)
        return _render_member(user, 422, **{form_name: form})
    try:
        action(user)
    except members.MemberActionError as error:
        attach_error(form, error)
        return _render_member(user, 422, **{form_name: form})
    message = done.format(name=user.display_name)
    if request.wants_fragment:
        return _render_member(user, announcement=message)
    flash(message, "success")
    return redirect(url_for("moderation.user", user_id=user.id), 303)


@bp.post("/moderation/users/<int:user_id>/suspend")
@can("manage_users")
def suspend(user_id: int) -> Response:
    form = SuspendForm(prefix="suspend")
    return _act(
        user_id,
        form,
        "suspend_form",
        lambda user: members.suspend(user, current_user, form.until.data, form.reason.data),
        "{name} is suspended.",
    )


@bp.post("/moderation/users/<int:user_id>/ban")
@can("manage_users")
def ban(user_id: int) -> Response:
    form = BanForm(prefix="ban")
    return _act(
        user_id,
        form,
        "ban_form",
        lambda user: members.ban(user, current_user, form.reason.data),
        "{name} is banned.",
    )


@bp.post("/moderation/users/<int:user_id>/lift")
@can("manage_users")
def lift(user_id: int) -> Response:
    form = LiftForm(prefix="lift")
    return _act(
        user_id,
        form,
        "lift_form",
        lambda user: members.lift(user, current_user, form.reason.data),
        "{name} can post again.",
    )


@bp.post("/moderation/users/<int:user_id>/verify")
@can("manage_users")
def verify(user_id: int) -> Response:
    form = VerifyForm(prefix="verify")
    return _act(
        user_id,
        form,
        "verify_form",
        lambda user: members.verify_clinician(
            user,
            current_user,
            form.title.data,
            form.specialty.data,
            form.bio.data,
            form.registration_body.data,
            form.registration_number.data,
        ),
        "{name} is now a verified clinician.",
    )


@bp.post("/moderation/users/<int:user_id>/author")
@can("manage_users")
def make_author(user_id: int) -> Response:
    form = AuthorForm(prefix="author")
    return _act(
        user_id,
        form,
        "author_form",
        lambda user: members.make_author(user, current_user, form.title.data, form.bio.data),
        "{name} is now a non-clinical author.",
    )


@bp.post("/moderation/users/<int:user_id>/revoke")
@can("manage_users")
def revoke(user_id: int) -> Response:
    """Withdraw a clinician's verification, with the reason they are told."""
    form = RevokeForm(prefix="revoke")
    return _act(
        user_id,
        form,
        "revoke_form",
        lambda user: members.revoke_clinician(
            user, current_user, form.reason.data, form.becomes.data, form.author_title.data
        ),
        "{name} is no longer a verified clinician.",
    )


@bp.post("/moderation/users/<int:user_id>/password-reset")
@can("manage_users")
def send_password_reset(user_id: int) -> Response:
    """Email the member a reset link (the audit log records who sent it)."""
    form = FlaskForm(prefix="reset")
    return _act(
        user_id,
        form,
        "reset_form",
        lambda user: resets.send_reset_link(user, sent_by=current_user),
        "A link to choose a new password is on its way to {name}.",
    )


@bp.post("/moderation/users/<int:user_id>/two-step-reset", endpoint="reset_two_factor")
@can("manage_users")
def reset_two_factor(user_id: int) -> Response:
    """Turn off a member's two-step login (a lost phone): audited, and the member is told."""
    form = TwoFactorResetForm(prefix="two_step")
    return _act(
        user_id,
        form,
        "two_step_form",
        lambda user: _reset_two_factor(user, (form.reason.data or "").strip()),
        "{name}’s two-step login is reset.",
    )


def _reset_two_factor(user: User, reason: str) -> None:
    if not user.has_two_factor and not user.two_factor_secret:
        raise members.MemberActionError("", f"{user.display_name} has no two-step login to reset.")
    two_factor.reset(user, current_user, reason)
