"""Public profile pages: what anyone may see about a member."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import User
from ..paging import page_arg
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
