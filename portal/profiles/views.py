"""Public profile pages: what anyone may see about a member."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import User
from ..paging import page_arg
from ..permissions import WRITERS
from ..responding import page_or_fragment
from . import service

bp = Blueprint("profiles", __name__)


@bp.get("/people/<int:user_id>")
def show(user_id: int) -> Response:
    """A member's public page; htmx asks only for another page of their comments."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    profile = service.profile_for(user, current_user, page_arg())
    return page_or_fragment("profiles/show.html", "profiles/_activity.html", profile=profile)


@bp.get("/people/<int:user_id>/posts")
def posts(user_id: int) -> str:
    """Every post a clinician or author has published, a page at a time, newest first."""
    user = db.session.get(User, user_id)
    if user is None or user.role not in WRITERS:
        abort(404)  # patients and caregivers write no posts
    found = service.published_posts_by(user, page_arg(), current_app.config["POSTS_PER_PAGE"])
    return render_template("profiles/posts.html", user=user, posts=found)
