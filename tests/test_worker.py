"""The real worker (`flask --app portal worker`, a subprocess) sending real SMTP to aiosmtpd.

Rows are written and committed here, as a request would write them with its event; their
pointers go on a queue file both processes share. Then faults: the mail server away while
emails are queued, a worker killed in the middle of a batch, a hand-over that never happened.
Every email must arrive, and none twice (beyond the one a killed worker had in flight).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import tasks
from portal.extensions import db
from portal.mail.delivery import deliver_email
from portal.mail.outbox import queue_email
from portal.mail.unsubscribe import read_unsubscribe_token
from portal.models import Notification, OutgoingEmail, utcnow

from .mail_support import (
    BASE_URL,
    ROOT,
    SmtpSink,
    queue_test_messages,
    running_worker,
    wait_until,
    worker_env,
)


@pytest.fixture()
def queue_url(app, tmp_path):
    """A task queue file shared by this test's app (which enqueues) and its workers."""
    url = f"sqlite:///{tmp_path / 'tasks.sqlite3'}"
    app.config["TASK_QUEUE_URL"] = url
    tasks.bind(app)
    return url


def test_the_queue_on_sqlite_syncs_as_the_portals_database_does(queue_url):
    """WAL with synchronous NORMAL: a hand-over does not wait for the disk (FULL did, at each
    comment); a pointer a power cut loses is found again by the sweep."""
    connection = tasks.huey.storage.conn
    assert connection.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert connection.execute("pragma synchronous").fetchone()[0] == 1  # NORMAL


@pytest.fixture()
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture()
def members(make_user):
    return [make_user("patient", f"Member {n}", email=f"member{n}@example.org") for n in range(12)]


QUOTED = "Thyroid checks continue monthly for four years after the last course."


def statuses() -> Counter:
    db.session.expire_all()
    rows = db.session.execute(
        select(OutgoingEmail.status, func.count()).group_by(OutgoingEmail.status)
    )
    return Counter(dict(rows.all()))


def all_sent(count: int):
    return lambda: statuses()["sent"] == count


def arrivals(smtp: SmtpSink) -> Counter:
    return Counter(m.recipients[0] for m in smtp.messages())


def test_the_worker_sends_what_was_queued_and_stops_gracefully(
    database_url, queue_url, smtp, members, tmp_path
):
    emails = queue_test_messages(members)
    db.session.commit()
    env = worker_env(database_url, queue_url, smtp.port)

    with running_worker(env, tmp_path / "worker.log") as worker:
        smtp.wait_for(len(emails))
        wait_until(all_sent(len(emails)), what="every row marked sent")
        worker.process.send_signal(signal.SIGTERM)
        assert worker.process.wait(timeout=30) == 0, worker.output()

    assert arrivals(smtp) == Counter({m.email: 1 for m in members})
    received = {m.recipients[0]: m for m in smtp.messages()}
    db.session.expire_all()
    for email in emails:
        message = received[email.to_address]
        assert message.message["Message-ID"] == email.message_id
        assert message.part("text/plain") and message.part("text/html")
    assert "Shutting down gracefully" in worker.output()


def test_notification_emails_from_the_worker_carry_unsubscribe_links_and_quote_only_if_chosen(
    database_url, queue_url, smtp, people, post, make_comment, tmp_path
):
    question = make_comment(post, people["patient"], "Will I need thyroid blood tests?")
    reply = make_comment(post, people["clinician"], QUOTED, parent=question)
    people["caregiver"].quote_in_email = True
    emails = {}
    for member in (people["patient"], people["caregiver"]):
        notification = Notification(user=member, kind="reply", comment=reply, post=post)
        db.session.add(notification)
        db.session.flush()
        link = f"{BASE_URL}/posts/{post.slug}#comment-{reply.id}"
        emails[member.email] = queue_email(
            member, "test_message", notification=notification, link=link
        )
    db.session.commit()
    env = worker_env(database_url, queue_url, smtp.port)

    with running_worker(env, tmp_path / "worker.log"):
        smtp.wait_for(2)
        wait_until(all_sent(2), what="both rows marked sent")

    db.session.expire_all()
    received = {m.recipients[0]: m for m in smtp.messages()}
    assert set(received) == {people["patient"].email, people["caregiver"].email}
    for address, message in received.items():
        email = emails[address]
        user_id = email.user_id
        headers = message.message
        assert headers["Message-ID"] == email.message_id
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = str(headers["List-Unsubscribe"]).strip()
        assert unsubscribe.startswith(f"<{BASE_URL}/") and unsubscribe.endswith(">")
        # The worker signs with the tests' secret key, so this app reads its tokens.
        token = unsubscribe[1:-1].rsplit("/", 1)[1]
        assert read_unsubscribe_token(token) == (user_id, "reply")
        assert email.link in message.part("text/plain") and email.link in message.part("text/html")
        assert "thyroid" not in str(headers["Subject"]).lower()
    chosen, default = received[people["caregiver"].email], received[people["patient"].email]
    assert QUOTED in chosen.part("text/plain") and QUOTED in chosen.part("text/html")
    assert QUOTED not in default.part("text/plain") and QUOTED not in default.part("text/html")


