"""Error pages in the site's layout, or as fragments for htmx; never a stack trace."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from . import auth_session, write_faults
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
_NOT_WRITING = frozenset(
    {"csrf_token", "next", "parent_id", "as_new", "remember", "kind", "similar_shown"}
)
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


def render_error(status: int, detail: str | None = None, title: str | None = None):
    usual_title, message = MESSAGES.get(status, MESSAGES[500])
    title = title or usual_title
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
    except Exception:  # the layout itself failed (the database, say): the page that needs none
        current_app.logger.exception("error page for %s could not be rendered", status)
        _forget_failed_transaction()
        return render_unavailable(status, title, detail or message)
    return html, status


def render_unavailable(status: int, title: str, message: str):
    """An error page that touches no database: the fragment as usual for htmx (it needs none),
    else a page of its own carrying back any form that was refused."""
    try:
        if request.wants_fragment:
            template, extra = "errors/_error.html", {"typed": typed_text(status)}
        else:
            template, extra = "errors/unavailable.html", {"again": _form_again(status)}
        html = render_template(
            template,
            status=status,
            title=title,
            message=message,
            request_id=current_request_id(),
            **extra,
        )
    except Exception:  # even that failed: words and the reference, by hand
        current_app.logger.exception("plain error page for %s could not be rendered", status)
        html = (
            f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
            f"<p>{escape(message)}</p><p>Reference {escape(current_request_id())}</p>"
        )
    return html, status


def _form_again(status: int) -> dict | None:
    """The refused form's fields, to send again from a page that needs no database."""
    typed = typed_text(status)
    if not typed:
        return None
    from flask_wtf.csrf import generate_csrf

    writing, hidden = [], []
    for name, value in request.form.items(multi=True):
        if "password" in name or ("token" in name and name != "form_token"):
            continue
        label = _FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
        if (label, value) in typed:
            writing.append((name, label, value))
        else:
            hidden.append((name, value))
    return {
        "action": request.path,
        "csrf_token": generate_csrf(),
        "hidden": hidden,
        "writing": writing,
    }


def _forget_failed_transaction() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: the next request gets a new one
        current_app.logger.warning("rollback after a failed request did not complete")


def could_not_save_or_show(error: Exception):
    """503 for a fault outside the request (database away, disk full): a refused form comes
    back with its text, by its own rescuer when the page can still be drawn."""
    _forget_failed_transaction()
    writing = request.method not in ("GET", "HEAD", "OPTIONS")
    title, message = write_faults.COULD_NOT_SAVE if writing else write_faults.COULD_NOT_SHOW
    current_app.logger.warning(
        "%s on %s %s [request %s]: %s",
        "could not save" if writing else "could not show",
        request.method,
        request.path,
        current_request_id(),
        error,
    )
    rescuer = _form_rescuers.get(request.endpoint or "")
    if writing and rescuer is not None and not request.wants_fragment:
        try:
            return rescuer(503, f"{title}. {message}")
        except Exception:  # drawing the form needs the database too: the page that needs none
            _forget_failed_transaction()
    return render_unavailable(503, title, message)


def _schema_is_behind() -> bool:
    from .ops import schema_is_behind

    _forget_failed_transaction()
    try:
        return schema_is_behind()
    except Exception:  # asking failed too: the plain error page, as before
        return False


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
        if write_faults.cannot_save(error):
            return could_not_save_or_show(error)
        if isinstance(error, SQLAlchemyError) and _schema_is_behind():
            # New code on an old schema (deployed before `flask db upgrade`): every reader
            # would get 500s; they get "try again in a minute" and the log says what to run.
            app.logger.error(
                "the database's schema is behind the code: run `flask --app portal db upgrade`"
            )
            return could_not_save_or_show(error)
        # A failed write leaves the session unusable; the error page must not trip on it.
        _forget_failed_transaction()
        app.logger.exception(
            "unhandled error on %s %s [request %s]",
            request.method,
            request.path,
            current_request_id(),
        )
        return render_error(InternalServerError.code)
