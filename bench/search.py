"""Issue 18's speed: search and "has this been asked?" over 100,000 comments, and rebuilding.

    .venv/bin/python -m bench.search [--seconds S] [--requests N] [--keep FOLDER]
                                     [--postgres URL]

Seeds what `make bench` seeds, grows it to 100,000 comments of everyday words (bulk inserts;
the database's own triggers keep the index, as for any write), then measures:

- the search page, /search?q=infusion (a word in about one comment in ten), p50 at
  concurrency 1 under gunicorn, as `make bench` measures pages;
- "has this been asked?": engine.similar_answered on a realistic draft, in-process, and its
  endpoint (an htmx POST by a logged-in patient) at concurrency 1 under gunicorn;
- `flask --app portal reindex` (engine.rebuild) over all 100,000.

With --postgres URL (or BENCH_POSTGRES_URL) the same runs on PostgreSQL too, in a database of
its own made on that server and dropped afterwards, and its figures are printed beside.
`make bench` calls `measure` for its budget table.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

from portal.extensions import db
from portal.models import Comment, Post, User

from . import search_text, seed
from .browser import USER_AGENT, Browser
from .load import LoadResult, percentile
from .load import measure as load
from .report import Budget
from .servers import gunicorn

TOTAL_COMMENTS = 100_000
SEARCH_P50_MS = 15.0
SIMILAR_P50_MS = 10.0
REBUILD_SECONDS = 30.0
SEARCH_WORD = "infusion"
RARE_WORD = "thyroid"
SEARCH_PATH = f"/search?q={SEARCH_WORD}"
# What a patient has typed when the lookup runs: chatty, with the words that matter in it.
DRAFT = (
    "Hello, I finished my second course of alemtuzumab last year and now my thyroid bloods "
    "look a bit odd and I feel tired all the time. Has anyone else had this, and how often "
    "should the thyroid be checked after treatment?"
)
ANSWERED_SHARE = 0.45  # of the new questions, answered by a clinician
BATCH = 5_000
# The big, small and writing posts keep the shapes `make bench` measures them with.
KEPT_POSTS = 3


@dataclass
class EngineFigures:
    """One database's figures; times in ms unless named otherwise."""

    database: str
    comments: int = 0
    grow_seconds: float = 0.0
    search_page: LoadResult | None = None
    search_page_note: str = ""
    search_engine_ms: dict[str, float] = field(default_factory=dict)
    similar_engine_ms: float = 0.0
    similar_endpoint_p50_ms: float | None = None
    similar_endpoint_note: str = ""
    similar_found: int = 0
    rebuild_seconds: float = 0.0
    shares: dict[str, float] = field(default_factory=dict)


# --- growing the data -------------------------------------------------------------------------


