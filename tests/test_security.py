"""Security hardening: CSRF, headers, cookies, rate limits, size limits and error pages."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.models import Comment, User

from .helpers import HTMX, TEST_PASSWORD, PortalClient, base_config, select_one, value_of

# --- CSRF ------------------------------------------------------------------------------------


def test_state_changing_requests_without_a_token_are_refused(
    client, post, people, make_comment, log_in
):
    comment = make_comment(post, people["patient"], "Mine")
    log_in(people["patient"])
    attempts = [
        ("/logout", {}),
        (f"/posts/{post.slug}/comments", {"body": "forged"}),
        (f"/comments/{comment.id}/edit", {"body": "forged"}),
        (f"/comments/{comment.id}/delete", {}),
        ("/account/name", {"display_name": "Forged Name"}),
        (
            "/account/password",
            {"current_password": TEST_PASSWORD, "new_password": "x" * 20, "confirm": "x" * 20},
        ),
    ]
    for url, data in attempts:
        response = client.post(url, data=data, csrf=False)
        assert response.status_code == 400, url
        assert "This form had expired" in response.get_data(as_text=True)
        htmx = client.post(url, data=data, csrf=False, headers=HTMX)
        assert htmx.status_code == 400 and "<html" not in htmx.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body_source == "Mine"
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
    assert db.session.get(User, people["patient"].id).display_name == "RiverWalker"
    assert "Log out" in client.get("/").get_data(as_text=True)


def test_login_and_register_need_the_token_too(client):
    assert (
        client.post("/login", data={"email": "a@b.org", "password": "x"}, csrf=False).status_code
        == 400
    )
    assert client.post("/register", data={}, csrf=False).status_code == 400


def test_the_token_reaches_htmx_from_the_meta_tag(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert select_one(html, 'meta[name="csrf-token"]')["content"]
    # A page kept for every visitor carries no one's token (a visitor there posts nothing).
    assert 'name="csrf-token"' not in client.get("/").get_data(as_text=True)
    script = client.get("/static/js/portal.js").get_data(as_text=True)
    assert 'meta[name="csrf-token"]' in script and "X-CSRFToken" in script


def test_a_forged_role_field_changes_nothing(client, people, log_in):
    log_in(people["patient"])
    client.post("/account/name", data={"display_name": "River Two", "role": "admin"})
    db.session.expire_all()
    assert db.session.get(User, people["patient"].id).role == "patient"


# --- headers and cookies -------------------------------------------------------------------


def page_urls(post, comment) -> list[tuple[str, dict]]:
    return [
        ("/", {}),
        (f"/posts/{post.slug}", {}),
        (f"/posts/{post.slug}?replytocom={comment.id}", {}),
        (f"/comments/{comment.id}/reply", HTMX),
        ("/login", {}),
        ("/register", {}),
        ("/rules", {}),
        ("/privacy", {}),
        ("/account", {}),
        ("/no-such-page", {}),
        ("/no-such-page", HTMX),
    ]


def test_security_headers_on_every_page_type(client, post, people, make_comment, log_in):
    comment = make_comment(post, people["caregiver"])
    log_in(people["patient"])
    for url, headers in page_urls(post, comment):
        response = client.get(url, headers=headers)
        csp = response.headers.get("Content-Security-Policy", "")
        for directive in (
            "default-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ):
            assert directive in csp, (url, directive)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in response.headers
        assert response.headers["X-Request-ID"]


def test_https_setting_adds_hsts_and_secure_cookies(tmp_path, database_url):
    config = base_config(database_url, tmp_path)
    config.update(PORTAL_HTTPS=True, SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    app = create_app(config)
    app.test_client_class = PortalClient
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    cookies = response.headers.getlist("Set-Cookie")
    assert not any(c.startswith("remember_token=") for c in cookies)
    cookie = next(c for c in cookies if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_httponly_and_samesite(client, people):
    response = client.post(
        "/login", data={"email": people["patient"].email, "password": TEST_PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    remember = client.post(
        "/login",
        data={"email": people["patient"].email, "password": TEST_PASSWORD, "remember": "y"},
    )
    cookies = remember.headers.getlist("Set-Cookie")
    remember_cookie = next(c for c in cookies if c.startswith("remember_token"))
    assert "HttpOnly" in remember_cookie and "SameSite=Lax" in remember_cookie


# --- rate limits ---------------------------------------------------------------------------


@pytest.mark.rate_limits
def test_login_is_limited_per_address_with_a_friendly_page(client, people):
    statuses = []
    for n in range(12):
        response = client.post(
            "/login",
            data={"email": f"guess{n}@example.org", "password": "wrong"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    assert "Please slow down" in response.get_data(as_text=True)
    other = client.post(
        "/login",
        data={"email": people["patient"].email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert other.status_code == 303


# Failures against one account from many addresses: tests/test_login_throttle.py (they slow
# further tries a little, and never refuse the owner's right password for long).


@pytest.mark.rate_limits
def test_htmx_gets_a_429_fragment(client, people):
    for _ in range(10):
        client.post("/login", data={"email": "x@example.org", "password": "x"})
    response = client.post("/login", data={"email": "x@example.org", "password": "x"}, headers=HTMX)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Please slow down" in html and "<html" not in html


@pytest.mark.rate_limits
def test_registration_is_limited(client):
    statuses = [
        client.post("/register", data={"email": f"r{n}@example.org"}).status_code for n in range(6)
    ]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429


@pytest.mark.rate_limits
def test_posting_too_fast_keeps_the_comment_text(client, post, people, make_comment, log_in):
    make_comment(post, people["clinician"])
    log_in(people["clinician"])
    for n in range(10):
        assert (
            client.post(f"/posts/{post.slug}/comments", data={"body": f"n{n}"}).status_code == 303
        )
    response = client.post(f"/posts/{post.slug}/comments", data={"body": "My careful words"})
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert value_of(html, "#comment-form textarea[name=body]") == "My careful words"
    assert "Please slow down" in html


@pytest.mark.rate_limits
def test_password_change_is_limited(client, people, log_in):
    log_in(people["patient"])
    statuses = [
        client.post("/account/password", data={"current_password": "wrong"}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429


# --- size limits and error pages -----------------------------------------------------------


def test_an_oversized_request_gets_a_friendly_413(app, client, post, people, log_in):
    log_in(people["clinician"])
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/account/name", data={"display_name": big})
    assert response.status_code == 413
    assert "larger than we accept" in response.get_data(as_text=True)
    kept = client.post(f"/posts/{post.slug}/comments", data={"body": big})
    assert kept.status_code == 413


def test_error_pages_use_the_layout_and_fragments_for_htmx(client):
    not_found = client.get("/nowhere").get_data(as_text=True)
    assert "<html" in not_found and "Page not found" in not_found and "Skip to main" in not_found
    fragment = client.get("/nowhere", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "Page not found" in fragment
    wrong_method = client.put("/login")
    assert wrong_method.status_code == 405
    assert "cannot be used that way" in wrong_method.get_data(as_text=True)


def test_an_unexpected_error_is_logged_with_the_request_id_and_never_shown(
    tmp_path, database_url, caplog
):
    app = create_app({**base_config(database_url, tmp_path), "TESTING": False})

    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internals")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/explode", headers={"X-Request-ID": "trace-12345678"})
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and "trace-12345678" in html
    assert "secret internals" not in html and "Traceback" not in html
    assert any("trace-12345678" in record.getMessage() for record in caplog.records)


def test_every_request_is_logged_as_one_structured_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        response = client.get("/rules")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.requests"]
    assert lines[-1]["path"] == "/rules" and lines[-1]["status"] == 200
    assert lines[-1]["request_id"] == response.headers["X-Request-ID"]


def test_a_nul_in_an_address_is_not_found(client, post):
    for path in ("/posts/a%00b", "/tags/a%00b", "/posts/a%00b/comments.atom", "/people/1%00"):
        assert client.get(path).status_code == 404, path


def test_the_error_page_survives_a_failed_write(tmp_path, database_url):
    from portal.accounts.service import create_user
    from portal.models import User as Member

    app = create_app({**base_config(database_url, tmp_path), "TESTING": False})

    @app.get("/clash")
    def clash():
        for _ in range(2):  # the second insert breaks the unique email rule
            db.session.add(
                Member(
                    email="same@example.org",
                    display_name=f"N{_}",
                    display_name_key=f"n{_}",
                    password_hash="x",
                )
            )
            db.session.flush()
        return "unreachable"

    app.test_client_class = PortalClient
    with app.app_context():
        create_user(email="here@example.org", display_name="Here Now", password=TEST_PASSWORD)
        db.session.remove()
    client = app.test_client()
    credentials = {"email": "here@example.org", "password": TEST_PASSWORD}
    assert client.post("/login", data=credentials).status_code == 303
    # The layout looks up the logged-in member after the failed write: it needs a rollback.
    response = client.get("/clash")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Skip to main content" in html  # the full layout, not the bare fallback
    assert "Something went wrong on our side" in html
    with app.app_context():
        db.engine.dispose()
