"""What every template can use: asset URLs, htmx settings, dates and permission checks."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cache
from pathlib import Path

from flask import Flask, current_app, url_for

from .permissions import allowed, restriction_message

HTMX_FILE = "vendor/htmx-2.0.8.min.js"
HTMX_SRI = "sha384-/TgkGk7p307TH7EXJDuUlgG3Ce1UVolAOFopFekQkkXihi5u/6OCvVKyz1W+idaz"

# htmx locked down so the CSP needs neither unsafe-eval nor unsafe-inline, and 422 answers
# (form errors) still swap in, while other errors leave the page alone.
HTMX_CONFIG = {
    "allowEval": False,
    "allowScriptTags": False,
    "includeIndicatorStyles": False,
    "selfRequestsOnly": True,
    "historyCacheSize": 0,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "422", "swap": True},
        {"code": "[45]..", "swap": False, "error": True},
    ],
}


@cache
def _file_digest(path: str) -> str:
    data = Path(path).read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """A static URL that changes whenever the file does, so it can be cached for a year."""
    digest = _file_digest(str(Path(current_app.static_folder or "") / filename))
    return url_for("static", filename=filename, v=digest)


def human_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return f"{moment.day} {moment:%B %Y}"


def human_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def register(app: Flask) -> None:
    from flask_login import current_user

    from .comments.service import can_edit
    from .posts.queries import recent_activity

    def can_edit_comment(comment) -> bool:
        return current_user.is_authenticated and can_edit(comment, current_user)

    app.jinja_env.globals.update(
        recent_activity=recent_activity,
        can_edit_comment=can_edit_comment,
        asset_url=asset_url,
        allowed=allowed,
        restriction_message=restriction_message,
        htmx_file=HTMX_FILE,
        htmx_sri=HTMX_SRI,
        htmx_config=json.dumps(HTMX_CONFIG, separators=(",", ":")),
    )
    app.jinja_env.filters.update(
        human_date=human_date, human_datetime=human_datetime, iso=iso, plural=plural
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
