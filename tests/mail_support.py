"""A real SMTP server on loopback (aiosmtpd), the worker as a subprocess, and outbox helpers.

Not a test module. Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from portal.mail.outbox import queue_email
from portal.models import OutgoingEmail, User

from .gunicorn_support import free_port

ROOT = Path(__file__).resolve().parent.parent
BASE_URL = "https://talk.example.org"
SENDER = "Treatment Talk <no-reply@talk.example.org>"
TEST_SECRET = "test-secret-key-not-for-production"  # helpers.base_config's, for the tokens


@dataclass(frozen=True)
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def part(self, content_type: str) -> str:
        found = [p for p in self.message.walk() if p.get_content_type() == content_type]
        assert len(found) == 1, f"expected one {content_type} part, found {len(found)}"
        return found[0].get_content()


class _Recorder:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.sink.refusal:
            return self.sink.refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.sink.lock:
            self.sink.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message)  # type: ignore[arg-type]
            )
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on a fixed loopback port that keeps what it receives.

    stop() and start() again on the same port stand for a mail server going away and coming
    back; refusal, when set, is the reply every recipient gets (e.g. "451 4.3.0 Try later");
    delay makes each message take that many seconds to be accepted (a slow server).
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.refusal: str | None = None
        self.delay = 0.0
        self._controller: Controller | None = None

    def start(self) -> SmtpSink:
        if self._controller is None:
            self._controller = Controller(_Recorder(self), hostname="127.0.0.1", port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        """Wait until at least count messages arrived; then what arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages()) >= count:
                return self.messages()
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, got {len(self.messages())}")


def smtp_config(port: int) -> dict:
    """App settings that send through the sink."""
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_TIMEOUT": 5,
        "MAIL_DEFAULT_SENDER": SENDER,
        "PORTAL_BASE_URL": BASE_URL,
    }


def queue_test_messages(users: list[User], **fields) -> list[OutgoingEmail]:
    """One test_message email per user, in the current transaction (the caller commits)."""
    return [queue_email(user, "test_message", **fields) for user in users]


def wait_until(condition: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or condition}")


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def worker_env(database_url: str, queue_url: str, smtp_port: int, **extra: str) -> dict:
    """What `flask --app portal worker` reads: the test database and queue, the sink."""
    return {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": TEST_SECRET,
        "PORTAL_TASK_QUEUE_URL": queue_url,
        "PORTAL_BASE_URL": BASE_URL,
        "PORTAL_MAIL_BACKEND": "smtp",
        "PORTAL_MAIL_HOST": "127.0.0.1",
        "PORTAL_MAIL_PORT": str(smtp_port),
        "PORTAL_MAIL_SENDER": SENDER,
        "PORTAL_MAIL_TIMEOUT": "5",
        "PORTAL_MAIL_RETRY_DELAYS": "1",
        "PORTAL_MAIL_SWEEP_GRACE_SECONDS": "0",
        "PORTAL_MAIL_CLAIM_LEASE_SECONDS": "300",
        **extra,
    }


@contextmanager
def running_worker(env: dict, log: Path, *args: str) -> Iterator[Worker]:
    """`flask --app portal worker ARGS` as a subprocess, stopped (SIGTERM) afterwards."""
    command = [sys.executable, "-m", "flask", "--app", "portal", "worker", *args]
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    worker = Worker(process, log)
    try:
        yield worker
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
