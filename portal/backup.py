"""Backups: a consistent copy of the SQLite database while members go on posting.

`flask --app portal backup PATH` writes the copy with SQLite's VACUUM INTO: one read
transaction, so the copy is the database as it stood at one moment, and in WAL mode writers
carry on meanwhile (the shell's `.backup` restarts its page copy whenever a writer commits,
and under steady posting may not finish). The copy is a complete, compacted database: to
restore, stop the portal and put the file where PORTAL_DATABASE_URL points.

PostgreSQL is backed up with its own tools (`pg_dump --format=custom`, restored with
`pg_restore`); the command says so rather than pretending.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from .extensions import db


class BackupError(Exception):
    """Why no backup was written, in words for the operator."""


def sqlite_path() -> Path | None:
    """The database file, when the portal runs on SQLite (None otherwise)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def snapshot(destination: Path) -> Path:
    """Write a consistent copy of the SQLite database to destination (a new file)."""
    source = sqlite_path()
    if source is None:
        raise BackupError(
            "This database is not a SQLite file. For PostgreSQL use pg_dump, for example: "
            'pg_dump --format=custom --file=portal.dump "$PORTAL_DATABASE_URL".'
        )
    destination = destination.resolve()
    if destination.exists():
        raise BackupError(f"{destination} already exists: choose a new file name.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    # Its own connection: VACUUM cannot run inside the transaction a session may hold.
    connection = sqlite3.connect(source, timeout=30, isolation_level=None)
    try:
        connection.execute("PRAGMA busy_timeout=30000")
        connection.execute("VACUUM INTO ?", (str(partial),))
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed: {error}.") from error
    finally:
        connection.close()
    _check(partial)
    # Only a finished, checked copy takes the name: a half-written file never looks like one.
    partial.rename(destination)
    return destination


def _check(copy: Path) -> None:
    connection = sqlite3.connect(copy)
    try:
        verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        connection.close()
    if verdict != "ok":
        copy.unlink(missing_ok=True)
        raise BackupError(f"The copy did not pass SQLite's check ({verdict}); nothing was kept.")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent copy of the SQLite database to PATH (a new file)."""
    db.session.remove()
    try:
        written = snapshot(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up to {written} ({written.stat().st_size:,} bytes).")


COMMANDS = (backup_command,)
