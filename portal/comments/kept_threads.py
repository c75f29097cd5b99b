"""A page of a post's threads drawn once for every member of a role, kept, and finished per member.

Drawing a long thread is most of a member's post page, and nearly all of it is the same for
every member of one role: what differs is in the threads a member wrote in (their edit and
delete links, no report link on their own words, an asker's "this answered my question"),
follows, or marked an answer in as helpful. So a page of threads is drawn once for a
stand-in member of the role who wrote, follows and marked nothing, and kept in this process;
each member's page takes it and draws afresh only the threads that are theirs in one of those
ways (usually none), and puts their own form token where the stand-in's was.

A drawing is kept under the content version (content_version.py), which every change to a
comment, post or shown account moves on, so a kept drawing is never older than the data.
Follows and helpful marks do not move it: they are read for each request, and they only ever
decide which threads are drawn afresh.

Drawn whole, as before, for anyone whose page differs in more than whole threads: staff who
handle questions or change a thread's kind (claims, which run out with time, and their
buttons on every thread), a member who may not post now (every Reply link says why), and a
member with a comment held for moderation on the post (a held thread of theirs is in their
page and in nobody else's).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import bindparam, func, literal, select, union_all

from .. import content_version
from ..extensions import db
from ..models import Comment, Follow, HelpfulMark, Post
from ..notifications import following
from ..permissions import allowed, restriction_message
from . import threads
from .cards import CommentCards

# Pages of threads kept per process: a post's pages in each order, for each role that reads.
KEPT_DRAWINGS = 64
# Between threads in a drawing, and where the stand-in's form token was: random per process,
# so no comment can hold either.
_SEPARATOR = f"\x00thread-{secrets.token_hex(8)}\x00"
_TOKEN = f"\x00token-{secrets.token_hex(8)}\x00"


@dataclass(frozen=True)
class _AnyMember:
    """Whom a drawing is made for: a member of role, in good standing, who wrote, follows and
    marked nothing (no account has id 0). Permissions read role and status, as of anyone."""

    role: str
    id: int = 0
    status: str = "active"
    suspended_until: None = None
    status_reason: None = None
    is_authenticated: bool = True


@dataclass(frozen=True)
class _Drawing:
    version: int
    roots: tuple[int, ...]  # the threads drawn, in their order on the page
    parts: tuple[str, ...]  # each thread's markup, the stand-in's token in its forms
    has_more: bool
    approved_total: int
    answered_total: int


class _StandInCards(CommentCards):
    """The stand-in's cards: forms carry a mark each member's token replaces."""

    csrf_token = _TOKEN  # type: ignore[assignment]


class _Store:
    """The newest drawing of each page kept, the least recently read dropped first."""

    def __init__(self) -> None:
        self._drawings: OrderedDict[tuple, _Drawing] = OrderedDict()
        self._lock = threading.Lock()  # the development server answers from threads

    def get(self, key: tuple, version: int) -> _Drawing | None:
        with self._lock:
            drawing = self._drawings.get(key)
            if drawing is None or drawing.version != version:
                return None
            self._drawings.move_to_end(key)
            return drawing

    def put(self, key: tuple, drawing: _Drawing) -> None:
        with self._lock:
            self._drawings[key] = drawing
            self._drawings.move_to_end(key)
            while len(self._drawings) > KEPT_DRAWINGS:
                self._drawings.popitem(last=False)

    def __len__(self) -> int:
        return len(self._drawings)


def draws_alike(viewer: Any) -> bool:
    """Whether viewer's threads differ from the stand-in's only in whole threads."""
    return (
        getattr(viewer, "is_authenticated", False)
        and restriction_message(viewer) is None
        and not allowed(viewer, "handle_questions")
        and not allowed(viewer, "change_thread_kind")
    )


def load_page(
    post: Post, viewer: Any, post_url: str, page: int, per_page: int, order: str
) -> threads.ThreadPage | None:
    """The page of threads for viewer, drawn (ThreadPage.drawn), or None when their page must
    be drawn whole (see the module's note) or has no threads."""
    if not draws_alike(viewer):
        return None
    page, order = max(page, 1), threads.order_from(order)
    key = (post.id, page, per_page, order, viewer.role, post_url)
    version = content_version.current()
    store = _store()
    drawing = store.get(key, version)
    if drawing is None:
        drawing = _draw(post, viewer.role, post_url, page, per_page, order, version)
        store.put(key, drawing)
    if not drawing.roots:
        return None
    theirs, holds_back = _their_threads(post, viewer, drawing.roots)
    if holds_back:
        return None
    parts = list(drawing.parts)
    helpful_marked: set[int] = set()
    if theirs:
        own = threads.load_threads(post, viewer, theirs)
        helpful_marked = own.helpful_marked
        cards = CommentCards(post, post_url, helpful_marked, viewer)
        redrawn = _draw_threads(own.threads, cards)
        place = {root: index for index, root in enumerate(drawing.roots)}
        for root, markup in redrawn.items():
            parts[place[root]] = markup
    return threads.ThreadPage(
        threads=[],
        page=page,
        has_more=drawing.has_more,
        approved_total=drawing.approved_total,
        helpful_marked=helpful_marked,
        order=order,
        answered_total=drawing.answered_total,
        drawn=Markup("".join(parts).replace(_TOKEN, generate_csrf())),
    )


def _store() -> _Store:
    """This app's kept drawings (an app of its own, as each test makes, starts with none)."""
    store = current_app.extensions.get("kept_threads")
    if store is None:
        store = current_app.extensions.setdefault("kept_threads", _Store())
    return store


def _draw(
    post: Post, role: str, post_url: str, page: int, per_page: int, order: str, version: int
) -> _Drawing:
    stand_in = _AnyMember(role)
    found = threads.load_page(post, stand_in, page, per_page, order)
    # The stand-in's follow state (none) must not answer for the member's own buttons.
    following.forget_state()
    drawn = _draw_threads(found.threads, _StandInCards(post, post_url, (), stand_in))
    roots = tuple(node.comment.id for node in found.threads)
    return _Drawing(
        version=version,
        roots=roots,
        parts=tuple(drawn[root] for root in roots),
        has_more=found.has_more,
        approved_total=found.approved_total,
        answered_total=found.answered_total,
    )


def _draw_threads(nodes: list[threads.ThreadNode], cards: CommentCards) -> dict[int, str]:
    """Each thread's markup by its top-level comment's id, from one rendering."""
    if not nodes:
        return {}
    markup = render_template(
        "comments/_kept_thread_items.html",
        threads=nodes,
        cards=cards,
        separator=Markup(_SEPARATOR),
    )
    parts = markup.split(_SEPARATOR)
    return {node.comment.id: part for node, part in zip(nodes, parts, strict=False)}


# Which of a page's threads are one member's (wrote in, follows, marked an answer in),
# whether they have a comment held on the post, and whether they follow its discussion (as
# thread 0, which no comment is, for the button above the threads): one statement.
_THE_DISCUSSION = 0
_THEIRS = union_all(
    select(
        func.coalesce(Comment.root_id, Comment.id),
        (Comment.status == "pending").label("held"),
    ).where(Comment.author_id == bindparam("viewer_id"), Comment.post_id == bindparam("post_id")),
    select(Follow.thread_id, literal(False)).where(
        Follow.user_id == bindparam("viewer_id"),
        Follow.thread_id.in_(bindparam("roots", expanding=True)),
    ),
    select(Comment.root_id, literal(False))
    .join(HelpfulMark, HelpfulMark.comment_id == Comment.id)
    .where(
        HelpfulMark.user_id == bindparam("viewer_id"),
        Comment.root_id.in_(bindparam("roots", expanding=True)),
    ),
    select(literal(_THE_DISCUSSION), literal(False)).where(
        Follow.user_id == bindparam("viewer_id"), Follow.post_id == bindparam("post_id")
    ),
)


def _their_threads(post: Post, viewer: Any, roots: Collection[int]) -> tuple[set[int], bool]:
    rows = db.session.execute(
        _THEIRS, {"viewer_id": viewer.id, "post_id": post.id, "roots": list(roots)}
    ).all()
    following.remember_post_state(post, any(root == _THE_DISCUSSION for root, _ in rows))
    on_page = set(roots)
    return {root for root, _ in rows if root in on_page}, any(held for _, held in rows)


def kept_count() -> int:
    """How many drawings this app keeps now (tests)."""
    return len(_store())
