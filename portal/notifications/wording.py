"""What a notification says and where it leads, in one place for the portal and the emails.

Everything here is decided when the notification is shown (or its email rendered), so a
comment removed, rejected, held or deleted since says "no longer available" and nothing else:
not its words, not its author's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

from ..links import absolute_url
from ..models import Comment, Notification, Post
from . import service


@dataclass(frozen=True)
class Shown:
    """One notification as its member may see it now."""

    notification: Notification
    headline: str  # one sentence, plain text (templates escape it)
    comment: Comment | None  # the comment, while its member may read it
    gone: bool  # about a comment that is no longer available
    endpoint: str | None  # where "Open" leads (with values), None when nowhere
    values: dict

    @property
    def url(self) -> str | None:
        return url_for(self.endpoint, **self.values) if self.endpoint else None

    @property
    def absolute(self) -> str | None:
        return absolute_url(self.endpoint, **self.values) if self.endpoint else None

    @property
    def own_text(self) -> str | None:
        """The member's own words, on the notices about their own comment."""
        if self.comment is None or self.notification.kind not in service.OWN_TEXT_KINDS:
            return None
        return self.comment.body_html

    @property
    def link_text(self) -> str:
        kind = self.notification.kind
        if kind == "comment_not_published":
            return "See your text and the reason"
        if kind == "account_action":
            return "Go to your account"
        if kind == "questions_waiting":
            return "See the waiting questions"
        if kind in ("queue_waiting", "crisis_held"):
            return "Open the moderation queue"
        if kind == "question_closed" and self.comment is not None:
            return "See your question"
        if self.comment is not None:
            return "Read the answer" if kind == "answer" else "Read the comment"
        return "Go to the discussion"


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _title(post: Post | None) -> str:
    return f"“{post.title}”" if post is not None and post.is_published else "a post"


def _about_comment(notification: Notification, comment: Comment | None) -> str:
    kind, title = notification.kind, _title(notification.post)
    if comment is None:
        return {
            "reply": f"A reply to your comment on {title} is no longer available.",
            "answer": f"A clinician's answer to your question on {title} is no longer available.",
            "report_handled": (
                f"A moderator has looked at a comment you reported on {title}. Thank you."
            ),
            "comment_approved": f"Your comment on {title} is no longer available.",
            "comment_not_published": f"Your comment on {title} was not published.",
            "followed_post": f"A new comment on {title} is no longer available.",
            "followed_thread": f"A new reply in a thread you follow on {title} "
            "is no longer available.",
            "question_closed": f"Your question on {title} is no longer available.",
            "redacted": f"A moderator removed part of your comment on {title}.",
        }.get(kind, f"A comment on {title} is no longer available.")
    author = comment.author
    who = author.display_name if author is not None else "A member who has left"
    if kind == "reply":
        return f"{who} replied to your comment on {title}."
    if kind == "answer":
        return f"{who}, a clinician, answered your question on {title}."
    if kind == "comment_approved":
        return f"Your comment on {title} is published."
    if kind == "comment_not_published":
        reason = f" Reason: {notification.detail}" if notification.detail else ""
        verb = "was removed by a moderator" if comment.status == "removed" else "was not published"
        return f"Your comment on {title} {verb}.{reason}"
    if kind == "report_handled":
        return f"A moderator has looked at the comment you reported on {title}. Thank you."
    if kind == "followed_post":
        return f"{who} commented on {title}, a discussion you follow."
    if kind == "redacted":
        reason = f" Reason: {notification.detail}" if notification.detail else ""
        return f"A moderator removed part of your comment on {title}.{reason}"
    if kind == "question_closed":
        # detail holds the clinician's name and note, written when the question was closed.
        return f"A clinician closed your question on {title}. {notification.detail}".strip()
    return f"{who} replied in a thread you follow on {title}."


def headline(notification: Notification, comment: Comment | None) -> str:
    kind = notification.kind
    if kind == "account_action":
        return notification.detail or "A moderator changed your account's status."
    if kind == "questions_waiting":
        where = f"your post {_title(notification.post)}" if notification.post else "your posts"
        questions = _plural(notification.count, "new question waits", "new questions wait")
        return f"{questions} for a clinician's answer on {where}."
    if kind == "crisis_held":
        return (
            f"A comment on {_title(notification.post)} may come from someone in crisis. "
            "It is first in the moderation queue."
        )
    if kind == "queue_waiting":
        minutes = current_app.config["QUEUE_WAITING_MINUTES"]
        items = _plural(notification.count, "comment has", "comments have")
        return f"{items} waited in the moderation queue for more than {minutes} minutes."
    return _about_comment(notification, comment)


def _destination(notification: Notification, comment: Comment | None) -> tuple[str | None, dict]:
    kind, post = notification.kind, notification.post
    if kind == "comment_not_published" and comment is not None:
        return "notifications.show", {"notification_id": notification.id}
    if kind == "account_action":
        return "accounts.show", {}
    if kind == "questions_waiting":
        return "clinic.questions", ({"post": post.slug} if post is not None else {})
    if kind in ("queue_waiting", "crisis_held"):
        return "moderation.queue", {}
    if comment is not None:
        return "comments.card", {"comment_id": comment.id}
    if post is not None and post.is_published:
        return "posts.show", {"slug": post.slug}
    return None, {}


def show(notification: Notification) -> Shown:
    """The notification as its member may see it now."""
    comment = service.shown_comment(notification)
    endpoint, values = _destination(notification, comment)
    return Shown(
        notification=notification,
        headline=headline(notification, comment),
        comment=comment,
        gone=comment is None and service.is_about_a_comment(notification),
        endpoint=endpoint,
        values=values,
    )


def permalink(comment: Comment, viewer) -> str:
    """The absolute permalink of comment, on the page of threads that shows it to viewer."""
    from ..comments import threads

    return absolute_url("posts.show", **threads.permalink_args(comment, viewer))


def email_link(shown: Shown) -> str | None:
    """Where the email's main link leads: the comment's permalink, else the notice's page."""
    kind = shown.notification.kind
    if shown.comment is not None and kind not in service.OWN_TEXT_KINDS:
        return permalink(shown.comment, shown.notification.user)
    return shown.absolute
