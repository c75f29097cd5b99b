"""Atom feeds: new posts site-wide, and each post's approved comments."""

from __future__ import annotations

from flask import Blueprint, abort
from werkzeug.wrappers import Response

from ..posts import queries
from . import atom, service

bp = Blueprint("feeds", __name__)

# Feeds hold only public content, so shared caches may keep them a little while.
CACHE_CONTROL = "public, max-age=300"


def _atom_response(feed: atom.Feed) -> Response:
    response = Response(atom.render(feed), content_type=atom.CONTENT_TYPE)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@bp.get("/feed.atom")
def posts() -> Response:
    return _atom_response(service.site_feed())


@bp.get("/posts/<slug>/comments.atom")
def comments(slug: str) -> Response:
    post = queries.post_at_slug_or_redirect(slug, "feeds.comments")
    if not post.is_published:
        abort(404)  # feeds are public: a draft's has nothing to show anyone
    return _atom_response(service.comments_feed(post))
