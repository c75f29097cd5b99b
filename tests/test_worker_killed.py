"""A gunicorn worker killed outright while members post loses nothing acknowledged, and the
member's retry of the post it cut off stores it once.

SIGKILL gives a worker no chance to finish: its request is cut, its transaction rolled back
by the database, or committed just before. Either way, the member who saw no answer sends the
same form again, with the same one-time token, and finds one comment.
"""

from __future__ import annotations

import itertools
import secrets
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment

from .gunicorn_support import Browser, gunicorn, populate
from .test_shutdown import PASSWORD, POSTERS, SLUG, build_discussion


def post_and_retry(browser: Browser, n: int, outcomes: list, lock, stop: threading.Event):
    """Post until told to stop; a post that gets no answer is sent once more, as it was."""
    for i in itertools.count():
        if stop.is_set():
            return
        text = f"Poster {n} note {i}: the infusion day went smoothly."
        form = {"body": text, "kind": "discussion", "form_token": secrets.token_urlsafe(16)}
        tries = []
        for _ in range(2):
            try:
                status = browser.post(f"/posts/{SLUG}/comments", form)[0]
            except OSError:  # the worker serving it was killed
                status = None
            tries.append(status)
            if status is not None:
                break
            time.sleep(0.5)  # the master starts a new worker
        with lock:
            outcomes.append((text, tries))


def workers_of(master: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


@pytest.mark.multiprocess
def test_a_worker_killed_while_members_post_loses_nothing_acknowledged(database_url, tmp_path):
    populate(database_url, tmp_path, build_discussion)
    outcomes: list[tuple[str, list[int | None]]] = []
    lock = threading.Lock()
    stop = threading.Event()
    env = {"PORTAL_RATELIMIT_ENABLED": "0"}
    with gunicorn(database_url, workers=3, extra_env=env) as server:
        browsers = [Browser(server.url) for _ in range(POSTERS)]
        for n, browser in enumerate(browsers):
            browser.log_in(f"poster{n}@example.org", PASSWORD)
        threads = [
            threading.Thread(target=post_and_retry, args=(browser, n, outcomes, lock, stop))
            for n, browser in enumerate(browsers)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        killed = workers_of(server.process.pid)[0]
        subprocess.run(["kill", f"-{signal.SIGKILL.value}", str(killed)], check=True)
        time.sleep(3)  # posting goes on through the other workers and the new one
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert killed not in workers_of(server.process.pid)

    acknowledged = [text for text, tries in outcomes if tries[-1] is not None]
    assert all(tries[-1] is None or 200 <= tries[-1] < 400 for _, tries in outcomes), outcomes
    assert len(acknowledged) > POSTERS
    stored = Counter(
        populate(
            database_url, tmp_path, lambda: list(db.session.scalars(select(Comment.body_source)))
        )
    )
    assert all(stored[text] == 1 for text in acknowledged)  # every acknowledged one, once
    assert max(stored.values()) == 1  # a retried post was never stored twice
    print(
        f"\n{len(outcomes)} posts, {len(acknowledged)} acknowledged, "
        f"{sum(1 for _, tries in outcomes if tries[0] is None)} cut off by the kill and retried"
    )
