"""The waiting list's counts, kept for a few seconds in each process.

Counting the waiting questions of every post is the costliest thing the waiting list does: a
pass over an index holding every waiting question. Every clinician page shows the total in its
navigation and the list shows the counts per post and treatment, so each process keeps the
last counts for QUESTION_COUNTS_SECONDS (default 5; 0 counts afresh every time).

Nothing this process writes is ever missed: any flush, commit or rollback in it forgets the
counts, so a clinician who has just answered sees the new numbers at once. What another process
wrote shows within those few seconds. Counts only ever label the list: which questions it
shows, and their states, are always read afresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = "recent_question_counts"


class Kept:
    """Counts with what was made from them (the filter form), while they last."""

    def __init__(self, counts: Any, seconds: float) -> None:
        self.counts = counts
        self.until = time.monotonic() + seconds
        self._made: dict[Any, Any] = {}

    def made(self, key: Any, make: Callable[[], Any]) -> Any:
        """What make() gives from these counts, made once while they last."""
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]


def counts(compute: Callable[[], Any]) -> Kept:
    """The kept counts, or fresh ones from compute() when none are kept or they are too old."""
    seconds = current_app.config.get("QUESTION_COUNTS_SECONDS", 5)
    if seconds <= 0:  # counted once per request, for the list and the navigation alike
        if _KEY not in g:
            setattr(g, _KEY, Kept(compute(), 0))
        return getattr(g, _KEY)
    kept: Kept | None = current_app.extensions.get(_KEY)
    if kept is None or time.monotonic() >= kept.until:
        kept = current_app.extensions[_KEY] = Kept(compute(), seconds)
    return kept


def forget(*_: Any) -> None:
    if has_app_context():
        current_app.extensions.pop(_KEY, None)
        g.pop(_KEY, None)


def _forget_after_writes(orm_execute_state: Any) -> None:
    # Bulk UPDATE and DELETE statements change rows without a flush of objects.
    if orm_execute_state.is_update or orm_execute_state.is_delete:
        forget()


def install(app: Flask) -> None:
    """Forget the counts whenever this process writes. Listening on the Session class covers
    every session; events outside an app context (none here) change nothing."""
    if event.contains(Session, "after_commit", forget):
        return  # once per process: the listeners are on the Session class, not on one app
    for name in ("after_flush", "after_commit", "after_rollback"):
        event.listen(Session, name, forget)
    event.listen(Session, "do_orm_execute", _forget_after_writes)
