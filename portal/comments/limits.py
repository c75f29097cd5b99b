"""How fast anyone may write comments, wherever the form was (a post page or the clinic queue)."""

from __future__ import annotations

from flask import request

from ..extensions import limiter

# One budget for every way of posting a comment, so a second form is not a second allowance.
COMMENT_WRITING_LIMIT = "10 per minute;60 per hour"
comment_writing = limiter.shared_limit(COMMENT_WRITING_LIMIT, scope="comment-writing")

# An edit sent after its window and posted as a new comment spends from the same budget;
# ordinary edits do not.
comment_writing_as_new = limiter.shared_limit(
    COMMENT_WRITING_LIMIT,
    scope="comment-writing",
    exempt_when=lambda: not request.form.get("as_new"),
)
