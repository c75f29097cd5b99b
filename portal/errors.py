"""Error pages in the site's layout, or as fragments for htmx; never a stack trace."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from . import auth_session
from .extensions import db
from .permissions import AccountRestricted
from .request_log import current_request_id

MESSAGES: dict[int, tuple[str, str]] = {
    400: (
        "Something in that request did not work",
        "Nothing was saved. Please go back to the page and try again.",
    ),
    401: ("Please log in", "You need to log in to do that."),
    403: ("You cannot do that", "Your account does not have permission for this page or action."),
    404: (
        "Page not found",
        "We could not find that page. It may have moved, or the link may be mistyped.",
    ),
    405: ("That did not work", "This page cannot be used that way. Please use the site's links."),
    413: (
        "That was too much to send",
        "What you sent is larger than we accept. Please shorten it and try again.",
    ),
    429: (
        "Please slow down",
        "You have tried this several times in a short while. Please wait a few minutes, "
        "then try again.",
    ),
    500: (
        "Something went wrong on our side",
        "We have logged the problem. Please try again in a moment.",
    ),
}

# Said when a form's token has expired (a long pause, a new session): the text is shown back
# and the page carries a fresh token, so sending again works; reloading would lose the text.
FORM_EXPIRED = (
    "This form had expired, so nothing was saved. What you wrote is kept: please send it again."
)

# Form fields that are not someone's writing, and are never shown back.
_NOT_WRITING = frozenset({"csrf_token", "next", "parent_id", "as_new", "remember", "kind"})
_FIELD_LABELS = {"body": "Your text", "kept_body": "Your text", "note": "Your note"}


# endpoint -> view that re-renders its form with the user's text and a message, so that a
# refusal (too many attempts, too large) never throws away what someone typed.
FormRescuer = Callable[[int, str], ResponseReturnValue]
_form_rescuers: dict[str, FormRescuer] = {}


def rescues_form(endpoint: str) -> Callable[[FormRescuer], FormRescuer]:
    """Register a function that answers an error on endpoint by re-showing its form."""

    def register_rescuer(rescuer: FormRescuer) -> FormRescuer:
        _form_rescuers[endpoint] = rescuer
        return rescuer

    return register_rescuer


def typed_text(status: int) -> list[tuple[str, str]]:
    """What the person wrote in the refused form, to show back for copying: (label, text).
    Passwords and tokens never; nothing for 413, whose body was too large to read."""
    if request.method != "POST" or status == 413:
        return []
    try:
        fields = request.form.items(multi=True)
        kept = [
            (_FIELD_LABELS.get(name, name.replace("_", " ").capitalize()), value)
            for name, value in fields
            if value.strip()
            and name not in _NOT_WRITING
            and "password" not in name
            and "token" not in name
            and not value.isdigit()
        ]
    except Exception:  # an unreadable body: nothing to show back
        return []
    return kept[:20]


def wait_words() -> str | None:
    """How long until the limit just reached lets the person try again, in words."""
    from .extensions import limiter

    try:
        current = limiter.current_limit
        seconds = current.reset_at - time.time() if current is not None else None
    except Exception:  # the limiter's store is unreachable: say nothing rather than guess
        return None
    if seconds is None or seconds <= 0:
        return None
    if seconds < 60:
        return "less than a minute"
    minutes = max(1, round(seconds / 60))
    if minutes < 90:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    return f"about {hours} hour{'s' if hours != 1 else ''}"


def slow_down_message() -> str:
    wait = wait_words()
    if wait is None:
        return MESSAGES[429][1]
    return f"You have tried this several times in a short while. You can try again in {wait}."


def render_error(status: int, detail: str | None = None):
    title, message = MESSAGES.get(status, MESSAGES[500])
    template = "errors/_error.html" if request.wants_fragment else "errors/error.html"
    try:
        html = render_template(
            template,
            status=status,
            title=title,
            message=detail or message,
            request_id=current_request_id(),
            typed=typed_text(status),
        )
    except Exception:  # the layout itself failed: still no stack trace for the reader
        current_app.logger.exception("error page for %s could not be rendered", status)
        html = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
    return html, status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        # A comment sent after the session ended: its text is kept in a login form.
        if auth_session.session_ended_page_applies():
            return auth_session.session_ended_page()
        rescuer = _form_rescuers.get(request.endpoint or "")
        if rescuer is not None and not request.wants_fragment:
            return rescuer(400, FORM_EXPIRED)
        return render_error(400, FORM_EXPIRED)

    @app.errorhandler(AccountRestricted)
    def restricted(error: AccountRestricted):
        rescuer = _form_rescuers.get(request.endpoint or "")
        if rescuer is not None and not request.wants_fragment:
            return rescuer(403, error.message)
        return render_error(403, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        rescuer = _form_rescuers.get(request.endpoint or "")
        # 413 cannot be rescued: the body that was too large is the text we would keep.
        if error.code == 429:
            if rescuer is not None and not request.wants_fragment:
                return rescuer(429, f"{MESSAGES[429][0]}. {slow_down_message()}")
            return render_error(429, slow_down_message())
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        # A failed write leaves the session unusable; the error page must not trip on it.
        db.session.rollback()
        app.logger.exception(
            "unhandled error on %s %s [request %s]",
            request.method,
            request.path,
            current_request_id(),
        )
        return render_error(InternalServerError.code)
