"""Telling a thousand followers: the time from a comment to the last of their emails queued.

In-process, on the benchmark's database: FOLLOWERS members (verified addresses, the default
"email at once") follow the write post; a clinician answers a question there through the
comment service, as the request would; then the worker's part runs here as the worker runs
it, taking the task from the queue (Huey on its own SQLite file) and executing it. The clock
stops when the task returns: every notification and email row committed, every email handed
to the queue.

    .venv/bin/python -m bench.fanout        # on a freshly seeded database in a temporary folder
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, insert, select

from portal import create_app, names, rendering
from portal.comments import service as comments
from portal.extensions import db
from portal.models import Comment, FanOut, Follow, Notification, OutgoingEmail, Post, User

FOLLOWERS = 1_000
MARKER = "Bench fan-out"


@dataclass(frozen=True)
class FanOutResult:
    followers: int
    request_ms: float  # the comment's own write: the request's part
    event_to_last_email_ms: float  # from before the write to the worker's last email queued
    worker_ms: float  # the worker's part alone
    fan_out_rows: int  # written by the request: one, however many follow
    told_in_request: int  # follower notifications written by the request: none
    notifications: int  # written by the worker
    emails: int  # queued by the worker

    @property
    def in_the_worker(self) -> bool:
        return (
            self.fan_out_rows == 1
            and self.told_in_request == 0
            and self.notifications == self.emails == self.followers
        )


def _add_followers(post: Post, count: int) -> None:
    first = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    hashed = db.session.scalar(select(User.password_hash).limit(1))
    now = db.func.current_timestamp()
    users = []
    for n in range(first, first + count):
        name = f"Follower {n}"
        users.append(
            {
                "id": n,
                "email": f"follower{n}@bench.example",
                "display_name": name,
                "display_name_key": names.name_key(name),
                "password_hash": hashed,
                "role": "patient",
                "session_token": f"{n:032x}",
                "reset_nonce": f"{n:032x}",
            }
        )
    db.session.execute(insert(User), users)
    db.session.execute(
        User.__table__.update()
        .where(User.id >= first)
        .values(email_verified_at=now, created_at=now)
    )
    db.session.execute(
        insert(Follow),
        [{"user_id": n, "post_id": post.id} for n in range(first, first + count)],
    )
    db.session.commit()


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def measure(database: Path, folder: Path, slug: str, followers: int = FOLLOWERS) -> FanOutResult:
    """Seed followers on slug's post, write one answer there, run the worker's task; timed."""
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SECRET_KEY": "bench-only-secret",
            "RATELIMIT_ENABLED": False,
            # Its own queue file, so the task taken below is this comment's fan-out.
            "TASK_QUEUE_URL": f"sqlite:///{folder / 'fan-out-tasks.sqlite3'}",
        }
    )
    from portal.tasks import huey

    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == slug))
        _add_followers(post, followers)
        question = db.session.scalar(
            select(Comment)
            .where(Comment.post_id == post.id, Comment.parent_id.is_(None))
            .order_by(Comment.id)
            .limit(1)
        )
        if question is None:  # a fresh seed: the write post has no comments yet
            asker = db.session.scalar(select(User).where(User.role == "patient").limit(1))
            question = Comment(
                post=post,
                author=asker,
                status="approved",
                kind="question",
                question_state="waiting",
            )
            rendering.set_comment_body(question, "Does the fatigue settle?")
            db.session.add(question)
            db.session.flush()
            question.root_id = question.id
            db.session.commit()
        clinician = db.session.scalar(select(User).where(User.role == "clinician").limit(1))
        huey.flush()
        started = time.perf_counter()
        answer = comments.submit(post, clinician, f"{MARKER}: it usually settles.", question.id)
        written = time.perf_counter()
        answer_id = answer.id
        fan_out_rows = _count(FanOut, FanOut.comment_id == answer_id)
        told_in_request = _count(
            Notification,
            Notification.comment_id == answer_id,
            Notification.kind.in_(("followed_post", "followed_thread")),
        )
        db.session.remove()
    # The worker: take the fan-out task the hand-over queued, and run it. (The asker's own
    # email, queued by the request too, is left for the mail worker.)
    worker_started = time.perf_counter()
    task = huey.dequeue()
    while task is not None and task.name != "expand_fan_out":
        task = huey.dequeue()
    assert task is not None, "the request queued no fan-out"
    huey.execute(task)
    finished = time.perf_counter()
    with app.app_context():
        notifications = _count(
            Notification,
            Notification.comment_id == answer_id,
            Notification.kind.in_(("followed_post", "followed_thread")),
        )
        emails = _count(
            OutgoingEmail,
            OutgoingEmail.template.in_(("followed_post", "followed_thread")),
            OutgoingEmail.status == "queued",
        )
        db.session.remove()
        db.engine.dispose()
    return FanOutResult(
        followers=followers,
        request_ms=(written - started) * 1000,
        event_to_last_email_ms=(finished - started) * 1000,
        worker_ms=(finished - worker_started) * 1000,
        fan_out_rows=fan_out_rows,
        told_in_request=told_in_request,
        notifications=notifications,
        emails=emails,
    )


def line(result: FanOutResult) -> str:
    return (
        f"Fan-out: a clinician's answer in a discussion with {result.followers:,} followers: "
        f"the write took {result.request_ms:,.1f} ms and left {result.fan_out_rows} fan-out row "
        f"({result.told_in_request} follower notifications in the request); the worker wrote "
        f"{result.notifications:,} notifications and queued {result.emails:,} emails in "
        f"{result.worker_ms:,.0f} ms: **{result.event_to_last_email_ms:,.0f} ms from the event "
        "to the last email queued**."
    )


def main() -> None:
    from . import seed

    folder = Path(tempfile.mkdtemp(prefix="treatment-talk-fan-out-"))
    try:
        seeded = seed.build(folder)
        database = Path(seeded.database_url.removeprefix("sqlite:///"))
        print(line(measure(database, folder, seeded.write_slug)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