def test_emails_of_events_that_happen_while_the_mail_server_is_down_go_out_once_it_is_back(
    database_url, queue_url, members, people, post, make_comment, client, log_in, tmp_path
):
    questions = [
        make_comment(post, member, f"A question from {member.display_name}.") for member in members
    ]
    smtp = SmtpSink()  # its port is chosen, but nothing listens there yet
    env = worker_env(database_url, queue_url, smtp.port, PORTAL_MAIL_MAX_ATTEMPTS="1000")

    with running_worker(env, tmp_path / "worker.log") as worker:
        # While the server is away, a clinician answers every question (each answer tells its
        # asker by email, written in the answer's own transaction).
        log_in(people["clinician"])
        for question in questions:
            response = client.post(
                f"/posts/{post.slug}/comments",
                data={"body": "Every month, by blood test.", "parent_id": question.id},
            )
            assert response.status_code == 303
        wait_until(
            lambda: (
                statuses()["queued"] >= len(members)
                and statuses()["sent"] == 0
                and db.session.scalar(select(func.min(OutgoingEmail.attempts))) >= 2
            ),
            what="every email refused at least twice",
        )
        errors = set(db.session.scalars(select(OutgoingEmail.last_error)))
        assert all("refused" in error.lower() for error in errors), errors
        smtp.start()
        try:
            wait_until(lambda: not statuses()["queued"], what="every row sent", timeout=60)
            time.sleep(2)  # retries still scheduled must find nothing left to send
            assert statuses()["sent"] >= len(members)
            db.session.expire_all()
            message_ids = list(db.session.scalars(select(OutgoingEmail.message_id)))
            received = Counter(m.message_id for m in smtp.messages())
            assert received == Counter(message_ids), worker.output()  # each one, once
            assert {m.email for m in members} <= set(arrivals(smtp))
        finally:
            smtp.stop()


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_the_one_in_flight(
    database_url, queue_url, make_user, tmp_path
):
    members = [
        make_user("patient", f"Reader {n}", email=f"reader{n}@example.org") for n in range(30)
    ]
    queue_test_messages(members)
    db.session.commit()
    smtp = SmtpSink()
    smtp.delay = 0.15  # a slow server, so that the kill lands in the middle of the batch
    smtp.start()
    try:
        env = worker_env(database_url, queue_url, smtp.port, PORTAL_MAIL_CLAIM_LEASE_SECONDS="1")
        with running_worker(env, tmp_path / "first.log", "--workers", "1") as first:
            smtp.wait_for(5)
            first.process.kill()  # SIGKILL: no goodbye, no cleanup
            first.process.wait(timeout=10)
        interrupted = len(smtp.messages())
        assert interrupted < len(members), "the batch finished before the kill"
        time.sleep(1.5)  # the dead worker's claim lapses

        with running_worker(env, tmp_path / "second.log", "--workers", "2") as second:
            wait_until(all_sent(len(members)), what="every row marked sent", timeout=60)
            time.sleep(1)
            counts = arrivals(smtp)
            assert set(counts) == {m.email for m in members}, second.output()
            repeated = [address for address, times in counts.items() if times > 1]
            assert len(repeated) <= 1 and all(counts[a] == 2 for a in repeated), counts
    finally:
        smtp.stop()


