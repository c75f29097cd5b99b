"""What a search shows: the engine's ids made into posts and comments, snippets and links.

The engine answers ids, best first; this module loads what they stand for in a fixed number
of statements however many there are (posts with their authors; comments with their authors
and posts; answered questions with their answers; the page of threads each comment is on),
and keeps the engine's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import Comment, Post
from . import engine
from .snippets import best_snippet, highlight, snippet

# How a group is named in its heading, and what its results are called ("See all 4 …").
GROUP_NAMES = {
    "posts": "Posts",
    "answered": "Answered questions",
    "discussion": "Other discussion",
}
GROUP_ITEMS = {
    "posts": "posts",
    "answered": "answered questions",
    "discussion": "other comments",
}
# On "all", each group shows its best few; "See all N …" pages through the rest.
PREVIEW_SIZES = {"posts": 3, "answered": 5, "discussion": 5}
PER_PAGE = 10


@dataclass(frozen=True)
class PostHit:
    post: Post
    title: Markup
    snippet: Markup


@dataclass(frozen=True)
class AnsweredHit:
    question: Comment
    answer: Comment
    question_snippet: Markup
    answer_snippet: Markup
    question_url: str
    answer_url: str


@dataclass(frozen=True)
class DiscussionHit:
    comment: Comment
    snippet: Markup
    url: str


@dataclass(frozen=True)
class Group:
    kind: str
    total: int
    hits: list[Any] = field(default_factory=list)
    # More than total match (the engine stops counting): the newest total are listed.
    more: bool = False

    @property
    def name(self) -> str:
        return GROUP_NAMES[self.kind]

    @property
    def items(self) -> str:
        return GROUP_ITEMS[self.kind]


@dataclass(frozen=True)
class Results:
    """One search's answer: the groups shown (three on "all", one otherwise) and paging."""

    groups: list[Group]
    page: int = 1
    pages: int = 1

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)

    @property
    def more(self) -> bool:
        return any(group.more for group in self.groups)


def everything(words: list[str], filters: engine.Filters) -> Results:
    """The best few of each group, with each group's count."""
    found = {
        kind: engine.search(words, kind, filters, limit=PREVIEW_SIZES[kind])
        for kind in engine.KINDS
    }
    groups = _load(found, words)
    return Results(groups=[groups[kind] for kind in engine.KINDS])


def one_kind(words: list[str], kind: engine.Kind, filters: engine.Filters, page: int) -> Results:
    """One page of one group; a page past the last one shows the last (as paging.fetch_page).

    When more match than the engine counts, the pages reach as far as it counted."""
    found = engine.search(words, kind, filters, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    pages = max(1, -(-found.total // PER_PAGE))
    if page > pages:
        page = pages
        found = engine.search(words, kind, filters, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    if found.more:
        # The newest found.total are what the heading promises; the engine lists on past them.
        shown = max(found.total - (page - 1) * PER_PAGE, 0)
        found = engine.Found(found.ids[:shown], found.total, more=True)
    groups = _load({kind: found}, words)
    return Results(groups=[groups[kind]], page=page, pages=pages)


def _load(found: dict[str, engine.Found], words: list[str]) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    if "posts" in found:
        posts = found["posts"]
        groups["posts"] = Group("posts", posts.total, _posts(posts.ids, words), posts.more)
    answered_ids = found["answered"].ids if "answered" in found else []
    discussion_ids = found["discussion"].ids if "discussion" in found else []
    pairs = _answered_pairs(answered_ids)
    comments = _comments(discussion_ids)
    if "answered" in found:
        hits = [_answered_hit(question, answer, words) for question, answer in pairs]
        groups["answered"] = Group(
            "answered", found["answered"].total, hits, found["answered"].more
        )
    if "discussion" in found:
        hits = [
            DiscussionHit(comment, snippet(comment.body_html, words), _permalink(comment))
            for comment in comments
        ]
        groups["discussion"] = Group(
            "discussion", found["discussion"].total, hits, found["discussion"].more
        )
    return groups


# The loading statements are built once: building an IN (…) of values costs SQLAlchemy about a
# millisecond each time, more than running it.
_IDS = bindparam("ids", expanding=True)


@cache
def _posts_by_id() -> Select:
    return select(Post).where(Post.id.in_(_IDS)).options(joinedload(Post.author))


@cache
def _questions_and_answers_by_id() -> Select:
    answer = aliased(Comment)
    return (
        select(Comment, answer)
        .join(answer, answer.id == Comment.answer_id)
        .where(Comment.id.in_(_IDS))
        .options(joinedload(Comment.author), joinedload(Comment.post), joinedload(answer.author))
    )


@cache
def _comments_by_id() -> Select:
    return (
        select(Comment)
        .where(Comment.id.in_(_IDS))
        .options(joinedload(Comment.author), joinedload(Comment.post))
    )


def _in_order(rows: dict[int, Any], ids: Sequence[int]) -> list[Any]:
    # The engine ranks; the database returns rows in any order. Ids gone since are skipped.
    return [rows[id_] for id_ in ids if id_ in rows]


def _posts(ids: list[int], words: list[str]) -> list[PostHit]:
    if not ids:
        return []
    rows = db.session.scalars(_posts_by_id(), {"ids": ids}).unique()
    return [
        PostHit(post, highlight(post.title, words), _post_snippet(post, words))
        for post in _in_order({post.id: post for post in rows}, ids)
    ]


def _post_snippet(post: Post, words: list[str]) -> Markup:
    """From the part of the post that matched (summary, body, references), else its start."""
    # The summary is plain text: escaped, it reads back as the text someone wrote.
    return best_snippet([escape(post.summary), post.body_html, post.references_html], words)


def _answered_pairs(ids: list[int]) -> list[tuple[Comment, Comment]]:
    if not ids:
        return []
    rows = db.session.execute(_questions_and_answers_by_id(), {"ids": ids}).all()
    return _in_order({question.id: (question, reply) for question, reply in rows}, ids)


def _comments(ids: list[int]) -> list[Comment]:
    if not ids:
        return []
    rows = db.session.scalars(_comments_by_id(), {"ids": ids}).unique()
    return _in_order({comment.id: comment for comment in rows}, ids)


def _answered_hit(question: Comment, answer: Comment, words: list[str]) -> AnsweredHit:
    return AnsweredHit(
        question=question,
        answer=answer,
        question_snippet=snippet(question.body_html, words),
        answer_snippet=snippet(answer.body_html, words),
        question_url=_permalink(question),
        answer_url=_permalink(answer),
    )


def _root_id(comment: Comment) -> int:
    return comment.root_id or comment.id


def _permalink(comment: Comment) -> str:
    """The comment's own address, which sends the reader on to the page of threads showing it:
    working out that page for every result cost more than the whole search (a count per
    thread), and only the one followed needs it."""
    return url_for("comments.card", comment_id=comment.id)
