"""Two-step login: setting it up, the code after the password, recovery codes, replays, the
staff requirement and its gate, turning it off, an admin's reset, and the half-done login."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ModerationEvent, Notification, RecoveryCode, User, utcnow
from portal.two_factor import pending, sealing, service

from .helpers import TEST_PASSWORD, login, select_all, select_one, text_of


@pytest.fixture()
def required(app):
    """The deployment's default: staff must use two-step login (the suite turns it off)."""
    app.config["PORTAL_STAFF_TWO_FACTOR"] = True
    return app


def fresh(user: User) -> User:
    """The member as the database holds it now (the pages changed it in their own session)."""
    db.session.expire_all()
    return db.session.get(User, user.id)


def secret_of(user: User) -> str:
    user = fresh(user)
    secret = sealing.unseal(user.two_factor_secret)
    assert secret is not None
    return secret


def code_for(secret: str, steps_from_now: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(utcnow()) + steps_from_now)


def secret_on_page(html: str) -> str:
    """The key as the page shows it for typing, in groups of four."""
    return text_of(html, "#two-step-secret").replace(" ", "")


def turn_on(client, user: User) -> list[str]:
    """Set two-step login up through the pages, as the member would; the recovery codes."""
    page = client.get("/account/two-step/set-up").get_data(as_text=True)
    secret = secret_on_page(page)
    response = client.post("/account/two-step/set-up", data={"code": code_for(secret)})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return [
        code.get_text()
        for code in select_all(response.get_data(as_text=True), ".recovery-codes code")
    ]


def enable_directly(user: User, steps_ago: int = 5) -> str:
    """Two-step login on for user, set up a little while ago (no step used recently)."""
    secret = pyotp.random_base32()
    user.two_factor_secret = sealing.seal(secret)
    user.two_factor_confirmed_at = utcnow()
    totp = pyotp.TOTP(secret)
    user.two_factor_last_step = totp.timecode(utcnow()) - steps_ago
    db.session.commit()
    return secret


def logged_in_as(client) -> str:
    """The account page's display name, or "" when nobody is logged in."""
    response = client.get("/account")
    if response.status_code != 200:
        return ""
    return select_all(response.get_data(as_text=True), ".account-facts dd")[0].get_text()


# --- setting up -----------------------------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_the_typed_key_and_the_link(client, log_in, people):
    log_in(people["patient"])
    response = client.get("/account/two-step/set-up")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    svg = select_one(html, "figure.qr svg")
    # Inline SVG with no style attribute anywhere: the CSP (no inline styles) holds.
    assert "style" not in str(svg)
    assert svg["role"] == "img"
    key = text_of(html, "#two-step-secret")
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{4}", key), key
    link = select_one(html, "a[href^='otpauth://totp/']")["href"]
    assert f"secret={key.replace(' ', '')}" in link and "issuer=Treatment%20Talk" in link
    assert people["patient"].email not in link  # the app names the account, not the address
    field = select_one(html, "input[name=code]")
    assert field["inputmode"] == "numeric"
    assert field["autocomplete"] == "one-time-code"
    assert select_one(html, f"label[for={field['id']}]")
    # The same key on a second visit: reloading does not replace what was scanned.
    again = client.get("/account/two-step/set-up").get_data(as_text=True)
    assert text_of(again, "#two-step-secret") == key
    # And nothing is on yet.
    assert not fresh(people["patient"]).has_two_factor


def test_a_right_code_turns_it_on_and_shows_ten_recovery_codes_once(client, log_in, people):
    log_in(people["patient"])
    codes = turn_on(client, people["patient"])
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", code) for code in codes)
    member = fresh(people["patient"])
    assert member.has_two_factor
    # Stored hashed: no code appears in the table as written.
    hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    # Still logged in on this device (under the account's new token), and the account page
    # says how many recovery codes are left.
    page = client.get("/account").get_data(as_text=True)
    assert "10 unused recovery codes" in text_of(page, "#two-step-heading + p")
    assert "10 unused recovery codes" in text_of(
        client.get("/account/two-step").get_data(as_text=True), "#recovery-codes-left"
    )


