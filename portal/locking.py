"""Row locks for decisions that read a row and then change it.

Two moderators deciding on one comment, or two readers' reports crossing the hide threshold,
must each see what the other did. Taking the row's write lock before reading it serialises
them: on PostgreSQL the no-op UPDATE locks that row until commit; on SQLite it takes the
database's write lock (waiting up to the busy timeout). The fresh read that follows sees
whatever the other transaction committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import select, update

from .extensions import db

M = TypeVar("M")


def lock(model: type[M], row_id: int) -> M | None:
    """Lock one row for the rest of this transaction and return it freshly read."""
    db.session.execute(
        update(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .values(id=model.id)  # type: ignore[attr-defined]
        .execution_options(synchronize_session=False)
    )
    return db.session.scalar(
        select(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .execution_options(populate_existing=True)
    )


def lock_many(model: type[M], row_ids: Iterable[int]) -> list[M]:
    """Lock several rows, always in id order so that two overlapping batches cannot deadlock."""
    rows = [lock(model, row_id) for row_id in sorted(set(row_ids))]
    return [row for row in rows if row is not None]
