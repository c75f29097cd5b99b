"""Delivery, in this process, to a real SMTP server on loopback (aiosmtpd).

What a member receives (recipient, sender, Message-ID, the unsubscribe headers, a text and an
HTML part, the comment's words only when they chose that), what no subject may ever carry, and
what happens when the server is away or refuses: retries with growing delays, then "failed".
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.mail import context as email_context
from portal.mail import delivery
from portal.mail.backends import init_mail
from portal.mail.outbox import queue_email
from portal.mail.render import message_domain, render_parts, render_subject, unsubscribe_kind
from portal.mail.unsubscribe import read_unsubscribe_token, unsubscribe_token
from portal.models import NOTIFICATION_KINDS, Notification, OutgoingEmail, utcnow
from portal.tasks import huey

from .helpers import parse, select_one
from .hostile import all_hostile_cases, assert_no_executable
from .mail_support import BASE_URL, SENDER, SmtpSink, smtp_config

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
REPLY_TEXT = "Thank you. Thyroid checks continue monthly for four years after the last course."
# Words that say something about someone's health: none may reach a subject line.
HEALTH_WORDS = (
    "alemtuzumab",
    "multiple sclerosis",
    "thyroid",
    "relapse",
    "HIV",
    "cancer",
    "pregnant",
    "depression",
    "suicidal",
    "diagnosis",
)


@pytest.fixture()
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def use_unsubscribe_placeholder(app: Flask) -> None:
    """Until the notifications area answers unsubscribe links, a stand-in lets URLs build."""
    if "notifications.unsubscribe" not in app.view_functions:
        app.add_url_rule(
            "/unsubscribe/<token>", "notifications.unsubscribe", lambda token: "", methods=["GET"]
        )


@pytest.fixture()
def mail_app(app, smtp):
    app.config.update(smtp_config(smtp.port))
    init_mail(app)
    use_unsubscribe_placeholder(app)
    return app


@pytest.fixture()
def reply(people, post, make_comment):
    """A patient's question and a clinician's reply to it (what a reply notification is about)."""
    question = make_comment(post, people["patient"], "Will I need thyroid blood tests?")
    return make_comment(post, people["clinician"], REPLY_TEXT, parent=question)


def notify_by_email(user, comment, kind: str = "reply", template: str = "test_message"):
    notification = Notification(user=user, kind=kind, comment=comment, post=comment.post)
    db.session.add(notification)
    db.session.flush()
    email = queue_email(
        user,
        template,
        notification=notification,
        link=f"{BASE_URL}/posts/{comment.post.slug}#comment-{comment.id}",
    )
    db.session.commit()
    return email


def fresh(email: OutgoingEmail) -> OutgoingEmail:
    db.session.expire_all()
    return db.session.get(OutgoingEmail, email.id)


def make_due(email: OutgoingEmail) -> None:
    email = fresh(email)
    email.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


# --- what arrives --------------------------------------------------------------------------


def test_a_notification_email_arrives_with_its_headers_and_both_parts(
    mail_app, smtp, people, reply
):
    patient = people["patient"]
    email = notify_by_email(patient, reply)

    assert delivery.deliver(email.id) == delivery.SENT

    [received] = smtp.messages()
    assert received.recipients == [patient.email]
    assert received.mail_from == "no-reply@talk.example.org"
    message = received.message
    assert message["From"] == SENDER and message["To"] == patient.email
    row = fresh(email)
    assert (row.status, row.attempts, row.sent_at is not None) == ("sent", 1, True)
    assert message["Message-ID"] == row.message_id
    assert row.message_id.endswith("@talk.example.org>")
    assert message["Auto-Submitted"] == "auto-generated"
    # RFC 8058 one-click unsubscribe: an https link under the site, and the POST header.
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(message["List-Unsubscribe"]).strip()  # folded: long, as such links are
    assert link.startswith(f"<{BASE_URL}/") and link.endswith(">")
    token = urlsplit(link[1:-1]).path.rsplit("/", 1)[1]
    assert read_unsubscribe_token(token) == (patient.id, "reply")
    # multipart/alternative: plain text first, then HTML; both link to the page.
    assert message.get_content_type() == "multipart/alternative"
    text, html = received.part("text/plain"), received.part("text/html")
    assert row.link in text
    assert select_one(html, f'a[href="{row.link}"]')
    # The footer says how to change or stop these emails, in both parts.
    assert link[1:-1] in text and select_one(html, f'a[href="{link[1:-1]}"]')
    # Nothing of the comment: the member did not ask for it to be quoted.
    assert "thyroid" not in text.lower() and "thyroid" not in html.lower()
    assert "thyroid" not in message["Subject"].lower()


def test_the_notification_is_marked_emailed(mail_app, smtp, people, reply):
    email = notify_by_email(people["patient"], reply)
    delivery.deliver(email.id)
    db.session.expire_all()
    assert db.session.get(Notification, email.notification_id).emailed_at is not None


def test_the_comment_is_quoted_only_for_members_who_chose_that(
    mail_app, smtp, people, reply, make_user
):
    quoting = make_user("patient", "Wants The Words")
    quoting.quote_in_email = True
    db.session.commit()
    plain = notify_by_email(people["patient"], reply)
    quoted = notify_by_email(quoting, reply)

    assert delivery.deliver(plain.id) == delivery.deliver(quoted.id) == delivery.SENT

    by_recipient = {m.recipients[0]: m for m in smtp.messages()}
    chosen = by_recipient[quoting.email]
    assert REPLY_TEXT in chosen.part("text/plain")
    assert parse(chosen.part("text/html")).select_one("blockquote").get_text(" ", strip=True) == (
        REPLY_TEXT
    )
    assert REPLY_TEXT not in chosen.message["Subject"]
    default = by_recipient[people["patient"].email]
    assert REPLY_TEXT not in default.part("text/plain")
    assert REPLY_TEXT not in default.part("text/html")
    assert parse(default.part("text/html")).select_one("blockquote") is None


def test_a_comment_removed_before_sending_is_not_quoted(mail_app, smtp, make_user, reply):
    quoting = make_user("patient", "Wants The Words")
    quoting.quote_in_email = True
    email = notify_by_email(quoting, reply)
    reply.status = "removed"
    db.session.commit()

    delivery.deliver(email.id)

    [received] = smtp.messages()
    assert REPLY_TEXT not in received.part("text/plain")


def test_an_account_email_has_no_unsubscribe_headers(mail_app, smtp, people):
    email = queue_email(people["patient"], "test_message", link=f"{BASE_URL}/account")
    db.session.commit()

    delivery.deliver(email.id)

    [received] = smtp.messages()
    assert received.message["List-Unsubscribe"] is None
    assert received.message["List-Unsubscribe-Post"] is None
    assert received.message["Message-ID"] == fresh(email).message_id
    assert "password" in received.part("text/plain")  # the account footer


def test_a_digest_is_unsubscribed_from_as_a_digest(people):
    patient = people["patient"]
    digest = OutgoingEmail(user=patient, to_address=patient.email, template="digest")
    assert unsubscribe_kind(digest) == "digest"
    account = OutgoingEmail(user=patient, to_address=patient.email, template="test_message")
    assert unsubscribe_kind(account) is None


def test_the_message_id_names_the_site_host_or_its_address(app):
    app.config["PORTAL_BASE_URL"] = "https://talk.example.org/portal"
    assert message_domain() == "talk.example.org"
    app.config["PORTAL_BASE_URL"] = "http://127.0.0.1:5000"
    assert message_domain() == "[127.0.0.1]"


# --- no subject carries content -------------------------------------------------------------


def email_templates() -> list[str]:
    return sorted(
        path.name
        for path in TEMPLATES.iterdir()
        if path.is_dir() and (path / "subject.txt").exists()
    )


def test_no_subject_carries_comment_text_titles_or_health_words(
    app, people, make_post, make_comment
):
    """Every template's subject, for notifications about hostile and health-laden comments."""
    post = make_post(
        title="Alemtuzumab, thyroid problems and relapse in multiple sclerosis",
        summary="HIV, cancer and depression after a diagnosis",
    )
    cases = [*all_hostile_cases(), "My HIV diagnosis and depression; pregnant and suicidal"]
    subjects: dict[str, set[str]] = {name: set() for name in email_templates()}
    for index, case in enumerate(cases):
        case = case.replace("\x00", "")  # the write path drops NUL; PostgreSQL refuses it
        comment = make_comment(post, people["patient"], case or "(empty)")
        kind = NOTIFICATION_KINDS[index % len(NOTIFICATION_KINDS)]
        notification = Notification(
            user=people["patient"], kind=kind, comment=comment, post=post, detail=case[:500]
        )
        for name in subjects:
            email = OutgoingEmail(
                user=people["patient"],
                to_address=people["patient"].email,
                template=name,
                notification=notification,
                link=case[:1000],
            )
            subject = render_subject(email)
            subjects[name].add(subject)
            lowered = subject.lower()
            assert not any(word.lower() in lowered for word in HEALTH_WORDS), (name, subject)
            assert "\n" not in subject and "\r" not in subject
        db.session.rollback()
    # One subject per template: it never varies with what was written.
    for name, seen in subjects.items():
        assert len(seen) == 1, (name, seen)


