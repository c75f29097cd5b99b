"""Registering, logging in and out: the happy paths and every bad input."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import LoginSession, User

from .helpers import TEST_PASSWORD, login

GOOD = {
    "email": "New.Person@Example.org",
    "display_name": "Morning Tide",
    "password": "a long enough passphrase",
    "confirm": "a long enough passphrase",
    "role": "caregiver",
    "agree_rules": "y",
    "agree_disclaimer": "y",
}


def register(client, **changes):
    data = {**GOOD, **changes}
    return client.post("/register", data={k: v for k, v in data.items() if v is not None})


def error_for(html: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_register_creates_an_account_without_logging_in_and_keeps_email_private(client, app):
    response = register(client)
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.display_name == "Morning Tide"))
    assert user.email == "new.person@example.org"  # stored lower-case
    assert user.role == "caregiver"
    assert user.password_hash.startswith("pbkdf2:") or user.password_hash.startswith("scrypt:")
    assert "a long enough passphrase" not in user.password_hash
    # Not logged in yet: a taken address gets the very same page and header.
    assert "Log out" not in client.get("/").get_data(as_text=True)
    login = client.post(
        "/login", data={"email": "new.person@example.org", "password": "a long enough passphrase"}
    )
    assert login.status_code == 303
    home = client.get("/").get_data(as_text=True)
    assert "Log out" in home and "Morning Tide" in home
    assert "new.person@example.org" not in home


def test_production_hashing_is_scrypt(app):
    from portal.accounts import service as accounts

    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    assert accounts.hash_password("whatever password").startswith("scrypt:")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": ""}, "email", "Enter your email address."),
        ({"email": "not-an-email"}, "email", "Enter an email address like name@example.org."),
        ({"email": "a" * 250 + "@example.org"}, "email", "Use at most 254 characters."),
        ({"display_name": ""}, "display_name", "Choose a display name."),
        ({"display_name": "   "}, "display_name", "Choose a display name."),
        ({"display_name": "x" * 41}, "display_name", "Use at most 40 characters."),
        ({"display_name": "Dr Kindly"}, "display_name", "kept for verified accounts"),
        ({"display_name": "SiteAdmin"}, "display_name", "kept for verified accounts"),
        ({"display_name": "Eve\u200bLyn"}, "display_name", "invisible or control characters"),
        ({"display_name": "Eve\u202eLyn"}, "display_name", "invisible or control characters"),
        ({"password": "short", "confirm": "short"}, "password", "Use between 12 and 200"),
        ({"password": "", "confirm": ""}, "password", "Choose a password."),
        ({"confirm": "something else entirely"}, "confirm", "The two passwords do not match."),
        ({"role": "admin"}, "role", "Not a valid choice"),
        ({"role": "clinician"}, "role", "Not a valid choice"),
        ({"agree_rules": None}, "agree_rules", "Please agree to the community rules"),
        ({"agree_disclaimer": None}, "agree_disclaimer", "medical disclaimer"),
    ],
)
def test_register_rejects_bad_input_beside_the_field_and_keeps_what_was_typed(
    client, changes, field, message
):
    response = register(client, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_for(html, field)
    assert user_count() == 0
    # What was typed comes back, except passwords.
    if "email" not in changes:
        assert 'value="New.Person@Example.org"' in html
    if "display_name" not in changes:
        assert 'value="Morning Tide"' in html
    assert "a long enough passphrase" not in html


def test_register_with_a_taken_email_in_any_case_creates_nothing_and_tells_no_one(
    client, make_user
):
    # The whole story (the same page, the owner's email) is in test_verification.py.
    make_user("patient", "First One", email="taken@example.org")
    response = register(client, email="TAKEN@example.org")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/register/check-email")
    assert "already exists" not in client.get(response.headers["Location"]).get_data(as_text=True)
    assert user_count() == 1


def test_register_refuses_a_taken_display_name_in_any_case(client, make_user):
    make_user("patient", "Morning Tide")
    response = register(client, display_name="MORNING TIDE")
    assert response.status_code == 422
    assert "taken" in error_for(response.get_data(as_text=True), "display_name")
    assert user_count() == 1


def test_register_normalises_the_display_name(client):
    response = register(client, display_name="  Ｍorning   Tide  ")  # full-width M, extra spaces
    assert response.status_code == 303
    assert db.session.scalar(select(User.display_name)) == "Morning Tide"


def test_login_with_the_right_password_goes_to_next(client, make_user):
    user = make_user("patient", "Anna Lee")
    response = client.post(
        "/login",
        data={"email": "PATIENT1@example.org", "password": TEST_PASSWORD, "next": "/rules"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/rules"
    assert user.display_name in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "next_value", ["https://evil.example/", "//evil.example/x", "/\\evil", "javascript:alert(1)"]
)
def test_login_ignores_next_that_leaves_the_site(client, make_user, next_value):
    make_user("patient", "Anna Lee")
    response = client.post(
        "/login",
        data={"email": "patient1@example.org", "password": TEST_PASSWORD, "next": next_value},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_login_failures_say_the_same_thing_for_unknown_email_and_wrong_password(client, make_user):
    make_user("patient", "Anna Lee")
    wrong_password = client.post(
        "/login", data={"email": "patient1@example.org", "password": "not the password"}
    )
    unknown = client.post(
        "/login", data={"email": "nobody@example.org", "password": "not the password"}
    )
    assert wrong_password.status_code == unknown.status_code == 422
    message = "That email and password do not match an account."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert 'value="nobody@example.org"' in unknown.get_data(as_text=True)
    assert "Log out" not in client.get("/").get_data(as_text=True)


def test_login_with_empty_fields_explains_each(client):
    response = client.post("/login", data={"email": "", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter your email address." in error_for(html, "email")
    assert "Enter your password." in error_for(html, "password")


def test_login_starts_a_fresh_session(client, make_user):
    user = make_user("patient", "Anna Lee")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert login(client, user).status_code == 303
    with client.session_transaction() as session:
        assert "planted" not in session
        user_id, token, login_key = session["_user_id"].split(":")
    assert (user_id, token) == (str(user.id), user.session_token)
    # The third part names this login, kept on the server (portal/login_sessions.py).
    row = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert row.key_hash == hashlib.sha256(login_key.encode()).hexdigest()
    assert row.ended_at is None


def test_logout_is_a_post_and_ends_the_session(client, make_user, log_in):
    log_in(make_user("patient", "Anna Lee"))
    assert client.get("/logout").status_code == 405
    assert "Log out" in client.get("/").get_data(as_text=True)
    response = client.post("/logout")
    assert response.status_code == 303
    assert "Log out" not in client.get("/").get_data(as_text=True)


def test_logout_after_keep_me_logged_in_deletes_the_remember_cookie(client, make_user):
    # On a shared computer the next person must not be logged straight back in.
    user = make_user("patient", "Anna Lee")
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None
    assert client.post("/logout").status_code == 303
    assert client.get_cookie("remember_token") is None
    page = client.get("/").get_data(as_text=True)
    assert "Log out" not in page and "Welcome back" not in page


def test_logout_without_csrf_token_is_refused(client, make_user, log_in):
    log_in(make_user("patient", "Anna Lee"))
    assert client.post("/logout", csrf=False).status_code == 400
    assert "Log out" in client.get("/").get_data(as_text=True)


def test_account_page_needs_login(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/account")


def test_change_display_name(client, people, log_in):
    log_in(people["patient"])
    response = client.post("/account/name", data={"display_name": "River Walker Two"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, people["patient"].id).display_name == "River Walker Two"


def test_change_display_name_to_a_taken_or_bad_one_is_explained(client, people, log_in):
    log_in(people["patient"])
    taken = client.post("/account/name", data={"display_name": "steadyhand"})
    assert taken.status_code == 422
    assert "taken" in error_for(taken.get_data(as_text=True), "display_name")
    staff = client.post("/account/name", data={"display_name": "Moderator Mo"})
    assert "verified accounts" in error_for(staff.get_data(as_text=True), "display_name")
    assert 'value="Moderator Mo"' in staff.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, people["patient"].id).display_name == "RiverWalker"


def test_change_password_checks_the_current_one_and_signs_out_other_sessions(
    app, client, people, log_in
):
    log_in(people["patient"])
    other_device = app.test_client()
    login(other_device, people["patient"])
    assert "Log out" in other_device.get("/").get_data(as_text=True)

    wrong = client.post(
        "/account/password",
        data={"current_password": "nope", "new_password": "x" * 12, "confirm": "x" * 12},
    )
    assert wrong.status_code == 422
    assert "not your current password" in error_for(
        wrong.get_data(as_text=True), "current_password"
    )

    mismatch = client.post(
        "/account/password",
        data={"current_password": TEST_PASSWORD, "new_password": "y" * 12, "confirm": "z" * 12},
    )
    assert "do not match" in error_for(mismatch.get_data(as_text=True), "confirm")

    ok = client.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert ok.status_code == 303
    assert "Log out" in client.get("/").get_data(as_text=True)  # this device stays in
    assert "Log out" not in other_device.get("/").get_data(as_text=True)  # the other is out
    fresh = app.test_client()
    assert login(fresh, people["patient"], "a brand new passphrase").status_code == 303


def test_a_name_that_grows_when_case_folded_is_refused_politely(client):
    response = register(client, display_name="ß" * 40)
    assert response.status_code == 422
    assert "at most 40 letters once spelled out" in error_for(
        response.get_data(as_text=True), "display_name"
    )
    assert user_count() == 0
