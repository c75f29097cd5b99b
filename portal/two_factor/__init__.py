"""A second factor for staff: time-based one-time passwords and single-use recovery codes.

Admins and clinicians must use it before they reach staff pages (unless the deployment turns
the requirement off with PORTAL_STAFF_TWO_FACTOR=0); any member may turn it on.
"""

from __future__ import annotations

from flask import Flask, flash, redirect, url_for
from werkzeug.wrappers import Response

from ..models import User


def after_password(user: User, remember: bool, next_path: str | None) -> Response | None:
    """The step after a right password: None to log in now, or the answer that asks for the
    second factor (or walks staff through setting one up)."""
    from . import login_steps, pending, service

    if user.has_two_factor:
        pending.begin(user, remember, next_path)
        return redirect(url_for("two_factor.login_code"), 303)
    if service.must_set_up(user):
        # Logged in, but the staff pages stay closed until the setup is confirmed (gate.py).
        login_steps.start_session(user, remember=remember)
        flash(
            f"Welcome back, {user.display_name}. Your role needs two-step login: "
            "set it up now to reach the staff pages.",
            "info",
        )
        return redirect(url_for("two_factor.set_up", next=next_path), 303)
    return None


def register(app: Flask) -> None:
    """The pages, and the gate in front of staff pages."""
    from .gate import require_two_factor_for_staff
    from .views import bp

    app.register_blueprint(bp)
    app.before_request(require_two_factor_for_staff)
