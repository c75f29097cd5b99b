"""One way to answer a request: the whole page or its fragment, and htmx's response headers.

A page template includes its fragment partial, so both answers come from the same file; which
one a request gets is decided by `request.wants_fragment` alone. Headers that steer htmx
(retarget, reswap, trigger, redirect) are set here and nowhere else, through htmx-flask.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from htmx_flask import make_response
from werkzeug.wrappers import Response


def page_or_fragment(
    page: str,
    fragment: str,
    *,
    status: int = 200,
    retarget: str | None = None,
    reswap: str | None = None,
    **context: Any,
) -> Response:
    """Render fragment for htmx, else page (which includes fragment) with the same context.

    retarget and reswap steer where htmx puts the fragment; a whole page needs neither.
    """
    if not request.wants_fragment:
        return make_response(render_template(page, **context), status)
    html = render_template(fragment, **context)
    return htmx_answer(html, status, retarget=retarget, reswap=reswap)


def htmx_answer(
    body: str | Response = "",
    status: int = 200,
    *,
    retarget: str | None = None,
    reswap: str | None = None,
    trigger: str | dict | None = None,
    redirect: str | None = None,
) -> Response:
    """A response that tells htmx where and how to put it (or where to go instead)."""
    return make_response(
        body, status, retarget=retarget, reswap=reswap, trigger=trigger, redirect=redirect
    )
