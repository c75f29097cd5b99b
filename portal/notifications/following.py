"""Following a discussion (a post) or a thread (a top-level comment and its replies).

A member follows what they can read. Asking a question follows its thread (events.py); the
follow buttons and the account page's list use the functions here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import g
from sqlalchemy import delete, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import Comment, Follow, Post, User


@dataclass
class FollowState:
    """What one member follows on one post page: the discussion, and which threads."""

    post: bool = False
    threads: set[int] = field(default_factory=set)


def _is_followed(user: User, *, post: Post | None = None, thread: Comment | None = None) -> bool:
    condition = Follow.post_id == post.id if post is not None else Follow.thread_id == thread.id
    return bool(db.session.scalar(select(exists().where(Follow.user_id == user.id, condition))))


def follows_post(user: User, post: Post) -> bool:
    return _is_followed(user, post=post)


def follows_thread(user: User, thread: Comment) -> bool:
    return _is_followed(user, thread=thread)


def _add(user: User, *, post: Post | None = None, thread: Comment | None = None) -> None:
    if _is_followed(user, post=post, thread=thread):
        return
    # A double click racing itself: the unique constraint keeps one row, and that is the aim.
    try:
        with db.session.begin_nested():
            db.session.add(Follow(user_id=user.id, post=post, thread=thread))
    except IntegrityError:
        pass


def follow_post(user: User, post: Post) -> None:
    """Follow a whole discussion (the caller commits)."""
    _add(user, post=post)


def follow_thread(user: User, thread: Comment) -> None:
    """Follow one top-level comment's thread (the caller commits)."""
    _add(user, thread=thread)


def set_following(
    user: User, *, post: Post | None = None, thread: Comment | None = None, follow: bool
) -> None:
    """Follow or stop following a discussion or a thread, and commit."""
    if follow:
        _add(user, post=post, thread=thread)
    else:
        condition = Follow.post_id == post.id if post is not None else Follow.thread_id == thread.id
        db.session.execute(delete(Follow).where(Follow.user_id == user.id, condition))
    db.session.commit()


def stop(user: User, follow_id: int) -> Follow | None:
    """Stop one of the member's follows, by id (from the account page); the follow removed."""
    found = db.session.scalar(
        select(Follow)
        .where(Follow.id == follow_id, Follow.user_id == user.id)
        .options(joinedload(Follow.post), joinedload(Follow.thread).joinedload(Comment.post))
    )
    if found is not None:
        db.session.delete(found)
        db.session.commit()
    return found


def state_on(post: Post, user: User | None) -> FollowState:
    """What user follows on post: the discussion and its threads, asked once per request.

    Every follow button on a post page asks; the page of threads usually knows already
    (remember_state, from state_columns riding on its query), else one statement answers.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return FollowState()
    known: dict[int, FollowState] = g.setdefault("follow_states", {})
    if post.id not in known:
        thread = aliased(Comment)
        rows = db.session.execute(
            select(Follow.post_id, Follow.thread_id)
            .outerjoin(thread, thread.id == Follow.thread_id)
            .where(
                Follow.user_id == user.id,
                or_(Follow.post_id == post.id, thread.post_id == post.id),
            )
        )
        state = FollowState()
        for post_id, thread_id in rows:
            state.post = state.post or post_id is not None
            if thread_id is not None:
                state.threads.add(thread_id)
        known[post.id] = state
    return known[post.id]


def state_columns(post: Post, viewer: User | None) -> tuple:
    """Two columns for a query of post's top-level comments: does viewer follow this thread,
    and the discussion? (None for visitors.) The post page learns its follow buttons' state
    from the query it runs anyway, at no statement of its own."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return ()
    return (
        exists().where(Follow.user_id == viewer.id, Follow.thread_id == Comment.id),
        exists().where(Follow.user_id == viewer.id, Follow.post_id == post.id),
    )


def remember_state(post: Post, rows: list) -> None:
    """Keep what the state_columns of rows (comment, follows thread, follows post) said."""
    if not rows:
        return  # nothing says whether the discussion is followed: state_on will ask
    state = FollowState(post=bool(rows[0][2]))
    state.threads = {row[0].id for row in rows if row[1]}
    known: dict[int, FollowState] = g.setdefault("follow_states", {})
    if post.id in known:  # a second page of threads on the same request adds to the first
        known[post.id].threads |= state.threads
    else:
        known[post.id] = state


def forget_state() -> None:
    """After a change, the next question asks the database again."""
    g.pop("follow_states", None)


def followed_by(user: User) -> list[Follow]:
    """Everything the member follows, newest first, with its post or thread (one query)."""
    return list(
        db.session.scalars(
            select(Follow)
            .where(Follow.user_id == user.id)
            .options(
                joinedload(Follow.post),
                joinedload(Follow.thread).joinedload(Comment.post),
                joinedload(Follow.thread).joinedload(Comment.author),
            )
            .order_by(Follow.created_at.desc(), Follow.id.desc())
        ).unique()
    )


def followers_of(comment: Comment) -> dict[int, str]:
    """Who follows the discussion or the thread comment belongs to: user id -> the kind they are
    told ("followed_thread" wins over "followed_post": it is the nearer reason)."""
    rows = db.session.execute(
        select(Follow.user_id, Follow.thread_id).where(
            or_(Follow.post_id == comment.post_id, Follow.thread_id == comment.root_id)
        )
    )
    kinds: dict[int, str] = {}
    for user_id, thread_id in rows:
        if thread_id is not None:
            kinds[user_id] = "followed_thread"
        else:
            kinds.setdefault(user_id, "followed_post")
    return kinds
