"""The site's fixed pages: community rules and privacy; and the icon browsers ask for."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory
from werkzeug.wrappers import Response

bp = Blueprint("pages", __name__)


@bp.get("/rules")
def rules() -> str:
    return render_template(
        "pages/page.html", title="Community rules", body="pages/_rules_body.html"
    )


@bp.get("/privacy")
def privacy() -> str:
    return render_template("pages/page.html", title="Privacy", body="pages/_privacy_body.html")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers and feed readers ask here whatever the page's <link rel="icon"> says: the SVG."""
    return send_from_directory(
        current_app.static_folder or "static",
        "favicon.svg",
        mimetype="image/svg+xml",
        max_age=86400,
    )
