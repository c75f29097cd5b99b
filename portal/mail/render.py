"""Turning an outbox row into the message that is sent: multipart text and HTML from templates.

Each email is a folder templates/email/<row.template>/ holding subject.txt, body.txt and
body.html; the bodies extend email/_layout.txt and email/_layout.html, which carry the footer.

The bodies get the base context
    user, email (the row), notification (or None), link (the row's link), site_name, site_url,
    preferences_url, unsubscribe_url (notification emails, else None),
    quote (the comment's words, only for a member who chose quote_in_email; else None),
    subject
plus whatever the template's registered context builder adds (portal/mail/context.py).

The subject gets only site_name and count (how many things a notification stands for):
a subject is read on lock screens and in shared inboxes, so it can never carry the words of
a comment, a post's title or anything else that might say something about someone's health.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template
from flask_mailman import EmailMultiAlternatives

from ..links import absolute_url
from ..models import OutgoingEmail
from . import context as builders
from .unsubscribe import unsubscribe_url

SITE_NAME = "Treatment Talk"
PREFERENCES_ENDPOINT = "notifications.preferences"
FALLBACK_PREFERENCES_ENDPOINT = "accounts.show"
MAX_SUBJECT_LENGTH = 120
DIGEST_TEMPLATE = "digest"


class RenderError(Exception):
    """The email cannot be rendered (a template or a link is missing); retrying will not help."""


def is_notification_email(email: OutgoingEmail) -> bool:
    """Notification emails (and digests) are the ones a member can unsubscribe from."""
    return email.notification_id is not None or email.template == DIGEST_TEMPLATE


def message_domain() -> str:
    """The right-hand side of our Message-IDs: PORTAL_BASE_URL's host."""
    host = urlsplit(current_app.config["PORTAL_BASE_URL"]).hostname or "localhost"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return f"[{host}]"  # an address is written as a domain literal (RFC 5322)


def new_message_id() -> str:
    return make_msgid(domain=message_domain())


@contextmanager
def links_outside_requests() -> Iterator[None]:
    """url_for (and so absolute_url) in the worker: a request context on PORTAL_BASE_URL's host.

    Only the scheme and host go in: absolute_url puts PORTAL_BASE_URL (with any path) in front
    of the path url_for returns.
    """
    if has_request_context():
        yield
        return
    parts = urlsplit(current_app.config["PORTAL_BASE_URL"])
    with current_app.test_request_context("/", base_url=f"{parts.scheme}://{parts.netloc}"):
        yield


def _preferences_url() -> str:
    endpoint = PREFERENCES_ENDPOINT
    if endpoint not in current_app.view_functions:  # until the notifications area has one
        endpoint = FALLBACK_PREFERENCES_ENDPOINT
    return absolute_url(endpoint)


def quoted_text(email: OutgoingEmail) -> str | None:
    """The comment's words, for members who asked for them (default off), if still published."""
    user, notification = email.user, email.notification
    if user is None or not user.quote_in_email or notification is None:
        return None
    comment = notification.comment
    if comment is None or comment.status != "approved":
        return None
    return comment.body_source.strip() or None


def one_line(text: str) -> str:
    """A header value: one line, runs of white space as one space, not too long."""
    line = " ".join(text.split())
    if len(line) > MAX_SUBJECT_LENGTH:
        line = line[: MAX_SUBJECT_LENGTH - 1].rstrip() + "…"
    return line


def unsubscribe_kind(email: OutgoingEmail) -> str | None:
    """What the email's unsubscribe link turns off: its notification's kind, or the digest."""
    if not is_notification_email(email) or email.user is None:
        return None
    return email.notification.kind if email.notification is not None else DIGEST_TEMPLATE


def base_context(email: OutgoingEmail) -> dict[str, Any]:
    notification = email.notification
    kind = unsubscribe_kind(email)
    unsubscribe = unsubscribe_url(email.user, kind) if kind and email.user else None
    return {
        "user": email.user,
        "email": email,
        "notification": notification,
        "link": email.link,
        "site_name": SITE_NAME,
        "site_url": absolute_url("posts.index"),
        "preferences_url": _preferences_url(),
        "unsubscribe_url": unsubscribe,
        "quote": quoted_text(email),
    }


def subject_context(email: OutgoingEmail) -> dict[str, Any]:
    notification = email.notification
    count = notification.count if notification is not None and notification.count else 1
    return {"site_name": SITE_NAME, "count": count}


def _template_names(email: OutgoingEmail) -> tuple[str, str, str]:
    if not re.fullmatch(r"[a-z0-9_]+", email.template or ""):
        raise RenderError(f"{email.template!r} is not an email template name")
    folder = f"email/{email.template}"
    return f"{folder}/subject.txt", f"{folder}/body.txt", f"{folder}/body.html"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    unsubscribe_url: str | None


def render_subject(email: OutgoingEmail) -> str:
    """The subject line: from subject_context alone, so no content can reach it."""
    subject_name = _template_names(email)[0]
    with links_outside_requests():
        subject = one_line(render_template(subject_name, **subject_context(email)))
    if not subject:
        raise RenderError(f"{subject_name} renders an empty subject")
    return subject


def render_parts(email: OutgoingEmail) -> RenderedEmail:
    """The subject, both bodies and the unsubscribe link of email, rendered now."""
    _, text_name, html_name = _template_names(email)
    try:
        with links_outside_requests():
            subject = render_subject(email)
            context = {**base_context(email), **builders.extra_context(email), "subject": subject}
            text = render_template(text_name, **context)
            html = render_template(html_name, **context)
    except RenderError:
        raise
    except Exception as error:  # a missing template or endpoint, a builder's bug
        raise RenderError(f"{type(error).__name__}: {error}") from error
    return RenderedEmail(subject, text.strip() + "\n", html, context["unsubscribe_url"])


def render_email(email: OutgoingEmail, connection=None) -> EmailMultiAlternatives:
    """The message for email: plain text with an HTML alternative, from the configured sender.

    Uses email.message_id (set when the worker claims the row; made here if it is empty), so
    a message sent again after a lost worker carries the same Message-ID.
    """
    rendered = render_parts(email)
    if not email.message_id:
        email.message_id = new_message_id()
    headers = {
        "Message-ID": email.message_id,
        # RFC 3834: no out-of-office replies to a portal's notices.
        "Auto-Submitted": "auto-generated",
    }
    if rendered.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{rendered.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[email.to_address],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(rendered.html, "text/html")
    return message
