"""Logging out ends the login on the server: copies of its cookies stop working, the account
page lists where the member is logged in and logs out every other device, and the cookies
themselves are named and timed as they should be."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select, update

from portal import create_app
from portal.extensions import db
from portal.login_sessions import SEEN_NOTE, describe_device
from portal.models import LoginSession

from .helpers import (
    HTMX,
    TEST_PASSWORD,
    PortalClient,
    base_config,
    count_statements,
    login,
    select_all,
    select_one,
    text_of,
)

FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def logged_in(client) -> bool:
    return "Log out" in client.get("/").get_data(as_text=True)


def remember_login(client, user, **kwargs):
    return client.post(
        "/login",
        data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"},
        **kwargs,
    )


def logins_of(user) -> list[LoginSession]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)
        )
    )


# --- logging out ends the login on the server ------------------------------------------------


def test_a_copied_remember_cookie_no_longer_works_after_logout(app, client, people):
    remember_login(client, people["patient"])
    copied = client.get_cookie("remember_token").value
    thief = app.test_client()
    thief.set_cookie("remember_token", copied)
    assert logged_in(thief)  # before the logout the copy works: this is what logout must end

    assert client.post("/logout").status_code == 303
    assert not logged_in(client)
    later = app.test_client()
    later.set_cookie("remember_token", copied)
    assert not logged_in(later)
    assert not logged_in(thief)  # the copy's own session, started from it, ended too


def test_a_copied_session_cookie_no_longer_works_after_logout(app, client, people):
    login(client, people["patient"])
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert logged_in(thief)

    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert not logged_in(replay)
    assert "Log out" not in replay.get("/account", follow_redirects=True).get_data(as_text=True)
    assert logins_of(people["patient"])[0].ended_at is not None


def test_logout_ends_only_this_devices_login(app, client, people):
    login(client, people["patient"])
    phone = app.test_client()
    login(phone, people["patient"])
    client.post("/logout")
    assert not logged_in(client)
    assert logged_in(phone)
    assert [row.ended_at is None for row in logins_of(people["patient"])] == [False, True]


def test_a_login_cookie_without_a_login_key_is_refused(app, client, people):
    # The form of cookie used before logins were kept on the server: it cannot be ended, so
    # it no longer logs anyone in.
    patient = people["patient"]
    with client.session_transaction() as session:
        session["_user_id"] = f"{patient.id}:{patient.session_token}"
    assert not logged_in(client)


def test_a_login_key_of_another_member_does_not_work(app, client, people):
    login(client, people["caregiver"])
    with client.session_transaction() as session:
        _, _, caregivers_key = session["_user_id"].split(":")
    patient = people["patient"]
    intruder = app.test_client()
    with intruder.session_transaction() as session:
        session["_user_id"] = f"{patient.id}:{patient.session_token}:{caregivers_key}"
    assert not logged_in(intruder)


def test_a_login_unused_for_longer_than_the_remember_period_has_expired(app, client, people):
    remember_login(client, people["patient"])
    db.session.execute(
        update(LoginSession).values(last_seen_at=datetime.now(UTC) - timedelta(days=31))
    )
    db.session.commit()
    assert not logged_in(client)


def test_a_password_change_ends_every_other_login_on_the_server(app, client, people, log_in):
    log_in(people["patient"])
    phone = app.test_client()
    remember_login(phone, people["patient"])
    response = client.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 303
    assert logged_in(client) and not logged_in(phone)
    open_rows = [row for row in logins_of(people["patient"]) if row.ended_at is None]
    assert len(open_rows) == 1  # this device's fresh login
    page = client.get("/account").get_data(as_text=True)
    assert len(select_all(page, "#logins li")) == 1


def test_a_password_change_keeps_keep_me_logged_in_on_this_device(app, client, people):
    remember_login(client, people["patient"])
    client.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    remembered = client.get_cookie("remember_token")
    assert remembered is not None
    returning = app.test_client()
    returning.set_cookie("remember_token", remembered.value)
    assert logged_in(returning)


# --- where you are logged in, and logging out of all other devices ---------------------------


def test_the_account_page_lists_the_logins_and_marks_this_device(app, client, people):
    patient = people["patient"]
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX_ON_WINDOWS
    login(client, patient)
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = SAFARI_ON_IPHONE
    remember_login(phone, patient)
    elsewhere = app.test_client()
    login(elsewhere, people["caregiver"])  # someone else's login is never listed

    page = client.get("/account")
    items = select_all(page, "#logins li")
    assert len(items) == 2
    this, other = items
    assert "Firefox on Windows" in text_of(this, "strong")
    assert "This device" in this.get_text()
    assert "Safari on iPhone" in text_of(other, "strong")
    assert "This device" not in other.get_text()
    assert "kept logged in" in other.get_text()
    assert all(time["datetime"] for time in select_all(this, "time"))
    form = select_one(page, "#logins > form")
    assert form["action"] == "/account/logins/end-others"
    assert text_of(form, "button") == "Log out of all other devices"


def test_log_out_of_all_other_devices_ends_the_others_and_keeps_this_one(app, client, people):
    patient = people["patient"]
    login(client, patient)
    phone, tablet = app.test_client(), app.test_client()
    remember_login(phone, patient)
    login(tablet, patient)
    copied_remember = phone.get_cookie("remember_token").value
    caregivers = app.test_client()
    login(caregivers, people["caregiver"])

    response = client.post("/account/logins/end-others")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account#logins"
    page = client.get("/account").get_data(as_text=True)
    assert "You are logged out of 2 other devices." in page
    assert len(select_all(page, "#logins li")) == 1

    assert logged_in(client)
    assert not logged_in(phone) and not logged_in(tablet)
    returning = app.test_client()
    returning.set_cookie("remember_token", copied_remember)
    assert not logged_in(returning)
    assert logged_in(caregivers)  # another member's logins are theirs alone


def test_log_out_of_all_other_devices_in_place_with_htmx(app, client, people):
    login(client, people["patient"])
    phone = app.test_client()
    login(phone, people["patient"])
    response = client.post("/account/logins/end-others", headers=HTMX)
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment
    assert select_one(fragment, "section#logins")
    assert text_of(fragment, "#logins [role=status]") == "You are logged out of 1 other device."
    assert len(select_all(fragment, "#logins li")) == 1
    assert not logged_in(phone) and logged_in(client)


def test_with_no_other_device_there_is_nothing_to_end(client, people, log_in):
    log_in(people["patient"])
    client.post("/account/logins/end-others")
    assert "You were not logged in on any other device." in client.get("/account").get_data(
        as_text=True
    )
    assert logged_in(client)


def test_ending_other_logins_needs_a_login_and_the_form_token(app, client, people):
    assert client.post("/account/logins/end-others").status_code == 302
    login(client, people["patient"])
    phone = app.test_client()
    login(phone, people["patient"])
    assert client.post("/account/logins/end-others", csrf=False).status_code == 400
    assert logged_in(phone)


@pytest.mark.parametrize(
    ("agent", "described"),
    [
        (FIREFOX_ON_WINDOWS, "Firefox on Windows"),
        (SAFARI_ON_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "curl"),
        ("", "An unknown browser"),
    ],
)
def test_a_device_is_described_in_a_few_words(agent, described):
    assert describe_device(agent) == described


# --- what it costs a request ------------------------------------------------------------------


def test_checking_the_login_adds_no_statement_and_last_seen_is_written_rarely(
    client, people, log_in
):
    log_in(people["patient"])
    client.get("/rules")  # warm up what is loaded once per process
    logged_in_count = count_statements(lambda: client.get("/rules"))
    # The member, their unread count and the open login: one statement, as before logins
    # were kept on the server; the page itself needs none.
    assert logged_in_count == 1
    seen_before = logins_of(people["patient"])[0].last_seen_at

    with client.session_transaction() as session:
        session[SEEN_NOTE] -= 6 * 60  # six minutes later
    assert count_statements(lambda: client.get("/rules")) == logged_in_count + 1
    assert logins_of(people["patient"])[0].last_seen_at > seen_before
    assert count_statements(lambda: client.get("/rules")) == logged_in_count


# --- the cookies themselves -------------------------------------------------------------------


def _expires(set_cookie: str) -> datetime:
    part = next(p for p in set_cookie.split("; ") if p.lower().startswith("expires="))
    return parsedate_to_datetime(part.split("=", 1)[1])


def test_keep_me_logged_in_lasts_30_days_by_default(client, people):
    response = remember_login(client, people["patient"])
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")
    )
    days = (_expires(cookie) - datetime.now(UTC)).total_seconds() / 86400
    assert 29.9 < days <= 30


def _app_with_env(monkeypatch, tmp_path, database_url, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = create_app(base_config(database_url, tmp_path))
    app.test_client_class = PortalClient
    return app


def test_how_long_keep_me_logged_in_lasts_is_configurable(
    monkeypatch, tmp_path, database_url, people
):
    app = _app_with_env(monkeypatch, tmp_path, database_url, PORTAL_REMEMBER_DAYS="7")
    client = app.test_client()
    response = remember_login(client, people["patient"])
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")
    )
    days = (_expires(cookie) - datetime.now(UTC)).total_seconds() / 86400
    assert 6.9 < days <= 7
    # The server holds to it as well: a login unused for longer has ended.
    db.session.execute(
        update(LoginSession).values(last_seen_at=datetime.now(UTC) - timedelta(days=8))
    )
    db.session.commit()
    returning = app.test_client()
    returning.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert not logged_in(returning)


def test_under_https_the_cookies_carry_the_host_prefix(monkeypatch, tmp_path, database_url, people):
    app = _app_with_env(monkeypatch, tmp_path, database_url, PORTAL_HTTPS="1")
    client = app.test_client()
    https = {"base_url": "https://localhost"}
    token_page = client.get("/privacy", **https)
    token = token_page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"email": people["patient"].email, "password": TEST_PASSWORD, "remember": "y"},
        headers={"X-CSRFToken": token, "Referer": "https://localhost/login"},
        csrf=False,
        **https,
    )
    assert response.status_code == 303
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert not {"session", "remember_token", "known_device"} & set(cookies)
    for name in ("__Host-session", "__Host-remember_token", "__Host-known_device"):
        attributes = [part.strip().lower() for part in cookies[name].split(";")]
        # What browsers demand of a __Host- cookie: Secure, Path=/ and no Domain.
        assert "secure" in attributes and "path=/" in attributes
        assert not any(part.startswith("domain=") for part in attributes)
    assert "Log out" in client.get("/", **https).get_data(as_text=True)


def test_any_change_of_the_token_ends_the_logins_kept_on_the_server(app, client, people):
    # However the token changes (here as two-step login or an admin's reset would change it),
    # the logins it retired are not listed as open.
    from portal.models import new_session_token

    patient = people["patient"]
    login(client, patient)
    phone = app.test_client()
    login(phone, patient)
    db.session.expire_all()  # the member as a later request would load it
    patient.session_token = new_session_token()
    db.session.commit()
    assert all(row.ended_at is not None for row in logins_of(patient))
    assert not logged_in(client) and not logged_in(phone)


def test_logging_in_again_on_this_device_ends_the_login_it_had(app, client, people):
    login(client, people["patient"])
    login(client, people["caregiver"])  # the shared computer, someone else logging in
    assert [row.ended_at is None for row in logins_of(people["patient"])] == [False]
    assert [row.ended_at is None for row in logins_of(people["caregiver"])] == [True]


def test_one_other_device_can_be_logged_out_alone(app, client, people):
    patient = people["patient"]
    login(client, patient)
    phone, tablet = app.test_client(), app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = SAFARI_ON_IPHONE
    login(phone, patient)
    login(tablet, patient)
    page = client.get("/account")
    buttons = select_all(page, "#logins li form button")
    assert len(buttons) == 2  # none for this device: that is what "Log out" at the top is for
    assert all(button.get_text() == "Log out" for button in buttons)
    phone_item = next(li for li in select_all(page, "#logins li") if "Safari" in li.get_text())
    form = select_one(phone_item, "form")
    assert select_one(form, "button")["aria-label"].startswith("Log out Safari on iPhone")

    response = client.post(form["action"])
    assert response.status_code == 303
    assert "Safari on iPhone is logged out." in client.get("/account").get_data(as_text=True)
    assert not logged_in(phone)
    assert logged_in(tablet) and logged_in(client)


def test_one_other_device_logged_out_in_place_with_htmx(app, client, people):
    login(client, people["patient"])
    phone = app.test_client()
    login(phone, people["patient"])
    action = select_one(client.get("/account"), "#logins li form")["action"]
    response = client.post(action, headers=HTMX)
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment
    assert text_of(fragment, "#logins [role=status]").endswith("is logged out.")
    assert len(select_all(fragment, "#logins li")) == 1
    assert not logged_in(phone)


def test_this_devices_login_or_someone_elses_cannot_be_ended_from_the_list(app, client, people):
    login(client, people["patient"])
    caregivers = app.test_client()
    login(caregivers, people["caregiver"])
    rows = {row.user_id: row.id for row in db.session.scalars(select(LoginSession))}
    assert client.post(f"/account/logins/{rows[people['caregiver'].id]}/end").status_code == 404
    assert client.post(f"/account/logins/{rows[people['patient'].id]}/end").status_code == 404
    assert logged_in(caregivers) and logged_in(client)
