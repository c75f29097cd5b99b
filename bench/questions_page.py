"""The clinicians' waiting list alone, without the whole of `make bench`: seed, then time it.

    .venv/bin/python -m bench.questions_page [--requests N] [--keep FOLDER] [--gunicorn S]

Seeds the same data as `make bench` (about 13,000 waiting questions), logs in as a clinician
and requests /clinic/questions in-process (Flask's test client, gzip accepted): prints the
statements one request sends, and the median wall and CPU time of the requests, unfiltered,
filtered by a post and by a treatment. With --gunicorn, also loads the unfiltered page for
that many seconds under gunicorn, as `make bench` does for its budget (p50 at concurrency 1).
This is the quick check while working on the page; `make bench` is the whole run.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from portal.extensions import db

from . import seed, statements
from .browser import USER_AGENT, Browser
from .load import measure
from .servers import gunicorn

PAGES = {
    # For comparison: the big post page, which `make bench` holds to 15 ms too.
    "post, 300": f"/posts/{seed.BIG_SLUG}",
    "all waiting": "/clinic/questions",
    "one post": "/clinic/questions?post=treatment-notes-7",
    "one treatment": "/clinic/questions?tag=alemtuzumab",
    "a later page": "/clinic/questions?page=40",
}


def time_page(client, path: str, requests: int) -> tuple[float, float, float]:
    """(median wall ms, median CPU ms, least CPU ms) over requests in-process requests to path.

    On a busy machine the least is the better guess at what a quiet one would take."""
    client.get(path)
    walls, cpus = [], []
    for _ in range(requests):
        wall, cpu = time.perf_counter(), time.process_time()
        answer = client.get(path, headers={"Accept-Encoding": "gzip"})
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}")
    return statistics.median(walls), statistics.median(cpus), min(cpus)


def under_gunicorn(folder: Path, database: Path, seconds: float) -> str:
    """The unfiltered page's server time under gunicorn, measured as `make bench` measures it."""
    environment = {
        "PORTAL_DATABASE_URL": f"sqlite:///{database}",
        "PORTAL_SECRET_KEY": "bench-only-secret",
        "PORTAL_RATELIMIT_ENABLED": "0",
        "PORTAL_STAFF_TWO_FACTOR": "0",  # as in seed.bench_app
        "PORTAL_TASK_QUEUE_URL": f"sqlite:///{folder / 'tasks.sqlite3'}",
    }
    with gunicorn("portal:create_app()", environment, folder / "portal.log") as server:
        clinician = Browser(server.host, server.port)
        clinician.log_in("user2@bench.example", seed.PASSWORD)
        headers = {
            "Accept-Encoding": "gzip",
            "User-Agent": USER_AGENT,
            "Cookie": clinician.cookie_header,
        }
        clinician.request("GET", PAGES["all waiting"])
        load = measure(server.url(PAGES["all waiting"]), 1, seconds, headers)
    return (
        f"under gunicorn ({load.tool}): p50 {load.p50_ms:.2f} ms, p90 {load.p90_ms:.2f} ms, "
        f"{load.requests} requests, {load.errors} errors"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="seed into this folder and leave it there")
    parser.add_argument("--gunicorn", type=float, default=0, help="seconds of load under gunicorn")
    arguments = parser.parse_args()
    folder = arguments.keep or Path(tempfile.mkdtemp(prefix="treatment-talk-questions-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        database = folder / "bench.sqlite3"
        if not database.exists():
            print(f"Seeding {folder} …", flush=True)
            print(f"  {seed.build(folder).counts}")
        app = seed.bench_app(database, folder)
        logging.getLogger("portal.requests").disabled = True  # one line a request otherwise
        client = statements.logged_in_client(app, "user2@bench.example", seed.PASSWORD)
        for label, path in PAGES.items():
            client.get(path)
            with statements.counting(app) as sent:
                client.get(path)
            wall, cpu, least = time_page(client, path, arguments.requests)
            print(
                f"{label:>14}: {len(sent)} statements, {wall:.2f} ms wall, "
                f"{cpu:.2f} ms CPU (least {least:.2f})"
            )
        if arguments.gunicorn:
            with app.app_context():
                db.engine.dispose()
            print(under_gunicorn(folder, database, arguments.gunicorn))
    finally:
        if arguments.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
