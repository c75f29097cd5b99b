"""Finding posts and comments by their words, on SQLite (FTS5) or PostgreSQL (tsvector).

The one place that decides what a search may return: approved comments under published posts,
written by members who have not hidden their comment list, and published posts. The index
itself (schema.py) holds every text; a hidden one is never matched here, so nothing hidden can
reach a result, a snippet or a count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Float, Integer, and_, exists, func, not_, or_, select, text
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from ..extensions import db
from ..models import Comment, Post, Tag, User, post_tags
from . import schema
from .terms import draft_words

Kind = Literal["posts", "answered", "discussion"]
KINDS: tuple[Kind, ...] = ("posts", "answered", "discussion")
# Typing "thyro" should already find "thyroid"; shorter stems would match half the index.
PREFIX_FROM = 3


@dataclass(frozen=True)
class Filters:
    tag: str | None = None  # a Tag slug: only posts with it, and comments under them
    since: datetime | None = None  # posts published, comments written, at or after this


@dataclass(frozen=True)
class Found:
    ids: list[int]  # best first: Post ids for "posts", Comment ids otherwise
    total: int


NOTHING = Found([], 0)


def search(
    words: list[str],
    kind: Kind,
    filters: Filters = Filters(),
    *,
    limit: int = 10,
    offset: int = 0,
) -> Found:
    """Every word must match; the last one also as the start of a word, for typing."""
    if not words:
        return NOTHING
    if kind == "posts":
        query = _posts(_every_word(words), filters)
    elif kind == "answered":
        query = _answered_questions(_every_word(words), filters)
    else:
        query = _discussion(_every_word(words), filters)
    return _page(query, limit, offset)


def similar_answered(draft: str, *, limit: int = 5) -> list[int]:
    """Answered questions most like this draft, best first: any of its telling words."""
    words = draft_words(draft)
    if not words:
        return []
    hits = _answered_hits(_any_word(words))
    question, answer = aliased(Comment), aliased(Comment)
    query = (
        select(question.id)
        .join(hits, hits.c.id == question.id)
        .join(answer, answer.id == question.answer_id)
        .where(*_answered(question, answer), *_under_published_post(question, Filters()))
        .order_by(hits.c.score.desc(), question.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def rebuild() -> None:
    """Make the index again from the text (flask --app portal reindex), triggers included."""
    with db.engine.begin() as connection:
        schema.install(connection)
        schema.fill(connection)


# --- what may be found ------------------------------------------------------------------------


def _readable(comment) -> list:
    """What every comment in a result must be: readable by anyone, in a listing of its author's
    words (a member who hid their comment list is not gathered into one by a search)."""
    return [
        comment.status == "approved",
        exists().where(User.id == comment.author_id, User.hide_comment_list.is_(False)),
    ]


def _answered(question, answer) -> list:
    return [
        question.kind == "question",
        question.question_state == "answered",
        *_readable(question),
        *_readable(answer),
    ]


def _under_published_post(comment, filters: Filters) -> list:
    post_is = [Post.id == comment.post_id, Post.status == "published"]
    if filters.tag:
        post_is.append(_tagged(Post.id, filters.tag))
    conditions = [exists().where(*post_is)]
    if filters.since is not None:
        conditions.append(comment.created_at >= filters.since)
    return conditions


def _tagged(post_id, slug: str):
    return exists().where(
        post_tags.c.post_id == post_id, post_tags.c.tag_id == Tag.id, Tag.slug == slug
    )


def _posts(match: str, filters: Filters) -> Select:
    hits = _hits(
        "SELECT rowid AS id, -bm25(posts_fts, 10.0, 4.0, 1.0, 0.5) AS score"
        " FROM posts_fts WHERE posts_fts MATCH :match",
        "SELECT id, ts_rank_cd(search_vector, query) AS score"
        " FROM posts, to_tsquery('english', :match) AS query WHERE search_vector @@ query",
        match,
    )
    conditions = [Post.status == "published"]
    if filters.tag:
        conditions.append(_tagged(Post.id, filters.tag))
    if filters.since is not None:
        conditions.append(Post.published_at >= filters.since)
    return (
        select(Post.id, hits.c.score)
        .join(hits, hits.c.id == Post.id)
        .where(*conditions)
        .order_by(hits.c.score.desc(), Post.id.desc())
    )


def _answered_questions(match: str, filters: Filters) -> Select:
    """Questions a clinician answered whose own words, or whose answer's, match."""
    hits = _comment_hits(match)
    question, answer = aliased(Comment), aliased(Comment)
    shown = [*_answered(question, answer), *_under_published_post(question, filters)]
    by_question = (
        select(question.id.label("id"), hits.c.score.label("score"))
        .join(hits, hits.c.id == question.id)
        .join(answer, answer.id == question.answer_id)
        .where(*shown)
    )
    by_answer = (
        select(question.id.label("id"), hits.c.score.label("score"))
        .join(answer, answer.id == hits.c.id)
        .join(question, question.answer_id == answer.id)
        .where(*shown)
    )
    either = by_question.union_all(by_answer).subquery("either")
    best = func.max(either.c.score).label("score")
    return select(either.c.id, best).group_by(either.c.id).order_by(best.desc(), either.c.id.desc())


