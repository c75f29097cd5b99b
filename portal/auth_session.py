"""How a login cookie becomes a user, and what happens when there is none."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import (
    after_this_request,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import LoginManager, current_user
from werkzeug.wrappers import Response

from . import login_sessions
from .models import User
from .notifications import service as notifications
from .numbers import optional_id
from .responding import htmx_answer
from .safe_urls import same_site_path

if TYPE_CHECKING:
    from .comments.resume import KeptText


def configure(manager: LoginManager) -> None:
    manager.session_protection = "strong"
    manager.login_view = "auth.login"
    manager.login_message = "Please log in to continue."
    manager.login_message_category = "info"
    manager.user_loader(load_user)
    manager.unauthorized_handler(send_to_login)


LOGIN_NOT_DONE = (
    "You are not logged in yet: check your email address and password and try again. "
    "Your text is still here."
)

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
    # An empty session needs no stamp, and stamping it would give every visitor a cookie,
    # and their pages with it, which then could not be one copy for all (page_cache.py).
    if session and "_id" not in session:
        manager = current_app.login_manager  # type: ignore[attr-defined]
        session["_id"] = manager._session_identifier_generator()


def start_session(user: User, remember: bool = False) -> None:
    """Log a member in on this device, after every step of logging in has passed."""
    from flask import session
    from flask_login import login_user

    # Whoever was logged in on this device until now (another account, or this one before
    # its token changed) is logged out on the server too.
    previous = current_login_key()
    # A fresh session on login: nothing planted before it (fixation) survives.
    session.clear()
    # A row on the server for this login: logging out ends it, and with it every copy of
    # this device's cookies (portal/login_sessions.py).
    login_sessions.begin(user, remember, replacing=previous)
    days = current_app.config.get("PORTAL_REMEMBER_DAYS", 30)
    login_user(user, remember=remember, duration=timedelta(days=days))


def current_login_key() -> str:
    """The key of the login this request belongs to ("" for visitors)."""
    if not current_user.is_authenticated:
        return ""
    return getattr(current_user._get_current_object(), "login_key", "")


def end_session() -> None:
    """Log out on this device: the login ends on the server too, so a copy of its session or
    remember cookie no longer works anywhere."""
    from flask import session
    from flask_login import logout_user

    login_sessions.end(current_login_key())
    # Clear first: logout_user() leaves the note that deletes the remember cookie in the
    # session, and clearing after it would drop that note and keep the member logged in.
    session.clear()
    logout_user()


def load_user(cookie_id: str) -> User | None:
    user_id, token, key = ([*cookie_id.split(":"), "", ""])[:3]
    member_id = optional_id(user_id)
    # Cookies from before logins were kept on the server carry no key: they log in again.
    if member_id is None or not token or not key:
        return None
    # The header's unread count and the check that this login is still open come with the
    # member, in the same statement.
    condition, values = login_sessions.still_open(key)
    user = notifications.load_member(member_id, condition, **values)
    # A changed token (password change or reset) retires every login's cookies at once.
    if user is None or user.session_token != token:
        return None
    user.login_key = key
    login_sessions.note_seen(key)
    return user


def send_to_login() -> Response:
    """Visitors go to the login page and come back afterwards; htmx gets a full redirect.
    A comment sent after the session ended is not thrown away: see session_ended_page."""
    if session_ended_page_applies():
        return session_ended_page()
    if request.htmx:
        back_to = same_site_path(request.htmx.current_url or "") or "/"
        return htmx_answer(status=401, redirect=url_for("auth.login", next=back_to))
    back_to = request.full_path if request.method == "GET" else request.referrer or "/"
    return redirect(url_for("auth.login", next=same_site_path(back_to) or "/"))


def _next_step_keeping(response: Response, kept: KeptText) -> Response:
    """Not logged in yet, and sent on: to the code page (a right password, two-step login on)
    or back to the password (the step took too long). Either page is drawn here, holding the
    text, instead of the redirect."""
    from .two_factor.forms import CodeForm

    _forget_form_token()  # the password began a fresh (half-logged-in) session
    target = urlsplit(response.location or "").path
    if target == url_for("two_factor.login_code"):
        html = render_template("two_factor/login_code.html", form=CodeForm(formdata=None))
    elif target == url_for("auth.login"):
        html = render_template("errors/session_ended.html", form=_login_form_for(kept), kept=kept)
    else:
        return response
    answer = make_response(html, 200)
    answer.headers["Cache-Control"] = "no-store"  # a health text and a login step
    return answer


def session_ended_page_applies() -> bool:
    from .comments import resume

    return not current_user.is_authenticated and resume.from_refused_post() is not None


def session_ended_page() -> Response:
    """401: the comment that found no one logged in, kept in a login form. Logging in from it
    brings the text back into the form it was written in (keep_text_through_login)."""
    from .comments import resume

    kept = resume.from_refused_post()
    assert kept is not None
    template = (
        "errors/_session_ended.html" if request.wants_fragment else "errors/session_ended.html"
    )
    return make_response(render_template(template, form=_login_form_for(kept), kept=kept), 401)


def _forget_form_token() -> None:
    """After the session was begun afresh in this request, a form token made before it would
    not match: the next form drawn gets a new one."""
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def _login_form_for(kept: KeptText) -> Any:
    """A fresh login form that returns to the page the kept text was written on."""
    from .auth.forms import LoginForm
    from .comments import resume

    return LoginForm(formdata=None, next=resume.where_it_was(kept))


# Where a login carrying kept text is sent: the password, then a second step's code.
_KEEPING_ENDPOINTS = frozenset({"auth.login", "two_factor.login_code", "two_factor.login_recovery"})


def keep_text_through_login() -> None:
    """A login sent from the session-ended page carries the text: on success the member lands
    on its form holding it; on failure the session-ended page comes back, text and all. With
    two-step login the code page carries it on (g.kept_text fills its form's fields) instead
    of being reached by a redirect that would drop it."""
    if request.endpoint not in _KEEPING_ENDPOINTS or request.method != "POST":
        return
    from .comments import resume

    kept = resume.from_login_form(request.form)
    if kept is None:
        return
    g.kept_text = kept

    @after_this_request
    def bring_the_text_back(response: Response) -> Response:
        if current_user.is_authenticated and response.status_code in (302, 303):
            flash("Your text is back in its form. Check it and post it when you are ready.")
            _forget_form_token()
            page = resume.form_page(kept)
            return make_response(*page) if page is not None else response
        if response.status_code in (302, 303):
            return _next_step_keeping(response, kept)
        if request.endpoint != "auth.login":
            return response  # a wrong code: the code page drew the text itself
        if response.status_code in (422, 429):
            from .auth.forms import LoginForm

            form = LoginForm()
            form.validate()  # the fields' own messages, beside them
            # 429: too many wrong passwords, and the wait (auth/views.py _slow_down).
            form.form_errors.append(g.get("login_slow_down") or LOGIN_NOT_DONE)
            html = render_template("errors/session_ended.html", form=form, kept=kept)
            answer = make_response(html, response.status_code)
            if "Retry-After" in response.headers:
                answer.headers["Retry-After"] = response.headers["Retry-After"]
            return answer
        return response
