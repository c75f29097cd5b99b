"""A real redis-server on a loopback port, for the tests that stop and start it (CI's second
pass installs it)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time


def start_redis_server(port: int) -> subprocess.Popen:
    """Start redis-server on 127.0.0.1:port, keeping nothing on disk; return once it answers."""
    server = shutil.which("redis-server")
    assert server, "CI's second pass installs redis-server"
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    raise AssertionError("redis-server did not start")
