"""One number that changes whenever anything a visitor can see changes.

Visitors' pages are kept rendered (page_cache.py) under this number, so a change anywhere makes
every kept page old at once. Counting is done by the database in the transaction that makes the
change, and a page is made after its number is read, so it can never be older than that.

What counts as "visible" is decided here, by table, not by event: any write to posts, comments,
tags, slug redirects or a post's tags, and any change to the parts of an account a page shows
(name, role, title, badge, profile, standing, whether their comments are listed). So a new way
of changing those (a moderation tool, a data repair) cannot forget to make pages fresh.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import bindparam, case, event, inspect, select, update
from sqlalchemy.orm import Session

from .extensions import db
from .models import Comment, ContentVersion, Post, SlugRedirect, Tag, User, post_tags

_VISIBLE_TABLES = frozenset(
    table.name
    for table in (
        Post.__table__,
        Comment.__table__,
        Tag.__table__,
        SlugRedirect.__table__,
        post_tags,
        User.__table__,
    )
)
# What of an account shows on a page someone else reads.
_SHOWN_OF_A_MEMBER = (
    "display_name",
    "role",
    "title",
    "specialty",
    "bio",
    "status",
    "verified_at",
    "hide_comment_list",
)
_BUMPED = "content_version_bumped"


_TABLE = ContentVersion.__table__
# Built once and run as Core: the ORM path cost a fifth of a kept page's time.
_NUMBER = select(_TABLE.c.number).where(_TABLE.c.id == 1)
# The next number is one more, or the time now in microseconds when that is larger: numbers
# only ever grow with time, so a database restored from a backup (its number from then) never
# files new pages under a number the kept pages of the lost hours used; until its first
# change, its pages are those of its number. Built once too: as an ORM statement it cost each
# write about a fifth of a millisecond.
_NEXT = _TABLE.c.number + 1
_ONE_MORE = (
    update(_TABLE)
    .where(_TABLE.c.id == 1)
    .values(number=case((_NEXT > bindparam("now"), _NEXT), else_=bindparam("now")))
)


def _microseconds_now() -> int:
    return time.time_ns() // 1_000


def current() -> int:
    """The number now: read it before anything else a cached page depends on.

    It is read on a connection of its own, committed at once, so that a page served from the
    store never opens the session (its transaction and its closing were half the cost of such
    a page). A page made afterwards reads in a snapshot that starts later, so it is at least
    as new as the number it is filed under, never older: a change between the two readings
    files a newer page under the older number, and the next reader asks under the new one.
    """
    with db.engine.connect() as connection:
        return connection.execute(_NUMBER).scalar() or 0


def _bump(session: Session) -> None:
    # Once per transaction is enough: every change in it commits (or not) together.
    if session.info.get(_BUMPED):
        return
    session.info[_BUMPED] = True
    session.connection().execute(_ONE_MORE, {"now": _microseconds_now()})


def _shows(instance: Any, session: Session) -> bool:
    if isinstance(instance, User):
        if instance in session.new or instance in session.deleted:
            return True
        state = inspect(instance)
        return any(state.attrs[name].history.has_changes() for name in _SHOWN_OF_A_MEMBER)
    if isinstance(instance, Comment):
        return _comment_shows(instance, session)
    if isinstance(instance, (Post, Tag, SlugRedirect)):
        return (
            instance in session.new or instance in session.deleted or session.is_modified(instance)
        )
    return False


_UNSEEN = ("pending", "rejected", "spam")  # what visitors never read (held, refused)


def _comment_shows(comment: Comment, session: Session) -> bool:
    """A comment held or refused, before and after, changes nothing a visitor reads."""
    if comment in session.deleted:
        return True
    if comment in session.new:
        return comment.status not in _UNSEEN
    if not session.is_modified(comment):
        return False
    before = inspect(comment).attrs.status.history.deleted
    was = before[0] if before else comment.status
    return not (was in _UNSEEN and comment.status in _UNSEEN)


def comment_inserted(session: Session, comment: Comment) -> None:
    """A new comment written by a Core INSERT rather than a flush (comments.inserting):
    counted as its flush would have been."""
    if comment.status not in _UNSEEN:
        _bump(session)


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get(_BUMPED):
        return
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(_shows(instance, session) for instance in changed):
        _bump(session)


def _after_bulk_write(orm_execute_state: Any) -> None:
    """UPDATE, DELETE and INSERT statements change rows without a flush of objects."""
    state = orm_execute_state
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in _VISIBLE_TABLES:
        _bump(state.session)


def _transaction_over(session: Session, *_: Any) -> None:
    session.info.pop(_BUMPED, None)


def install() -> None:
    """Listen on every session of the process (once: listeners live on the Session class)."""
    if event.contains(Session, "after_flush", _after_flush):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _after_bulk_write)
    event.listen(Session, "after_commit", _transaction_over)
    event.listen(Session, "after_rollback", _transaction_over)
    event.listen(Session, "after_soft_rollback", _transaction_over)
