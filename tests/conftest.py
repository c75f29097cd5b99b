"""Fixtures: a fresh app and a real SQLite file per test, users by role, and a logged-in client.

The schema comes from the migrations once per run (a template database), then each test gets
its own copy of it, so tests are isolated and still use the migrated schema. The database is
SQLite unless PORTAL_TEST_DATABASE_URL names a PostgreSQL server (CI runs the suite on both).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from portal import create_app
from portal.extensions import db
from portal.models import Comment, Post, User, utcnow

TEST_PASSWORD = "correct horse battery"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def pytest_collection_modifyitems(config, items) -> None:
    """Without PostgreSQL and Redis, deselect (not skip) the tests that need them."""
    if os.environ.get("PORTAL_TEST_DATABASE_URL"):
        return
    kept = [item for item in items if item.get_closest_marker("multiprocess") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def base_config(database_url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # speed only: production uses scrypt
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }


class SqliteDatabases:
    """Fresh SQLite files, each a copy of one file built by the migrations."""

    def __init__(self, folder: Path) -> None:
        self.template = folder / "template.sqlite3"
        app = create_app(base_config(f"sqlite:///{self.template}", folder))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        # Fold the WAL into the main file so that one file copy carries everything.
        connection = sqlite3.connect(self.template)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.close()

    def template_url(self) -> str:
        return f"sqlite:///{self.template}"

    def fresh(self, folder: Path, migrated: bool = True) -> str:
        path = folder / f"portal-{uuid.uuid4().hex[:8]}.sqlite3"
        if migrated:
            shutil.copy(self.template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        Path(make_url(url).database).unlink(missing_ok=True)


class PostgresDatabases:
    """Fresh PostgreSQL databases, each cloned from a template built by the migrations."""

    def __init__(self, base_url: str, folder: Path) -> None:
        self.base = make_url(base_url)
        self.admin = create_engine(
            self.base.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        # Unique per test session, so two sessions sharing one server do not collide.
        self.template_name = f"{self.base.database}_template_{uuid.uuid4().hex[:8]}"
        self._create(self.template_name)
        app = create_app(base_config(self.template_url(), folder))
        with app.app_context():
            upgrade()
            db.engine.dispose()

    def _create(self, name: str, template: str | None = None) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            clone = f' TEMPLATE "{template}"' if template else ""
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"{clone}')

    def template_url(self) -> str:
        return self.base.set(database=self.template_name).render_as_string(hide_password=False)

    def fresh(self, folder: Path, migrated: bool = True) -> str:
        name = f"{self.base.database}_{uuid.uuid4().hex[:10]}"
        self._create(name, self.template_name if migrated else None)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        statement = f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'
        for attempt in range(5):
            try:
                with self.admin.connect() as connection:
                    connection.exec_driver_sql(statement)
                return
            except DBAPIError:
                # A background worker (autovacuum) may hold it for a moment; try again.
                if attempt == 4:
                    raise
                time.sleep(0.5)


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Iterator[SqliteDatabases | PostgresDatabases]:
    """SQLite by default; PostgreSQL when PORTAL_TEST_DATABASE_URL names one."""
    folder = tmp_path_factory.mktemp("databases")
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if url:
        factory = PostgresDatabases(url, folder)
        yield factory
        factory.drop(factory.template_url())
        factory.admin.dispose()
    else:
        yield SqliteDatabases(folder)


@pytest.fixture()
def database_url(databases, tmp_path) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    url = databases.fresh(tmp_path)
    yield url
    databases.drop(url)


class PortalClient(FlaskClient):
    """A test client that sends the CSRF token with every unsafe request, as the pages do."""

    def csrf_token(self) -> str:
        page = self.open("/privacy", method="GET")
        match = CSRF_META.search(page.get_data(as_text=True))
        assert match, "every page must carry the CSRF token in a <meta> tag"
        return match.group(1)

    def open(self, *args, **kwargs):
        method = kwargs.get("method", "GET").upper()
        send_token = kwargs.pop("csrf", True)
        if send_token and method not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            if "X-CSRFToken" not in headers:
                headers["X-CSRFToken"] = self.csrf_token()
            kwargs["headers"] = headers
        # Each request gets its own app context (and so its own g and database session), as
        # in production; otherwise it would share the test's, and g would leak between them.
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture()
def app(request, tmp_path, database_url) -> Iterator[Flask]:
    config = base_config(database_url, tmp_path)
    # Rate limits are off except in tests marked @pytest.mark.rate_limits (fresh counters).
    config["RATELIMIT_ENABLED"] = request.node.get_closest_marker("rate_limits") is not None
    application = create_app(config)
    application.test_client_class = PortalClient
    if config["RATELIMIT_ENABLED"]:
        from portal.extensions import limiter

        with application.app_context():
            limiter.reset()  # shared storage (Redis) must not carry counts between tests
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def client(app: Flask) -> PortalClient:
    return app.test_client()


HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/"}


@pytest.fixture()
def make_user(app):
    from portal import users

    counter = {"n": 0}

    def make(role: str = "patient", name: str | None = None, **fields) -> User:
        counter["n"] += 1
        display_name = name or f"{role.title()} Person {counter['n']}"
        email = fields.pop("email", f"{role}{counter['n']}@example.org")
        user = users.create_user(
            email=email, display_name=display_name, password=TEST_PASSWORD, role=role, **fields
        )
        return user

    return make


@pytest.fixture()
def people(make_user) -> dict[str, User]:
    """One account for each role, plus a suspended patient."""
    patient = make_user("patient", "RiverWalker")
    caregiver = make_user("caregiver", "SteadyHand")
    clinician = make_user(
        "clinician", "Helen Marsh", title="Consultant Neurologist", specialty="MS"
    )
    admin = make_user("admin", "Community team")
    suspended = make_user("patient", "Quiet Pause")
    suspended.status = "suspended"
    suspended.suspended_until = utcnow() + timedelta(days=3)
    suspended.status_reason = "Repeated off-topic posting"
    db.session.commit()
    return {
        "patient": patient,
        "caregiver": caregiver,
        "clinician": clinician,
        "admin": admin,
        "suspended": suspended,
    }


def login(client: FlaskClient, user: User, password: str = TEST_PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})


@pytest.fixture()
def log_in(client):
    def do(user: User) -> PortalClient:
        response = login(client, user)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return client

    return do


@pytest.fixture()
def make_post(app, people):
    from portal import rendering

    def make(title: str = "Alemtuzumab: the long view", author: User | None = None, **fields):
        body = fields.pop("body", "Some **evidence** about a treatment.")
        post = Post(
            slug=fields.pop("slug", None) or title.lower().replace(" ", "-").replace(":", ""),
            title=title,
            author=author or people["clinician"],
            status=fields.pop("status", "published"),
            published_at=fields.pop("published_at", utcnow()),
            summary=fields.pop("summary", "A summary."),
            **fields,
        )
        rendering.set_post_body(post, body)
        db.session.add(post)
        db.session.commit()
        return post

    return make


@pytest.fixture()
def post(make_post):
    return make_post()


@pytest.fixture()
def make_comment(app):
    from portal import rendering

    def make(
        post: Post,
        author: User,
        body: str = "A question.",
        parent: Comment | None = None,
        status: str = "approved",
        **fields,
    ) -> Comment:
        comment = Comment(post=post, author=author, parent=parent, status=status, **fields)
        rendering.set_comment_body(comment, body)
        db.session.add(comment)
        db.session.flush()
        comment.root_id = parent.root_id if parent else comment.id
        db.session.commit()
        return comment

    return make


def count_statements(action) -> int:
    """How many SQL statements action() sends (PRAGMAs aside): for fixed-cost page tests."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if not statement.startswith("PRAGMA"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def hostile_corpus_dir() -> str | None:
    return os.environ.get("PORTAL_HOSTILE_CORPUS_DIR")