def test_a_hostile_comment_is_quoted_as_text_never_as_markup(mail_app, smtp, make_user, reply):
    quoting = make_user("patient", "Wants The Words")
    quoting.quote_in_email = True
    db.session.commit()
    cases = [c.replace("\x00", "") for c in all_hostile_cases() if "<" in c][:40]
    emails = []
    for case in cases:
        reply.body_source = case
        db.session.commit()
        email = notify_by_email(quoting, reply)
        emails.append(email)
        rendered = render_parts(fresh(email))
        quote = parse(rendered.html).select_one("blockquote")
        if quote is not None:
            assert_no_executable(quote.decode_contents())
        assert case not in rendered.subject
    assert emails


# --- the context builders ---------------------------------------------------------------------


def test_a_registered_context_builder_adds_to_the_bodies(mail_app, monkeypatch, people):
    calls = []

    def builder(email):
        calls.append(email.id)
        return {"link": f"{BASE_URL}/a-link-the-builder-chose"}

    monkeypatch.setitem(email_context._builders, "test_message", builder)
    email = queue_email(people["patient"], "test_message", link=f"{BASE_URL}/original")
    db.session.commit()

    rendered = render_parts(email)

    assert calls == [email.id]
    assert f"{BASE_URL}/a-link-the-builder-chose" in rendered.text
    assert select_one(rendered.html, f'a[href="{BASE_URL}/a-link-the-builder-chose"]')


