"""Not published is not lost: the author of a rejected or removed comment posts its text again,
edited or not, as a new comment under every usual rule (so it may be held again)."""

from __future__ import annotations

from ..comments import service as comments
from ..extensions import db
from ..models import Comment, Notification, User
from . import service

HELD_BACK = ("rejected", "removed")


def held_back_comment(notification: Notification) -> Comment | None:
    """The comment a "not published" notice is about, while it is still not published."""
    if notification.kind != "comment_not_published":
        return None
    comment = service.shown_comment(notification)
    return comment if comment is not None and comment.status in HELD_BACK else None


def _parent_still_there(comment: Comment, author: User) -> int | None:
    """The comment it answered, if the author can still reply to it; else a new thread."""
    if comment.parent_id is None:
        return None
    try:
        comments.visible_parent(comment.post, comment.parent_id, author)
    except comments.CommentError:
        return None
    return comment.parent_id


def post_again(notification: Notification, author: User, body: str | None) -> Comment:
    """A new comment with body on the held-back comment's post; raises CommentError.

    The old comment stays as the moderator left it; the notice is marked read.
    """
    comment = held_back_comment(notification)
    if comment is None:
        raise comments.CommentError("body", "This comment can no longer be posted again.")
    parent_id = _parent_still_there(comment, author)
    asking = parent_id is None and comment.kind == "question" and author.asks_questions
    new = comments.submit(
        comment.post,
        author,
        body,
        parent_id,
        asking=asking,
        asked_for=comment.asked_for if asking else None,
    )
    service.mark_read(notification)
    db.session.commit()
    return new
