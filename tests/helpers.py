"""What test modules share: the password and headers, the test databases, a CSRF-aware client,
logging in, counting statements, and reading HTML by CSS selector. Fixtures live in conftest.py,
which builds them from these; test modules import from here, never from conftest.

Assert on what a page means, not on how its markup is spelled: select the element and check
its attributes and text, so that attribute order, quoting and whitespace do not matter.

    link = select_one(page, "a.post-link")
    assert link["href"] == "/posts/some-slug"
    assert text_of(page, "h1") == "Some title"
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
import uuid
from functools import lru_cache
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from werkzeug.test import TestResponse

from portal import create_app
from portal.extensions import db
from portal.models import User

TEST_PASSWORD = "correct horse battery"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/"}


def base_config(database_url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # speed only: production uses scrypt
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "TASK_QUEUE_URL": "memory://",  # each app its own queue; nothing in the repo's instance/
        # Staff log in with a password alone, except where tests/test_two_factor.py (and its
        # journey) turn the requirement on: the rest of the suite is not about the second step.
        "PORTAL_STAFF_TWO_FACTOR": False,
    }


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


def login(client: FlaskClient, user: User, password: str = TEST_PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})


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


# Reading HTML: BeautifulSoup with Python's own parser; CSS selectors through soupsieve.

Markup = str | bytes | TestResponse | Tag


def parse(markup: Markup) -> Tag:
    """A page, a fragment, a response or an element, as something to select from."""
    if isinstance(markup, Tag):
        return markup
    if isinstance(markup, TestResponse):
        markup = markup.get_data(as_text=True)
    if isinstance(markup, bytes):
        markup = markup.decode()
    return _parsed(markup)


@lru_cache(maxsize=8)
def _parsed(html: str) -> BeautifulSoup:
    # Tests select from one page several times; parse it once (the trees are only read).
    return BeautifulSoup(html, "html.parser")


def select_all(markup: Markup, css: str) -> list[Tag]:
    """Every element that matches css, in document order (an empty list when none does).

    Given an element, only its descendants are searched, never the element itself.
    """
    return parse(markup).select(css)


def select_one(markup: Markup, css: str) -> Tag:
    """The one element that matches css; fails the test when none does, or more than one."""
    found = select_all(markup, css)
    assert len(found) == 1, f"expected one element for {css!r}, found {len(found)}"
    return found[0]


def first_element(markup: Markup) -> Tag:
    """The first element of a fragment; fails the test if anything but white space precedes it."""
    for node in parse(markup).contents:
        if isinstance(node, Tag):
            return node
        assert not node.strip(), f"{node[:80]!r} comes before the first element"
    raise AssertionError("the markup holds no element")


def text_of(markup: Markup, css: str | None = None) -> str:
    """The text of an element (of the one matching css, if given), runs of space collapsed."""
    element = select_one(markup, css) if css else parse(markup)
    return " ".join(element.get_text().split())


def value_of(markup: Markup, css: str) -> str:
    """What the one form field matching css holds: an input's value, a textarea's text."""
    field = select_one(markup, css)
    if field.name != "textarea":
        return field.get("value", "")
    # A browser drops one line end right after <textarea>; WTForms writes one for that.
    text = field.get_text()
    return text.removeprefix("\r\n") if text.startswith("\r\n") else text.removeprefix("\n")


def texts_of(markup: Markup, css: str) -> list[str]:
    """The text of every element that matches css, in document order, runs of space collapsed."""
    return [text_of(element) for element in select_all(markup, css)]
