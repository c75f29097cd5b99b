"""Memory per gunicorn worker as requests go by: a leak shows as RSS that keeps growing.

The workers' resident set size is read from /proc/<pid>/status (VmRSS) after the first 1,000
requests, when imports, templates and caches are warm, and again after 20,000. The requests
cycle through visitors' kept pages and pages rendered for a member, so both paths are in it.
"""

from __future__ import annotations

import http.client
import itertools
import threading
from dataclasses import dataclass
from pathlib import Path

from .servers import Server

WARM_REQUESTS = 1_000
TOTAL_REQUESTS = 20_000
CONNECTIONS = 2


@dataclass(frozen=True)
class MemoryResult:
    requests: int
    errors: int
    warm_kb: dict[int, int]  # worker pid: VmRSS after WARM_REQUESTS
    end_kb: dict[int, int]  # worker pid: VmRSS after TOTAL_REQUESTS

    @property
    def worst_growth(self) -> float:
        """The largest growth of one worker's RSS, as a fraction (0.05 is 5 %)."""
        growth = [
            self.end_kb[pid] / self.warm_kb[pid] - 1
            for pid in self.warm_kb
            if pid in self.end_kb and self.warm_kb[pid]
        ]
        return max(growth, default=0.0)

    def line(self) -> str:
        workers = "; ".join(
            f"worker {n}: {self.warm_kb[pid] / 1024:.1f} MB after {WARM_REQUESTS:,}, "
            f"{self.end_kb.get(pid, 0) / 1024:.1f} MB after {self.requests:,}"
            for n, pid in enumerate(sorted(self.warm_kb), start=1)
        )
        return (
            f"Memory per gunicorn worker (VmRSS), {self.requests:,} requests cycling through "
            f"visitors' and a member's pages: {workers}; **largest growth "
            f"{100 * self.worst_growth:+.1f} %**."
        )


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _send(server: Server, requests: list[tuple[str, dict[str, str]]], count: int) -> int:
    """Send count requests over CONNECTIONS keep-alive connections; returns the errors."""
    cycle = itertools.cycle(requests)
    lock = threading.Lock()
    left = [count]
    errors = [0]

    def work() -> None:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
        while True:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
                path, headers = next(cycle)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                connection.close()
        connection.close()

    threads = [threading.Thread(target=work) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors[0]


def measure(server: Server, requests: list[tuple[str, dict[str, str]]]) -> MemoryResult:
    errors = _send(server, requests, WARM_REQUESTS)
    pids = server.worker_pids()
    warm = {pid: rss_kb(pid) for pid in pids}
    errors += _send(server, requests, TOTAL_REQUESTS - WARM_REQUESTS)
    end = {pid: rss_kb(pid) for pid in server.worker_pids()}
    return MemoryResult(TOTAL_REQUESTS, errors, warm, end)
