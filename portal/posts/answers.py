"""Clinicians' answers on a post: each answered question with the reply marked as its answer.

A reader who came for answers should not have to read the whole discussion to find them. The
list is read in a fixed number of statements however many answers a post has: a count, the
page of questions joined to their answers (authors with them), and where each question sits
among the discussion's pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from ..comments import threads
from ..extensions import db
from ..models import Comment, Post


@dataclass(frozen=True)
class AnsweredQuestion:
    question: Comment
    answer: Comment
    # The page of threads (in the discussion's default order) that shows the question.
    thread_page: int


@dataclass(frozen=True)
class AnswersPage:
    items: list[AnsweredQuestion]
    page: int
    pages: int
    total: int


def answers_page(post: Post, viewer: Any, page: int, per_page: int) -> AnswersPage:
    """One page of post's answered questions, the most recently answered first."""
    answer = aliased(Comment)
    answered = (Comment.post_id == post.id, threads.answered_condition(answer))
    total = (
        db.session.scalar(
            select(func.count())
            .select_from(Comment)
            .join(answer, answer.id == Comment.answer_id)
            .where(*answered)
        )
        or 0
    )
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        select(Comment, answer)
        .join(answer, answer.id == Comment.answer_id)
        .where(*answered)
        .options(joinedload(Comment.author), joinedload(answer.author))
        .order_by(Comment.state_changed_at.desc(), Comment.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    places = threads.pages_of(
        post,
        [question.id for question, _ in rows],
        viewer,
        current_app.config["THREADS_PER_PAGE"],
    )
    return AnswersPage(
        items=[AnsweredQuestion(question, reply, places[question.id]) for question, reply in rows],
        page=page,
        pages=pages,
        total=total,
    )
