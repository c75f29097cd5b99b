"""Stopping the portal loses nothing: SIGTERM to gunicorn while members post, and to the worker
while it sends.

A deployment, a reboot or a scale-down sends SIGTERM. gunicorn then stops listening and lets
each worker finish the request it is serving (graceful_timeout, gunicorn.conf.py); the task
worker finishes the task it is running and leaves the rest on the queue (portal/worker.py).
"""

from __future__ import annotations

import itertools
import runpy
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from portal import tasks
from portal.accounts import service as accounts
from portal.extensions import db
from portal.models import Comment, OutgoingEmail, Post, utcnow

from .gunicorn_support import Browser, gunicorn, populate
from .mail_support import SmtpSink, queue_test_messages, running_worker, wait_until, worker_env

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a poster's long passphrase"
POSTERS = 6  # twice gunicorn's workers: every worker is busy when SIGTERM arrives
SLUG = "steroid-tapering"


def build_discussion() -> None:
    clinician = accounts.create_user(
        email="doc@example.org", display_name="Helen Marsh", password=PASSWORD, role="clinician"
    )
    for n in range(POSTERS):
        accounts.create_user(
            email=f"poster{n}@example.org",
            display_name=f"Steady Poster {n}",
            password=PASSWORD,
            email_verified=True,
        )
    db.session.add(
        Post(
            slug=SLUG,
            title="Tapering steroids",
            author=clinician,
            status="published",
            published_at=utcnow(),
            body_source="Tapering slowly helps.",
            body_html="<p>Tapering slowly helps.</p>",
        )
    )


@dataclass
class Attempt:
    text: str
    started: float
    ended: float
    status: int | None  # None: no answer (connection refused or cut)

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 400


def keep_posting(browser: Browser, n: int, attempts: list[Attempt], lock: threading.Lock) -> None:
    """Post comment after comment until the server stops answering."""
    for i in itertools.count():
        text = f"Poster {n} note {i}: the slow taper kept my energy steady this week."
        started = time.monotonic()
        try:
            status: int | None = browser.post(
                f"/posts/{SLUG}/comments", {"body": text, "kind": "discussion"}, False
            )[0]
        except OSError:  # refused or reset: gunicorn has stopped listening
            status = None
        with lock:
            attempts.append(Attempt(text, started, time.monotonic(), status))
        if status is None:
            return


@pytest.mark.multiprocess
def test_sigterm_to_gunicorn_while_members_post_loses_no_acknowledged_comment(
    database_url, tmp_path
):
    populate(database_url, tmp_path, build_discussion)
    attempts: list[Attempt] = []
    lock = threading.Lock()
    env = {"PORTAL_RATELIMIT_ENABLED": "0"}  # six members posting flat out, on purpose
    with gunicorn(database_url, workers=3, extra_env=env) as server:
        browsers = [Browser(server.url) for _ in range(POSTERS)]
        for n, browser in enumerate(browsers):
            browser.log_in(f"poster{n}@example.org", PASSWORD)
        threads = [
            threading.Thread(target=keep_posting, args=(browser, n, attempts, lock))
            for n, browser in enumerate(browsers)
        ]
        for thread in threads:
            thread.start()
        time.sleep(2)
        sigterm_at = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        for thread in threads:
            thread.join(timeout=60)
        # Every worker finished its request and left well within the graceful timeout.
        assert server.process.wait(timeout=30) == 0

    acknowledged = [a.text for a in attempts if a.acknowledged]
    in_flight = [a for a in attempts if a.started < sigterm_at < a.ended and a.acknowledged]
    print(
        f"\n{len(attempts)} posts, {len(acknowledged)} acknowledged, "
        f"{len(in_flight)} of them in flight when SIGTERM arrived"
    )
    assert all(a.status is None or a.acknowledged for a in attempts), Counter(
        a.status for a in attempts
    )
    assert len(acknowledged) > POSTERS
    assert in_flight, "SIGTERM arrived while no post was being answered"

    stored = Counter(
        populate(
            database_url,
            tmp_path,
            lambda: list(db.session.scalars(select(Comment.body_source))),
        )
    )
    assert all(stored[text] == 1 for text in acknowledged)  # every one kept...
    assert max(stored.values()) == 1  # ...and nothing stored twice


# The task worker. It runs on the SQLite queue in a temporary folder in either pass.


@pytest.fixture()
def queue_url(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'tasks.sqlite3'}"
    app.config["TASK_QUEUE_URL"] = url
    tasks.bind(app)
    return url


def rows() -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(OutgoingEmail.to_address, OutgoingEmail.status)).all())


def test_sigterm_to_the_worker_finishes_its_task_and_leaves_the_rest_queued(
    database_url, queue_url, make_user, tmp_path
):
    members = [make_user("patient", f"Reader {n}", email=f"r{n}@example.org") for n in range(3)]
    emails = queue_test_messages(members)
    db.session.commit()
    smtp = SmtpSink()
    smtp.delay = 2  # each send takes two seconds: SIGTERM lands in the middle of the first
    smtp.start()
    try:
        env = worker_env(database_url, queue_url, smtp.port)
        with running_worker(env, tmp_path / "first.log", "--workers", "1") as first:
            wait_until(lambda: "sending" in rows().values(), timeout=30, what="a send under way")
            first.process.send_signal(signal.SIGTERM)
            assert first.process.wait(timeout=30) == 0, first.output()
        statuses = Counter(rows().values())
        # The send under way when SIGTERM came finished; nothing was left half-claimed.
        assert statuses == Counter({"sent": 1, "queued": 2}), first.output()
        assert len(smtp.messages()) == 1
        # The others are still on the queue, and the next worker sends them, each once.
        unsent = {e.id for e in emails if rows()[e.to_address] == "queued"}
        pending = [t.args[0] for t in tasks.huey.pending() if t.name == "deliver_email"]
        assert sorted(pending) == sorted(unsent)

        with running_worker(env, tmp_path / "second.log", "--workers", "2") as second:
            wait_until(lambda: set(rows().values()) == {"sent"}, timeout=60, what="all sent")
            time.sleep(0.5)
            assert second.process.poll() is None, second.output()
        assert Counter(m.recipients[0] for m in smtp.messages()) == Counter(
            {m.email: 1 for m in members}
        )
    finally:
        smtp.stop()


def test_gunicorn_finishes_its_requests_before_a_service_manager_would_kill_it():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    # Kubernetes sends SIGKILL 30 s after SIGTERM; gunicorn must end its workers first.
    assert 0 < settings["graceful_timeout"] < 30
