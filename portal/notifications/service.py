"""Writing and reading notifications: the one place a member is told something.

notify() writes the notification and, when the member wants that kind by email at once, puts
the email in the outbox in the same transaction (the worker sends it after the commit).
"Digest" kinds wait for the daily digest task; "in_app" ones are only shown here.

Reading: the header's unread count rides on the statement that loads the logged-in member
(load_member), so it costs a page no statement of its own; the notifications page is two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from .. import paging
from ..extensions import db
from ..mail import outbox
from ..models import Comment, Notification, Post, User, utcnow
from . import preferences

PER_PAGE = 20
MAX_DETAIL_LENGTH = 500
# The notice about one's own comment held back: its author may still read their own words.
OWN_TEXT_KINDS = frozenset({"comment_not_published"})


def notify(
    user: User,
    kind: str,
    *,
    comment: Comment | None = None,
    post: Post | None = None,
    detail: str = "",
    actor: User | None = None,
    count: int = 1,
    delivery: str | None = None,
) -> Notification | None:
    """Tell user about something, in the portal and (by their preference) by email.

    Nobody is told of their own action: when actor is user, nothing is written and None is
    returned. delivery, when given, is the member's preference for kind, already looked up
    (the fan-out looks up a thousand at once). The caller commits.
    """
    if actor is not None and actor.id == user.id:
        return None
    if post is None and comment is not None:
        post = comment.post
    notification = Notification(
        user=user,
        kind=kind,
        comment=comment,
        post=post,
        detail=(detail or "")[:MAX_DETAIL_LENGTH],
        count=count,
    )
    db.session.add(notification)
    if (delivery or preferences.delivery_for(user, kind)) == "immediate" and may_email(user):
        outbox.queue_email(user, kind, notification=notification)
    return notification


def notify_many(
    recipients: list[tuple[User, str]], *, comment: Comment, deliveries: dict[tuple[int, str], str]
) -> int:
    """notify() for many members about one comment (the worker's fan-out): the same rules,
    with the notifications written in one statement. recipients pairs each member with their
    kind; deliveries holds their preferences, looked up at once. The caller commits."""
    written = [
        (
            user,
            Notification(
                user_id=user.id, kind=kind, comment_id=comment.id, post_id=comment.post_id
            ),
        )
        for user, kind in recipients
    ]
    db.session.add_all([notification for _, notification in written])
    db.session.flush()
    for user, notification in written:
        wanted = deliveries[(user.id, notification.kind)]
        if wanted == "immediate" and may_email(user):
            outbox.queue_email(user, notification.kind, notification=notification)
    return len(written)


def may_email(user: User) -> bool:
    """Notification emails go only to addresses their member has proven."""
    return bool(user.email) and user.email_verified_at is not None


# --- the unread count in the header --------------------------------------------------------


def _unread_of(user_id_column) -> Any:
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id_column, Notification.read_at.is_(None))
        .scalar_subquery()
    )


# The member's statement for each set of conditions (each built once, with bound values):
# building it anew cost every logged-in request about a fifth of a millisecond.
_MEMBER_STATEMENTS: dict[tuple[int, ...], tuple[tuple[Any, ...], Any]] = {}


def _member_statement(conditions: tuple[Any, ...]) -> Any:
    # Keyed by the conditions' identities (SQL expressions compare as SQL, not as values); the
    # conditions are kept with their statement, so no identity is reused while it is kept.
    key = tuple(id(condition) for condition in conditions)
    kept = _MEMBER_STATEMENTS.get(key)
    if kept is not None:
        return kept[1]
    statement = select(User, _unread_of(User.id).correlate(User)).where(
        User.id == bindparam("member_id"), *conditions
    )
    if len(_MEMBER_STATEMENTS) < 16:  # a handful of kinds of condition, not one per login
        _MEMBER_STATEMENTS[key] = (conditions, statement)
    return statement


def load_member(user_id: int, *conditions: Any, **values: Any) -> User | None:
    """The logged-in member, with their unread count fetched in the same statement.

    Every page a member sees shows the count in its header; asking for it here, where the
    member is loaded anyway, keeps that at no statement of its own. conditions (with values
    for their bound parameters) ride on the same statement: the login still being open,
    portal/login_sessions.py.
    """
    statement = _member_statement(conditions)
    row = db.session.execute(statement, {"member_id": user_id, **values}).first()
    if row is None:
        return None
    user, unread = row
    g.unread_notifications = (user.id, unread or 0)
    return user


def unread_count(user: Any, *, fresh: bool = False) -> int:
    """How many notifications this member has not read (0 for visitors).

    Known already when the member was loaded this request; otherwise (or fresh, after
    marking some read) one statement.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    known = g.get("unread_notifications")
    if fresh or known is None or known[0] != user.id:
        count = db.session.scalar(select(_unread_of(user.id))) or 0
        g.unread_notifications = (user.id, count)
        return count
    return known[1]


# --- the notifications page ----------------------------------------------------------------


@dataclass(frozen=True)
class NotificationPage:
    notifications: list[Notification]
    page: int
    pages: int
    total: int
    unread: int


def page_for(user: User, page: int = 1, per_page: int = PER_PAGE) -> NotificationPage:
    """The member's notifications, newest first, with what they are about (two statements)."""
    mine = Notification.user_id == user.id
    found = paging.fetch_page(
        select(Notification)
        .where(mine)
        .options(
            joinedload(Notification.comment).joinedload(Comment.author),
            joinedload(Notification.post),
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        select(func.count()).select_from(Notification).where(mine),
        page,
        per_page,
    )
    return NotificationPage(
        notifications=found.rows,
        page=found.page,
        pages=found.pages,
        total=found.total,
        unread=unread_count(user),
    )


def get_own(user: User, notification_id: int) -> Notification | None:
    """One of the member's notifications, or None (someone else's is as good as missing)."""
    return db.session.scalar(
        select(Notification)
        .where(Notification.id == notification_id, Notification.user_id == user.id)
        .options(
            joinedload(Notification.comment).joinedload(Comment.author),
            joinedload(Notification.post),
        )
    )


def counts(user: User) -> tuple[int, int]:
    """(all, unread) of the member's notifications, in one statement; after a change."""
    total, unread = db.session.execute(
        select(func.count(), func.count().filter(Notification.read_at.is_(None))).where(
            Notification.user_id == user.id
        )
    ).one()
    g.unread_notifications = (user.id, unread or 0)
    return total or 0, unread or 0


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
    db.session.commit()


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the member read; how many there were."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0


# --- what a notification may show ------------------------------------------------------------


def can_see(comment: Comment | None, user: User | None) -> bool:
    """Whether user may read comment now: approved on a published post, or their own held one."""
    if comment is None or user is None:
        return False
    if not comment.post.is_published:
        return False
    if comment.status == "approved":
        return True
    return comment.status == "pending" and comment.author_id == user.id


def shown_comment(notification: Notification) -> Comment | None:
    """The comment the notification is about, if its member may still read it; else None.

    A comment removed, rejected, deleted or held since the notification was written is "no
    longer available": nothing of it is shown. Its author is the exception when told it was
    not published: they may read their own words beside the reason.
    """
    comment = notification.comment
    if comment is None:
        return None
    if notification.kind in OWN_TEXT_KINDS and comment.author_id == notification.user_id:
        return comment if comment.status != "deleted" else None
    return comment if can_see(comment, notification.user) else None


def is_about_a_comment(notification: Notification) -> bool:
    """Kinds written about a comment (its absence now means it is no longer available)."""
    return notification.kind not in ("account_action", "questions_waiting", "queue_waiting")