def test_an_email_whose_hand_over_was_lost_is_found_by_the_sweep(
    app, database_url, queue_url, smtp, members, tmp_path
):
    # The commit's hand-over goes nowhere (the process "crashed" before enqueueing).
    app.config["TASK_QUEUE_URL"] = "memory://"
    tasks.bind(app)
    [email] = queue_test_messages(members[:1])
    db.session.commit()
    email.next_attempt_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    env = worker_env(database_url, queue_url, smtp.port, PORTAL_MAIL_SWEEP_GRACE_SECONDS="60")

    with running_worker(env, tmp_path / "worker.log") as worker:
        smtp.wait_for(1)  # the sweep runs when the worker starts, then every minute
        wait_until(all_sent(1), what="the row marked sent")
        assert "sweep queued 1 unsent emails" in worker.output()

    assert arrivals(smtp) == Counter({members[0].email: 1})


def test_the_worker_refuses_a_queue_only_it_could_see(database_url, tmp_path):
    env = worker_env(database_url, "memory://", 25)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "portal", "worker"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PORTAL_TASK_QUEUE_URL" in result.stderr and "Traceback" not in result.stderr


def test_send_test_email_queues_a_message_for_the_worker(database_url, queue_url, smtp, tmp_path):
    env = worker_env(database_url, queue_url, smtp.port)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "portal", "send-test-email"]
        + ["--to", "site-team@example.org"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Queued test email" in result.stdout

    with running_worker(env, tmp_path / "worker.log"):
        [received] = smtp.wait_for(1)
    assert received.recipients == ["site-team@example.org"]
    assert received.message["Subject"] == "A test message from Treatment Talk"


@pytest.mark.multiprocess
def test_two_workers_on_postgresql_send_each_email_once(
    app, database_url, smtp, make_user, tmp_path
):
    """Two worker processes, four threads each, racing for every row: no email twice."""
    assert database_url.startswith("postgresql"), "run through .ci/run (PostgreSQL and Redis)"
    redis_url = os.environ["PORTAL_RATELIMIT_STORAGE_URL"]
    name = f"test-{uuid.uuid4().hex[:10]}"  # this run's own queue in the shared Redis
    app.config.update(TASK_QUEUE_URL=redis_url, TASK_QUEUE_NAME=name)
    tasks.bind(app)
    members = [make_user("patient", f"Racer {n}", email=f"racer{n}@example.org") for n in range(20)]
    emails = queue_test_messages(members * 10)
    db.session.commit()  # one pointer per row on the queue...
    for email in emails:  # ...and two more, so that the workers race for every row
        deliver_email(email.id)
        deliver_email(email.id)
    env = worker_env(database_url, redis_url, smtp.port, PORTAL_TASK_QUEUE_NAME=name)

    try:
        with (
            running_worker(env, tmp_path / "a.log", "--workers", "4") as first,
            running_worker(env, tmp_path / "b.log", "--workers", "4") as second,
        ):
            wait_until(all_sent(len(emails)), what="every row marked sent", timeout=120)
            time.sleep(1)
            logs = first.output() + second.output()
    finally:
        tasks.huey.flush()

    db.session.expire_all()
    message_ids = set(db.session.scalars(select(OutgoingEmail.message_id)))
    received = Counter(m.message_id for m in smtp.messages())
    assert set(received) == message_ids and len(message_ids) == len(emails)
    assert set(received.values()) == {1}, logs
    # Both processes took part.
    holders = set(db.session.scalars(select(OutgoingEmail.claimed_by)))
    assert len({holder.split(":")[1] for holder in holders}) == 2


def test_make_run_serves_with_the_worker_and_ctrl_c_stops_both(
    database_url, queue_url, smtp, members, tmp_path
):
    queue_test_messages(members[:1])
    db.session.commit()
    env = worker_env(database_url, queue_url, smtp.port)
    server = "import time\nwhile True: time.sleep(0.1)"  # stands in for flask run
    log = tmp_path / "run.log"
    with log.open("wb") as output:
        run = subprocess.Popen(
            [sys.executable, "portal/with_worker.py", sys.executable, "-c", server],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal gives make run
        )
    try:
        # The worker beside the "server" sends the queued email; a loaded CI machine may take
        # a while to start two Python processes, so the wait is generous.
        smtp.wait_for(1, timeout=90)
        os.killpg(run.pid, signal.SIGINT)  # Ctrl+C reaches every process of the group
        assert run.wait(timeout=60) is not None
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    output = log.read_text()
    worker_pid = int(output.split("Worker started (pid ", 1)[1].split(")", 1)[0])
    assert not os.path.exists(f"/proc/{worker_pid}"), output
    assert "Shutting down gracefully" in output
    assert arrivals(smtp) == Counter({members[0].email: 1})