def test_one_template_has_one_builder():
    @email_context.register("a_template_for_this_test")
    def first(email):
        return {}

    email_context.register("a_template_for_this_test")(first)  # the same one again: fine
    with pytest.raises(ValueError):

        @email_context.register("a_template_for_this_test")
        def second(email):
            return {}

    email_context._builders.pop("a_template_for_this_test")


# --- failures: retries with growing delays, then failed ---------------------------------------


def test_an_unreachable_server_means_growing_delays_then_failed(mail_app, smtp, people):
    mail_app.config.update(MAIL_RETRY_DELAYS=(60, 300), MAIL_MAX_ATTEMPTS=3)
    smtp.stop()
    email = queue_email(people["patient"], "test_message")
    db.session.commit()

    before = utcnow()
    assert delivery.deliver(email.id) == delivery.RETRY
    row = fresh(email)
    assert (row.status, row.attempts) == ("queued", 1)
    assert timedelta(seconds=59) < row.next_attempt_at - before < timedelta(seconds=70)
    assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
    message_id = row.message_id
    # Not due yet: another worker that finds it queued leaves it alone.
    assert delivery.deliver(email.id) == delivery.NOT_MINE

    make_due(email)
    before = utcnow()
    assert delivery.deliver(email.id) == delivery.RETRY
    row = fresh(email)
    assert row.attempts == 2
    assert timedelta(seconds=299) < row.next_attempt_at - before < timedelta(seconds=310)
    assert row.message_id == message_id  # every try is the same message

    make_due(email)
    assert delivery.deliver(email.id) == delivery.FAILED
    row = fresh(email)
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error
    make_due(email)
    assert delivery.deliver(email.id) == delivery.NOT_MINE  # failed stays failed
    assert smtp.messages() == []


