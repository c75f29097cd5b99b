"""A new comment's INSERT as one Core statement, its object then persistent as written.

The unit of work's flush of one new comment cost a write about a millisecond of CPU, mostly
bookkeeping for the comment's relationships (several of them to comments) rather than the
INSERT itself. Here every column's value is taken from the object or its column's default,
written with a statement built once, and the object joins the session as loaded: nothing is
expired or read back, and its post, author and parent stay as they were given.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import make_transient_to_detached

from .. import content_version
from ..extensions import db
from ..models import Comment

_TABLE = Comment.__table__
_INSERT = insert(_TABLE)
# (attribute, column) for every column but the id, which the database gives.
_COLUMNS = [
    (attribute.key, attribute.columns[0])
    for attribute in Comment.__mapper__.column_attrs
    if attribute.columns[0] is not _TABLE.c.id
]
# The object is not read back, so every default must be known here: a column the database
# alone would fill must say its default in Python too.
_FILLED_BY_THE_DATABASE = [
    key for key, column in _COLUMNS if column.server_default is not None and column.default is None
]
if _FILLED_BY_THE_DATABASE:
    raise RuntimeError(f"comments columns need a Python default: {_FILLED_BY_THE_DATABASE}")
# Many-to-one relationships given as objects, whose ids fill the foreign keys.
_GIVEN_AS_OBJECTS = (("post", "post_id"), ("author", "author_id"), ("parent", "parent_id"))


def _default(column: Any) -> Any:
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)
    return default.arg


def insert_new(comment: Comment) -> None:
    """Write comment (new, not in the session) and make it persistent in the session."""
    given = comment.__dict__
    for relationship, foreign_key in _GIVEN_AS_OBJECTS:
        if relationship in given and foreign_key not in given:
            related = given[relationship]
            setattr(comment, foreign_key, related.id if related is not None else None)
    values = {}
    for key, column in _COLUMNS:
        if key not in given:
            setattr(comment, key, _default(column))
        values[column.key] = given[key]
    session = db.session()
    written = session.connection().execute(_INSERT, values)
    comment.id = written.inserted_primary_key[0]
    make_transient_to_detached(comment)
    session.add(comment)
    content_version.comment_inserted(session, comment)
