"""Has this been asked? The answered questions most like a draft, ready to show beside it.

The engine chooses them (and alone decides what is visible); this module loads each question
with its clinician's answer, the answer's author and the post, in one statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import Comment
from ..sanitize import plain_excerpt
from . import engine, terms

# Fewer words than this say too little to compare: nothing is looked up, nothing is shown.
MIN_WORDS = 3
MOST_SHOWN = 5
# The question's opening words, enough to recognise it in a narrow column.
OPENING_LENGTH = 140


# Built once: a fresh alias each call costs more in SQLAlchemy than the query in SQLite.
_ANSWER = aliased(Comment, name="similar_answer")
_WITH_ANSWERS = (
    select(Comment, _ANSWER)
    .join(_ANSWER, Comment.answer_id == _ANSWER.id)
    .where(Comment.id.in_(bindparam("ids", expanding=True)))
    .options(joinedload(Comment.post), joinedload(_ANSWER.author))
)


@dataclass(frozen=True)
class SimilarQuestion:
    question: Comment
    answer: Comment

    @property
    def opening(self) -> str:
        return plain_excerpt(self.question.body_html, OPENING_LENGTH)


@dataclass(frozen=True)
class SimilarCheck:
    """The outcome of one look: what was found, or that the draft is still too short to say."""

    found: list[SimilarQuestion] = field(default_factory=list)
    too_short: bool = False

    @property
    def ids(self) -> str:
        """The questions shown, as the form sends them back (to announce only a change)."""
        return ",".join(str(similar.question.id) for similar in self.found)


def check(draft: str | None, *, limit: int = MOST_SHOWN) -> SimilarCheck:
    """Answered questions like draft, best first, each with the clinician's answer."""
    text = (draft or "")[: terms.MAX_QUERY_CHARACTERS * 20]
    if len(terms.words(text)) < MIN_WORDS:
        return SimilarCheck(too_short=True)
    ids = engine.similar_answered(text, limit=limit)
    if not ids:
        return SimilarCheck()
    rows = db.session.execute(_WITH_ANSWERS, {"ids": ids}).all()
    by_id = {question.id: SimilarQuestion(question, found) for question, found in rows}
    return SimilarCheck(found=[by_id[id_] for id_ in ids if id_ in by_id])
