"""Operations: the health check a load balancer or monitor polls."""

from __future__ import annotations

from functools import cache

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

bp = Blueprint("ops", __name__)


@cache
def migration_head(directory: str) -> str | None:
    """The newest migration the code ships (read once per process)."""
    config = AlembicConfig()
    config.set_main_option("script_location", directory)
    return ScriptDirectory.from_config(config).get_current_head()


@bp.get("/healthz")
def healthz():
    """200 when the database answers and its schema is at the code's migration head.

    It names no host, version or secret: only what is wrong, in a word.
    """
    expected = migration_head(current_app.extensions["migrate"].directory)
    try:
        current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    if current != expected:
        return jsonify(status="error", database="ok", migrations="behind"), 503
    return jsonify(status="ok", database="ok", migrations="head")
