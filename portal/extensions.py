"""Extension objects, created unbound here and bound to the app in create_app()."""

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that migrations can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _render_migration_type(type_: str, obj, autogen_context):
    """Write our UTC timestamp type as a plain DateTime, so migrations never import the app."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True, render_item=_render_migration_type)
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()
limiter = Limiter(key_func=get_remote_address)
compress = Compress()
# Mail goes out only from the worker (portal/mail/delivery.py), never from a request.
mail = Mail()

# Compression for readers on slow connections; Flask-Compress's own defaults fill in the rest.
COMPRESSION_SETTINGS = {
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/atom+xml",
        "image/svg+xml",
    ],
    "COMPRESS_MIN_SIZE": 500,  # below this, headers outweigh the saving
    # Static files are sent as streams; gzip too, for clients that offer nothing better.
    "COMPRESS_ALGORITHM_STREAMING": ["zstd", "br", "gzip"],
}
