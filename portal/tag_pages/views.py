"""One page per treatment tag, listing its published posts."""

from __future__ import annotations

from flask import Blueprint, abort, current_app
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import Tag
from ..paging import page_arg
from ..posts import queries
from ..responding import page_or_fragment

bp = Blueprint("tags", __name__)


@bp.get("/tags/<slug>")
def show(slug: str) -> Response:
    tag = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if tag is None:
        abort(404)
    listing = queries.published_page(page_arg(), current_app.config["POSTS_PER_PAGE"], tag=tag)
    return page_or_fragment("tags/show.html", "tags/_posts.html", tag=tag, listing=listing)
