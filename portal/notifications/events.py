"""What each event in the portal means for whom: the hooks the comment and moderation
services call, inside the transaction of the change they announce.

Nobody learns of a comment before it is public: replies, answers and followers are told only
when a comment becomes approved, and its author alone hears that it was held back. The
followers of a discussion are told by the worker (tasks.expand_fan_out): the event writes one
FanOut row, however many follow.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, event, exists, insert, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Comment, FanOut, Flag, Notification, OutgoingEmail, User, utcnow
from ..permissions import ADMIN
from . import following
from .service import notify

_PENDING_KEY = "notifications_new_fan_out_ids"


def comment_submitted(comment: Comment) -> None:
    """A member wrote a comment: a question follows its own thread; a public one is announced."""
    author = comment.author
    if author is not None and author.asks_questions and comment.parent_id is None:
        following.follow_new_thread(author, comment)
    if comment.status == "approved":
        _announce(comment)  # new: it cannot have been announced before


_NEW_FAN_OUT = insert(FanOut.__table__).values(
    comment_id=bindparam("comment_id"), created_at=bindparam("at")
)


def _already_published(comment: Comment) -> bool:
    return bool(db.session.scalar(select(exists().where(FanOut.comment_id == comment.id))))


def comment_published(comment: Comment) -> bool:
    """comment became public: tell whom it answers, and leave its followers to the worker.

    Any reply is a reply for the author of the comment it answers (the asker hears of an
    answer when a reply is marked as one). A comment made public again (an undo, a
    report dismissed) is not announced twice. True when this was its first publication.
    """
    if _already_published(comment):
        return False
    _announce(comment)
    return True


def _announce(comment: Comment) -> None:
    author = comment.author
    told: set[int] = set()
    if comment.parent_id is not None:
        # An answer is announced when it is marked as one (questions.lifecycle.mark_answer);
        # until then a clinician's reply is a reply like any other.
        parent_author = comment.parent.author if comment.parent is not None else None
        if parent_author is not None and parent_author.id not in told:
            notify(parent_author, "reply", comment=comment, actor=author)
    # One Core statement (comment is flushed): the unit of work's bookkeeping for this row
    # cost a comment's write more than the row itself. Queued once the commit has made it so.
    written = db.session.connection().execute(
        _NEW_FAN_OUT, {"comment_id": comment.id, "at": utcnow()}
    )
    db.session.info.setdefault(_PENDING_KEY, []).append(written.inserted_primary_key[0])


def answer_marked(question: Comment, answer: Comment, actor: User) -> None:
    """A clinician marked answer as question's answer: the asker hears it is an answer.

    When the asker has not yet read the plain reply notice for the same comment (answering
    from the waiting list replies and marks at once), that notice becomes the answer notice, and
    an email still waiting to go out goes as one: one message for one act.
    """
    asker = question.author
    if asker is None or asker.id == actor.id:
        return
    unread_reply = db.session.scalar(
        select(Notification).where(
            Notification.user_id == asker.id,
            Notification.comment_id == answer.id,
            Notification.kind == "reply",
            Notification.read_at.is_(None),
        )
    )
    if unread_reply is None:
        notify(asker, "answer", comment=answer, actor=actor)
        return
    unread_reply.kind = "answer"
    db.session.execute(
        update(OutgoingEmail)
        .where(
            OutgoingEmail.notification_id == unread_reply.id,
            OutgoingEmail.status == "queued",
            OutgoingEmail.template == "reply",
        )
        .values(template="answer")
    )


def comment_moderated(
    comment: Comment,
    moderator: User,
    from_status: str,
    reports_closed_at: datetime | None = None,
) -> None:
    """A moderator's decision (or undo) changed comment's status from from_status.

    Approved for the first time: its author hears it is published, and it is announced.
    Rejected or removed: its author alone hears it is not published, and why. Spam: nobody is
    told (a spammer learns nothing). Whoever reported it hears that a moderator looked.
    """
    author = comment.author
    held_back = ("rejected", "removed")
    if comment.status == "approved":
        if comment_published(comment) and author is not None and from_status != "approved":
            notify(author, "comment_approved", comment=comment, actor=moderator)
    elif comment.status in held_back and from_status not in held_back and author is not None:
        notify(
            author,
            "comment_not_published",
            comment=comment,
            detail=comment.moderation_reason,
            actor=moderator,
        )
    if reports_closed_at is not None:
        reporters = db.session.scalars(
            select(User)
            .join(Flag, Flag.reporter_id == User.id)
            .where(Flag.comment_id == comment.id, Flag.resolved_at == reports_closed_at)
        )
        for reporter in reporters:
            notify(reporter, "report_handled", comment=comment, actor=moderator)


def crisis_held(comment: Comment) -> int:
    """A comment that may come from someone in crisis was held: every active admin is told at
    once (by email too, unless they chose otherwise). Returns how many were told."""
    admins = db.session.scalars(
        select(User).where(User.role.in_(ADMIN), User.status == "active").order_by(User.id)
    )
    return sum(
        notify(admin, "crisis_held", comment=comment, actor=comment.author) is not None
        for admin in admins
    )


def account_action(user: User, admin: User, action: str, reason: str = "") -> None:
    """An admin suspended, banned or lifted user's account: they are told why, and until when."""
    because = f" Reason: {reason}" if reason else ""
    if action == "suspend":
        from ..templating import human_date  # here: templating imports what imports this

        until = f" until {human_date(user.suspended_until)}" if user.suspended_until else ""
        detail = f"Your account is suspended{until}, so you cannot post or report.{because}"
    elif action == "ban":
        detail = f"Your account is banned, so you cannot post or report.{because}"
    else:
        detail = f"The restriction on your account is lifted: you can post again.{because}"
    notify(user, "account_action", detail=detail, actor=admin)


@event.listens_for(Session, "after_commit")
def _hand_over_to_the_queue(session: Session) -> None:
    fan_out_ids = session.info.pop(_PENDING_KEY, None)
    if fan_out_ids:
        from .tasks import enqueue_fan_outs

        enqueue_fan_outs(fan_out_ids)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
