"""The blank comment form an htmx answer puts back in place, drawn once and filled per answer.

After a new comment the answer sends the top-level form again, blank, with a new form token.
For one post and one kind of writer that form is the same markup every time but for its two
tokens (the CSRF token and the form's own), so it is drawn once from the same template, with
stand-ins for the tokens, and each answer puts its own tokens in their place: drawing it
cost every comment about half a millisecond.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ..models import Post
from ..permissions import unconfirmed_email_message
from .forms import CommentForm, new_form_token

_CSRF_STAND_IN = "csrf-token-stand-in-5be1c0"
_FORM_TOKEN_STAND_IN = "form-token-stand-in-9d2a47"
_KEPT = "comments_blank_forms"
_MOST_KEPT = 512  # posts written on lately, times the kinds of writer


def _drawn(post: Post) -> str:
    form = CommentForm(formdata=None)
    form.form_token.data = _FORM_TOKEN_STAND_IN
    return render_template(
        "comments/_comment_form.html",
        form=form,
        post=post,
        reply_to=None,
        oob=True,
        csrf_token=lambda: _CSRF_STAND_IN,
    )


def blank_form(post: Post) -> Markup:
    """The blank top-level form on post for the writer of this request, tokens filled in."""
    writer = current_user._get_current_object()
    # Everything the blank form's markup depends on besides its tokens.
    key = (
        request.script_root,
        post.slug,
        bool(writer.asks_questions),
        unconfirmed_email_message(writer),
    )
    kept: dict = current_app.extensions.setdefault(_KEPT, {})
    pieces = kept.get(key)
    if pieces is None:
        html = _drawn(post)
        if html.count(_CSRF_STAND_IN) != 1 or html.count(_FORM_TOKEN_STAND_IN) != 1:
            raise RuntimeError("the comment form must show each of its tokens exactly once")
        before, rest = html.split(_CSRF_STAND_IN)
        middle, after = rest.split(_FORM_TOKEN_STAND_IN)
        if len(kept) >= _MOST_KEPT:
            kept.clear()  # rarely, and simply: drawn again as they are asked for
        pieces = kept[key] = (before, middle, after)
    before, middle, after = pieces
    return Markup(
        before + str(escape(generate_csrf())) + middle + str(escape(new_form_token())) + after
    )
