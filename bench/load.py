"""Load generators: wrk when the machine has it, a small threaded Python client otherwise.

Both send the same requests to loopback only, stop after a fixed time (the Python client also
after a fixed number of requests), and report throughput and latency percentiles.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")
PYTHON_MAX_REQUESTS = 20_000


@dataclass(frozen=True)
class LoadResult:
    tool: str
    connections: int
    requests: int
    errors: int
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float


def check_loopback(url: str) -> None:
    """Refuse any target that is not this machine: the benchmark must never leave it."""
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK and not host.startswith("127."):
        raise ValueError(f"the benchmark only loads loopback addresses, not {host!r}")


def have_wrk() -> bool:
    """wrk when installed, unless BENCH_LOAD=python asks for the fallback client."""
    return os.environ.get("BENCH_LOAD") != "python" and shutil.which("wrk") is not None


def measure(
    url: str, connections: int, seconds: float, headers: dict[str, str] | None = None
) -> LoadResult:
    """Load url with this many concurrent connections for this long."""
    check_loopback(url)
    if have_wrk():
        return run_wrk(url, connections, seconds, headers or {})
    return run_python(url, connections, seconds, headers or {})


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS_MS[unit]


def run_wrk(url: str, connections: int, seconds: float, headers: dict[str, str]) -> LoadResult:
    threads = min(connections, 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(int(seconds), 1)}s"]
    command += ["--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.MULTILINE))
    if not {"50", "90", "99"} <= percentiles.keys():
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(bad.group(1)) if bad else 0
    if socket:
        errors += sum(int(count) for count in socket.groups())
    return LoadResult(
        tool="wrk",
        connections=connections,
        requests=total,
        errors=errors,
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(percentiles["50"]),
        p90_ms=_ms(percentiles["90"]),
        p99_ms=_ms(percentiles["99"]),
    )


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def run_python(url: str, connections: int, seconds: float, headers: dict[str, str]) -> LoadResult:
    """Threads with keep-alive http.client connections; bounded by time and request count."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + seconds
    budget = threading.Semaphore(PYTHON_MAX_REQUESTS)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        connection: http.client.HTTPConnection | None = None
        mine: list[float] = []
        failed = 0
        while time.perf_counter() < deadline and budget.acquire(blocking=False):
            if connection is None:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = None
                continue
            mine.append((time.perf_counter() - started) * 1000)
            if response.status >= 400:
                failed += 1
            if response.will_close:
                connection.close()
                connection = None
        if connection is not None:
            connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(seconds + 30)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return LoadResult(
        tool="python",
        connections=connections,
        requests=len(latencies),
        errors=errors[0],
        requests_per_second=len(latencies) / elapsed if elapsed else 0.0,
        p50_ms=percentile(latencies, 0.50),
        p90_ms=percentile(latencies, 0.90),
        p99_ms=percentile(latencies, 0.99),
    )
