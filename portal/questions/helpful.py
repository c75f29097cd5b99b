"""'This helped me' on clinicians' answers: one mark per member per answer, and no down-votes.

The count lives on the answer (Comment.helpful_count), kept with the marks here, so that pages
show it without counting.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import HelpfulMark


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
