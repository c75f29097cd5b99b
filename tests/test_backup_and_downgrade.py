"""Backups finish while members post and restore every row; downgrades never drop data unasked.

The backups are of SQLite files these tests make themselves (PostgreSQL is backed up with
pg_dump); the downgrade guard runs on whichever database the suite is using.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, inspect, select

from portal import create_app
from portal.backup import BackupError, snapshot
from portal.extensions import db
from portal.models import Comment, Post, User, utcnow

from .helpers import base_config


def sqlite_app(folder: Path, name: str = "live.sqlite3"):
    app = create_app(base_config(f"sqlite:///{folder / name}", folder))
    with app.app_context():
        upgrade()
    return app


def fill(app, make_rows: int = 30) -> None:
    from portal import rendering
    from portal.accounts import service as accounts

    with app.app_context():
        author = accounts.create_user(
            email="writer@example.org",
            display_name="Writer",
            password="a long password 1",
            role="clinician",
        )
        patient = accounts.create_user(
            email="patient@example.org", display_name="Patient", password="a long password 1"
        )
        post = Post(
            title="Backups",
            slug="backups",
            author=author,
            status="published",
            published_at=utcnow(),
            summary="A summary.",
        )
        rendering.set_post_body(post, "Text")
        db.session.add(post)
        db.session.flush()
        for n in range(make_rows):
            db.session.add(_comment(post, patient, n))
        db.session.commit()


def _comment(post: Post, author: User, n: int) -> Comment:
    return Comment(
        post_id=post.id,
        author_id=author.id,
        body_source=f"Comment {n}",
        body_html=f"<p>Comment {n}</p>",
        status="approved",
        kind="discussion",
    )


def table_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in names
        }
    finally:
        connection.close()


def test_a_backup_restores_into_a_fresh_database_with_every_row(tmp_path):
    app = sqlite_app(tmp_path)
    fill(app)
    copy = tmp_path / "copies" / "portal-backup.sqlite3"
    copy.parent.mkdir()
    result = app.test_cli_runner().invoke(args=["backup", str(copy)])
    assert result.exit_code == 0, result.output
    assert "Backed up to" in result.output
    assert table_counts(copy) == table_counts(tmp_path / "live.sqlite3")
    # Restore: a new portal pointed at the copy finds the same rows, and is at the migration head.
    restored = create_app(base_config(f"sqlite:///{copy}", tmp_path / "copies"))
    with restored.app_context():
        bodies = db.session.scalars(select(Comment.body_source).order_by(Comment.id)).all()
        assert bodies == [f"Comment {n}" for n in range(30)]
        assert db.session.scalar(select(User.email).where(User.display_name == "Patient")) == (
            "patient@example.org"
        )
        assert restored.test_client().get("/healthz").status_code == 200
        db.engine.dispose()


def test_a_backup_finishes_while_members_post_and_holds_what_came_before(tmp_path):
    app = sqlite_app(tmp_path)
    fill(app)
    live = tmp_path / "live.sqlite3"
    stop = threading.Event()
    written = []

    def keep_posting() -> None:
        connection = sqlite3.connect(live, timeout=30, isolation_level=None)
        connection.execute("PRAGMA busy_timeout=30000")
        columns = [row[1] for row in connection.execute("PRAGMA table_info(comments)")]
        copied = [name for name in columns if name not in ("id", "body_source")]
        # Each new comment copies the first one with a new text, one commit each.
        statement = (
            f"INSERT INTO comments (body_source, {', '.join(copied)}) "
            f"SELECT ?, {', '.join(copied)} FROM comments ORDER BY id LIMIT 1"
        )
        n = 0
        try:
            while not stop.is_set() and n < 100_000:
                connection.execute(statement, (f"During {n}",))
                written.append(n)
                n += 1
        finally:
            connection.close()

    writer = threading.Thread(target=keep_posting)
    writer.start()
    try:
        for _ in range(500):  # posting is under way before the backup starts
            if len(written) >= 20 or not writer.is_alive():
                break
            threading.Event().wait(0.01)
        assert len(written) >= 20, "the writer did not get going"
        before = len(written)
        with app.app_context():
            copy = snapshot(tmp_path / "during.sqlite3")
    finally:
        stop.set()
        writer.join()
    assert len(written) > before  # members went on posting while the copy was made
    connection = sqlite3.connect(copy)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        during = connection.execute(
            "SELECT count(*) FROM comments WHERE body_source LIKE 'During %'"
        ).fetchone()[0]
    finally:
        connection.close()
    assert during >= before  # every comment acknowledged before the backup began is in it
    assert not (tmp_path / "during.sqlite3.partial").exists()


def test_a_backup_never_overwrites_and_says_why(tmp_path):
    app = sqlite_app(tmp_path)
    existing = tmp_path / "already.sqlite3"
    existing.write_bytes(b"keep me")
    result = app.test_cli_runner().invoke(args=["backup", str(existing)])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert existing.read_bytes() == b"keep me"
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "no" / "such.sqlite3")])
    assert result.exit_code != 0 and "does not exist" in result.output


def test_postgresql_is_pointed_to_pg_dump(tmp_path):
    app = create_app(base_config("postgresql://portal@127.0.0.1:1/none", tmp_path))
    with app.app_context(), pytest.raises(BackupError, match="pg_dump"):
        snapshot(tmp_path / "pg.sqlite3")
    assert not (tmp_path / "pg.sqlite3").exists()


# --- downgrades ---------------------------------------------------------------------------


def test_a_downgrade_that_would_drop_rows_refuses_and_changes_nothing(tmp_path, databases):
    url = databases.fresh(tmp_path, migrated=False)
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        upgrade()
    fill(app, make_rows=3)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code != 0
    assert "would drop tables that hold data" in result.output
    assert "comments (3 rows)" in result.output and "drop-data=yes" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 3
        db.session.remove()
    # Said plainly, it goes ahead.
    result = runner.invoke(args=["db", "downgrade", "-x", "drop-data=yes", "base"])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    with app.app_context():
        db.engine.dispose()
    databases.drop(url)


def test_an_empty_database_downgrades_without_being_forced(tmp_path, databases):
    url = databases.fresh(tmp_path, migrated=False)
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    result = app.test_cli_runner().invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    databases.drop(url)


def test_a_populated_database_goes_down_and_up_again_keeping_its_rows(tmp_path, databases):
    """SQLite alters a table by rebuilding it; with rows pointing at it, that must neither
    fail nor cascade. Down to before the questions, and back up: every comment is still there."""
    url = databases.fresh(tmp_path, migrated=False)
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        upgrade()
    fill(app, make_rows=5)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "downgrade", "0002"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        bodies = db.session.scalars(select(Comment.body_source).order_by(Comment.id)).all()
        assert bodies == [f"Comment {n}" for n in range(5)]
        assert db.session.scalar(select(func.count()).select_from(User)) == 2
        db.session.remove()
        db.engine.dispose()
    databases.drop(url)


def test_every_migration_looks_before_its_downgrade_drops_anything():
    """The check runs in whichever step a downgrade starts from, so every step must call it."""
    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    for script in sorted(versions.glob("*.py")):
        text = script.read_text()
        downgrade = text[text.index("def downgrade") :]
        first_line = downgrade.split("\n")[1].strip()
        assert first_line == "check_downgrade(revision)", script.name
