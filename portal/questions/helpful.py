"""'This helped me' on clinicians' answers: one mark per member per answer, and no down-votes.

The count lives on the answer (Comment.helpful_count), kept with the marks here, so that pages
show it without counting. It moves by an SQL expression in the same transaction as the mark,
so two members pressing at once both count, and a member's double press counts once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..forms import FieldError
from ..models import Comment, HelpfulMark
from ..permissions import allowed


class HelpfulError(FieldError):
    """A press that cannot count (not an answer); field names where the message goes."""


def can_mark(answer: Comment, member: Any) -> bool:
    """May member say "This helped me" of answer (a marked answer, not their own)?"""
    return (
        answer.kind == "answer"
        and answer.status == "approved"
        and allowed(member, "mark_helpful")
        and answer.author_id != member.id
    )


def mark(answer: Comment, member: Any) -> bool:
    """member says answer helped them; True when this press added a mark (the caller commits).

    A second press by the same member (a double click racing itself) finds the mark there and
    changes nothing.
    """
    _check_answer(answer)
    try:
        with db.session.begin_nested():
            db.session.add(HelpfulMark(comment_id=answer.id, user_id=member.id))
    except IntegrityError:
        return False
    _add_to_count(answer, 1)
    return True


def unmark(answer: Comment, member: Any) -> bool:
    """member takes their "This helped me" back; True when there was one (the caller commits)."""
    removed = db.session.execute(
        delete(HelpfulMark).where(
            HelpfulMark.comment_id == answer.id, HelpfulMark.user_id == member.id
        )
    )
    if not removed.rowcount:
        return False
    _add_to_count(answer, -1)
    return True


def member_leaving(member: Any) -> None:
    """member is deleting their account: their marks go, and the counts they were part of drop."""
    theirs = select(HelpfulMark.comment_id).where(HelpfulMark.user_id == member.id)
    db.session.execute(
        update(Comment)
        .where(Comment.id.in_(theirs))
        .values(helpful_count=Comment.helpful_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(HelpfulMark).where(HelpfulMark.user_id == member.id))


def has_marked(member: Any, answer: Comment) -> bool:
    return answer.id in marked_by(member, [answer.id])


def marked_by(viewer: Any, comment_ids: list[int]) -> set[int]:
    """Which of comment_ids viewer has marked helpful, in one statement (none for visitors)."""
    if not comment_ids or viewer is None or not getattr(viewer, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            select(HelpfulMark.comment_id).where(
                HelpfulMark.user_id == viewer.id, HelpfulMark.comment_id.in_(comment_ids)
            )
        )
    )


def _check_answer(answer: Comment) -> None:
    if answer.kind != "answer" or answer.status != "approved":
        raise HelpfulError("helped", "Only a clinician's marked answer can be marked helpful.")


def _add_to_count(answer: Comment, step: int) -> None:
    # helpful_count + step in the database, not in Python: a count read earlier may be stale.
    db.session.execute(
        update(Comment)
        .where(Comment.id == answer.id)
        .values(helpful_count=Comment.helpful_count + step)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(answer, ["helpful_count"])
