"""Staff pages wait for two-step login: an admin or clinician without it (while the
requirement is on) is sent to set it up, from any staff page, however they arrived."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..permissions import CLINICAL, POLICY
from ..responding import htmx_answer
from ..safe_urls import same_site_path
from . import service

# The clinicians' workspace as a whole; elsewhere, any view whose permission is staff-only.
STAFF_BLUEPRINTS = frozenset({"clinic"})

SET_UP_FIRST = (
    "Your role needs two-step login before you use the staff pages. "
    "Set it up now: it takes a minute with an authenticator app."
)


def is_staff_page() -> bool:
    if request.blueprint in STAFF_BLUEPRINTS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    action = getattr(view, "required_action", None)
    return action is not None and POLICY[action] <= CLINICAL


def require_two_factor_for_staff() -> Response | None:
    """before_request: None to carry on, or the way to the setup page."""
    if not current_user.is_authenticated or not is_staff_page():
        return None
    if not service.must_set_up(current_user):
        return None
    back_to = request.full_path if request.method == "GET" else request.referrer
    target = url_for("two_factor.set_up", next=same_site_path(back_to or ""))
    if request.htmx:
        return htmx_answer(status=403, redirect=target)
    flash(SET_UP_FIRST, "warning")
    return redirect(target, 303)
