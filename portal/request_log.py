"""A request id for every request, and one structured log line per request.

The id comes from the proxy's X-Request-ID when it sends a sane one, so a request can be
followed from the proxy's log to ours; it is echoed in the response and in error logs.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, g, request
from sqlalchemy import inspect
from werkzeug.wrappers import Response

logger = logging.getLogger("portal.requests")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    return getattr(g, "request_id", "-")


def start() -> None:
    """Give the request its id and start its clock (first of the hooks that need them)."""
    offered = request.headers.get("X-Request-ID", "")
    g.request_id = offered if _SANE_ID.match(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = current_request_id()
    if request.endpoint == "static":
        return response
    elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
    # Only a member already loaded: loading one now would need the database, and the line
    # must be written when the database is what failed.
    user = g.get("_login_user")
    user_id = _id_in_hand(user) if user is not None and user.is_authenticated else None
    logger.info(
        json.dumps(
            {
                "request_id": current_request_id(),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round(elapsed_ms, 1),
                "user": user_id,
                "htmx": bool(request.htmx),
            }
        )
    )
    return response


def _id_in_hand(user) -> int | None:
    """The member's id without a query: after a commit their attributes are expired, and
    reading user.id would ask the database again."""
    state = inspect(user, raiseerr=False)
    identity = state.identity if state is not None else None
    return identity[0] if identity else None


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = current_request_id()
        except RuntimeError:  # outside a request
            record.request_id = "-"
        return True


def register(app: Flask) -> None:
    app.before_request(start)
    app.after_request(_finish)
    app.logger.addFilter(_RequestIdFilter())
    if not logger.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
