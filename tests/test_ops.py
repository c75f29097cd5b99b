"""Operations: the health check, and the WSGI entry point gunicorn loads."""

from __future__ import annotations

import json

from sqlalchemy import text

from portal.extensions import db


def test_healthz_says_ok_when_the_database_is_at_the_migration_head(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "head",
        "rate_limits": "off",  # the suite's default; test_rate_limit_faults covers the others
    }
    body = response.get_data(as_text=True)
    assert app.config["SECRET_KEY"] not in body
    assert "sqlite" not in body and "postgres" not in body


def test_healthz_fails_when_migrations_are_behind(client):
    db.session.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.get_data(as_text=True))["migrations"] == "behind"


def test_healthz_fails_when_the_database_is_unreachable(app, client):
    db.session.execute(text("DROP TABLE alembic_version"))
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "error",
        "database": "unreachable",
        "rate_limits": "off",
    }


def test_wsgi_module_exposes_the_app(monkeypatch, tmp_path, database_url):
    import importlib

    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "from-env-for-wsgi")
    import wsgi

    importlib.reload(wsgi)
    assert wsgi.app.config["SECRET_KEY"] == "from-env-for-wsgi"
    assert wsgi.app.test_client().get("/healthz").status_code == 200


def _code_ahead_of_the_schema() -> None:
    """As after deploying new code before `flask db upgrade`: a table the code reads is not
    there yet, and the schema's record is an older migration's."""
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.execute(text("DROP TABLE content_version"))
    db.session.commit()


def test_new_code_on_an_old_schema_says_try_again_not_500(app, client, caplog):
    _code_ahead_of_the_schema()
    response = client.get("/")
    assert response.status_code == 503
    assert "We cannot show this page just now" in response.get_data(as_text=True)
    assert "flask --app portal db upgrade" in caplog.text


def test_a_comment_sent_to_new_code_on_an_old_schema_comes_back_with_its_text(
    client, log_in, people, post
):
    log_in(people["patient"])
    _code_ahead_of_the_schema()
    response = client.post(f"/posts/{post.slug}/comments", data={"body": "Words kept safe"})
    assert response.status_code == 503
    assert "Words kept safe" in response.get_data(as_text=True)


def test_a_missing_table_at_the_migration_head_is_still_a_fault_of_ours(app, client):
    db.session.execute(text("DROP TABLE content_version"))
    db.session.commit()
    assert client.get("/").status_code == 500
