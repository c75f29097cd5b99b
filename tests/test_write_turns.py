"""Comment writers on SQLite take turns through a lock file beside the database: the turn is
held from a comment's first write until its transaction ends, whichever way it ends. On
PostgreSQL (CI's second pass) no turn is taken: the same tests check that nothing is held."""

from __future__ import annotations

import fcntl
import os

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.comments import service, write_turns
from portal.extensions import db


def _on_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def _turn_is_free() -> bool:
    """Whether another writer (another open file, as another process has) could take a turn."""
    if not _on_sqlite():
        # PostgreSQL keeps writers apart by row locks: no turn, no lock file, ever.
        return write_turns._HELD not in db.session.info
    database = db.engine.url.database
    descriptor = os.open(f"{database}-writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)
    return True


def test_a_comment_holds_the_turn_until_its_commit(app, post, people):
    with app.test_request_context():
        service.submit(post, people["clinician"], "Rest helps, in my experience.", commit=False)
        assert _turn_is_free() is not _on_sqlite()
        db.session.commit()
        assert _turn_is_free()


def test_the_turn_is_free_before_the_commit_hands_work_to_the_queue(app, post, people):
    seen: list[bool] = []

    def after_commit(session) -> None:
        seen.append(_turn_is_free())

    event.listen(Session, "after_commit", after_commit)
    try:
        with app.test_request_context():
            service.submit(post, people["clinician"], "Rest helps, in my experience.")
    finally:
        event.remove(Session, "after_commit", after_commit)
    assert seen == [True]


def test_a_comment_rolled_back_gives_the_turn_back(app, post, people):
    with app.test_request_context():
        service.submit(post, people["clinician"], "Rest helps, in my experience.", commit=False)
        assert _turn_is_free() is not _on_sqlite()
        db.session.rollback()
        assert _turn_is_free()


def test_a_refused_comment_takes_no_turn(app, post, people):
    with app.test_request_context(), pytest.raises(service.CommentError):
        try:
            service.submit(post, people["clinician"], "   ", commit=False)
        finally:
            assert _turn_is_free()