def test_a_refusing_server_is_tried_again_and_the_email_goes_out_once(mail_app, smtp, people):
    smtp.refusal = "451 4.3.0 Mailbox busy, try again later"
    email = queue_email(people["patient"], "test_message")
    db.session.commit()

    assert delivery.deliver(email.id) == delivery.RETRY
    assert "451" in fresh(email).last_error
    smtp.refusal = None
    make_due(email)
    assert delivery.deliver(email.id) == delivery.SENT
    assert delivery.deliver(email.id) == delivery.NOT_MINE

    assert [m.recipients for m in smtp.messages()] == [[people["patient"].email]]
    row = fresh(email)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_a_retry_is_scheduled_on_the_queue(mail_app, smtp, people):
    smtp.stop()
    email = queue_email(people["patient"], "test_message")
    db.session.commit()
    huey.flush()

    delivery.deliver(email.id)

    # On the queue with an eta: the worker holds it until then (the sweep would find it too).
    [retry] = huey.pending()
    assert (retry.name, retry.args) == ("deliver_email", (email.id,))
    due = fresh(email).next_attempt_at
    assert abs(retry.eta.replace(tzinfo=due.tzinfo) - due) < timedelta(seconds=1)


def test_an_email_that_cannot_be_rendered_fails_at_once(mail_app, smtp, people):
    email = queue_email(people["patient"], "no_such_template")
    db.session.commit()

    assert delivery.deliver(email.id) == delivery.FAILED

    row = fresh(email)
    assert row.status == "failed" and row.last_error.startswith("could not render")
    assert smtp.messages() == []


# --- claims: one worker per email ---------------------------------------------------------


def test_a_claimed_email_is_not_claimed_again_until_its_lease_lapses(app, people):
    app.config["MAIL_CLAIM_LEASE_SECONDS"] = 300
    email = queue_email(people["patient"], "test_message")
    db.session.commit()

    assert delivery.claim(email.id, "first") is True
    assert delivery.claim(email.id, "second") is False
    row = fresh(email)
    assert (row.status, row.claimed_by) == ("sending", "first")

    row.claimed_at = utcnow() - timedelta(seconds=301)  # the first worker died
    db.session.commit()
    assert delivery.claim(email.id, "second") is True
    assert fresh(email).claimed_by == "second"


