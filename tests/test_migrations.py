"""The schema comes from migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from portal import create_app
from portal.extensions import db
from portal.search.schema import is_search_object

from .helpers import base_config

TABLES = {
    "users",
    "posts",
    "tags",
    "post_tags",
    "slug_redirects",
    "comments",
    "flags",
    "moderation_events",
    "moderation_settings",
}


def test_upgrade_builds_an_empty_database_and_downgrade_removes_it(tmp_path, databases):
    url = databases.fresh(tmp_path, migrated=False)
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert TABLES <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()  # and back up again: the downgrade left nothing behind that blocks it
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        db.engine.dispose()
    databases.drop(url)


def _outside_search_index(name, kind, parent_names) -> bool:
    return not is_search_object(name, kind, parent_names)


def test_migrated_schema_matches_the_models(databases):
    engine = create_engine(databases.template_url())
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_name": _outside_search_index},
        )
        assert compare_metadata(context, db.metadata) == []
    engine.dispose()


def test_flask_db_upgrade_command_builds_the_schema(tmp_path):
    path = tmp_path / "cli.sqlite3"
    app = create_app(base_config(f"sqlite:///{path}", tmp_path))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = create_engine(f"sqlite:///{path}")
    assert TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_the_moderation_settings_row_comes_with_the_schema(app):
    from portal.models import ModerationSettings

    settings = db.session.get(ModerationSettings, 1)
    assert (settings.approved_before_trusted, settings.max_links, settings.reports_to_hide) == (
        1,
        2,
        3,
    )
