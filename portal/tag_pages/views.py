"""One page per treatment tag, listing its published posts."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import select

from ..extensions import db
from ..models import Tag
from ..posts import queries

bp = Blueprint("tags", __name__)


@bp.get("/tags/<slug>")
def show(slug: str) -> str:
    tag = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if tag is None:
        abort(404)
    page = request.args.get("page", 1, type=int) or 1
    listing = queries.published_page(page, current_app.config["POSTS_PER_PAGE"], tag=tag)
    wants_fragment = request.htmx and not request.htmx.history_restore_request
    template = "tags/_posts.html" if wants_fragment else "tags/show.html"
    return render_template(template, tag=tag, listing=listing)
