"""Running the portal under gunicorn for the multiprocess tests, and a small cookie client.

Not a test module. The tests that use it need PostgreSQL and Redis (CI's second pass).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

from portal import create_app
from portal.extensions import db

from .helpers import CSRF_META, base_config

ROOT = Path(__file__).resolve().parent.parent
SHARED_SECRET = "shared-by-every-worker-and-host"


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
        except (urllib.error.URLError, OSError):  # not listening yet, or still booting
            pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not become healthy")


def populate(database_url: str, folder: Path, build: Callable[[], object]) -> object:
    """Run build() inside an app bound to database_url, before the server starts."""
    app = create_app(base_config(database_url, folder))
    with app.app_context():
        result = build()
        db.session.commit()
        db.engine.dispose()
    return result


@contextmanager
def gunicorn(
    database_url: str, workers: int = 3, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """gunicorn with several sync workers on a free loopback port, Redis for rate limits."""
    assert os.environ.get("PORTAL_RATELIMIT_STORAGE_URL", "").startswith("redis://"), (
        "the multiprocess tests need Redis: run them through .ci/run"
    )
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": SHARED_SECRET,
        "PORTAL_RATELIMIT_KEY_PREFIX": f"test-{port}",
        # As base_config: staff log in with a password alone unless a test turns it on.
        "PORTAL_STAFF_TWO_FACTOR": "0",
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout", "30", "--chdir", str(ROOT)]
    # cwd: gunicorn reads ./gunicorn.conf.py (graceful timeout...) as a deployment does.
    process = subprocess.Popen(
        [*command, "wsgi:app"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        wait_until_healthy(server.url)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Just enough of a browser: its own cookies, a fresh connection per request (so the
    workers vary), and the CSRF token taken from a page as the real pages carry it."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
        )
        self.token = ""

    def get(self, path: str) -> tuple[int, str]:
        status, page = self._send(urllib.request.Request(self.base + path))
        match = CSRF_META.search(page)
        if match:
            self.token = match.group(1)
        return status, page

    def post(self, path: str, data: dict[str, str], fresh_token: bool = True) -> tuple[int, str]:
        if fresh_token or not self.token:
            self.get("/rules")
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}).encode()
        return self._send(urllib.request.Request(self.base + path, data=body))

    def log_in(self, email: str, password: str) -> None:
        status, _ = self.post("/login", {"email": email, "password": password})
        assert status == 303, f"could not log in as {email}"
        self.get("/rules")  # the session changed at login: take its new token

    def _send(self, request: urllib.request.Request) -> tuple[int, str]:
        request.add_header("Connection", "close")
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
