"""The unanswered-questions queue: patients' and caregivers' questions no clinician has answered.

A question is an approved top-level comment a patient or caregiver asked as one, on a published
post that is open for comments. Its state lives on the comment (questions.lifecycle moves it):
it waits until a clinician's reply is marked as its answer or a clinician closes it.
Every function here runs a fixed number of statements, however long the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import g
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager

from .. import paging
from ..extensions import db
from ..models import Comment, Post, Tag, User, post_tags

QUESTIONS_PER_PAGE = 25


def _waiting() -> Select:
    """Waiting questions joined to their post and asker; narrow and shape it further."""
    return (
        select(Comment)
        .join(Post, Comment.post_id == Post.id)
        .outerjoin(User, Comment.author_id == User.id)
        .where(
            Comment.question_state == "waiting",
            Comment.status == "approved",
            Post.status == "published",
            Post.comments_open.is_(True),
        )
    )


@dataclass(frozen=True)
class QuestionFilter:
    """Narrowing the queue to one post and/or one treatment tag, by slug."""

    post_slug: str = ""
    tag_slug: str = ""

    @property
    def active(self) -> bool:
        return bool(self.post_slug or self.tag_slug)

    def apply(self, query: Select) -> Select:
        if self.post_slug:
            query = query.where(Post.slug == self.post_slug)
        if self.tag_slug:
            tagged = select(post_tags.c.post_id).join(Tag, Tag.id == post_tags.c.tag_id)
            query = query.where(Post.id.in_(tagged.where(Tag.slug == self.tag_slug)))
        return query

    def as_args(self) -> dict[str, str]:
        """The filter as URL query arguments, leaving out what is not set."""
        args = {"post": self.post_slug, "tag": self.tag_slug}
        return {name: value for name, value in args.items() if value}


@dataclass(frozen=True)
class FilterChoice:
    slug: str
    label: str
    waiting: int


@dataclass(frozen=True)
class QuestionPage:
    questions: list[Comment]
    total: int
    page: int
    pages: int
    filter: QuestionFilter
    post_choices: list[FilterChoice]
    tag_choices: list[FilterChoice]


def waiting_count(*, fresh: bool = False) -> int:
    """How many questions wait in all, for the navigation; counted once per request."""
    if fresh or "waiting_questions" not in g:
        query = _waiting().with_only_columns(func.count(Comment.id))
        g.waiting_questions = db.session.scalar(query) or 0
    return g.waiting_questions


def _post_choices() -> list[FilterChoice]:
    rows = db.session.execute(
        _waiting()
        .with_only_columns(Post.slug, Post.title, func.count(Comment.id))
        .group_by(Post.id, Post.slug, Post.title)
        .order_by(Post.title)
    )
    return [FilterChoice(slug, title, count) for slug, title, count in rows]


def _tag_choices() -> list[FilterChoice]:
    rows = db.session.execute(
        _waiting()
        .join(post_tags, post_tags.c.post_id == Post.id)
        .join(Tag, Tag.id == post_tags.c.tag_id)
        .with_only_columns(Tag.slug, Tag.name, func.count(Comment.id))
        .group_by(Tag.id, Tag.slug, Tag.name)
        .order_by(Tag.name)
    )
    return [FilterChoice(slug, name, count) for slug, name, count in rows]


def waiting_questions(
    question_filter: QuestionFilter, page: int = 1, per_page: int = QUESTIONS_PER_PAGE
) -> QuestionPage:
    """One page of waiting questions, oldest first, each with its post and asker loaded."""
    narrowed = question_filter.apply(_waiting())
    found = paging.fetch_page(
        narrowed.options(contains_eager(Comment.post), contains_eager(Comment.author)).order_by(
            Comment.created_at, Comment.id
        ),
        narrowed.with_only_columns(func.count(Comment.id)),
        page,
        per_page,
    )
    return QuestionPage(
        questions=found.rows,
        total=found.total,
        page=found.page,
        pages=found.pages,
        filter=question_filter,
        post_choices=_post_choices(),
        tag_choices=_tag_choices(),
    )


def new_waiting_by_post(since: datetime) -> list[tuple[int, int, int]]:
    """(post author id, post id, how many) for questions public since since and still waiting.

    A held question counts from its approval, so none is missed for having waited in the
    moderation queue. For the clinicians' new-questions notice (notifications.tasks).
    """
    public_since = func.coalesce(Comment.moderated_at, Comment.created_at) >= since
    rows = db.session.execute(
        _waiting()
        .where(public_since)
        .with_only_columns(Post.author_id, Post.id, func.count(Comment.id))
        .group_by(Post.author_id, Post.id)
    )
    return [(author_id, post_id, count) for author_id, post_id, count in rows]


def waiting_question(comment_id: int) -> Comment | None:
    """One question if it is still waiting for an answer, else None."""
    return db.session.scalar(
        _waiting()
        .where(Comment.id == comment_id)
        .options(contains_eager(Comment.post), contains_eager(Comment.author))
    )


def is_answered(question: Comment) -> bool:
    """True once the question is no longer waiting (answered or closed)."""
    return question.question_state != "waiting"
