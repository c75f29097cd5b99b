"""Where one comment's CPU goes: the pieces of a comment write, profiled in-process.

    .venv/bin/python -m bench.comment_cost [--comments N]

Seeds the benchmark's data in a temporary folder, logs a member in and posts N comments as
htmx does (the same request as `make bench`'s writers), first without a profiler for the
total CPU per comment, then under cProfile with a CPU clock, and reads each piece's share.
The search index is kept by SQLite triggers inside the INSERT, which no Python profiler
sees, so its cost is timed apart: the same rows inserted with the triggers and without.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from . import seed, statements

# (what the docs call it, file suffix, function name): cumulative CPU per comment.
PIECES = [
    ("Markdown and sanitizing (rendering.render_comment)", "portal/rendering.py", "render_comment"),
    ("Moderation rules, crisis phrases included (rules.decide)", "rules.py", "decide"),
    ("  of which crisis phrases (crisis.find_phrase)", "crisis.py", "find_phrase"),
    ("Personal details (personal_data.find)", "personal_data.py", "find"),
    ("Same form or same words again (service.sent_before, sent_just_now)", "service.py", "sent_"),
    (
        "Notifications: fan-out row and follow (events.comment_submitted)",
        "events.py",
        "comment_submitted",
    ),
    (
        "Notifications: handing the fan-out to the queue (Huey, after commit)",
        "events.py",
        "_hand_over_to_the_queue",
    ),
    (
        "The comment's INSERT, one Core statement (inserting.insert_new, search triggers inside)",
        "inserting.py",
        "insert_new",
    ),
    ("A new thread's root, one Core UPDATE (service._be_own_root)", "service.py", "_be_own_root"),
    ("Unit-of-work flushes left (session flush)", "session.py", "_flush"),
    ("The htmx fragment for the new comment (views._created)", "comments/views.py", "_created"),
    ("The commit (session.commit, fsync of the WAL)", "scoping.py", "commit"),
    ("Whole request in the app (Flask wsgi_app)", "flask/app.py", "wsgi_app"),
]


# Pieces timed inside another piece (the crisis phrases inside the rules, the hand-over inside
# the commit), and the whole request: left out of the sum that says what is left.
_INSIDE_OTHERS = {"find_phrase", "_hand_over_to_the_queue", "wsgi_app"}
EVERYTHING_ELSE = "Everything else: CSRF, the form, loading the member and the post, Flask"


def _cumulative(stats: pstats.Stats, suffix: str, name: str) -> float:
    """CPU seconds spent in functions matching (file suffix, name prefix), outermost only."""
    total = 0.0
    for (path, _line, function), (_cc, _nc, _tt, cumulative, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if not (path.endswith(suffix) and function.startswith(name)):
            continue
        # Recursive or nested matches (flush inside flush) would count twice.
        if any(caller[0].endswith(suffix) and caller[2].startswith(name) for caller in callers):
            continue
        total += cumulative
    return total


def _poster(app, slug: str, writer: str):
    client = statements.logged_in_client(app, writer, seed.PASSWORD)
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    token = statements.CSRF_META.search(page).group(1)  # type: ignore[union-attr]
    headers = {"X-CSRFToken": token, "HX-Request": "true", "Accept-Encoding": "gzip"}
    counter = [0]

    def post() -> None:
        counter[0] += 1
        body = f"Bench write {counter[0]}: does the fatigue settle after the second dose?"
        answer = client.post(
            f"/posts/{slug}/comments", data={"body": body, "kind": "question"}, headers=headers
        )
        if answer.status_code != 201:
            raise RuntimeError(f"posting answered {answer.status_code}")

    return post


def _trigger_cost(database: Path, rows: int = 500) -> tuple[float, float]:
    """ms per comment INSERT with the search triggers, and without (on a copy)."""
    results = []
    for keep_triggers in (True, False):
        copy = database.with_name(f"copy-{keep_triggers}.sqlite3")
        source = sqlite3.connect(database)
        target = sqlite3.connect(copy)
        source.backup(target)
        source.close()
        if not keep_triggers:
            for (name,) in target.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%fts%'"
            ).fetchall():
                target.execute(f'DROP TRIGGER "{name}"')
        template = target.execute(
            "SELECT * FROM comments WHERE body_source LIKE 'Bench write%' LIMIT 1"
        ).fetchone()
        columns = [row[1] for row in target.execute("PRAGMA table_info(comments)")]
        placeholders = ", ".join("?" for _ in columns)
        started = time.process_time()
        for n in range(rows):
            values = list(template)
            values[columns.index("id")] = None
            values[columns.index("form_token")] = None
            values[columns.index("body_source")] = f"Trigger timing {n}: fatigue after a dose"
            target.execute(f"INSERT INTO comments VALUES ({placeholders})", values)
        target.commit()
        results.append((time.process_time() - started) * 1000 / rows)
        target.close()
    return results[0], results[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=200)
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="treatment-talk-comment-cost-"))
    try:
        seeded = seed.build(folder)
        database = Path(seeded.database_url.removeprefix("sqlite:///"))
        app = seed.bench_app(database, folder)
        app.config["TASK_QUEUE_URL"] = f"sqlite:///{folder / 'tasks.sqlite3'}"
        # In-process requests would print their log lines (set up by the first app) here.
        logging.getLogger("portal.requests").setLevel(logging.WARNING)
        post = _poster(app, seeded.write_slug, seeded.writer_emails[0])
        for _ in range(10):
            post()  # warm up templates and caches
        started = time.process_time()
        for _ in range(arguments.comments):
            post()
        total_ms = (time.process_time() - started) * 1000 / arguments.comments
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(arguments.comments):
            post()
        profiler.disable()
        stats = pstats.Stats(profiler)
        whole = _cumulative(stats, "flask/app.py", "wsgi_app")
        print(f"CPU per comment, whole request through the test client: {total_ms:.2f} ms")
        print("Shares under the profiler (scaled to that total):\n")
        print("| piece | CPU ms per comment | share |\n|---|--:|--:|")
        rows, listed = [], 0.0
        for label, suffix, name in PIECES:
            share = _cumulative(stats, suffix, name) / whole if whole else 0.0
            rows.append((label, share))
            if name not in _INSIDE_OTHERS:
                listed += share
        # What is left goes before the whole request, the last row.
        rows.insert(len(rows) - 1, (EVERYTHING_ELSE, max(1.0 - listed, 0.0)))
        for label, share in rows:
            print(f"| {label} | {share * total_ms:.2f} | {100 * share:.0f} % |")
        with_triggers, without = _trigger_cost(database)
        print(
            f"\nSearch index triggers (SQLite, not seen by the profiler): an INSERT costs "
            f"{with_triggers:.3f} ms with them and {without:.3f} ms without: "
            f"{with_triggers - without:.3f} ms per comment."
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