def _discussion(match: str, filters: Filters) -> Select:
    """Every other readable comment that matches: not the answered questions, nor the answers
    shown beneath them."""
    hits = _comment_hits(match)
    comment, question, answer = Comment, aliased(Comment), aliased(Comment)
    is_shown_answered = and_(
        comment.kind == "question",
        comment.question_state == "answered",
        exists().where(answer.id == comment.answer_id, *_readable(answer)),
    )
    is_shown_answer = exists().where(
        question.answer_id == comment.id,
        question.kind == "question",
        question.question_state == "answered",
        *_readable(question),
    )
    return (
        select(comment.id, hits.c.score)
        .join(hits, hits.c.id == comment.id)
        .where(
            *_readable(comment),
            *_under_published_post(comment, filters),
            not_(or_(is_shown_answered, is_shown_answer)),
        )
        .order_by(hits.c.score.desc(), comment.id.desc())
    )


def _page(query: Select, limit: int, offset: int) -> Found:
    counted = query.add_columns(func.count().over().label("total")).limit(limit).offset(offset)
    rows = db.session.execute(counted).all()
    if rows:
        return Found([row[0] for row in rows], rows[0].total)
    if offset == 0:
        return NOTHING
    # Past the last page: say how many there are, so the page can offer the way back.
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return Found([], total)


# --- the engines' own languages ---------------------------------------------------------------


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _every_word(words: list[str]) -> str:
    last = words[-1]
    prefix = len(last) >= PREFIX_FROM
    if _postgres():
        return " & ".join([*words[:-1], f"{last}:*" if prefix else last])
    # Each word quoted: FTS5 reads nothing inside quotes as syntax (words hold no quotes).
    quoted = [f'"{word}"' for word in words]
    if prefix:
        quoted[-1] += "*"
    return " ".join(quoted)


def _any_word(words: list[str]) -> str:
    if _postgres():
        return " | ".join(words)
    return " OR ".join(f'"{word}"' for word in words)


def _hits(sqlite: str, postgres: str, match: str):
    statement = text(postgres if _postgres() else sqlite).bindparams(match=match)
    return statement.columns(id=Integer, score=Float).subquery("hits")


def _comment_hits(match: str):
    return _hits(
        "SELECT rowid AS id, -bm25(comments_fts) AS score"
        " FROM comments_fts WHERE comments_fts MATCH :match",
        "SELECT id, ts_rank_cd(search_vector, query) AS score"
        " FROM comments, to_tsquery('english', :match) AS query WHERE search_vector @@ query",
        match,
    )


def _answered_hits(match: str):
    return _hits(
        "SELECT rowid AS id, -bm25(answered_fts) AS score"
        " FROM answered_fts WHERE answered_fts MATCH :match",
        "SELECT id, ts_rank_cd(search_vector, query) AS score"
        " FROM comments, to_tsquery('english', :match) AS query"
        " WHERE question_state = 'answered' AND search_vector @@ query",
        match,
    )
