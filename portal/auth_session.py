"""How a login cookie becomes a user, and what happens when there is none."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import LoginManager
from werkzeug.wrappers import Response

from .models import User
from .notifications import service as notifications
from .responding import htmx_answer
from .safe_urls import same_site_path


def configure(manager: LoginManager) -> None:
    manager.session_protection = "strong"
    manager.login_view = "auth.login"
    manager.login_message = "Please log in to continue."
    manager.login_message_category = "info"
    manager.user_loader(load_user)
    manager.unauthorized_handler(send_to_login)


# Answers that are the same for everyone and may be kept by shared caches.
PUBLIC_ENDPOINTS = frozenset({"static", "feeds.posts", "feeds.comments"})


def stamp_session_identifier() -> None:
    """Give every session the browser fingerprint that strong protection compares.

    Without it, a visitor's session that holds only a CSRF token looks "tampered with" to
    Flask-Login, which then clears the remember cookie on every request.
    """
    from flask import current_app, request, session

    # Public, shared-cacheable answers (static files, feeds) must not set a cookie: a cache
    # in front would hand one visitor's session to the next.
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    if "_id" not in session:
        manager = current_app.login_manager  # type: ignore[attr-defined]
        session["_id"] = manager._session_identifier_generator()


def load_user(cookie_id: str) -> User | None:
    user_id, _, token = cookie_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    # The header's unread count comes with the member, in the same statement.
    user = notifications.load_member(int(user_id))
    # A changed token (password change, "log out everywhere") retires old cookies.
    if user is None or user.session_token != token:
        return None
    return user


def send_to_login() -> Response:
    """Visitors go to the login page and come back afterwards; htmx gets a full redirect."""
    if request.htmx:
        back_to = same_site_path(request.htmx.current_url or "") or "/"
        return htmx_answer(status=401, redirect=url_for("auth.login", next=back_to))
    back_to = request.full_path if request.method == "GET" else request.referrer or "/"
    return redirect(url_for("auth.login", next=same_site_path(back_to) or "/"))
