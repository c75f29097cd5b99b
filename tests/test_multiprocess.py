"""Several gunicorn workers on PostgreSQL and Redis: shared rate limits, lasting sessions.

These run in CI's second pass, where PORTAL_TEST_DATABASE_URL and PORTAL_RATELIMIT_STORAGE_URL
name real servers (`.ci/services.sh` starts them); tests/conftest.py deselects them otherwise.
"""

from __future__ import annotations

import signal
import time

import pytest

from portal.accounts import service as accounts

from .gunicorn_support import Browser, gunicorn, populate

pytestmark = pytest.mark.multiprocess

MEMBER_EMAIL = "steady@example.org"
MEMBER_PASSWORD = "a member's long passphrase"


@pytest.fixture()
def server(database_url, tmp_path):
    def add_member():
        accounts.create_user(
            email=MEMBER_EMAIL, display_name="Steady Walker", password=MEMBER_PASSWORD
        )

    populate(database_url, tmp_path, add_member)
    with gunicorn(database_url, workers=3) as running:
        yield running


def test_a_rate_limit_is_shared_by_every_worker(server):
    browser = Browser(server.url)
    statuses = [
        browser.post("/login", {"email": f"guess{n}@example.org", "password": "wrong"})[0]
        for n in range(11)
    ]
    # Ten tries per minute per address, whichever of the three workers answered each one.
    assert statuses == [422] * 10 + [429]
    assert len(server.worker_pids()) == 3


def test_a_session_survives_a_worker_restart(server):
    browser = Browser(server.url)
    browser.log_in(MEMBER_EMAIL, MEMBER_PASSWORD)
    assert browser.get("/account")[0] == 200
    before = server.worker_pids()
    server.process.send_signal(signal.SIGHUP)  # gunicorn replaces every worker
    deadline = time.monotonic() + 30
    after = before
    while time.monotonic() < deadline:
        after = server.worker_pids()
        if len(after) == 3 and not after & before:
            break
        time.sleep(0.2)
    assert len(after) == 3 and not after & before
    status, page = browser.get("/account")
    assert status == 200 and "Steady Walker" in page
