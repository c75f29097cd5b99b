"""Operations: the health check a load balancer or monitor polls."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db, limiter

bp = Blueprint("ops", __name__)


@cache
def migration_head(directory: str) -> str | None:
    """The newest migration the code ships (read once per process)."""
    config = AlembicConfig()
    config.set_main_option("script_location", directory)
    return ScriptDirectory.from_config(config).get_current_head()


def schema_revision() -> str | None:
    """The migration the database's schema is at, asked on a connection of its own (the
    request's may hold a failed transaction). Raises SQLAlchemyError when it cannot say."""
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def schema_is_current(revision: str | None) -> bool:
    return revision == migration_head(current_app.extensions["migrate"].directory)


def schema_is_behind() -> bool:
    """Whether the database's schema is older than the code's (its migrations not yet run)."""
    try:
        return not schema_is_current(schema_revision())
    except SQLAlchemyError:
        return True  # no record of migrations at all


@bp.get("/healthz")
def healthz():
    """200 when the database answers and its schema is at the code's migration head.

    It names no host, version or secret: only what is wrong, in a word. Shared rate-limit
    counters that do not answer are reported but leave it 200: the portal works on (each process
    counting for itself), and a balancer taking every instance out would stop it.
    """
    limits = rate_limit_counting()
    try:
        current = schema_revision()
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable", rate_limits=limits), 503
    if not schema_is_current(current):
        return jsonify(status="error", database="ok", migrations="behind", rate_limits=limits), 503
    if disk_nearly_full():
        return (
            jsonify(
                status="error",
                database="ok",
                migrations="head",
                disk="nearly full",
                rate_limits=limits,
            ),
            503,
        )
    status = "degraded" if limits == "unreachable" else "ok"
    return jsonify(status=status, database="ok", migrations="head", rate_limits=limits)


def disk_nearly_full() -> bool:
    """Less than PORTAL_MIN_FREE_DISK_MB free where the portal writes: the instance folder
    (task queue, mail files, logs) and, on SQLite, the database's folder. Posting would soon
    fail; better the monitor hears it now."""
    least = current_app.config.get("MIN_FREE_DISK_MB", 50) * 1024 * 1024
    folders = {Path(current_app.instance_path)}
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if database.get_backend_name() == "sqlite" and database.database not in (None, "", ":memory:"):
        folders.add(Path(database.database).parent)
    for folder in folders:
        try:
            if shutil.disk_usage(folder).free < least:
                return True
        except OSError:  # a folder not there yet holds nothing to fill
            continue
    return False


def rate_limit_counting() -> str:
    """Where rate limits are counted: "shared" (Redis answers), "unreachable" (it does not:
    each process counts in its own memory), "memory" (configured so) or "off"."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return "off"
    if current_app.config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory"):
        return "memory"
    # check() pings with the storage's short timeout and answers False rather than raising.
    return "shared" if limiter.storage is not None and limiter.storage.check() else "unreachable"
