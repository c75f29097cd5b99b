"""How fast anyone may write comments, wherever the form was (a post page or the clinic queue)."""

from __future__ import annotations

from ..extensions import limiter

# One budget for every way of posting a comment, so a second form is not a second allowance.
comment_writing = limiter.shared_limit("10 per minute;60 per hour", scope="comment-writing")
