"""When a write cannot be saved: which failures those are, and the one retry they get.

The database unreachable or restarting, the disk full, a lock held too long: none is the
person's fault and none is a bug to answer with "something went wrong". They answer 503,
"we could not save this just now", with the text given back (errors.py), and a failure that
is over in a moment (a connection dropped under a restart) is tried once more first.
"""

from __future__ import annotations

import errno
import functools
import sqlite3
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from sqlalchemy import exc

from .extensions import db

COULD_NOT_SAVE = (
    "We could not save this just now",
    "Nothing was saved, and what you wrote is still here. Please try again in a minute or two.",
)
COULD_NOT_SHOW = (
    "We cannot show this page just now",
    "Part of the site is not answering. Please try again in a minute or two.",
)

# Words SQLite and PostgreSQL use for a database that cannot take the write right now.
_UNSAVED_WORDS = (
    "database or disk is full",
    "disk i/o error",
    "database is locked",
    "readonly database",
    "read-only",
    "could not extend file",
    "no space left",
    "the database system is starting up",
    "the database system is shutting down",
    "terminating connection",
    "server closed the connection",
    "connection refused",
    "connection timed out",
    "could not connect",
    "canceling statement due to statement timeout",
    "read-only transaction",
    "unable to open database file",
)


def cannot_save(error: BaseException) -> bool:
    """Whether error means the write could not be saved for a reason outside the request."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
        return True
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, (exc.DisconnectionError, exc.TimeoutError)):  # pool: none free in time
        return True
    if isinstance(error, exc.DBAPIError):
        if isinstance(error.orig, sqlite3.Error):
            # SQLite says "OperationalError" for a missing table too: that is a bug, not a fault.
            words = str(error.orig).lower()
            return any(phrase in words for phrase in _UNSAVED_WORDS)
        # PostgreSQL's drivers keep OperationalError and InterfaceError for the connection and
        # the server's state; mistakes in a statement are ProgrammingError and the like.
        if isinstance(error, (exc.OperationalError, exc.InterfaceError)):
            return True
        words = str(error.orig).lower()
        return any(phrase in words for phrase in _UNSAVED_WORDS)
    return False


def passes_in_a_moment(error: BaseException) -> bool:
    """Worth one more try at once: the connection went (a restart, a failover), not the disk."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, exc.DisconnectionError):
        return True
    if isinstance(error, (exc.OperationalError, exc.InterfaceError)):
        words = str(error.orig).lower()
        return any(
            phrase in words
            for phrase in ("server closed the connection", "terminating connection", "ssl syscall")
        )
    return False


def retry_once(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run a writing view again, once, after a failure that passes in a moment.

    The first try's transaction is rolled back whole, so the second starts clean; and a form
    that was in fact saved before the connection dropped is recognised by its one-time token
    rather than stored twice (comments.service.submit)."""

    @functools.wraps(view)
    def tried_twice(*args: Any, **kwargs: Any) -> Any:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return view(*args, **kwargs)
        try:
            return view(*args, **kwargs)
        except Exception as error:
            if not passes_in_a_moment(error):
                raise
            current_app.logger.warning("retrying %s once after: %s", request.path, error)
            db.session.rollback()
            return view(*args, **kwargs)

    return tried_twice


def install(app: Flask) -> None:
    """Every view that writes gets its one retry, in one place rather than on each view."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = retry_once(view)