def test_racing_claims_give_each_email_to_exactly_one_worker(app, make_user):
    users = [make_user("patient") for _ in range(3)]
    emails = [queue_email(users[n % 3], "test_message") for n in range(15)]
    db.session.commit()
    ids = [email.id for email in emails]
    wins: dict[int, list[str]] = {email_id: [] for email_id in ids}
    lock = threading.Lock()
    start = threading.Barrier(6)

    def worker(name: str) -> None:
        with app.app_context():
            start.wait()
            for email_id in ids:
                if delivery.claim(email_id, name):
                    with lock:
                        wins[email_id].append(name)
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(f"worker-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert {email_id: len(names) for email_id, names in wins.items()} == dict.fromkeys(ids, 1)


# --- the sweep and the hand-over -----------------------------------------------------------


def test_the_sweep_finds_what_is_due_and_unsent_and_lapsed_claims(app, make_user):
    app.config.update(MAIL_SWEEP_GRACE_SECONDS=60, MAIL_CLAIM_LEASE_SECONDS=300)
    user = make_user("patient")
    now = utcnow()

    def row(**fields) -> OutgoingEmail:
        email = OutgoingEmail(user=user, to_address=user.email, template="test_message", **fields)
        db.session.add(email)
        return email

    lost = row(status="queued", next_attempt_at=now - timedelta(minutes=5))
    just_queued = row(status="queued", next_attempt_at=now)  # its task is surely on the queue
    later = row(status="queued", next_attempt_at=now + timedelta(minutes=5))
    abandoned = row(status="sending", claimed_at=now - timedelta(minutes=10))
    in_flight = row(status="sending", claimed_at=now - timedelta(seconds=10))
    row(status="sent", sent_at=now - timedelta(minutes=5))
    row(status="failed", next_attempt_at=now - timedelta(minutes=5))
    db.session.commit()
    assert {just_queued.id, later.id, in_flight.id}  # kept for the reader: not found below

    assert set(delivery.due_email_ids()) == {lost.id, abandoned.id}

    huey.flush()
    assert delivery.sweep_outbox.call_local() == 2
    queued = sorted(task.args[0] for task in huey.pending())
    assert queued == sorted([lost.id, abandoned.id])


def test_committing_an_email_hands_it_to_the_queue_and_a_rollback_does_not(app, people):
    huey.flush()
    kept = queue_email(people["patient"], "test_message")
    db.session.commit()
    queue_email(people["caregiver"], "test_message")
    db.session.rollback()

    assert [(task.name, task.args) for task in huey.pending()] == [("deliver_email", (kept.id,))]
    test_messages = select(OutgoingEmail.id).where(OutgoingEmail.template == "test_message")
    assert list(db.session.scalars(test_messages)) == [kept.id]


def test_a_queue_that_is_away_costs_the_event_nothing(app, people, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionError("the queue is away")

    monkeypatch.setattr(huey.storage, "enqueue", refuse)
    email = queue_email(people["patient"], "test_message")
    db.session.commit()  # the event's transaction commits all the same

    assert fresh(email).status == "queued"
    assert "the sweep will find it" in caplog.text
    monkeypatch.undo()
    make_due(email)
    app.config["MAIL_SWEEP_GRACE_SECONDS"] = 0
    assert email.id in delivery.due_email_ids()


# --- the embedded default: a file per message ----------------------------------------------


def test_the_file_backend_writes_one_eml_per_message(app, people, tmp_path):
    folder = tmp_path / "mail-out"
    app.config.update(MAIL_BACKEND="file", MAIL_FILE_PATH=str(folder))
    init_mail(app)
    emails = [
        queue_email(people["patient"], "test_message"),
        queue_email(people["caregiver"], "test_message"),
    ]
    db.session.commit()

    for email in emails:
        assert delivery.deliver(email.id) == delivery.SENT

    import email as email_parser
    import email.policy

    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2 and not list(folder.glob("*.part"))
    recipients = set()
    for path in files:
        message = email_parser.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        recipients.add(message["To"])
        assert message["Message-ID"] and message.get_content_type() == "multipart/alternative"
    assert recipients == {people["patient"].email, people["caregiver"].email}


def test_the_default_settings_write_mail_under_the_instance_folder(app):
    from portal.config import Config

    settings = Config(Path(app.instance_path))
    assert settings.MAIL_BACKEND == "file"
    assert Path(settings.MAIL_FILE_PATH) == Path(app.instance_path) / "mail"
    assert settings.TASK_QUEUE_URL == f"sqlite:///{Path(app.instance_path) / 'tasks.sqlite3'}"


# --- unsubscribe tokens ---------------------------------------------------------------------


def test_an_unsubscribe_token_names_its_member_and_kind(app):
    token = unsubscribe_token(42, "followed_post")
    assert read_unsubscribe_token(token) == (42, "followed_post")
    assert read_unsubscribe_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None
    assert read_unsubscribe_token("") is None
    assert read_unsubscribe_token("not-a-token") is None


def test_an_unsubscribe_token_is_refused_for_any_other_purpose_and_vice_versa(app):
    from portal.tokens import make_token, read_token

    assert read_unsubscribe_token(make_token("reset-password", [42, "reply"])) is None
    assert read_token("verify-email", unsubscribe_token(42, "reply"), None) is None
    for payload in ([42], ["42", "reply"], [True, "reply"], [42, ""], {"user": 42}):
        assert read_unsubscribe_token(make_token("unsubscribe", payload)) is None


def test_an_unsubscribe_link_keeps_working_for_years(app, monkeypatch):
    from itsdangerous import TimestampSigner

    long_ago = int(utcnow().timestamp()) - 5 * 365 * 24 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: long_ago)
    token = unsubscribe_token(7, "reply")
    monkeypatch.undo()
    assert read_unsubscribe_token(token) == (7, "reply")
