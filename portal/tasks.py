"""The task queue: Huey, on SQLite in instance/ by default or on Redis when configured.

Requests never send mail or expand notifications themselves; they write rows and, after the
commit, put pointers to those rows here. The worker (`flask --app portal worker`) runs the
tasks inside the app, and a periodic sweep re-finds any row whose pointer was lost.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask
from huey import Huey, MemoryHuey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

# Storage is set by bind(app) from TASK_QUEUE_URL; until then the queue lives in memory.
huey: Huey = MemoryHuey("treatment-talk", results=False, utc=True)
_app: Flask | None = None

# Every module that defines tasks; the worker imports them all, so that it knows every task a
# request may queue. A module listed here that does not exist (yet) is skipped with a warning.
TASK_MODULES = (
    "portal.mail.delivery",
    "portal.notifications.tasks",
)


class _QueueOnSqlite(SqliteStorage):
    """Huey on SQLite, syncing as the portal's own database does (WAL, synchronous NORMAL).

    SQLite's default (FULL) waits for the disk at each hand-over, milliseconds of every
    comment write on a busy disk; in WAL mode NORMAL cannot corrupt the file, and a pointer
    lost in a power cut is re-found by the periodic sweep, as any lost pointer is."""

    def _create_connection(self):
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection


def _storage_for(url: str, name: str = "treatment-talk"):
    if url == "memory://":  # tests: each app its own queue, which nothing consumes
        return MemoryStorage(name)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from redis import ConnectionPool

        # A request hands over after its commit: an unreachable Redis must cost it seconds,
        # not minutes (the sweep sends what was not handed over).
        pool = ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        return RedisStorage(name, connection_pool=pool)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return _QueueOnSqlite(name, filename=str(path))
    raise ValueError(f"PORTAL_TASK_QUEUE_URL must be sqlite:///PATH or redis://…, not {url!r}")


def bind(app: Flask) -> None:
    """Point the queue at the app's storage; tasks run in this app's context."""
    global _app
    _app = app
    huey.storage = _storage_for(app.config["TASK_QUEUE_URL"], app.config["TASK_QUEUE_NAME"])


def import_task_modules() -> list[str]:
    """Import every module of TASK_MODULES that exists; the names of those imported."""
    imported = []
    for name in TASK_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name is None or not name.startswith(error.name):
                raise  # the module exists but something it imports does not
            logger.warning("task module %s does not exist; skipped", name)
            continue
        imported.append(name)
    return imported


def in_app_context(function: F) -> F:
    """Run a task inside the bound app, with a fresh database session each time."""

    @wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        if _app is None:
            raise RuntimeError("the task queue is not bound to an app (tasks.bind)")
        with _app.app_context():
            return function(*args, **kwargs)

    return run  # type: ignore[return-value]


def hand_over(task: Callable[[int], Any], row_ids: Iterable[int], what: str) -> None:
    """Queue task once per committed row; the row is the truth, so a queue that is away only
    leaves the row for the periodic sweep to find."""
    for row_id in row_ids:
        try:
            task(row_id)
        except Exception:
            logger.warning("could not queue %s %s; the sweep will find it", what, row_id)


def enqueue_delivery(email_ids: Iterable[int]) -> None:
    """Hand committed outbox rows to the worker."""
    from .mail.delivery import deliver_email

    hand_over(deliver_email, email_ids, "email")
