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
