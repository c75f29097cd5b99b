"""Following a discussion (a post) or a thread (a top-level comment and its replies).

A member follows what they can read. Asking a question follows its thread (events.py); the
follow buttons and the account page's list use the functions here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import g
from sqlalchemy import bindparam, delete, exists, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Comment, Follow, Post, User, utcnow


@dataclass
class FollowState:
    """What one member follows on one post page: the discussion, and which of the threads
    the page shows (seen)."""

    post: bool = False
    threads: set[int] = field(default_factory=set)
    seen: set[int] = field(default_factory=set)


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


# Written as one Core statement, built once: the unit of work's bookkeeping for this row cost
# a comment's write more than the row itself.
_NEW_THREAD_FOLLOW = insert(Follow.__table__).values(
    user_id=bindparam("user_id"), thread_id=bindparam("thread_id"), created_at=bindparam("at")
)
_FOLLOWED_NEW = "threads_followed_now"


def follow_new_thread(user: User, thread: Comment) -> None:
    """Follow a thread started in this very transaction (thread is flushed): nobody can follow
    it yet, so the row goes in with no look first (the comment's write stays short). The
    thread's follow button, drawn in the same request, knows it without asking."""
    db.session.connection().execute(
        _NEW_THREAD_FOLLOW, {"user_id": user.id, "thread_id": thread.id, "at": utcnow()}
    )
    g.setdefault(_FOLLOWED_NEW, set()).add((user.id, thread.id))


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


def _is_member(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _known(post_id: int) -> FollowState | None:
    return g.get("follow_states", {}).get(post_id)


def following_post_now(post: Post, user: User | None) -> bool:
    """Whether user follows post's discussion, for its button: what the post page's thread
    query already said (remember_state), else one indexed lookup."""
    if not _is_member(user):
        return False
    known = _known(post.id)
    return known.post if known is not None else follows_post(user, post)


def following_thread_now(thread: Comment, user: User | None) -> bool:
    """Whether user follows thread, for its button: known from the post page's thread query
    (remember_state) for every thread it showed, else one indexed lookup (a card alone)."""
    if not _is_member(user):
        return False
    if (user.id, thread.id) in g.get(_FOLLOWED_NEW, ()):
        return True
    known = _known(thread.post_id)
    if known is not None and thread.id in known.seen:
        return thread.id in known.threads
    return follows_thread(user, thread)


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
        return  # nothing says whether the discussion is followed: the button will ask
    known: dict[int, FollowState] = g.setdefault("follow_states", {})
    state = known.setdefault(post.id, FollowState(post=bool(rows[0][2])))
    state.threads |= {row[0].id for row in rows if row[1]}
    state.seen |= {row[0].id for row in rows}


def remember_post_state(post: Post, followed: bool) -> None:
    """Keep whether the member follows post's discussion, as another of the page's queries
    learned it (comments.kept_threads), unless the thread query already said."""
    known: dict[int, FollowState] = g.setdefault("follow_states", {})
    known.setdefault(post.id, FollowState(post=followed))


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