def grow(total: int = TOTAL_COMMENTS, rng: random.Random | None = None) -> dict[str, float]:
    """Add threads of everyday comments until there are `total` comments (in app context).

    Questions by patients and caregivers, some answered by a clinician (marked answered, as
    questions.lifecycle would), and replies; inserted in bulk so 80,000 rows take seconds.
    """
    rng = rng or random.Random(18)
    have = db.session.scalar(select(func.count()).select_from(Comment)) or 0
    next_id = (db.session.scalar(select(func.max(Comment.id))) or 0) + 1
    clock = db.session.scalar(select(func.max(Comment.created_at)))
    published = select(Post.id).where(Post.status == "published")
    posts = list(db.session.scalars(published.where(Post.id > KEPT_POSTS))) or list(
        db.session.scalars(published)
    )
    members = list(
        db.session.scalars(select(User.id).where(User.role.in_(("patient", "caregiver"))))
    )
    clinicians = list(db.session.scalars(select(User.id).where(User.role == "clinician")))
    search_text.check_html(random.Random(19))
    rows: list[dict] = []
    answers: list[dict] = []
    texts: list[str] = []

    def add(post_id: int, author_id: int, parent: dict | None, **fields: object) -> dict:
        nonlocal next_id, clock
        clock += timedelta(seconds=rng.randint(20, 400))
        source = search_text.comment(rng, answer=fields.get("kind") == "answer")
        texts.append(source)
        row = {
            "id": next_id,
            "post_id": post_id,
            "author_id": author_id,
            "parent_id": parent["id"] if parent else None,
            "root_id": parent["root_id"] if parent else next_id,
            "body_source": source,
            "body_html": search_text.html_of(source),
            "status": "approved",
            "held_reason": "",
            "created_at": clock,
            "moderation_reason": "",
            "kind": "reply",
            "question_state": None,
            "asked_for": "",
            "answer_id": None,
            "close_note": "",
            "state_changed_at": None,
            "helpful_count": 0,
            **fields,
        }
        next_id += 1
        rows.append(row)
        return row

    def flush() -> None:
        # Answers' rows must exist before a question points at them: insert, then mark.
        if rows:
            db.session.execute(insert(Comment), rows)
            rows.clear()
        if answers:
            db.session.execute(update(Comment), answers)
            answers.clear()

    added = 0
    while have + added < total:
        post_id = rng.choice(posts)
        asker = rng.choice(members)
        question = add(post_id, asker, None, kind="question", question_state="waiting")
        added += 1
        if rng.random() < ANSWERED_SHARE and have + added < total:
            answer = add(post_id, rng.choice(clinicians), question, kind="answer")
            question.update(question_state="answered", state_changed_at=answer["created_at"])
            answers.append({"id": question["id"], "answer_id": answer["id"]})
            added += 1
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            if have + added >= total:
                break
            add(post_id, rng.choice((asker, rng.choice(members))), question)
            added += 1
        if len(rows) >= BATCH:
            flush()
    flush()
    db.session.commit()
    _after_bulk_load()
    return {
        word: search_text.share_with(word, texts) for word in (SEARCH_WORD, "fatigue", RARE_WORD)
    }


def _after_bulk_load() -> None:
    if db.engine.dialect.name == "postgresql":
        # Rows came with their ids: the sequences learn where to go on from.
        for table in ("users", "posts", "comments", "tags"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
            )
    db.session.execute(text("ANALYZE"))
    db.session.commit()


# --- measuring --------------------------------------------------------------------------------


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # the first run warms the caches, as any served request finds them warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def engine_figures(app: Flask, figures: EngineFigures, runs: int) -> None:
    from portal.search import engine, terms

    with app.app_context():
        for kind in engine.KINDS:
            for word in (SEARCH_WORD, RARE_WORD):
                figures.search_engine_ms[f"{kind}:{word}"] = median_ms(
                    lambda kind=kind, word=word: engine.search(terms.words(word), kind), runs
                )
        figures.similar_engine_ms = median_ms(lambda: engine.similar_answered(DRAFT), runs)
        figures.similar_found = len(engine.similar_answered(DRAFT))
        db.session.remove()


def rebuild_figure(app: Flask, figures: EngineFigures) -> None:
    from portal.search import engine

    with app.app_context():
        started = time.perf_counter()
        engine.rebuild()
        figures.rebuild_seconds = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()


def served_figures(
    figures: EngineFigures, folder: Path, database_url: str, seconds: float, requests: int
) -> None:
    """The search page under load, and the similar-questions endpoint, under gunicorn."""
    environment = {
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": "bench-only-secret",
        "PORTAL_RATELIMIT_ENABLED": "0",
        "PORTAL_STAFF_TWO_FACTOR": "0",
        "PORTAL_TASK_QUEUE_URL": f"sqlite:///{folder / 'tasks.sqlite3'}",
    }
    log = folder / f"search-{figures.database}.log"
    with gunicorn("portal:create_app()", environment, log) as server:
        visitor = Browser(server.host, server.port)
        visitor.request("GET", "/")
        first = visitor.request("GET", SEARCH_PATH)
        if first.status != 200:
            figures.search_page_note = f"not available (answered {first.status})"
        else:
            headers = {"Accept-Encoding": "gzip", "User-Agent": USER_AGENT}
            if visitor.cookies:
                headers["Cookie"] = visitor.cookie_header
            figures.search_page = load(server.url(SEARCH_PATH), 1, seconds, headers)
        similar_endpoint(figures, server, requests)
    if figures.similar_endpoint_note or figures.search_page_note:
        # Say why, from the server's own log: the folder may not outlive the run.
        tail = log.read_text(errors="replace").splitlines()[-40:]
        print("\n".join(["  the server's log ends:", *tail]), file=sys.stderr)