def test_a_wrong_setup_code_is_refused_beside_the_field_and_turns_nothing_on(
    client, log_in, people
):
    log_in(people["patient"])
    client.get("/account/two-step/set-up")
    response = client.post("/account/two-step/set-up", data={"code": "000000"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = select_one(html, "input[name=code]")
    assert field["aria-invalid"] == "true"
    assert field["value"] == "000000"  # what was typed is kept
    assert "not right" in text_of(html, f"#{field['id']}-error")
    assert f"{field['id']}-error" in field["aria-describedby"]
    # Letters are a different mistake, said differently.
    response = client.post("/account/two-step/set-up", data={"code": "12ab56"})
    assert "no letters" in text_of(response.get_data(as_text=True), "#code-error")
    assert not fresh(people["patient"]).has_two_factor
    # Logging in still takes the password alone: a failed setup locks nobody out.
    client.post("/logout")
    assert login(client, people["patient"]).headers["Location"] == "/"


def test_turning_it_on_ends_the_accounts_other_logins(app, client, log_in, people):
    other_device = app.test_client()
    login(other_device, people["patient"])
    assert logged_in_as(other_device).startswith("RiverWalker")
    log_in(people["patient"])
    turn_on(client, people["patient"])
    assert logged_in_as(client).startswith("RiverWalker")
    assert logged_in_as(other_device) == ""


# --- logging in -------------------------------------------------------------------------------


def test_a_member_with_two_step_login_is_asked_for_a_code_after_the_password(client, people):
    secret = enable_directly(people["patient"])
    response = client.post(
        "/login",
        data={"email": people["patient"].email, "password": TEST_PASSWORD, "next": "/rules"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/login/two-step"
    # The half-done login is not a login: the account page sends them to log in.
    assert client.get("/account").status_code == 302
    page = client.get("/login/two-step")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    field = select_one(html, "input[name=code]")
    assert field["inputmode"] == "numeric" and field["autocomplete"] == "one-time-code"
    assert select_one(html, "a[href='/login/two-step/recovery']")
    done = client.post("/login/two-step", data={"code": code_for(secret)})
    assert done.status_code == 303 and done.headers["Location"] == "/rules"
    assert logged_in_as(client).startswith("RiverWalker")


def test_the_half_done_login_holds_only_who_when_remember_and_where(client, people):
    enable_directly(people["patient"])
    client.post(
        "/login",
        data={"email": people["patient"].email, "password": TEST_PASSWORD, "remember": "y"},
    )
    with client.session_transaction() as session:
        held = session[pending.SESSION_KEY]
        assert "_user_id" not in session
    assert set(held) == {"user", "at", "remember", "next", "token"}
    assert held["user"] == people["patient"].id and held["remember"] is True
    assert held["token"] != people["patient"].session_token  # a fingerprint, not the token


def test_a_wrong_code_at_login_is_said_beside_the_field(client, people):
    enable_directly(people["patient"])
    login(client, people["patient"])
    response = client.post("/login/two-step", data={"code": "123 45"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "no letters" in text_of(html, "#code-error") or "6 digits" in text_of(
        html, "#code-error"
    )
    assert select_one(html, "input[name=code]")["value"] == "123 45"
    assert logged_in_as(client) == ""


def test_a_code_cannot_be_used_twice(app, client, people):
    secret = enable_directly(people["patient"])
    code = code_for(secret)
    login(client, people["patient"])
    assert client.post("/login/two-step", data={"code": code}).status_code == 303
    # Someone who watched it typed, on another device, within the same half minute.
    thief = app.test_client()
    login(thief, people["patient"])
    response = thief.post("/login/two-step", data={"code": code})
    assert response.status_code == 422
    assert "not right" in text_of(response.get_data(as_text=True), "#code-error")
    assert logged_in_as(thief) == ""
    # An earlier code (the step before) is refused too: steps only move forward.
    assert thief.post("/login/two-step", data={"code": code_for(secret, -1)}).status_code == 422


def test_a_code_one_step_either_side_is_accepted(client, people):
    secret = enable_directly(people["patient"])
    login(client, people["patient"])
    assert client.post("/login/two-step", data={"code": code_for(secret, 1)}).status_code == 303


def test_a_recovery_code_logs_in_once(app, client, log_in, people):
    log_in(people["patient"])
    codes = turn_on(client, people["patient"])
    client.post("/logout")
    login(client, people["patient"])
    page = client.get("/login/two-step/recovery").get_data(as_text=True)
    assert select_one(page, "input[name=code]").get("inputmode") is None  # letters too
    response = client.post("/login/two-step/recovery", data={"code": codes[3].upper()})
    assert response.status_code == 303
    assert logged_in_as(client).startswith("RiverWalker")
    assert "9 unused recovery codes" in client.get("/account").get_data(as_text=True)
    client.post("/logout")
    login(client, people["patient"])
    again = client.post("/login/two-step/recovery", data={"code": codes[3]})
    assert again.status_code == 422
    assert "used" in text_of(again.get_data(as_text=True), "#code-error")
    assert logged_in_as(client) == ""
    # Another of them still works, written with spaces instead of dashes.
    spaced = codes[4].replace("-", " ")
    assert client.post("/login/two-step/recovery", data={"code": spaced}).status_code == 303


def test_the_half_done_login_expires_after_five_minutes(client, people, monkeypatch):
    secret = enable_directly(people["patient"])
    login(
        client,
        people["patient"],
    )
    later = time.time() + pending.LIFETIME_SECONDS + 1
    monkeypatch.setattr(pending.time, "time", lambda: later)
    response = client.post("/login/two-step", data={"code": code_for(secret)})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login")
    assert "/two-step" not in response.headers["Location"]
    assert logged_in_as(client) == ""
    page = client.get("/login").get_data(as_text=True)
    assert "took too long" in page


def test_a_password_change_meanwhile_ends_the_half_done_login(client, people):
    from portal.models import new_session_token

    secret = enable_directly(people["patient"])
    login(client, people["patient"])
    people["patient"].session_token = new_session_token()
    db.session.commit()
    response = client.post("/login/two-step", data={"code": code_for(secret)})
    assert response.status_code == 303 and response.headers["Location"].startswith("/login")
    assert logged_in_as(client) == ""


def test_without_a_half_done_login_the_code_page_sends_to_the_login(client):
    response = client.get("/login/two-step")
    assert response.status_code == 303 and response.headers["Location"].startswith("/login")


@pytest.mark.rate_limits
def test_wrong_codes_are_rate_limited_with_the_message_beside_the_field(client, people):
    secret = enable_directly(people["patient"])
    login(client, people["patient"])
    for _ in range(5):
        assert client.post("/login/two-step", data={"code": "000000"}).status_code == 422
    response = client.post("/login/two-step", data={"code": code_for(secret)})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "try again" in text_of(html, "#code-error").lower()
    assert logged_in_as(client) == ""


# --- the requirement for staff ----------------------------------------------------------------


def test_staff_without_it_are_walked_to_setup_and_kept_from_staff_pages(required, client, people):
    response = client.post(
        "/login",
        data={"email": people["admin"].email, "password": TEST_PASSWORD, "next": "/moderation"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/two-step/set-up?next=/moderation"
    for path in ("/moderation", "/moderation/users", "/moderation/log"):
        refused = client.get(path)
        assert refused.status_code == 303, path
        assert refused.headers["Location"].startswith("/account/two-step/set-up")
    # htmx is sent there as a whole page, not a fragment.
    htmx = client.get("/moderation", headers={"HX-Request": "true"})
    assert htmx.status_code == 403 and htmx.headers["HX-Redirect"].startswith("/account/two-step")
    # Pages every member uses stay open.
    assert client.get("/account").status_code == 200
    assert client.get("/").status_code == 200
    # Set up: the staff pages open, and the recovery codes page leads back where they were.
    page = client.get("/account/two-step/set-up?next=/moderation").get_data(as_text=True)
    assert "staff pages stay closed" in page
    done = client.post(
        "/account/two-step/set-up?next=/moderation", data={"code": code_for(secret_on_page(page))}
    )
    assert select_one(done.get_data(as_text=True), "a.button")["href"] == "/moderation"
    assert client.get("/moderation").status_code == 200


def test_clinicians_are_kept_from_the_clinic_and_staff_actions_too(
    required, client, log_in, people, post, make_comment
):
    log_in(people["clinician"])
    assert client.get("/clinic/questions").status_code == 303
    assert client.get("/clinic/posts").status_code == 303
    question = make_comment(post, people["patient"])
    refused = client.post(f"/comments/{question.id}/kind", data={"kind": "discussion"})
    assert refused.status_code == 303
    assert refused.headers["Location"].startswith("/account/two-step/set-up")
    # Reporting is every member's, and stays open.
    assert client.get(f"/comments/{question.id}/report").status_code == 200


def test_with_the_requirement_off_staff_log_in_with_a_password(app, client, log_in, people):
    assert app.config["PORTAL_STAFF_TWO_FACTOR"] is False
    response = login(client, people["admin"])
    assert response.headers["Location"] == "/"
    assert client.get("/moderation").status_code == 200
    assert client.get("/clinic/questions").status_code == 200


def test_members_are_never_required(required, client, log_in, people):
    response = login(client, people["patient"])
    assert response.headers["Location"] == "/"
    page = client.get("/account").get_data(as_text=True)
    assert "Optional" in text_of(page, "#two-step-heading + p")
    assert select_one(page, "a[href='/account/two-step/set-up']")


def test_staff_with_it_are_asked_for_the_code_and_then_reach_staff_pages(required, client, people):
    secret = enable_directly(people["clinician"])
    login(client, people["clinician"])
    assert client.get("/clinic/questions").status_code == 302  # not logged in yet
    client.post("/login/two-step", data={"code": code_for(secret)})
    assert client.get("/clinic/questions").status_code == 200


# --- recovery codes again, turning it off, an admin's reset ------------------------------------


def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(client, log_in, people):
    log_in(people["patient"])
    old = turn_on(client, people["patient"])
    wrong = client.post("/account/two-step/recovery-codes", data={"renew-code": "000000"})
    assert wrong.status_code == 422
    assert "not right" in text_of(wrong.get_data(as_text=True), "#renew-code-error")
    secret = secret_of(people["patient"])
    response = client.post(
        "/account/two-step/recovery-codes", data={"renew-code": code_for(secret, 1)}
    )
    assert response.status_code == 200
    new = [
        c.get_text() for c in select_all(response.get_data(as_text=True), ".recovery-codes code")
    ]
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout")
    login(client, people["patient"])
    assert client.post("/login/two-step/recovery", data={"code": old[0]}).status_code == 422
    assert client.post("/login/two-step/recovery", data={"code": new[0]}).status_code == 303


def test_turning_it_off_needs_the_password_and_a_code_and_is_audited(client, log_in, people):
    log_in(people["patient"])
    turn_on(client, people["patient"])
    secret = secret_of(people["patient"])
    wrong = client.post(
        "/account/two-step/turn-off", data={"password": "not it", "code": code_for(secret, 1)}
    )
    assert wrong.status_code == 422
    assert "not your password" in text_of(wrong.get_data(as_text=True), "#password-error")
    response = client.post(
        "/account/two-step/turn-off", data={"password": TEST_PASSWORD, "code": code_for(secret, 1)}
    )
    assert response.status_code == 303
    member = fresh(people["patient"])
    assert not member.has_two_factor and member.two_factor_secret is None
    assert db.session.scalar(select(RecoveryCode.id)) is None
    event = db.session.scalar(
        select(ModerationEvent).where(ModerationEvent.action == "two_factor_off")
    )
    assert event.target_id == member.id and event.actor_id == member.id
    told = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert "Two-step login is now off" in told.detail
    client.post("/logout")
    assert login(client, people["patient"]).headers["Location"] == "/"


def test_an_admin_resets_a_members_two_step_login_audited_and_told(client, log_in, people):
    enable_directly(people["clinician"])
    log_in(people["admin"])
    page = client.get(f"/moderation/users/{people['clinician'].id}").get_data(as_text=True)
    assert "On since" in text_of(page, "#two-step-heading + p")
    response = client.post(
        f"/moderation/users/{people['clinician'].id}/two-step-reset",
        data={"two_step-reason": "Lost phone, confirmed by a call"},
    )
    assert response.status_code == 303
    member = fresh(people["clinician"])
    assert not member.has_two_factor
    event = db.session.scalar(
        select(ModerationEvent).where(ModerationEvent.action == "two_factor_reset")
    )
    assert (event.actor_id, event.target_id) == (people["admin"].id, member.id)
    assert event.reason == "Lost phone, confirmed by a call"
    told = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert "reset your two-step login" in told.detail
    # The log names the action in words.
    log = client.get("/moderation/log").get_data(as_text=True)
    assert "Reset a member's two-step login" in text_of(log)


def test_an_admin_reset_works_in_place_with_htmx(client, log_in, people):
    enable_directly(people["patient"])
    log_in(people["admin"])
    response = client.post(
        f"/moderation/users/{people['patient'].id}/two-step-reset",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "two-step login is reset" in text_of(html, "[role=status]")
    assert "Off." in text_of(html, "#two-step-heading + p")


def test_an_admin_cannot_reset_what_is_not_there(client, log_in, people):
    log_in(people["admin"])
    response = client.post(f"/moderation/users/{people['patient'].id}/two-step-reset")
    assert response.status_code == 422
    assert "no two-step login to reset" in response.get_data(as_text=True)
    assert db.session.scalar(select(ModerationEvent.id)) is None


def test_the_secret_is_stored_sealed_not_as_written(client, log_in, people):
    log_in(people["patient"])
    turn_on(client, people["patient"])
    member = fresh(people["patient"])
    secret = secret_of(member)
    assert secret not in member.two_factor_secret
    # Another SECRET_KEY cannot open it.
    from flask import current_app

    current_app.config["SECRET_KEY"] = "another key"
    assert sealing.unseal(member.two_factor_secret) is None


def test_a_code_counts_once_and_the_next_one_still_works(people):
    secret = enable_directly(people["patient"])
    code = code_for(secret)
    assert service.check_code(people["patient"], code)
    assert not service.check_code(people["patient"], code)
    # The next half minute's code (accepted a step early, as a fast phone shows it) is new.
    assert service.check_code(people["patient"], code_for(secret, 1))
    assert (
        fresh(people["patient"]).two_factor_last_step == pyotp.TOTP(secret).timecode(utcnow()) + 1
    )


# --- the demo -----------------------------------------------------------------------------------


def test_the_demo_logins_say_two_step_login_is_off(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty", "--print-logins"])
    assert result.exit_code == 0, result.output
    logins = result.output.split("Demo logins")[1]
    assert "Two-step login for admins and clinicians is OFF in this demo" in logins


def test_with_the_requirement_on_the_demo_logins_say_so(required):
    from portal.cli import two_step_login_note

    assert "required for admins and clinicians" in two_step_login_note()


def test_make_run_turns_the_requirement_off():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    assert "run: export PORTAL_STAFF_TWO_FACTOR ?= 0" in makefile


@pytest.mark.rate_limits
def test_wrong_codes_when_turning_it_off_are_rate_limited_beside_the_field(client, log_in, people):
    log_in(people["patient"])
    enable_directly(people["patient"])
    for _ in range(5):
        wrong = {"password": TEST_PASSWORD, "code": "000000"}
        assert client.post("/account/two-step/turn-off", data=wrong).status_code == 422
    response = client.post("/account/two-step/turn-off", data=wrong)
    assert response.status_code == 429
    assert "try again" in text_of(response.get_data(as_text=True), "#code-error").lower()
    assert fresh(people["patient"]).has_two_factor


def test_a_half_done_login_first_logs_out_whoever_was_logged_in_here(client, log_in, people):
    log_in(people["caregiver"])
    enable_directly(people["patient"])
    response = login(client, people["patient"])
    assert response.headers["Location"] == "/login/two-step"
    assert logged_in_as(client) == ""


# --- a comment kept through a login with two steps --------------------------------------------


def _kept(post, body: str) -> dict[str, str]:
    return {"kept_body": body, "kept_post": post.slug}


def test_a_comment_kept_through_a_two_step_login_comes_back_in_its_form(client, post, people):
    patient = people["patient"]
    secret = enable_directly(patient)
    ended = client.post(f"/posts/{post.slug}/comments", data={"body": "Words I wrote tired"})
    assert ended.status_code == 401
    password = {"email": patient.email, "password": TEST_PASSWORD, "next": f"/posts/{post.slug}"}
    step = client.post("/login", data={**password, **_kept(post, "Words I wrote tired")})
    # The code page is the answer itself (a redirect would drop the text), and not kept.
    assert step.status_code == 200
    assert step.headers["Cache-Control"] == "no-store"
    page = step.get_data(as_text=True)
    code_form = select_one(page, "form[action='/login/two-step']")
    assert text_of(code_form, "textarea[name=kept_body]") == "Words I wrote tired"
    assert select_one(code_form, "input[name=kept_post]")["value"] == post.slug
    wrong = client.post(
        "/login/two-step", data={"code": "12", **_kept(post, "Words I wrote tired")}
    )
    assert wrong.status_code == 422
    assert (
        text_of(wrong.get_data(as_text=True), "textarea[name=kept_body]") == "Words I wrote tired"
    )
    # Sent with the code form's own token, as the browser does.
    token = select_one(page, "form[action='/login/two-step'] input[name=csrf_token]")["value"]
    sent = {"code": code_for(secret), "csrf_token": token, **_kept(post, "Words I wrote, edited")}
    back = client.post("/login/two-step", data=sent, csrf=False)
    assert back.status_code == 200
    html = back.get_data(as_text=True)
    assert text_of(html, "#comment-form textarea[name=body]") == "Words I wrote, edited"
    assert "Your text is back" in text_of(html, "main")
    assert logged_in_as(client).startswith("RiverWalker")


def test_a_two_step_login_that_took_too_long_keeps_the_text_with_the_password(
    monkeypatch, client, post, people
):
    patient = people["patient"]
    enable_directly(patient)
    password = {"email": patient.email, "password": TEST_PASSWORD}
    assert client.post("/login", data={**password, **_kept(post, "Late words")}).status_code == 200
    monkeypatch.setattr(pending, "LIFETIME_SECONDS", -1)
    late = client.post("/login/two-step", data={"code": "123456", **_kept(post, "Late words")})
    assert late.status_code == 200
    page = late.get_data(as_text=True)
    assert select_one(page, "#session-ended form")["action"] == "/login"
    assert text_of(page, "textarea[name=kept_body]") == "Late words"
    assert "took too long" in page
    assert logged_in_as(client) == ""


def test_the_browser_that_finished_a_two_step_login_is_known_to_the_account(client, people):
    from portal.auth import throttle

    patient = people["patient"]
    secret = enable_directly(patient)
    assert client.post("/login", data={"email": patient.email, "password": TEST_PASSWORD})
    assert client.get_cookie("known_device") is None  # the password alone is not a login here
    done = client.post("/login/two-step", data={"code": code_for(secret)})
    assert done.status_code == 303
    known = client.get_cookie("known_device")
    assert known is not None and patient.email not in known.value
    with client.application.test_request_context(headers={"Cookie": f"known_device={known.value}"}):
        assert throttle.is_known_device(patient.email)
