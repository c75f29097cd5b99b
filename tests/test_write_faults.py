"""A write that cannot be saved answers 503 with the text given back, and a stored comment is
never answered with an error.

The faults are real: a database that refuses writes (SQLite's query_only, PostgreSQL's
read-only transactions), a full SQLite file (max_page_count at its current size), a database
that cannot be opened. Two tests put a fault at an exact moment with SQLAlchemy's own events
(a dropped connection on the first INSERT; any statement after the commit).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, exc, func, select, text

from portal import create_app
from portal.comments import service
from portal.extensions import db
from portal.models import Comment, utcnow

from .helpers import HTMX, PortalClient, base_config, login, select_one, text_of, value_of

SAVED_NOTHING = "We could not save this just now"


def refuse_writes(engine) -> None:
    """From the next connection on, the database answers reads and refuses every write."""

    @event.listens_for(engine, "connect")
    def read_only(dbapi_connection, _record) -> None:
        if engine.dialect.name == "sqlite":
            dbapi_connection.execute("PRAGMA query_only = ON")
        else:
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            cursor.close()
            dbapi_connection.commit()

    engine.dispose()


def comment_count() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Comment)) or 0


@pytest.fixture()
def writing(client, people, log_in, post):
    log_in(people["patient"])
    return {"url": f"/posts/{post.slug}/comments", "post": post}


def test_a_refused_comment_comes_back_in_its_form_with_the_reason(app, client, writing):
    before = comment_count()
    refuse_writes(db.engine)
    text = "My question about infusion days, written with care."
    response = client.post(writing["url"], data={"body": text, "kind": "question"})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert value_of(html, "textarea[name=body]") == text  # back in the form it was written in
    assert SAVED_NOTHING in html and "Error" not in text_of(html, "h1")
    assert comment_count() == before


def test_with_htmx_the_refusal_says_why_and_the_page_keeps_the_form(app, client, writing):
    refuse_writes(db.engine)
    response = client.post(
        writing["url"], data={"body": "Kept by the page", "kind": "question"}, headers=HTMX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert text_of(html, ".error-page h1") == SAVED_NOTHING
    assert "reference" in text_of(html, ".error-code")
    assert "<html" not in html  # a fragment: portal.js puts its words beside the kept form


def test_a_full_database_refuses_the_comment_and_keeps_the_text(tmp_path):
    """SQLite with no room to grow (max_page_count at its size), as a full disk leaves it."""
    from portal import rendering
    from portal.accounts import service as accounts
    from portal.models import Post

    app = create_app(base_config(f"sqlite:///{tmp_path / 'full.sqlite3'}", tmp_path))
    app.test_client_class = PortalClient
    with app.app_context():
        upgrade()
        author = accounts.create_user(
            email="doctor@example.org",
            display_name="Dr Full",
            password="a long password 1",
            role="clinician",
            email_verified=True,
        )
        patient = accounts.create_user(
            email="patient@example.org",
            display_name="Full Patient",
            password="a long password 1",
            email_verified=True,
        )
        post = Post(
            title="Room", slug="room", author=author, status="published", published_at=utcnow()
        )
        rendering.set_post_body(post, "Text")
        db.session.add(post)
        db.session.commit()
        db.session.execute(text("VACUUM"))  # no free pages left from building the schema
        client = app.test_client()
        assert login(client, patient, "a long password 1").status_code == 303

        @event.listens_for(db.engine, "connect")
        def no_room(dbapi_connection, _record) -> None:
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        db.engine.dispose()
        question = "A long question. " * 250
        response = client.post("/posts/room/comments", data={"body": question, "kind": "question"})
        html = response.get_data(as_text=True)
        assert response.status_code == 503
        assert value_of(html, "textarea[name=body]").strip() == question.strip()
        assert SAVED_NOTHING in html
        event.remove(db.engine, "connect", no_room)
        db.engine.dispose()
        db.session.remove()
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
        db.engine.dispose()


def test_with_the_database_gone_pages_and_their_log_lines_still_carry_a_reference(tmp_path, caplog):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'no' / 'such.sqlite3'}", tmp_path))
    app.test_client_class = PortalClient
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 503
    assert text_of(html, "h1") == "We cannot show this page just now"
    reference = page.headers["X-Request-ID"]
    assert reference in text_of(html, ".error-code")
    assert any(reference in record.getMessage() for record in caplog.records)
    # A form sent meanwhile comes back as a form, with what was typed (never a password).
    sent = client.post("/login", data={"email": "me@example.org", "password": "secret words"})
    html = sent.get_data(as_text=True)
    assert sent.status_code == 503
    assert SAVED_NOTHING in html
    form = select_one(html, "form.typed-text")
    assert form["action"] == "/login" and "me@example.org" in form.get_text()
    assert "secret words" not in html
    assert select_one(html, "form.typed-text input[name=csrf_token]")["value"]


def test_a_dropped_connection_is_tried_once_more_and_the_comment_stored_once(
    app, client, writing, caplog
):
    dropped = []

    def drop_the_first_insert(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO comments") and not dropped:
            dropped.append(statement)
            raise exc.OperationalError(
                statement, parameters, Exception("server closed the connection unexpectedly")
            )

    event.listen(db.engine, "before_cursor_execute", drop_the_first_insert)
    try:
        before = comment_count()
        with caplog.at_level(logging.WARNING):
            response = client.post(
                writing["url"], data={"body": "Sent through a restart", "kind": "question"}
            )
    finally:
        event.remove(db.engine, "before_cursor_execute", drop_the_first_insert)
    assert dropped and response.status_code == 303
    assert comment_count() == before + 1
    assert any("retrying" in record.getMessage() for record in caplog.records)


def test_a_stored_comment_is_never_answered_with_an_error(app, client, writing):
    """Whatever fails after the commit (here: every statement), the answer is already built."""
    committed = []
    event.listen(db.session, "after_commit", lambda session: committed.append(True))

    def fail_after_commit(conn, cursor, statement, parameters, context, executemany):
        if committed:
            raise exc.OperationalError(statement, parameters, Exception("connection refused"))

    event.listen(db.engine, "before_cursor_execute", fail_after_commit)
    try:
        plain = client.post(writing["url"], data={"body": "First, plainly", "kind": "question"})
        committed.clear()
        with_htmx = client.post(
            writing["url"],
            data={"body": "Second, in place", "kind": "discussion"},
            headers=HTMX,
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", fail_after_commit)
    assert plain.status_code == 303
    assert with_htmx.status_code == 201
    assert "Second, in place" in with_htmx.get_data(as_text=True)
    db.session.remove()
    bodies = db.session.scalars(select(Comment.body_source)).all()
    assert "First, plainly" in bodies and "Second, in place" in bodies


def test_health_fails_when_the_disk_is_nearly_full(app, client):
    assert client.get("/healthz").status_code == 200
    app.config["MIN_FREE_DISK_MB"] = 10**12  # more than any disk has free
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["disk"] == "nearly full"


# --- one comment per form sent -------------------------------------------------------------


def form_token_of(client, path: str, form: str = "#comment-form") -> str:
    html = client.get(path).get_data(as_text=True)
    return value_of(html, f"{form} input[name=form_token]")


def bodies() -> list[str]:
    db.session.remove()
    return db.session.scalars(select(Comment.body_source).order_by(Comment.id)).all()


def test_each_drawn_form_carries_its_own_token(client, writing, post):
    first = form_token_of(client, f"/posts/{post.slug}")
    second = form_token_of(client, f"/posts/{post.slug}")
    assert len(first) >= 16 and first != second


def test_the_same_form_sent_twice_stores_one_comment(client, writing, post):
    token = form_token_of(client, f"/posts/{post.slug}")
    sent = {"body": "Sent twice by a double click", "kind": "question", "form_token": token}
    first = client.post(writing["url"], data=sent)
    again = client.post(writing["url"], data=sent)  # back, and post again
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert bodies().count("Sent twice by a double click") == 1
    in_place = client.post(writing["url"], data=sent, headers=HTMX)  # a retry with htmx
    assert in_place.status_code == 201
    assert bodies().count("Sent twice by a double click") == 1


def test_a_token_sent_with_other_words_is_a_new_comment(client, writing, post):
    token = form_token_of(client, f"/posts/{post.slug}")
    client.post(writing["url"], data={"body": "One", "kind": "discussion", "form_token": token})
    client.post(writing["url"], data={"body": "Two", "kind": "discussion", "form_token": token})
    assert bodies()[-2:] == ["One", "Two"]


def test_back_and_post_with_a_fresh_form_stores_one_comment(client, writing, post):
    # Going back re-fetches the page (a new token) while the browser keeps the words.
    words = {"body": "Posted, back, posted again", "kind": "discussion"}
    first = client.post(
        writing["url"], data={**words, "form_token": form_token_of(client, f"/posts/{post.slug}")}
    )
    again = client.post(
        writing["url"], data={**words, "form_token": form_token_of(client, f"/posts/{post.slug}")}
    )
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert bodies().count("Posted, back, posted again") == 1


def test_the_same_words_later_elsewhere_or_after_deleting_are_new_comments(
    client, writing, post, people, make_comment
):
    words = {"body": "Thank you!", "kind": "discussion"}
    client.post(writing["url"], data=words)
    first_id = db.session.scalar(select(func.max(Comment.id)))
    other_id = make_comment(post, people["clinician"], "An answer to thank").id
    client.post(writing["url"], data={"body": "Thank you!", "parent_id": str(other_id)})
    assert bodies().count("Thank you!") == 2  # under another comment: its own thanks
    first = db.session.get(Comment, first_id)
    first.created_at = utcnow() - service.REPEAT_WINDOW - timedelta(seconds=1)
    db.session.commit()
    client.post(writing["url"], data=words)
    assert bodies().count("Thank you!") == 3  # long after: said again on purpose
    latest = db.session.scalar(select(Comment).order_by(Comment.id.desc()))
    latest.status = "deleted"
    db.session.commit()
    client.post(writing["url"], data=words)
    assert bodies().count("Thank you!") == 4  # the writer deleted it and wrote it again


def test_an_answer_from_the_waiting_list_sent_twice_is_stored_once(
    client, people, log_in, post, make_comment
):
    question = make_comment(post, people["patient"], "Does the rash pass?")
    log_in(people["clinician"])
    path = f"/clinic/questions/{question.id}/answer"
    token = form_token_of(client, path, f"#answer-form-{question.id}")
    sent = {"body": "It usually settles within a week.", "form_token": token}
    first = client.post(path, data=sent)
    assert first.status_code == 303
    again = client.post(path, data=sent)
    # The same form again lands where the first did: no error, never a second reply.
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert bodies().count("It usually settles within a week.") == 1


def test_a_holding_reply_sent_twice_is_stored_once_and_answered_alike(
    client, people, log_in, post, make_comment
):
    question = make_comment(post, people["patient"], "Is the new rash a relapse?")
    log_in(people["clinician"])
    path = f"/clinic/questions/{question.id}/holding"
    token = form_token_of(client, path, f"#holding-form-{question.id}")
    sent = {"body": "I am looking into this and will answer today.", "form_token": token}
    first = client.post(path, data=sent, headers=HTMX)
    again = client.post(path, data=sent, headers=HTMX)
    assert first.status_code == again.status_code == 200
    assert bodies().count("I am looking into this and will answer today.") == 1


def test_another_answer_to_an_answered_question_is_still_refused(
    client, people, log_in, post, make_comment
):
    question = make_comment(post, people["patient"], "Does the rash pass?")
    log_in(people["clinician"])
    path = f"/clinic/questions/{question.id}/answer"
    first = form_token_of(client, path, f"#answer-form-{question.id}")
    second = form_token_of(client, path, f"#answer-form-{question.id}")
    client.post(path, data={"body": "It usually settles.", "form_token": first})
    late = client.post(path, data={"body": "A different answer.", "form_token": second})
    assert late.status_code in (404, 422)
    assert "A different answer." not in bodies()


def test_a_server_database_is_asked_whether_the_connection_lives_and_a_file_is_not(tmp_path):
    """PostgreSQL restarts drop pooled connections: each is checked as it leaves the pool. A
    SQLite file cannot drop one, and the check cost every request a statement's round trip."""
    on_file = create_app(base_config(f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path / "a"))
    on_server = create_app(
        base_config("postgresql+psycopg://portal:portal@127.0.0.1:9/none", tmp_path / "b")
    )
    assert on_file.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    assert on_server.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
