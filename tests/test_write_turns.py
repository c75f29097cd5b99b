"""Comment writers on SQLite take turns through a lock file beside the database: the turn is
held from a comment's first write until its transaction ends, whichever way it ends."""

from __future__ import annotations

import fcntl
import os

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.comments import service
from portal.extensions import db

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("PORTAL_TEST_DATABASE_URL")), reason="turns are for SQLite only"
)


def _turn_is_free() -> bool:
    """Whether another writer (another open file, as another process has) could take a turn."""
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
        assert not _turn_is_free()
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
        assert not _turn_is_free()
        db.session.rollback()
        assert _turn_is_free()


def test_a_refused_comment_takes_no_turn(app, post, people):
    with app.test_request_context(), pytest.raises(service.CommentError):
        try:
            service.submit(post, people["clinician"], "   ", commit=False)
        finally:
            assert _turn_is_free()
