"""gunicorn on a free loopback port, started and always stopped by the benchmark."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
WORKERS = 2
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    pid: int = 0  # gunicorn's master process; its children are the workers

    def worker_pids(self) -> list[int]:
        """The workers serving now: processes whose parent is the master (from /proc)."""
        workers = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                lines = status.read_text().splitlines()
            except OSError:
                continue  # ended while we looked
            parent = next((line.split()[1] for line in lines if line.startswith("PPid:")), "")
            if parent == str(self.pid):
                workers.append(int(status.parent.name))
        return sorted(workers)

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_until_serving(server: Server, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before serving")
        try:
            connection = http.client.HTTPConnection(server.host, server.port, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer on {server.url()} within {seconds:.0f} s")


@contextmanager
def gunicorn(app_spec: str, environment: dict[str, str], log: Path) -> Iterator[Server]:
    """Serve app_spec with the production settings (sync workers) until the block ends.

    The server's output (one line per request) goes to log, not to the benchmark's report.
    """
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", app_spec]
    command += ["--workers", str(WORKERS), "--worker-class", "sync"]
    command += ["--bind", f"{HOST}:{port}", "--log-level", "warning"]
    log_file = log.open("ab")
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, **environment},
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the workers stop with it
    )
    server = Server(HOST, port, process.pid)
    try:
        _wait_until_serving(server, process)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        log_file.close()
