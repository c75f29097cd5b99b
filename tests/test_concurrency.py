"""Decisions that race: real concurrent requests to several gunicorn workers on PostgreSQL.

Two moderators deciding on one comment at the same moment, and readers' reports crossing the
hide threshold together, must end in one consistent state with one audit event per decision.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from portal.accounts import service as accounts
from portal.extensions import db
from portal.models import Comment, ModerationEvent, Post, utcnow

from .gunicorn_support import Browser, gunicorn, populate
from .trust import make_trusted

pytestmark = pytest.mark.multiprocess

PASSWORD = "racing moderators passphrase"
ROUNDS = 6


def build_discussion() -> dict[str, list[int]]:
    def person(email: str, name: str, role: str):
        return accounts.create_user(email=email, display_name=name, password=PASSWORD, role=role)

    for n in ("a", "b"):
        person(f"lead-{n}@example.org", f"Site Lead {n.upper()}", "admin")
    readers = [person(f"reader{n}@example.org", f"Reader Number {n}", "patient") for n in range(3)]
    writer = person("writer@example.org", "Busy Writer", "patient")
    clinician = person("doc@example.org", "Helen Marsh", "clinician")
    post = Post(
        slug="racing",
        title="Racing",
        author=clinician,
        status="published",
        published_at=utcnow(),
        body_source="x",
        body_html="<p>x</p>",
    )
    db.session.add(post)

    def comments(status: str) -> list[Comment]:
        made = [
            Comment(
                post=post,
                author=writer,
                status=status,
                body_source=f"{status} {n}",
                body_html=f"<p>{status} {n}</p>",
            )
            for n in range(ROUNDS)
        ]
        db.session.add_all(made)
        db.session.flush()
        for comment in made:
            comment.root_id = comment.id
        return made

    held, public = comments("pending"), comments("approved")
    db.session.flush()
    for reader in readers:  # members of standing: three reports hide a comment
        make_trusted(reader, post)
    return {"held": [c.id for c in held], "public": [c.id for c in public]}


def at_once(actions) -> list[int]:
    """Run the actions in threads released together; their HTTP statuses, in order."""
    barrier = threading.Barrier(len(actions))
    statuses: list[int] = [0] * len(actions)

    def run(index, action):
        barrier.wait()
        statuses[index] = action()[0]

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def read(database_url, tmp_path, query):
    return populate(database_url, tmp_path, lambda: list(db.session.execute(query)))


def test_racing_decisions_and_reports_end_consistent(database_url, tmp_path):
    ids = populate(database_url, tmp_path, build_discussion)
    with gunicorn(database_url, workers=3) as server:
        leads = [Browser(server.url) for _ in range(2)]
        for browser, n in zip(leads, ("a", "b"), strict=True):
            browser.log_in(f"lead-{n}@example.org", PASSWORD)
        readers = [Browser(server.url) for _ in range(3)]
        for n, browser in enumerate(readers):
            browser.log_in(f"reader{n}@example.org", PASSWORD)

        for comment_id in ids["held"]:
            url = f"/moderation/comments/{comment_id}"
            statuses = at_once(
                [
                    lambda url=url: leads[0].post(url, {"decision": "approve"}, False),
                    lambda url=url: leads[1].post(
                        url, {"decision": "reject", "reason": "abusive"}, False
                    ),
                ]
            )
            assert statuses == [303, 303]

        for comment_id in ids["public"]:
            url = f"/comments/{comment_id}/report"
            statuses = at_once(
                [lambda b=b, url=url: b.post(url, {"reason": "spam"}, False) for b in readers]
            )
            assert all(status in (200, 303) for status in statuses), statuses

    events = read(
        database_url,
        tmp_path,
        select(
            ModerationEvent.target_id,
            ModerationEvent.action,
            ModerationEvent.from_status,
            ModerationEvent.to_status,
        ).order_by(ModerationEvent.id),
    )
    statuses = dict(read(database_url, tmp_path, select(Comment.id, Comment.status)))

    for comment_id in ids["held"]:
        chain = [e for e in events if e.target_id == comment_id]
        # Both decisions took effect, one after the other, each logged once...
        assert sorted(e.action for e in chain) == ["approve", "reject"]
        # ...and each saw what the other left: the log reads as one consistent story.
        assert chain[0].from_status == "pending"
        assert chain[1].from_status == chain[0].to_status
        assert statuses[comment_id] == chain[1].to_status

    for comment_id in ids["public"]:
        hides = [e for e in events if e.target_id == comment_id]
        assert [e.action for e in hides] == ["hide_after_reports"]
        assert statuses[comment_id] == "pending"
