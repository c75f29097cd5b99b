"""Moderation: the rules, the queue, reports, account actions and the audit log.

Importing this package stays cheap (comments import its rules); register() wires the views
and the template helpers into the app.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from ..models import utcnow

# comment status -> how the queue says it
QUEUE_STATUSES: dict[str, str] = {
    "pending": "Held",
    "approved": "Approved",
    "rejected": "Rejected",
    "removed": "Removed",
    "spam": "Spam",
    "deleted": "Deleted by its author",
}


def account_age(created_at: datetime | None, now: datetime | None = None) -> str:
    """How long an account has existed, in plain words ("3 days", "2 months")."""
    if created_at is None:
        return "unknown"
    days = ((now or utcnow()) - created_at).days
    if days < 1:
        return "less than a day"
    if days < 31:
        return f"{days} day{'' if days == 1 else 's'}"
    if days < 365:
        months = days // 30
        return f"{months} month{'' if months == 1 else 's'}"
    years = days // 365
    return f"{years} year{'' if years == 1 else 's'}"


def register(app: Flask) -> None:
    """Register the moderation blueprint (its template helpers are in portal/templating.py)."""
    # Importing the *_views modules adds their routes to the blueprint.
    from . import (  # noqa: F401
        log_views,
        mail_views,
        member_views,
        queue_views,
        redaction_views,
        report_views,
        settings_views,
    )
    from .blueprint import bp

    app.register_blueprint(bp)
