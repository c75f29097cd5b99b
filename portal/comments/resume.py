"""A comment written while the session had ended: the text travels through the login form and
comes back, after logging in, in the form it was written in, ready to post."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import Comment, Post
from ..numbers import LARGEST_ID
from ..posts import queries
from ..posts.page import render_post_page
from . import service, threads
from .forms import CommentForm

# The endpoints whose text is kept when they find no one logged in.
WRITING_ENDPOINTS = frozenset({"comments.create", "comments.edit"})

# Far above the longest comment (so a valid text is never cut), far below the request limit.
KEPT_TEXT_LIMIT = 4 * service.MAX_BODY_LENGTH


@dataclass(frozen=True)
class KeptText:
    body: str
    slug: str = ""
    parent_id: int | None = None
    comment_id: int | None = None


def _id(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and 0 < int(text) <= LARGEST_ID else None


def from_refused_post() -> KeptText | None:
    """What a logged-out POST to a writing endpoint carried, if it carried any text."""
    if request.method != "POST" or request.endpoint not in WRITING_ENDPOINTS:
        return None
    body = request.form.get("body", "")
    if not body.strip():
        return None
    args = request.view_args or {}
    return KeptText(
        body=body[:KEPT_TEXT_LIMIT],
        slug=str(args.get("slug", "")),
        parent_id=_id(request.form.get("parent_id")),
        comment_id=_id(args.get("comment_id")),
    )


def from_login_form(form: Mapping[str, str]) -> KeptText | None:
    """The text the session-ended page sent along with the login form, if any."""
    body = form.get("kept_body", "")
    if not body.strip():
        return None
    return KeptText(
        body=body[:KEPT_TEXT_LIMIT],
        slug=form.get("kept_post", "")[:300],
        parent_id=_id(form.get("kept_parent")),
        comment_id=_id(form.get("kept_comment")),
    )


def where_it_was(kept: KeptText) -> str:
    """The page the text was written on: where logging in returns to."""
    post = _post_of(kept)
    return url_for("posts.show", slug=post.slug) if post is not None else "/"


def _edited(kept: KeptText) -> Comment | None:
    return db.session.get(Comment, kept.comment_id) if kept.comment_id else None


def _post_of(kept: KeptText) -> Post | None:
    edited = _edited(kept)
    return edited.post if edited is not None else queries.post_by_slug(kept.slug)


def form_page(kept: KeptText) -> tuple[str, int] | None:
    """The form the text was written in, holding it again, for the member now logged in:
    the edit form for an edit (or "Post it as a new comment" if its window has passed), else
    the post page with the comment or reply form. None when that place is gone."""
    edited = _edited(kept)
    comment = edited if edited is not None and edited.author_id == current_user.id else None
    # An edit that can no longer be one comes back as a reply in the same place.
    parent_id = kept.parent_id or (edited.parent_id if edited is not None else None)
    form = CommentForm(formdata=None, body=kept.body, parent_id=parent_id)
    if comment is not None:
        window_passed = service.edit_window_passed(comment, current_user)
        if window_passed or service.can_edit(comment, current_user):
            html = render_template(
                "comments/edit.html", form=form, comment=comment, window_passed=window_passed
            )
            return html, 200
    post = _post_of(kept)
    if post is None or not queries.can_read(post):
        return None
    reply_to = None
    if parent_id:
        reply_to = db.session.scalar(
            threads.select_visible(post, current_user).where(Comment.id == parent_id)
        )
    return render_post_page(post, form=form, reply_to=reply_to)
