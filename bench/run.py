"""`make bench`: seed a fresh database, load the portal under gunicorn, check the budgets.

Everything runs on this machine: a temporary folder for the database, gunicorn on a free
loopback port, wrk (or the Python client) as the load. Exits 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from portal.extensions import db

from . import fanout, long_comments, report, search, seed, statements
from .browser import USER_AGENT, Browser
from .load import measure
from .report import Budget, PageRow
from .servers import Server, gunicorn
from .writes import post_comments

POST_PAGE_P50_MS = 15.0
HOME_PAGE_P50_MS = 8.0
QUESTIONS_PAGE_P50_MS = 15.0  # the clinicians' waiting list, with the seed's 13,000 waiting
MAX_STATEMENTS = 8
MIN_WRITES_PER_SECOND = 100.0
MAX_LONG_COMMENT_CHECK_MS = 50.0  # crisis phrases or personal details, the slowest shape
MAX_FAN_OUT_SECONDS = 10.0  # a comment to the last of 1,000 followers' emails queued
WRITE_SECONDS = 10.0
QUEUE_PATH = "/moderation"
QUESTIONS_PATH = "/clinic/questions"


def _pages(seeded: seed.Seeded) -> list[PageRow]:
    big = f"/posts/{seeded.big_slug}"
    small = f"/posts/{seeded.small_slug}"
    return [
        PageRow("post300", "Post, 300 comments", big, "visitor"),
        PageRow("post300c8", "Post, 300 comments", big, "visitor"),
        PageRow("post300again", "Post, 300 comments, unchanged (304)", big, "visitor"),
        PageRow("post10", "Post, 10 comments", small, "visitor"),
        PageRow("home", "Home", "/", "visitor"),
        PageRow("homec8", "Home", "/", "visitor"),
        PageRow("queue", "Moderation queue, 500 held", QUEUE_PATH, "admin"),
        PageRow("questions", "Waiting questions, 13,000", QUESTIONS_PATH, "clinician"),
    ]


CONCURRENCY = {"post300c8": 8, "homec8": 8}


def _fetch_sizes(browser: Browser, path: str) -> tuple[int, int]:
    raw = browser.request("GET", path)
    packed = browser.request("GET", path, headers={"Accept-Encoding": "gzip"})
    if raw.status != 200 or packed.status != 200:
        raise RuntimeError(f"{path} answered {raw.status}/{packed.status}")
    return len(raw.body), len(packed.body)


def _budgets(rows: dict[str, PageRow], writes, fan_out: fanout.FanOutResult) -> list[Budget]:
    budgets = []
    post, home = rows["post300"].load, rows["home"].load
    budgets.append(
        Budget(
            "Post page, 300 comments, p50 at concurrency 1",
            f"≤ {POST_PAGE_P50_MS:g} ms",
            f"{post.p50_ms:.2f} ms" if post else "not measured",
            bool(post and post.p50_ms <= POST_PAGE_P50_MS),
        )
    )
    budgets.append(
        Budget(
            "Home page p50 at concurrency 1",
            f"≤ {HOME_PAGE_P50_MS:g} ms",
            f"{home.p50_ms:.2f} ms" if home else "not measured",
            bool(home and home.p50_ms <= HOME_PAGE_P50_MS),
        )
    )
    questions = rows["questions"].load
    budgets.append(
        Budget(
            "Waiting questions page, 13,000 waiting, p50 at concurrency 1",
            f"≤ {QUESTIONS_PAGE_P50_MS:g} ms",
            f"{questions.p50_ms:.2f} ms" if questions else "not measured",
            bool(questions and questions.p50_ms <= QUESTIONS_PAGE_P50_MS),
        )
    )
    big, small = rows["post300"].statements, rows["post10"].statements
    budgets.append(
        Budget(
            "SQL statements, post page: 300 comments = 10 comments",
            "equal",
            f"{big} and {small}",
            big is not None and big == small,
        )
    )
    worst = max((row.statements for row in rows.values() if row.statements), default=0)
    budgets.append(
        Budget(
            "SQL statements per page (every page measured)",
            f"≤ {MAX_STATEMENTS}",
            f"at most {worst}",
            worst <= MAX_STATEMENTS,
        )
    )
    budgets.append(
        Budget(
            "Comment posting on SQLite",
            f"≥ {MIN_WRITES_PER_SECOND:g} writes/s, none lost, none failed",
            f"{writes.writes_per_second:.1f} writes/s, {writes.lost} lost, {writes.failed} failed",
            writes.writes_per_second >= MIN_WRITES_PER_SECOND
            and writes.lost == 0
            and writes.failed == 0,
        )
    )
    budgets.append(
        Budget(
            f"Fan-out to {fan_out.followers:,} followers, in the worker",
            f"the request writes 1 row; ≤ {MAX_FAN_OUT_SECONDS:g} s to the last email queued",
            f"{fan_out.fan_out_rows} row, {fan_out.told_in_request} told in the request; "
            f"{fan_out.event_to_last_email_ms / 1000:.2f} s, {fan_out.emails:,} emails",
            fan_out.in_the_worker and fan_out.event_to_last_email_ms <= MAX_FAN_OUT_SECONDS * 1000,
        )
    )
    slowest_ms, slowest = long_comments.worst_ms()
    budgets.append(
        Budget(
            "Safe-speaking checks on a 20,000-character comment, worst shape",
            f"≤ {MAX_LONG_COMMENT_CHECK_MS:g} ms",
            f"{slowest_ms:.1f} ms ({slowest})",
            slowest_ms <= MAX_LONG_COMMENT_CHECK_MS,
        )
    )
    errors = sum(row.load.errors for row in rows.values() if row.load)
    budgets.append(
        Budget("Every answer under load was OK", "0 errors", f"{errors} errors", errors == 0)
    )
    return budgets


def _measure_pages(
    server: Server, seeded: seed.Seeded, rows: list[PageRow], seconds: float
) -> None:
    visitors = Browser(server.host, server.port)
    visitors.request("GET", "/")  # the visitor's session cookie, as a returning reader has
    admin = Browser(server.host, server.port)
    clinician = Browser(server.host, server.port)
    browsers = {"visitor": visitors, "admin": admin, "clinician": clinician}
    for row in rows:
        if row.note:
            continue
        browser = browsers[row.viewer]
        if row.viewer == "admin" and not admin.cookies.get("session"):
            admin.log_in(seeded.admin_email, seeded.password)
        if row.viewer == "clinician" and not clinician.cookies.get("session"):
            clinician.log_in(seeded.clinician_email, seeded.password)
        headers = {"Accept-Encoding": "gzip", "User-Agent": USER_AGENT}
        if browser.cookies:
            headers["Cookie"] = browser.cookie_header
        if row.key == "post300again":
            # A returning visitor's browser revalidates its copy: 304, no body, no rendering.
            etag = browser.request("GET", row.path).headers.get("etag")
            if etag is None:
                row.note = "not available (no ETag)"
                continue
            headers["If-None-Match"] = etag
        else:
            row.raw_bytes, row.gzip_bytes = _fetch_sizes(browser, row.path)
        connections = CONCURRENCY.get(row.key, 1)
        print(f"  {row.label} ({row.viewer}), {connections} at once …", flush=True)
        row.load = measure(server.url(row.path), connections, seconds, headers)


def run(seconds: float, write_doc: bool) -> int:
    facts = report.machine()
    for name, value in facts.items():
        print(f"{name}: {value}")
    busy = os.getloadavg()[0]
    if busy > (os.cpu_count() or 1) / 2:
        print(
            f"Warning: the machine is busy (load {busy:.1f}); latencies will be inflated.",
            file=sys.stderr,
        )
    folder = Path(tempfile.mkdtemp(prefix="treatment-talk-bench-"))
    try:
        return _run_in(folder, seconds, write_doc, facts)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_in(folder: Path, seconds: float, write_doc: bool, facts: dict[str, str]) -> int:
    print(f"Seeding a fresh database in {folder} …", flush=True)
    seeded = seed.build(folder)
    print(f"  {seeded.counts}")
    database = Path(seeded.database_url.removeprefix("sqlite:///"))
    rows = _pages(seeded)
    by_key = {row.key: row for row in rows}

    app = seed.bench_app(database, folder)
    for row in rows:
        served = statements.served_path(app, row.path)
        if served is None:
            row.note = "not available (no such page yet)"
        else:
            row.path = served
    viewers = {"visitor": None, "admin": seeded.admin_email, "clinician": seeded.clinician_email}
    counted = statements.count_all(
        app,
        {
            row.key: (row.path, viewers[row.viewer])
            for row in rows
            if not row.note and row.key != "post300again"
        },
        seeded.password,
    )
    with app.app_context():
        db.engine.dispose()
    for key, (status, count, cpu_ms) in counted.items():
        if status != 200:
            by_key[key].note = f"not available (answered {status})"
        else:
            by_key[key].statements = count
            by_key[key].cpu_ms = cpu_ms

    environment = {
        "PORTAL_DATABASE_URL": seeded.database_url,
        "PORTAL_SECRET_KEY": "bench-only-secret",
        "PORTAL_RATELIMIT_ENABLED": "0",
        "PORTAL_STAFF_TWO_FACTOR": "0",  # as in seed.bench_app
        # Each comment hands its fan-out to the queue: a file of this run's, not instance/'s.
        "PORTAL_TASK_QUEUE_URL": f"sqlite:///{folder / 'tasks.sqlite3'}",
    }
    print("Loading the portal under gunicorn …", flush=True)
    with gunicorn("portal:create_app()", environment, folder / "portal.log") as server:
        _measure_pages(server, seeded, rows, seconds)
        print(f"  posting comments, {len(seeded.writer_emails)} at once …", flush=True)
        writes = post_comments(
            server.host,
            server.port,
            seeded.write_slug,
            seeded.writer_emails,
            seeded.password,
            database,
            WRITE_SECONDS,
        )

    print(f"  telling {fanout.FOLLOWERS:,} followers of a new comment (in-process) …", flush=True)
    fan_out = fanout.measure(database, folder, seeded.write_slug)

    # Last, as it grows the database to 100,000 comments for good. PostgreSQL too when
    # BENCH_POSTGRES_URL names a server (a database is made there for it and dropped).
    print(f"  search over {search.TOTAL_COMMENTS:,} comments …", flush=True)
    searched = search.measure(folder, database, seconds)
    postgres_url = os.environ.get("BENCH_POSTGRES_URL")
    searched_pg = search.measure_postgres(postgres_url, folder, seconds) if postgres_url else None

    ceiling_size = by_key["post300"].raw_bytes or 100_000
    bare_rows = [PageRow("bare", "Bare Flask, same size", "/", "visitor")]
    bare_rows.append(PageRow("barec8", "Bare Flask, same size", "/", "visitor"))
    print(f"Loading a bare Flask app serving {ceiling_size:,} constant bytes …", flush=True)
    bare_environment = {"BENCH_BARE_BYTES": str(ceiling_size)}
    with gunicorn("bench.bare_app:app", bare_environment, folder / "bare.log") as server:
        for row in bare_rows:
            connections = 8 if row.key == "barec8" else 1
            row.raw_bytes = row.gzip_bytes = ceiling_size
            row.load = measure(server.url("/"), connections, seconds, {"User-Agent": USER_AGENT})
    ceiling = {1: bare_rows[0].load, 8: bare_rows[1].load}
    for row in rows:
        if row.load is not None and ceiling.get(row.load.connections):
            row.ceiling_rps = ceiling[row.load.connections].requests_per_second

    budgets = _budgets(by_key, writes, fan_out) + search.budgets(searched, searched_pg)
    more = [fanout.line(fan_out), *search.lines(searched, searched_pg)]
    text = report.section(facts, seeded.counts, rows + bare_rows, writes, budgets, more)
    print()
    print(text)
    if write_doc:
        report.write_doc(text)
        print(f"\nWrote the results into {report.DOC}")
    missed = [budget.name for budget in budgets if not budget.holds]
    if missed:
        print("\nBudgets missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    print("\nEvery budget holds.")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="how long each page is loaded (default 5)"
    )
    parser.add_argument(
        "--no-doc", action="store_true", help="print the results without updating the docs"
    )
    arguments = parser.parse_args()
    sys.exit(run(arguments.seconds, write_doc=not arguments.no_doc))


if __name__ == "__main__":
    main()
