"""SQL statements per page, counted in-process against the benchmark's own database."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from portal.extensions import db

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    """Collect every SQL statement the app sends while the block runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def logged_in_client(app: Flask, email: str, password: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_META.search(page).group(1)  # type: ignore[union-attr]
    answer = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    if answer.status_code != 303:
        raise RuntimeError(f"logging in as {email} answered {answer.status_code}")
    client.get("/")  # shows the welcome message, as the load test's sessions do
    return client


CPU_SAMPLES = 30


def statements_per_page(app: Flask, client: FlaskClient, path: str) -> tuple[int, int, float]:
    """(status, statements, CPU ms) for one page, after a warm-up request to it.

    CPU time is the median over CPU_SAMPLES in-process requests (gzip accepted): unlike the
    latencies under load, other work on the machine barely moves it.
    """
    client.get(path)
    with counting(app) as statements:
        status = client.get(path).status_code
    samples = []
    for _ in range(CPU_SAMPLES):
        started = time.process_time()
        client.get(path, headers={"Accept-Encoding": "gzip"})
        samples.append((time.process_time() - started) * 1000)
    return status, len(statements), statistics.median(samples)


def count_all(
    app: Flask, pages: dict[str, tuple[str, str | None]], password: str
) -> dict[str, tuple[int, int, float]]:
    """pages maps a name to (path, email of the user to log in as, or None for a visitor)."""
    clients: dict[str | None, FlaskClient] = {None: app.test_client()}
    results = {}
    for name, (path, email) in pages.items():
        if email not in clients:
            clients[email] = logged_in_client(app, email, password)  # type: ignore[arg-type]
        results[name] = statements_per_page(app, clients[email], path)
    return results


def served_path(app: Flask, path: str) -> str | None:
    """The path the portal serves for path (after a slash redirect), or None when it has none.

    The moderation queue and the clinic pages are being built alongside the benchmark.
    """
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path, method="GET")
    except RequestRedirect as redirect:
        return urlsplit(redirect.new_url).path
    except HTTPException:
        return None
    return path
