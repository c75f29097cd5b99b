"""Treatment Talk: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import Config
from .extensions import (
    COMPRESSION_SETTINGS,
    compress,
    csrf,
    db,
    htmx,
    limiter,
    login_manager,
    migrate,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the portal: settings, extensions, blueprints, commands and error pages.

    config overrides any setting; its INSTANCE_PATH moves the instance folder (tests do).
    """
    config = dict(config or {})
    app = Flask(
        __name__,
        instance_path=str(config.pop("INSTANCE_PATH", PROJECT_ROOT / "instance")),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    settings = vars(Config(Path(app.instance_path)))
    settings.update(config)
    if str(settings["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # A file on this machine cannot have dropped the connection; asking costs each request.
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **settings["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_pre_ping": False,
        }
    app.config.from_mapping(settings)

    from .numbers import DatabaseIdConverter

    # Before any route is added: every <int:…> in the app is bounded to what an id can be.
    app.url_map.converters["int"] = DatabaseIdConverter
    _init_extensions(app)
    _register_blueprints(app)

    from . import (
        cli,
        errors,
        moderation,
        notifications,
        page_cache,
        request_log,
        security,
        tasks,
        templating,
        two_factor,
        write_faults,
    )

    cli.register(app)
    errors.register(app)
    security.register(app)
    request_log.register(app)
    templating.register(app)
    moderation.register(app)
    notifications.register(app)
    two_factor.register(app)
    tasks.bind(app)
    page_cache.init_app(app)  # after the security headers and the log: see its init_app
    write_faults.install(app)  # last: every view is registered by now
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    from .requests import PortalRequest, refuse_nul_in_path

    app.request_class = PortalRequest  # after htmx: ours extends its request class
    app.before_request(refuse_nul_in_path)
    limiter.init_app(app)
    login_manager.init_app(app)
    for name, value in COMPRESSION_SETTINGS.items():
        app.config.setdefault(name, value)
    compress.init_app(app)
    from .mail.backends import init_mail

    init_mail(app)

    from . import auth_session

    auth_session.configure(login_manager)
    app.before_request(auth_session.stamp_session_identifier)
    app.before_request(auth_session.keep_text_through_login)


def _register_blueprints(app: Flask) -> None:
    from .accounts.views import bp as accounts_bp
    from .auth.views import bp as auth_bp
    from .comments.views import bp as comments_bp
    from .ops import bp as ops_bp
    from .pages.views import bp as pages_bp
    from .posts.views import bp as posts_bp
    from .search.views import bp as search_bp

    for blueprint in (posts_bp, auth_bp, accounts_bp, comments_bp, pages_bp, ops_bp, search_bp):
        app.register_blueprint(blueprint)
    _register_clinical_blueprints(app)


def _register_clinical_blueprints(app: Flask) -> None:
    """The clinicians' workspace and what makes them recognisable: profiles, tags, feeds."""
    from .clinic.views import bp as clinic_bp
    from .feeds.views import bp as feeds_bp
    from .profiles.views import bp as profiles_bp
    from .questions.views import bp as questions_bp
    from .search.similar_views import bp as similar_questions_bp
    from .tag_pages.views import bp as tags_bp

    clinical = (clinic_bp, profiles_bp, tags_bp, feeds_bp, questions_bp, similar_questions_bp)
    for blueprint in clinical:
        app.register_blueprint(blueprint)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:
    """WAL for concurrent readers, enforced foreign keys, and waiting instead of failing."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
