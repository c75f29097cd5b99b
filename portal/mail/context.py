"""What each email template gets beyond the base context: builders registered by template name.

    from portal.mail.context import register

    @register("reply")
    def reply_context(email: OutgoingEmail) -> dict:
        return {"comment": email.notification.comment}

A builder runs in the worker when the email is rendered (so it sees what is true then), inside
a request context built from PORTAL_BASE_URL (so url_for and absolute_url work). What it
returns is added to the base context of body.txt and body.html; subject.txt never sees it
(see render.py: subjects carry no words from the site's content).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..models import OutgoingEmail

ContextBuilder = Callable[[OutgoingEmail], dict[str, Any]]

_builders: dict[str, ContextBuilder] = {}


def register(template_name: str) -> Callable[[ContextBuilder], ContextBuilder]:
    """Decorator: fn(email_row) -> dict adds to the context of templates/email/<template_name>/."""

    def add(builder: ContextBuilder) -> ContextBuilder:
        known = _builders.get(template_name)
        # Re-importing a module (the reloader, tests) registers the same function again.
        if known is not None and _name(known) != _name(builder):
            raise ValueError(f"email template {template_name!r} already has a context builder")
        _builders[template_name] = builder
        return builder

    return add


def _name(builder: ContextBuilder) -> str:
    return f"{builder.__module__}.{builder.__qualname__}"


def extra_context(email: OutgoingEmail) -> dict[str, Any]:
    """What the registered builder adds for this email's template (nothing when none is)."""
    builder = _builders.get(email.template)
    return dict(builder(email)) if builder is not None else {}


def registered() -> frozenset[str]:
    return frozenset(_builders)
