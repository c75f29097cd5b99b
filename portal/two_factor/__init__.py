"""A second factor for staff: time-based one-time passwords and single-use recovery codes."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ..models import User


def after_password(user: User, remember: bool, next_path: str | None) -> Response | None:
    """The step after a right password: None to log in now, or the answer that asks for the
    second factor (or walks staff through setting one up)."""
    return None
