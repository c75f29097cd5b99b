"""Fixtures: a fresh app and a real SQLite file per test, users by role, and a logged-in client.

The schema comes from the migrations once per run (a template database), then each test gets
its own copy of it, so tests are isolated and still use the migrated schema. The database is
SQLite unless PORTAL_TEST_DATABASE_URL names a PostgreSQL server (CI runs the suite on both).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from portal import create_app
from portal.extensions import db
from portal.models import Comment, Post, User, utcnow

from .helpers import (
    TEST_PASSWORD,
    PortalClient,
    PostgresDatabases,
    SqliteDatabases,
    base_config,
    login,
)


def pytest_collection_modifyitems(config, items) -> None:
    """Without PostgreSQL and Redis, deselect (not skip) the tests that need them."""
    if os.environ.get("PORTAL_TEST_DATABASE_URL"):
        return
    kept = [item for item in items if item.get_closest_marker("multiprocess") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


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


@pytest.fixture()
def make_user(app):
    from portal.accounts import service as accounts

    counter = {"n": 0}

    def make(role: str = "patient", name: str | None = None, **fields) -> User:
        counter["n"] += 1
        display_name = name or f"{role.title()} Person {counter['n']}"
        email = fields.pop("email", f"{role}{counter['n']}@example.org")
        fields.setdefault("email_verified", True)  # test_verification.py makes unverified ones
        user = accounts.create_user(
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
        # As the service would: a patient's or caregiver's thread is a question unless told.
        if parent is not None:
            fields.setdefault("kind", "reply")
        elif author is not None and author.asks_questions:
            fields.setdefault("kind", "question")
        else:
            fields.setdefault("kind", "discussion")
        if fields["kind"] == "question":
            fields.setdefault("question_state", "waiting")
        comment = Comment(post=post, author=author, parent=parent, status=status, **fields)
        rendering.set_comment_body(comment, body)
        db.session.add(comment)
        db.session.flush()
        comment.root_id = parent.root_id if parent else comment.id
        db.session.commit()
        return comment

    return make
