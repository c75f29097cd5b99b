"""Telling people: notifications in the portal and by email, follows, and delivery preferences.

service.notify() is the one place a notification is written (and its email queued, by the
member's preference); events.py says what each event in the portal means for whom; the
worker (tasks.py) fans new comments out to followers and sends the digests.

Importing this package stays cheap (comments and moderation import events); register()
wires the views and the email context builders into the app.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the notifications blueprint and the email context builders of every kind."""
    from . import emails  # noqa: F401  (registers the builders with portal.mail.context)
    from .views import bp

    app.register_blueprint(bp)
