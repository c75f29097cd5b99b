"""What each notification email shows beyond the base context (portal/mail/render.py).

Builders run in the worker when the email is rendered, so they say what is true then: a
comment removed since the notification was written is "no longer available" in the email too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..links import absolute_url
from ..mail.context import register
from ..models import NOTIFICATION_KINDS, Comment, Notification, OutgoingEmail
from . import wording


def notification_context(email: OutgoingEmail) -> dict[str, Any]:
    """One notification: its headline, the link to follow, and the comment if still readable."""
    notification = email.notification
    if notification is None:  # deleted with what it was about: a plain note
        return {"shown": None, "main_link": absolute_url("notifications.index")}
    shown = wording.show(notification)
    return {
        "shown": shown,
        "main_link": wording.email_link(shown) or absolute_url("notifications.index"),
        "notifications_url": absolute_url("notifications.index"),
    }


for _kind in NOTIFICATION_KINDS:
    register(_kind)(notification_context)


@register("digest")
def digest_context(email: OutgoingEmail) -> dict[str, Any]:
    """The daily digest: every notification the digest task marked with this email's moment."""
    notifications = (
        list(
            db.session.scalars(
                select(Notification)
                .where(
                    Notification.user_id == email.user_id,
                    Notification.emailed_at == email.created_at,
                )
                .options(
                    joinedload(Notification.comment).joinedload(Comment.author),
                    joinedload(Notification.post),
                )
                .order_by(Notification.created_at, Notification.id)
            )
        )
        if email.user_id is not None
        else []
    )
    items = []
    for notification in notifications:
        shown = wording.show(notification)
        items.append({"shown": shown, "link": wording.email_link(shown)})
    return {"items": items, "notifications_url": absolute_url("notifications.index")}
