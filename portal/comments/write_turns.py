"""Comment writers on SQLite take turns through a lock file, instead of polling for the lock.

SQLite lets one transaction write at a time. A writer that finds the database taken sleeps
and tries again (1, 2, 5, 10 ms and longer), so a comment arriving while another process
writes one often waited several times as long as the other's write lasted, its worker idle:
with the benchmark's four writers on two workers, about a sixth of each write. Taking an
exclusive lock on a file beside the database first makes the next writer wait in the kernel,
which wakes it the moment the other's transaction ends.

Only the order changes: SQLite's own lock still keeps writes apart (writers that take no
turn, and other threads of one process, which share its lock file, are kept apart by it alone).
A transaction that has already written takes no turn, so a writer can never wait here while
holding the database's lock another writer waits for. PostgreSQL needs none of this.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_HELD = "comment_write_turn"


def take(session: Session) -> None:
    """Wait for this process's turn to write, before the transaction's first write."""
    if session.info.get(_HELD) is not None:
        return
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    database = connection.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    if getattr(connection.connection.dbapi_connection, "in_transaction", True):
        return  # written already: it may hold the database's lock that another turn waits for
    descriptor = os.open(f"{database}-writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    except OSError:
        os.close(descriptor)
        return  # no turns where the file system has no locks: SQLite's lock alone, as before
    session.info[_HELD] = descriptor


def _give_back(session: Session) -> None:
    descriptor = session.info.pop(_HELD, None)
    if descriptor is not None:
        os.close(descriptor)  # closing the file releases its lock


# First of the commit's listeners: the database's own lock is free from here on, and what
# they do next (handing work to the queue, which may wait for its disk) needs no turn.
@event.listens_for(Session, "after_commit", insert=True)
def _end_turn_at_commit(session: Session) -> None:
    _give_back(session)


@event.listens_for(Session, "after_transaction_end")
def _end_turn(session: Session, transaction: Any) -> None:
    # The outermost transaction's end: rolled back or closed, the turn is over too.
    if transaction.parent is None:
        _give_back(session)
