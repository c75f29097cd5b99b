"""Rate limits never take the site down: with Redis away or hung, each process counts alone.

The first tests point the limits at a Redis that is not there (a closed loopback port) or one
that accepts and never answers (a socket here that reads and stays silent). The last runs a real
redis-server, stops it and starts it again (CI's second pass, where Redis is installed).
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from portal import create_app
from portal.extensions import limiter

from .helpers import PortalClient, base_config
from .redis_support import start_redis_server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def silent_server() -> Iterator[int]:
    """A server that takes connections and never says a word: a hung Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def limited_app(tmp_path, database_url, monkeypatch, storage: str):
    monkeypatch.setenv("PORTAL_RATELIMIT_STORAGE_URL", storage)
    config = base_config(database_url, tmp_path)
    config["RATELIMIT_ENABLED"] = True
    config["RATELIMIT_KEY_PREFIX"] = f"faults-{free_port()}"
    app = create_app(config)
    app.test_client_class = PortalClient
    return app


def register_attempts(app, times: int) -> list[int]:
    """Registrations with nothing filled in (refused with 422) until the limit (5 an hour)."""
    client = app.test_client()
    return [client.post("/register", data={}).status_code for _ in range(times)]


def falling_back(records) -> list[logging.LogRecord]:
    return [record for record in records if "falling back" in record.getMessage().lower()]


def test_with_redis_away_limits_count_in_memory_and_nothing_fails(
    tmp_path, database_url, monkeypatch, caplog
):
    app = limited_app(tmp_path, database_url, monkeypatch, f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING):
        statuses = register_attempts(app, 7)
    assert 500 not in statuses
    assert statuses[:5] == [422] * 5 and statuses[5:] == [429, 429]  # still limited, in memory
    assert len(falling_back(caplog.records)) == 1  # said once, not once a request
    health = app.test_client().get("/healthz")
    assert health.status_code == 200
    assert health.get_json() == {
        "status": "degraded",
        "database": "ok",
        "migrations": "head",
        "rate_limits": "unreachable",
    }


def test_a_hung_redis_costs_a_short_timeout_not_the_request(tmp_path, database_url, monkeypatch):
    with silent_server() as port:
        app = limited_app(tmp_path, database_url, monkeypatch, f"redis://127.0.0.1:{port}/0")
        assert app.config["RATELIMIT_STORAGE_OPTIONS"]["socket_timeout"] == 0.25
        started = time.monotonic()
        statuses = register_attempts(app, 3)
        took = time.monotonic() - started
        assert statuses == [422, 422, 422]
        # Generous: without a timeout a hung Redis holds each request for good.
        assert took < 10
        assert app.test_client().get("/healthz").get_json()["rate_limits"] == "unreachable"


def test_memory_limits_and_limits_off_are_reported_as_such(tmp_path, database_url, monkeypatch):
    app = limited_app(tmp_path, database_url, monkeypatch, "memory://")
    assert app.test_client().get("/healthz").get_json()["rate_limits"] == "memory"
    app.config["RATELIMIT_ENABLED"] = False
    assert app.test_client().get("/healthz").get_json()["status"] == "ok"
    assert app.test_client().get("/healthz").get_json()["rate_limits"] == "off"


def test_several_workers_with_memory_limits_warn_loudly_at_start(tmp_path):
    """gunicorn reads gunicorn.conf.py from the project folder: with two workers and no Redis,
    its log says why that is wrong."""
    port = free_port()
    database = tmp_path / "gunicorn.sqlite3"
    env = {
        "PATH": "/usr/bin:/bin",
        "PORTAL_DATABASE_URL": f"sqlite:///{database}",
        "PORTAL_SECRET_KEY": "warning-test",
        "PORTAL_INSTANCE_PATH": str(tmp_path),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = ""
        deadline = time.monotonic() + 60
        while "Rate limits are counted" not in output and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            output += line
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "Rate limits are counted in each worker's own memory" in output
    assert "2 workers are starting" in output


@pytest.mark.multiprocess
def test_counting_is_shared_again_once_redis_returns(tmp_path, database_url, monkeypatch):
    port = free_port()

    def start():
        return start_redis_server(port)

    redis = start()
    try:
        app = limited_app(tmp_path, database_url, monkeypatch, f"redis://127.0.0.1:{port}/0")
        # The limiter is one object for every app in this process, and only its constructor
        # forgets an earlier test's dead storage and back-off: start this one from scratch.
        limiter._storage_dead = False  # noqa: SLF001
        limiter._Limiter__check_backend_count = 0  # noqa: SLF001
        limiter._Limiter__last_check_backend = time.time()  # noqa: SLF001
        assert register_attempts(app, 1) == [422]
        assert app.test_client().get("/healthz").get_json()["rate_limits"] == "shared"
        redis.terminate()
        redis.wait(timeout=10)
        assert 500 not in register_attempts(app, 3)
        assert app.test_client().get("/healthz").get_json()["rate_limits"] == "unreachable"
        redis = start()
        # The limiter looks for Redis again after a growing pause (1 s, 2 s, ...).
        deadline = time.monotonic() + 30
        while limiter._storage_dead and time.monotonic() < deadline:  # noqa: SLF001
            time.sleep(0.5)
            assert 500 not in register_attempts(app, 1)
        assert not limiter._storage_dead  # noqa: SLF001
        assert app.test_client().get("/healthz").get_json()["rate_limits"] == "shared"
        # Counting is in Redis again: what this process counts now, another would see.
        assert register_attempts(app, 1) == [422]
        keys = subprocess.run(
            ["redis-cli", "-p", str(port), "--scan"], capture_output=True, text=True, check=True
        ).stdout.split()
        # (Keyed by the limited view; the prefix is whichever the process's limiter took first.)
        assert any("auth.register" in key for key in keys), keys
    finally:
        redis.terminate()
        redis.wait(timeout=10)
