"""Browser fixtures: Debian's Chromium driven by Playwright against a live portal.

Each journey gets its own server on a free loopback port, backed by a fresh copy of the migrated
database with the demo seeded, so journeys cannot disturb one another. Every demo account's
password is set to PASSWORD so that a journey can log in as anyone in the demo.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from portal import create_app
from portal.accounts import service as accounts
from portal.demo import seed_demo
from portal.extensions import db
from portal.models import User
from tests.gunicorn_support import SHARED_SECRET, free_port, gunicorn
from tests.helpers import base_config
from tests.mail_support import running_worker
from tests.nginx_support import nginx

from .helpers import PASSWORD, LiveSite, Visitor

CHROMIUM = os.environ.get("PORTAL_E2E_CHROMIUM", "/usr/bin/chromium")
# The flags this machine (and CI, running as root in a container) needs; Playwright adds
# --headless and a fresh, empty --user-data-dir of its own for every launch.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> str:
    """The browser's path; without it the run fails, so CI can never pass without journeys."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    where = "CI (CI=true)" if os.environ.get("CI") == "true" else "this machine"
    pytest.fail(
        f"The browser tests need Chromium at {CHROMIUM}, and it is missing on {where}. "
        "Install it (apt-get install chromium; .ci/run does this) or point "
        "PORTAL_E2E_CHROMIUM at a Chromium binary.",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def browser():
    # Per module, not per session: Playwright's sync API cannot start while another instance
    # is running, so each module stops its own before any other browser test starts one.
    from playwright.sync_api import sync_playwright

    executable = _require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _prepare_database(app: Flask) -> None:
    with app.app_context():
        seed_demo()
        hashed = accounts.hash_password(PASSWORD)
        for user in db.session.scalars(select(User)):
            user.password_hash = hashed
        db.session.commit()
        db.session.remove()


class _QuietHandler(WSGIRequestHandler):
    """No access log: the portal logs its own requests, and failures stay readable."""

    def log_request(self, code="-", size="-") -> None:
        pass


_SETTING_OF = {
    "PORTAL_TASK_QUEUE_URL": "TASK_QUEUE_URL",
    "PORTAL_MAIL_BACKEND": "MAIL_BACKEND",
    "PORTAL_MAIL_FILE_PATH": "MAIL_FILE_PATH",
    # Read as text, as from the environment: "1" turns staff's two-step login back on.
    "PORTAL_STAFF_TWO_FACTOR": "PORTAL_STAFF_TWO_FACTOR",
}


@contextmanager
def _serve(folder: Path, databases, env: dict[str, str] | None = None) -> Iterator[LiveSite]:
    """A live site; env holds PORTAL_* settings for it (and for gunicorn's workers)."""
    url = databases.fresh(folder)
    # The same settings for the app here (in process) as for gunicorn's workers (by env).
    overrides = {_SETTING_OF[name]: value for name, value in (env or {}).items()}
    # One secret for this app and gunicorn's workers: links signed here (reset, unsubscribe)
    # must open there.
    shared = {"TESTING": False, "SECRET_KEY": SHARED_SECRET}
    app = create_app(base_config(url, folder) | shared | overrides)
    _prepare_database(app)
    if os.environ.get("PORTAL_TEST_DATABASE_URL"):
        # CI's second pass: the journeys run through nginx (deploy/nginx/portal.conf) to
        # gunicorn with three workers, on PostgreSQL, as a deployment runs. Limits stay off
        # here, as in the rest of the browser tests (the accessibility sweep logs in dozens of
        # times a minute); tests/test_multiprocess.py proves the limits are shared through Redis.
        extra = {"PORTAL_RATELIMIT_ENABLED": "0", "PORTAL_PROXY_HOPS": "1", **(env or {})}
        with (
            gunicorn(url, workers=3, extra_env=extra) as running,
            nginx(running.url, folder / "nginx", free_port()) as proxy,
        ):
            try:
                yield LiveSite(url=proxy.url, app=app)
            finally:
                with app.app_context():
                    db.engine.dispose()
                databases.drop(url)
        return
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveSite(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()
        databases.drop(url)


@pytest.fixture()
def site(tmp_path: Path, databases) -> Iterator[LiveSite]:
    """A live portal with its own fresh, migrated and seeded database, for one journey."""
    with _serve(tmp_path, databases) as live:
        yield live


@pytest.fixture(scope="module")
def shared_site(tmp_path_factory, databases) -> Iterator[LiveSite]:
    """One live portal for a module of read-mostly checks (accessibility, screenshots)."""
    with _serve(tmp_path_factory.mktemp("e2e-site"), databases) as live:
        yield live


@pytest.fixture()
def visit(browser, site) -> Iterator[Callable]:
    """visit(as_user=None, js=True, viewport=None, scale=1) -> a new page on the journey's site."""
    visitor = Visitor(browser, site)
    yield visitor.page
    visitor.close()


@pytest.fixture(scope="module")
def shared_visitor(browser, shared_site) -> Iterator[Visitor]:
    visitor = Visitor(browser, shared_site)
    yield visitor
    visitor.close()


@dataclass
class MailingSite:
    """A live site with its worker running: emails go through the queue to .eml files."""

    site: LiveSite
    mail: Path

    def emails_to(self, address: str) -> list[EmailMessage]:
        found = []
        for path in sorted(self.mail.glob("*.eml")):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == address:
                found.append(message)
        return found

    def wait_for_email(self, address: str, count: int = 1, timeout: float = 30) -> EmailMessage:
        """The newest of at least count messages to address, once the worker has sent them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.emails_to(address)
            if len(found) >= count:
                return found[-1]
            time.sleep(0.2)
        raise AssertionError(f"no email to {address} within {timeout} s")


@pytest.fixture()
def mailing_site(tmp_path: Path, databases) -> Iterator[MailingSite]:
    """site, plus the real worker (flask --app portal worker) delivering to a mail folder."""
    mail = tmp_path / "mail"
    env = {
        "PORTAL_TASK_QUEUE_URL": f"sqlite:///{tmp_path / 'tasks.sqlite3'}",
        "PORTAL_MAIL_BACKEND": "file",
        "PORTAL_MAIL_FILE_PATH": str(mail),
    }
    with _serve(tmp_path, databases, env) as live:
        worker_env = {
            **os.environ,
            **env,
            "PORTAL_DATABASE_URL": live.app.config["SQLALCHEMY_DATABASE_URI"],
            "PORTAL_SECRET_KEY": live.app.config["SECRET_KEY"],
            "PORTAL_BASE_URL": live.url,
        }
        with running_worker(worker_env, tmp_path / "worker.log"):
            yield MailingSite(site=live, mail=mail)


@pytest.fixture()
def visit_mailing(browser, mailing_site) -> Iterator[Callable]:
    """visit() for the mailing site's journeys."""
    visitor = Visitor(browser, mailing_site.site)
    yield visitor.page
    visitor.close()
