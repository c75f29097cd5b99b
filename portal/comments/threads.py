"""Loading a post's discussion and arranging it as threads.

A post page loads a page of top-level comments and everything under them in a fixed number
of queries, then builds the tree here, so the query count never grows with the thread.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import current_app
from markupsafe import Markup
from sqlalchemy import and_, bindparam, case, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import Comment, HelpfulMark, Post
from ..notifications import following

MAX_DEPTH = 4
# Shown as "[deleted]" when something visible hangs below them, so the thread holds together.
TOMBSTONE_STATUSES = ("deleted", "removed")
# What stands in for a comment this viewer may not read but whose replies they may: the
# thread keeps its shape and nothing of the hidden words shows.
PLACEHOLDERS = {
    "deleted": "[deleted]",
    "removed": "[removed by a moderator]",
    "rejected": "[removed by a moderator]",
    "spam": "[removed by a moderator]",
    "pending": "[hidden while a moderator looks at it]",
}
# How a reader may order the top-level threads, as the order menu words them. Permalinks
# (page_of) always count in DEFAULT_ORDER, so a link sent to someone finds its comment.
ORDERS = {
    "oldest": "Oldest first",
    "newest": "Newest first",
    "answered": "Answered first",
}
DEFAULT_ORDER = "oldest"


@dataclass
class ThreadNode:
    comment: Comment
    depth: int
    children: list[ThreadNode] = field(default_factory=list)
    # Set when the depth cap flattened this reply: the name of the person it answers.
    in_reply_to: str | None = None
    # The comment whose replies list holds this node (None: the top-level list).
    container_id: int | None = None
    # Set when this viewer sees a stand-in instead of the comment (see PLACEHOLDERS).
    placeholder: str | None = None

    @property
    def is_tombstone(self) -> bool:
        return self.placeholder is not None


def placeholder_for(comment: Comment, viewer_id: int | None) -> str | None:
    """The stand-in this viewer sees instead of comment, or None when they may read it."""
    if comment.status == "approved":
        return None
    if comment.status == "pending" and viewer_id is not None and comment.author_id == viewer_id:
        return None  # one's own held comment, marked as awaiting moderation
    return PLACEHOLDERS.get(comment.status, "[hidden]")


@dataclass
class ThreadPage:
    threads: list[ThreadNode]
    page: int
    has_more: bool
    approved_total: int
    # The answers on this page the viewer said "This helped me" of (questions.helpful).
    helpful_marked: set[int] = field(default_factory=set)
    order: str = DEFAULT_ORDER
    # Questions on the post answered by a clinician, as "Clinicians' answers (N)" counts them.
    answered_total: int = 0
    # The threads already drawn, in place of threads (a member's page from a kept drawing:
    # kept_threads.py); None when the template draws threads itself.
    drawn: Markup | None = None

    @property
    def order_arg(self) -> str | None:
        """The ?order= value that keeps this order in a link (none for the default)."""
        return None if self.order == DEFAULT_ORDER else self.order


def order_from(value: str | None) -> str:
    """The order a request asks for; anything unknown is the default, never an error."""
    return value if value in ORDERS else DEFAULT_ORDER


def _thread_order(order: str) -> tuple:
    if order == "newest":
        return (Comment.created_at.desc(), Comment.id.desc())
    if order == "answered":
        unanswered = case((Comment.question_state == "answered", 0), else_=1)
        return (unanswered, Comment.created_at, Comment.id)
    return (Comment.created_at, Comment.id)


def visibility(viewer: Any):
    """SQL condition for comments this viewer may see on a post page."""
    shown = Comment.status.in_(("approved", *TOMBSTONE_STATUSES))
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        own_pending = and_(Comment.status == "pending", Comment.author_id == viewer.id)
        return or_(shown, own_pending)
    return shown


def _viewer_id(viewer: Any) -> int | None:
    return viewer.id if viewer is not None and getattr(viewer, "is_authenticated", False) else None


# One alias for every call: a new one each time cost more to build than the query to run.
_answering_reply = aliased(Comment, name="answering_reply")


def _shown_or_answered():
    """Readable comments, or hidden ones that others answered (shown as placeholders)."""
    return exists().where(_answering_reply.parent_id == Comment.id)


def approved_total(post: Post) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Comment)
            .where(Comment.post_id == post.id, Comment.status == "approved")
        )
        or 0
    )


def answered_condition(answer: Any):
    """SQL: Comment is a public question on its post whose marked answer (answer, an alias
    joined on Comment.answer_id) is public too: what "Clinicians' answers" shows and counts."""
    return and_(
        Comment.kind == "question",
        Comment.question_state == "answered",
        Comment.status == "approved",
        answer.kind == "answer",
        answer.status == "approved",
    )


# One alias for every call, so SQLAlchemy compiles the statement once and reuses it.
_counted_question = aliased(Comment, name="counted_question")


def discussion_counts(post: Post) -> tuple[int, int]:
    """(approved comments, answered questions) on post, in one statement.

    Both counts are read from indexes alone, never from the comments' rows: the post page
    pays for them on every view. An answered question's answer is public (lifecycle reopens
    the question when its answer stops being public), so the state alone is counted here;
    the answers list itself also checks the answer (answered_condition).
    """
    row = db.session.execute(_discussion_counts_statement(), {"post_id": post.id}).one()
    return row[0] or 0, row[1] or 0


# Statements the post page runs on every view are built once (building one cost more than
# running it); SQLAlchemy statements are immutable, so one serves every request and thread.


@cache
def _discussion_counts_statement():
    answered = (
        select(func.count())
        .select_from(_counted_question)
        .where(
            _counted_question.question_state == "answered",
            _counted_question.status == "approved",
            _counted_question.post_id == bindparam("post_id"),
        )
        .scalar_subquery()
    )
    return (
        select(func.count(), answered)
        .select_from(Comment)
        .where(Comment.post_id == bindparam("post_id"), Comment.status == "approved")
    )


@cache
def _replies_statement(with_marks: bool):
    """Every reply in the threads given (roots), oldest first; with_marks adds whether the
    member (viewer_id) said "This helped me" of each (questions.helpful's marks): the page
    learns its helpful buttons' state from the query it runs anyway, as the follow buttons do."""
    marked = (
        (
            exists().where(
                HelpfulMark.user_id == bindparam("viewer_id"),
                HelpfulMark.comment_id == Comment.id,
            ),
        )
        if with_marks
        else ()
    )
    return (
        select(Comment, *marked)
        # Every status: hidden replies become placeholders or are pruned below.
        .where(
            Comment.root_id.in_(bindparam("roots", expanding=True)),
            Comment.parent_id.is_not(None),
        )
        .options(joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )


def _is_top_level():
    # Not "parent_id IS NULL": SQLite would answer that from the parent_id index, reading every
    # top-level comment on the site. Kept out of the index, the post_id index does the work,
    # so the query costs the same whatever else the site holds.
    return func.coalesce(Comment.parent_id, 0) == 0


def load_page(
    post: Post, viewer: Any, page: int = 1, per_page: int = 50, order: str = DEFAULT_ORDER
) -> ThreadPage:
    """Top-level threads page by page in order (see ORDERS), with all their visible replies.

    The same statements whatever the order; replies always run oldest first within a thread.
    """
    page = max(page, 1)
    order = order_from(order)
    # The page's threads are chosen by id first: sorting whole rows (bodies, authors, follow
    # state) for every thread on the post, to keep a page of them, cost more than the rest.
    on_this_page = (
        select(Comment.id)
        .where(
            Comment.post_id == post.id,
            _is_top_level(),
            or_(visibility(viewer), _shown_or_answered()),
        )
        .order_by(*_thread_order(order))
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
        .correlate(None)
    )
    rows = _root_rows(post, viewer, Comment.id.in_(on_this_page), order)
    has_more = len(rows) > per_page
    threads, helpful_marked = _arranged(post, viewer, rows[:per_page])
    approved, answered = discussion_counts(post)
    return ThreadPage(
        threads=threads,
        page=page,
        has_more=has_more,
        approved_total=approved,
        helpful_marked=helpful_marked,
        order=order,
        answered_total=answered,
    )


def load_threads(post: Post, viewer: Any, root_ids: Collection[int]) -> ThreadPage:
    """Only the threads whose top-level comments are root_ids, as viewer sees them (for the
    threads one member sees differently from a kept drawing: kept_threads.py). The counts
    and paging are not read: the page they go into has its own."""
    rows = _root_rows(post, viewer, Comment.id.in_(list(root_ids)), DEFAULT_ORDER)
    threads, helpful_marked = _arranged(post, viewer, rows)
    return ThreadPage(
        threads=threads, page=1, has_more=False, approved_total=0, helpful_marked=helpful_marked
    )


def _root_rows(post: Post, viewer: Any, chosen: Any, order: str) -> list:
    """Rows of (top-level comment, follow state columns…) for the chosen ids, in order."""
    # A member's follow buttons learn their state from this query (following.state_columns).
    return db.session.execute(
        select(Comment, *following.state_columns(post, viewer))
        .where(chosen)
        .options(joinedload(Comment.author), joinedload(Comment.claimed_by))
        .order_by(*_thread_order(order))
    ).all()


def _arranged(post: Post, viewer: Any, rows: list) -> tuple[list[ThreadNode], set[int]]:
    """The threads under the root rows, with every visible reply (one more statement), and the
    answers among them the viewer said "This helped me" of."""
    if rows and len(rows[0]) > 1:
        following.remember_state(post, rows)
    roots = [row[0] for row in rows]
    replies: list[Comment] = []
    # Only answers can be marked helpful, and answers are replies.
    helpful_marked: set[int] = set()
    viewer_id = _viewer_id(viewer)
    if roots:
        reply_rows = db.session.execute(
            _replies_statement(viewer_id is not None),
            {"roots": [root.id for root in roots], "viewer_id": viewer_id},
        ).all()
        replies = [row[0] for row in reply_rows]
        if viewer_id is not None:
            helpful_marked = {row[0].id for row in reply_rows if row[1]}
    return build_threads(roots, replies, viewer_id), helpful_marked


def page_of(comment: Comment, viewer: Any, per_page: int) -> int:
    """The page of top-level threads (as load_page pages them in the default order) that
    shows comment's thread."""
    root = comment if comment.parent_id is None else db.session.get(Comment, comment.root_id)
    if root is None:
        return 1
    earlier = db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.post_id == root.post_id,
            _is_top_level(),
            visibility(viewer),
            or_(
                Comment.created_at < root.created_at,
                and_(Comment.created_at == root.created_at, Comment.id < root.id),
            ),
        )
    )
    return (earlier or 0) // per_page + 1


