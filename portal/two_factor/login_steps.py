"""Finishing a login after its second step, and keeping the session going when the account's
token changes under it. The login view does the same after the password alone."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from ..auth import throttle
from ..auth_session import start_session
from ..models import User
from ..permissions import restriction_message


def finish(user: User, remember: bool, next_path: str | None) -> Response:
    """Log in now, greet the member as the login page does, and go where they were going;
    this browser is known to the account from now on, as after a password alone (strangers'
    wrong passwords do not slow its owner down)."""
    start_session(user, remember=remember)
    restricted = restriction_message(user)
    if restricted:
        flash(f"You are logged in. {restricted}", "warning")
    else:
        flash(f"Welcome back, {user.display_name}.", "success")
    return throttle.remember_device(redirect(next_path or url_for("posts.index"), 303), user.email)


def continue_session(user: User) -> None:
    """After the account's token changed (every other login ended), this device logs in
    again under the new one, remembered as it was."""
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    # The member itself, never the current_user proxy: logged in as the proxy, the login
    # would point at itself.
    member = user._get_current_object() if hasattr(user, "_get_current_object") else user
    start_session(member, remember=cookie in request.cookies)