def similar_endpoint(figures: EngineFigures, server, requests: int) -> None:
    """A patient pausing in a draft: htmx POSTs one after another, timed at the client."""
    patient = Browser(server.host, server.port)
    patient.log_in(_a_patients_email(), seed.PASSWORD)
    post_path = f"/posts/{seed.SMALL_SLUG}"
    token = patient.csrf_token(post_path)
    path = f"{post_path}/similar-questions"
    form = {"csrf_token": token, "body": DRAFT, "kind": "question"}
    headers = {"HX-Request": "true", "HX-Current-URL": f"{server.url(post_path)}"}
    answer = patient.request("POST", path, form=form, headers=headers)
    if answer.status != 200:
        figures.similar_endpoint_note = f"not available (answered {answer.status})"
        return
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = patient.request("POST", path, form=form, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status != 200:
            raise RuntimeError(f"{path} answered {answer.status}")
    times.sort()
    figures.similar_endpoint_p50_ms = percentile(times, 0.5)


def _a_patients_email() -> str:
    # seed: user 1 is the admin, 2-21 clinicians, then members; every third a caregiver.
    return "user30@bench.example"


# --- one database, then both --------------------------------------------------------------------


def measure_database(
    app: Flask, database_url: str, name: str, folder: Path, seconds: float, requests: int
) -> EngineFigures:
    """Grow the seeded database behind app to 100,000 comments and take its figures."""
    figures = EngineFigures(name)
    logging.getLogger("portal.requests").disabled = True
    with app.app_context():
        started = time.perf_counter()
        figures.shares = grow()
        figures.grow_seconds = time.perf_counter() - started
        figures.comments = db.session.scalar(select(func.count()).select_from(Comment)) or 0
        db.session.remove()
        db.engine.dispose()
    engine_figures(app, figures, requests)
    served_figures(figures, folder, database_url, seconds, requests)
    rebuild_figure(app, figures)
    return figures


def measure(folder: Path, database: Path, seconds: float, requests: int = 200) -> EngineFigures:
    """For `make bench`: its seeded SQLite database, grown, measured (it is changed for good)."""
    app = seed.bench_app(database, folder)
    return measure_database(app, f"sqlite:///{database}", "SQLite", folder, seconds, requests)


def measure_postgres(
    url: str, folder: Path, seconds: float, requests: int = 200, *, keep: bool = False
) -> EngineFigures:
    """The same on PostgreSQL, in a database made for it on that server and dropped after
    (unless keep: then it stays, to look into)."""
    from flask_migrate import upgrade

    server_url = make_url(url)
    name = "treatment_talk_bench_search"
    bench_url = server_url.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        app = seed.app_for(bench_url, folder)
        with app.app_context():
            upgrade()
            seed.fill(seed.Seeded(database_url=bench_url))
            db.session.remove()
            db.engine.dispose()
        return measure_database(app, bench_url, "PostgreSQL", folder, seconds, requests)
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


# --- the report -------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.2f} ms"


def budgets(sqlite: EngineFigures, postgres: EngineFigures | None = None) -> list[Budget]:
    """The issue's three budgets, held on SQLite; PostgreSQL's figures are written beside."""

    def beside(value: str) -> str:
        return f"; PostgreSQL {value}" if postgres else ""

    page = sqlite.search_page
    pg_page = postgres.search_page if postgres else None
    endpoint = sqlite.similar_endpoint_p50_ms
    return [
        Budget(
            f"Search page /search?q={SEARCH_WORD}, {sqlite.comments:,} comments, p50 at c1",
            f"≤ {SEARCH_P50_MS:g} ms",
            (f"{page.p50_ms:.2f} ms" if page else sqlite.search_page_note or "not measured")
            + beside(f"{pg_page.p50_ms:.2f} ms" if pg_page else "not measured"),
            bool(page and page.p50_ms <= SEARCH_P50_MS),
        ),
        Budget(
            "Has this been asked? lookup (engine / endpoint p50)",
            f"≤ {SIMILAR_P50_MS:g} ms",
            f"{sqlite.similar_engine_ms:.2f} ms / "
            + (_ms(endpoint) if endpoint is not None else sqlite.similar_endpoint_note)
            + beside(
                f"{postgres.similar_engine_ms:.2f} ms / {_ms(postgres.similar_endpoint_p50_ms)}"
                if postgres
                else ""
            ),
            sqlite.similar_engine_ms <= SIMILAR_P50_MS
            and endpoint is not None
            and endpoint <= SIMILAR_P50_MS,
        ),
        Budget(
            f"Rebuilding the search index, {sqlite.comments:,} comments",
            f"≤ {REBUILD_SECONDS:g} s",
            f"{sqlite.rebuild_seconds:.1f} s"
            + beside(f"{postgres.rebuild_seconds:.1f} s" if postgres else ""),
            sqlite.rebuild_seconds <= REBUILD_SECONDS,
        ),
    ]


def _endpoint(figures: EngineFigures) -> str:
    if figures.similar_endpoint_p50_ms is None:
        return figures.similar_endpoint_note or "not measured"
    return _ms(figures.similar_endpoint_p50_ms)


def lines(*all_figures: EngineFigures | None) -> list[str]:
    """What was measured, engine by engine, for the report and the terminal."""
    out = []
    for figures in filter(None, all_figures):
        shares = ", ".join(f"“{word}” in {share:.1%}" for word, share in figures.shares.items())
        engine = ", ".join(f"{key} {ms:.2f}" for key, ms in figures.search_engine_ms.items())
        page = figures.search_page
        out.append(
            f"Search on {figures.database}, {figures.comments:,} comments (grown in "
            f"{figures.grow_seconds:.1f} s; of the new ones {shares}): page "
            + (
                f"p50 {page.p50_ms:.2f} ms, p90 {page.p90_ms:.2f} ms ({page.requests} requests, "
                f"{page.errors} errors)"
                if page
                else figures.search_page_note
            )
            + f"; engine alone, ms: {engine}; similar questions: engine "
            f"{figures.similar_engine_ms:.2f} ms ({figures.similar_found} found), endpoint "
            f"{_endpoint(figures)}"
            f"; rebuild {figures.rebuild_seconds:.1f} s."
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="load per page (default 5)")
    parser.add_argument("--requests", type=int, default=200, help="timed lookups (default 200)")
    parser.add_argument(
        "--keep", type=Path, help="seed into this folder (and keep the PostgreSQL database)"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL"),
        help="a PostgreSQL server URL (a database is made there and dropped after)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    arguments = parser.parse_args()
    folder = arguments.keep or Path(tempfile.mkdtemp(prefix="treatment-talk-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        sqlite = None
        if not arguments.no_sqlite:
            print(f"Seeding SQLite in {folder} …", flush=True)
            seeded = seed.build(folder)
            print(f"  {seeded.counts}", flush=True)
            database = Path(seeded.database_url.removeprefix("sqlite:///"))
            sqlite = measure(folder, database, arguments.seconds, arguments.requests)
            print("\n".join(lines(sqlite)), flush=True)
        postgres = None
        if arguments.postgres:
            print("Seeding PostgreSQL …", flush=True)
            postgres = measure_postgres(
                arguments.postgres,
                folder,
                arguments.seconds,
                arguments.requests,
                keep=arguments.keep is not None,
            )
            print("\n".join(lines(postgres)), flush=True)
        if sqlite is None:
            return
        checked = budgets(sqlite, postgres)
        print()
        for budget in checked:
            mark = "holds" if budget.holds else "MISSED"
            print(f"{budget.name}: {budget.measured} (budget {budget.limit}) {mark}")
        if not all(budget.holds for budget in checked):
            sys.exit(1)
    finally:
        if arguments.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
