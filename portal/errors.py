"""Error pages in the site's layout, or as fragments for htmx; never a stack trace."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from .permissions import AccountRestricted

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


def render_error(status: int, detail: str | None = None):
    title, message = MESSAGES.get(status, MESSAGES[500])
    template = "errors/_error.html" if request.htmx else "errors/error.html"
    try:
        html = render_template(template, status=status, title=title, message=detail or message)
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
        return render_error(403, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 413:
            return render_error(
                413,
                "What you sent is larger than we accept. Please shorten it and try again.",
            )
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)
