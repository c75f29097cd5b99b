"""Pages reached from a link in an email: their token kept private, and the dead-link page.

A verification, reset or change-of-address link carries its token in the page's address,
so those pages are never cached or sent on as a Referer. A link that is forged, too old,
used, or replaced by a newer one gets one clear page that says so and offers a new link.
"""

from __future__ import annotations

from flask import make_response, render_template
from werkzeug.wrappers import Response

# purpose -> what the dead-link page offers instead
PURPOSES = ("verify", "reset", "change")


def keep_token_private(response: Response) -> Response:
    """No cache keeps the page, and no other site learns its address."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def token_page(html: str, status: int = 200) -> Response:
    """A page whose address holds a token, answered with keep_token_private's headers."""
    return keep_token_private(make_response(html, status))


def dead_link(purpose: str, status: int = 400) -> Response:
    """The page for a link that no longer works, offering the way to a new one."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    return token_page(render_template("accounts/dead_link.html", purpose=purpose), status)