def pages_of(post: Post, roots: list[int], viewer: Any, per_page: int) -> dict[int, int]:
    """page_of for many top-level comments of post at once, in one statement."""
    if not roots:
        return {}
    ranked = (
        select(
            Comment.id.label("id"),
            func.row_number().over(order_by=(Comment.created_at, Comment.id)).label("place"),
        )
        .where(Comment.post_id == post.id, _is_top_level(), visibility(viewer))
        .subquery()
    )
    rows = db.session.execute(select(ranked.c.id, ranked.c.place).where(ranked.c.id.in_(roots)))
    found = {root_id: (place - 1) // per_page + 1 for root_id, place in rows}
    return {root_id: found.get(root_id, 1) for root_id in roots}


def permalink_args(comment: Comment, viewer: Any) -> dict[str, Any]:
    """url_for("posts.show", …) arguments for comment's permalink, on the page of threads that
    shows it to viewer (threads come a page at a time)."""
    page = page_of(comment, viewer, current_app.config["THREADS_PER_PAGE"])
    return {
        "slug": comment.post.slug,
        "page": page if page > 1 else None,
        "_anchor": f"comment-{comment.id}",
    }


def build_threads(
    roots: list[Comment], replies: list[Comment], viewer_id: int | None = None
) -> list[ThreadNode]:
    """Arrange comments (each list oldest first) as trees, capping depth and pruning stand-ins.

    A comment viewer may not read becomes a placeholder, kept only when something readable
    hangs below it.
    """
    nodes: dict[int, ThreadNode] = {}
    top: list[ThreadNode] = []
    for root in roots:
        nodes[root.id] = ThreadNode(root, depth=1, placeholder=placeholder_for(root, viewer_id))
        top.append(nodes[root.id])
    for reply in replies:  # oldest first, so a parent is always placed before its replies
        parent = nodes.get(reply.parent_id or 0)
        if parent is None:
            continue
        nodes[reply.id] = place_reply(reply, parent, nodes)
        nodes[reply.id].placeholder = placeholder_for(reply, viewer_id)
    return [node for node in top if not _prune(node)]


def place_reply(reply: Comment, parent: ThreadNode, nodes: dict[int, ThreadNode]) -> ThreadNode:
    """Attach reply under parent, or beside it when parent already sits at the deepest level."""
    if parent.depth < MAX_DEPTH:
        node = ThreadNode(reply, depth=parent.depth + 1, container_id=parent.comment.id)
        parent.children.append(node)
        return node
    holder = nodes[parent.container_id] if parent.container_id is not None else None
    author = parent.comment.author
    node = ThreadNode(
        reply,
        depth=MAX_DEPTH,
        in_reply_to=author.display_name if author and not parent.is_tombstone else "a comment",
        container_id=parent.container_id,
    )
    if holder is not None:
        holder.children.append(node)
    return node


def _prune(node: ThreadNode) -> bool:
    """Drop tombstones with nothing visible below them; True when node itself goes."""
    node.children = [child for child in node.children if not _prune(child)]
    return node.is_tombstone and not node.children


def container_for(comment: Comment) -> int | None:
    """Which comment's replies list a new reply is shown in (mirrors place_reply)."""
    if comment.parent_id is None:
        return None
    chain_depth = depth_of(comment)
    if chain_depth <= MAX_DEPTH:
        return comment.parent_id
    # Flattened: it sits beside its parent, in the list of the deepest-level container.
    ancestor = comment
    for _ in range(chain_depth - MAX_DEPTH + 1):
        ancestor = ancestor.parent  # type: ignore[assignment]
    return ancestor.id


def depth_of(comment: Comment) -> int:
    depth = 1
    current = comment
    while current.parent is not None:
        depth += 1
        current = current.parent
    return depth


def node_for(comment: Comment) -> ThreadNode:
    """A lone node for one comment, placed as the full tree would place it, as its author sees it.

    Used to answer the author's own htmx requests (new comment, edit, delete).
    """
    depth = depth_of(comment)
    in_reply_to = None
    if depth > MAX_DEPTH and comment.parent is not None:
        parent_author = comment.parent.author
        in_reply_to = parent_author.display_name if parent_author else "a comment"
    return ThreadNode(
        comment,
        depth=min(depth, MAX_DEPTH),
        in_reply_to=in_reply_to,
        container_id=container_for(comment),
        placeholder=placeholder_for(comment, comment.author_id),
    )


def select_visible(post: Post, viewer: Any):
    """A select() of this post's comments that viewer may see, to narrow further."""
    return select(Comment).where(Comment.post_id == post.id, visibility(viewer))
