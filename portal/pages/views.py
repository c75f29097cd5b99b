"""The site's fixed pages: community rules and privacy."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/rules")
def rules() -> str:
    return render_template(
        "pages/page.html", title="Community rules", body="pages/_rules_body.html"
    )


@bp.get("/privacy")
def privacy() -> str:
    return render_template("pages/page.html", title="Privacy", body="pages/_privacy_body.html")
