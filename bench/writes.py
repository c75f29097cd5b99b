"""Comment posting under load: logged-in members posting at once, then a count of what stuck."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .browser import Browser

MAX_WRITES_PER_WRITER = 5_000
MARKER = "Bench write"


@dataclass(frozen=True)
class WriteResult:
    writers: int
    seconds: float
    accepted: int  # 2xx answers
    failed: int  # anything else
    stored: int  # rows in the database afterwards
    writes_per_second: float

    @property
    def lost(self) -> int:
        """Answers that said "posted" for comments the database does not have."""
        return max(self.accepted - self.stored, 0)


def post_comments(
    host: str,
    port: int,
    slug: str,
    emails: list[str],
    password: str,
    database: Path,
    seconds: float = 10.0,
) -> WriteResult:
    """Each email posts comments as an htmx client would, for seconds; then count the rows."""
    browsers = []
    for email in emails:
        browser = Browser(host, port)
        browser.log_in(email, password)
        browsers.append((browser, browser.csrf_token(f"/posts/{slug}")))
    accepted = [0] * len(browsers)
    failed = [0] * len(browsers)
    deadline = time.perf_counter() + seconds

    def write(index: int) -> None:
        browser, token = browsers[index]
        headers = {"X-CSRFToken": token, "HX-Request": "true", "Accept-Encoding": "gzip"}
        for n in range(MAX_WRITES_PER_WRITER):
            if time.perf_counter() >= deadline:
                break
            body = f"{MARKER} {index}-{n}: does the fatigue settle after the second dose?"
            try:
                # Members starting a thread choose, as the form asks: a question for a clinician.
                answer = browser.request(
                    "POST",
                    f"/posts/{slug}/comments",
                    form={"body": body, "kind": "question"},
                    headers=headers,
                )
            except OSError:
                failed[index] += 1
                continue
            if 200 <= answer.status < 300:
                accepted[index] += 1
            else:
                failed[index] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.perf_counter() - started
    with sqlite3.connect(database) as connection:
        stored = connection.execute(
            "SELECT count(*) FROM comments JOIN posts ON posts.id = comments.post_id "
            "WHERE posts.slug = ? AND comments.body_source LIKE ?",
            (slug, f"{MARKER} %"),
        ).fetchone()[0]
    connection.close()
    return WriteResult(
        writers=len(browsers),
        seconds=elapsed,
        accepted=sum(accepted),
        failed=sum(failed),
        stored=stored,
        writes_per_second=sum(accepted) / elapsed if elapsed else 0.0,
    )
