"""Several gunicorn workers on PostgreSQL and Redis: shared rate limits, lasting sessions.

These run in CI's second pass, where PORTAL_TEST_DATABASE_URL and PORTAL_RATELIMIT_STORAGE_URL
name real servers (`.ci/services.sh` starts them); `make test` deselects them otherwise.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

pytestmark = pytest.mark.multiprocess

ROOT = Path(__file__).resolve().parent.parent
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
MEMBER_EMAIL = "steady@example.org"
MEMBER_PASSWORD = "a member's long passphrase"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}


def wait_until_healthy(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not become healthy")


@pytest.fixture()
def gunicorn(databases, tmp_path) -> Iterator[Server]:
    assert os.environ.get("PORTAL_RATELIMIT_STORAGE_URL", "").startswith("redis://"), (
        "the multiprocess tests need Redis: run them through .ci/run"
    )
    database_url = databases.fresh(tmp_path)
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": "shared-by-every-worker-and-host",
        "PORTAL_RATELIMIT_KEY_PREFIX": f"test-{port}",
    }
    member = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "portal",
            "create-user",
            "--email",
            MEMBER_EMAIL,
            "--name",
            "Steady Walker",
            "--role",
            "patient",
        ],
        cwd=ROOT,
        env={**env, "PORTAL_USER_PASSWORD": MEMBER_PASSWORD},
        capture_output=True,
        text=True,
    )
    assert member.returncode == 0, member.stderr
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "3",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "--chdir",
            str(ROOT),
            "wsgi:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        wait_until_healthy(server.url)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
        databases.drop(database_url)


class Browser:
    """Just enough of a browser: cookies, fresh connections (so workers vary), CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._send(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        status, page = self.get("/login")
        token = CSRF_META.search(page).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        return self._send(urllib.request.Request(self.base + path, data=body))

    def _send(self, request: urllib.request.Request) -> tuple[int, str]:
        request.add_header("Connection", "close")
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_rate_limit_is_shared_by_every_worker(gunicorn):
    browser = Browser(gunicorn.url)
    statuses = [
        browser.post("/login", {"email": f"guess{n}@example.org", "password": "wrong"})[0]
        for n in range(11)
    ]
    # Ten tries per minute per address, whichever of the three workers answered each one.
    assert statuses == [422] * 10 + [429]
    assert len(gunicorn.worker_pids()) == 3


def test_a_session_survives_a_worker_restart(gunicorn):
    browser = Browser(gunicorn.url)
    credentials = {"email": MEMBER_EMAIL, "password": MEMBER_PASSWORD}
    assert browser.post("/login", credentials)[0] == 303
    assert browser.get("/account")[0] == 200
    before = gunicorn.worker_pids()
    gunicorn.process.send_signal(signal.SIGHUP)  # gunicorn replaces every worker
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        after = gunicorn.worker_pids()
        if len(after) == 3 and not after & before:
            break
        time.sleep(0.2)
    assert len(after) == 3 and not after & before
    status, page = browser.get("/account")
    assert status == 200 and "Steady Walker" in page
