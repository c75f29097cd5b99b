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
    """Register the moderation blueprint and what its templates (and the nav) need."""
    from flask_login import current_user

    from ..permissions import allowed

    # Importing the *_views modules adds their routes to the blueprint.
    from . import (  # noqa: F401
        audit,
        decisions,
        log_views,
        member_views,
        outcomes,
        queue,
        queue_views,
        report_views,
        reports,
        rules,
        settings_views,
    )
    from .blueprint import bp

    def moderation_counts() -> queue.QueueCounts | None:
        """Held and reported counts for moderators (one query), None for everyone else."""
        if not allowed(current_user, "moderate"):
            return None
        return queue.counts()

    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        moderation_counts=moderation_counts,
        moderation_outcomes=outcomes.recent_outcomes,
        report_reasons=reports.REPORT_REASONS,
        reject_reasons=decisions.REJECT_REASONS,
        audit_actions=audit.ACTIONS,
        queue_filters=queue.FILTERS,
        queue_statuses=QUEUE_STATUSES,
        hidden_after_reports=rules.HIDDEN_AFTER_REPORTS,
    )
    app.jinja_env.filters["account_age"] = account_age
