"""Error pages in the site's layout, or as fragments for htmx; never a stack trace."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .permissions import AccountRestricted
from .request_log import current_request_id

MESSAGES: dict[int, tuple[str, str]] = {
    400: (
        "Something in that request did not work",
        "Please go back, reload the page and try again.",
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
        )
    except Exception:  # the layout itself failed: still no stack trace for the reader
        current_app.logger.exception("error page for %s could not be rendered", status)
        html = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
    return html, status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        return render_error(
            400,
            "This form had expired or was sent from somewhere else. "
            "Please reload the page and try again.",
        )

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
        if rescuer is not None and error.code == 429 and not request.wants_fragment:
            title, message = MESSAGES[error.code]
            return rescuer(error.code, f"{title}. {message}")
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
