"""A forgotten password: a link by email that works once, for an hour; the same answer for
every address; rate limits; every other session logged out; and an admin's reset link."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ModerationEvent, User

from .account_links import emails, fresh, link_path, links_made_ago, only_email, rendered
from .helpers import HTMX, TEST_PASSWORD, login, select_one, text_of, value_of

NEW_PASSWORD = "a fresh and long passphrase"


@pytest.fixture()
def base_url(app) -> str:
    return app.config["PORTAL_BASE_URL"]


def ask_for_link(client, address: str, **kwargs):
    return client.post("/password/forgot", data={"email": address}, **kwargs)


def choose(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


def reset_link(user: User, base_url: str) -> str:
    return link_path(emails("reset_password", to=user.email)[-1], base_url)


def logged_in(client) -> bool:
    return "Log out" in client.get("/").get_data(as_text=True)


# --- asking for a link ------------------------------------------------------------------------


def test_the_login_page_offers_forgot_your_password(client):
    link = select_one(client.get("/login"), "a[href='/password/forgot']")
    assert text_of(link) == "Forgot your password?"
    page = client.get("/password/forgot")
    assert text_of(page, "h1") == "Forgot your password?"
    assert select_one(page, "form input#email")["autocomplete"] == "email"


def test_a_known_address_gets_a_link(client, people, base_url):
    patient = people["patient"]
    nonce_before = patient.reset_nonce
    response = ask_for_link(client, patient.email.upper())
    assert response.status_code == 303
    assert response.headers["Location"] == "/password/forgot/sent"
    email = only_email("reset_password")
    assert email.to_address == patient.email and email.user_id == patient.id
    assert link_path(email, base_url).startswith("/password/reset/")
    assert fresh(patient).reset_nonce != nonce_before
    message = rendered(email)
    assert message.subject == "Choose a new password for Treatment Talk"
    assert email.link in message.text and f'href="{email.link}"' in message.html
    assert "works once, for 1 hour" in message.text


def test_known_and_unknown_addresses_get_the_same_answer(app, people):
    known, unknown = app.test_client(), app.test_client()
    to_known = ask_for_link(known, people["patient"].email)
    to_unknown = ask_for_link(unknown, "nobody@example.org")
    assert to_known.status_code == to_unknown.status_code == 303
    assert to_known.headers["Location"] == to_unknown.headers["Location"]
    said_known = text_of(known.get("/password/forgot/sent"), "main")
    said_unknown = text_of(unknown.get("/password/forgot/sent"), "main")
    assert said_known.replace(people["patient"].email, "ADDRESS") == said_unknown.replace(
        "nobody@example.org", "ADDRESS"
    )
    assert "If an account uses" in said_unknown
    assert [email.to_address for email in emails("reset_password")] == [people["patient"].email]


@pytest.mark.parametrize(
    ("address", "message"),
    [("", "Enter your email address."), ("not-an-address", "Enter an email address like")],
)
def test_a_bad_address_is_explained_beside_the_field_and_kept(client, address, message):
    response = ask_for_link(client, address)
    assert response.status_code == 422
    assert message in text_of(response, "#email-error")
    assert value_of(response, "#email") == address
    assert emails("reset_password") == []


@pytest.mark.rate_limits
def test_requests_are_limited_per_address_across_clients(client, people):
    address = people["patient"].email
    statuses = [
        ask_for_link(client, address, environ_base={"REMOTE_ADDR": f"10.0.2.{n}"}).status_code
        for n in range(4)
    ]
    assert statuses == [303, 303, 303, 429]
    refused = ask_for_link(client, address, environ_base={"REMOTE_ADDR": "10.0.2.9"})
    assert refused.status_code == 429
    assert "Please slow down" in text_of(refused, "#email-error")  # beside the field
    assert value_of(refused, "#email") == address  # and the address kept
    assert len(emails("reset_password")) == 3
    # An unknown address is limited the same way: the limit says nothing about membership.
    unknown = [
        ask_for_link(client, "nobody@example.org", environ_base={"REMOTE_ADDR": f"10.0.3.{n}"})
        for n in range(4)
    ]
    assert [r.status_code for r in unknown] == [303, 303, 303, 429]


@pytest.mark.rate_limits
def test_requests_are_limited_per_client_across_addresses(client):
    statuses = [
        ask_for_link(
            client, f"someone{n}@example.org", environ_base={"REMOTE_ADDR": "10.0.4.1"}
        ).status_code
        for n in range(6)
    ]
    assert statuses == [303] * 5 + [429]


@pytest.mark.rate_limits
def test_typos_do_not_use_up_an_addresses_allowance(client, people):
    for _ in range(4):
        assert ask_for_link(client, "").status_code == 422
    assert ask_for_link(client, people["patient"].email).status_code == 303


# --- using the link ----------------------------------------------------------------------------


def test_the_link_sets_a_new_password_and_logs_in(app, client, people, base_url):
    patient = people["patient"]
    ask_for_link(client, patient.email)
    path = reset_link(patient, base_url)
    form_page = client.get(path)
    assert form_page.status_code == 200
    assert text_of(form_page, "h1") == "Choose a new password"
    assert form_page.headers["Cache-Control"] == "no-store"
    assert form_page.headers["Referrer-Policy"] == "no-referrer"
    assert select_one(form_page, "input#password")["autocomplete"] == "new-password"

    response = choose(client, path)
    assert response.status_code == 303
    assert "every other device has been logged out" in client.get("/").get_data(as_text=True)
    assert logged_in(client)
    other = app.test_client()
    assert login(other, patient, TEST_PASSWORD).status_code == 422
    assert login(other, patient, NEW_PASSWORD).status_code == 303


def test_bad_new_passwords_are_explained_and_the_link_still_works(client, people, base_url):
    ask_for_link(client, people["patient"].email)
    path = reset_link(people["patient"], base_url)
    short = choose(client, path, "too short")
    assert short.status_code == 422
    assert "Use between 12 and 200" in text_of(short, "#password-error")
    mismatch = choose(client, path, NEW_PASSWORD, "something else entirely")
    assert "do not match" in text_of(mismatch, "#confirm-error")
    assert NEW_PASSWORD not in mismatch.get_data(as_text=True)  # passwords are not echoed
    assert choose(client, path).status_code == 303


def test_the_link_works_once(client, people, base_url):
    ask_for_link(client, people["patient"].email)
    path = reset_link(people["patient"], base_url)
    assert choose(client, path).status_code == 303
    again = client.get(path)
    assert again.status_code == 400
    assert text_of(again, "h1") == "This link no longer works"
    assert select_one(again, "main a.button")["href"] == "/password/forgot"
    assert choose(client, path, "yet another long passphrase").status_code == 400


def test_the_link_dies_after_an_hour(client, people, base_url):
    with links_made_ago(3601):
        ask_for_link(client, people["patient"].email)
    page = client.get(reset_link(people["patient"], base_url))
    assert page.status_code == 400
    assert "work once, for an hour" in text_of(page, "main")


def test_a_link_just_under_an_hour_old_still_works(client, people, base_url):
    with links_made_ago(3500):
        ask_for_link(client, people["patient"].email)
    assert client.get(reset_link(people["patient"], base_url)).status_code == 200


def test_a_newer_link_replaces_the_older_one(client, people, base_url):
    ask_for_link(client, people["patient"].email)
    older = reset_link(people["patient"], base_url)
    ask_for_link(client, people["patient"].email)
    newer = reset_link(people["patient"], base_url)
    assert older != newer
    assert client.get(older).status_code == 400
    assert client.get(newer).status_code == 200


def test_changing_the_password_kills_the_link(app, client, people, base_url, log_in):
    patient = people["patient"]
    ask_for_link(app.test_client(), patient.email)
    path = reset_link(patient, base_url)
    log_in(patient)
    changed = client.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 303
    assert app.test_client().get(path).status_code == 400


def test_a_forged_link_is_refused(client, people):
    assert client.get("/password/reset/not-a-token").status_code == 400
    assert choose(client, "/password/reset/not-a-token").status_code == 400
    assert login(client, people["patient"], TEST_PASSWORD).status_code == 303


def test_a_reset_logs_out_every_other_session_and_remember_cookie(app, people, base_url):
    patient = people["patient"]
    laptop = app.test_client()
    login(laptop, patient)
    phone = app.test_client()
    phone.post("/login", data={"email": patient.email, "password": TEST_PASSWORD, "remember": "y"})
    remembered = phone.get_cookie("remember_token")
    assert remembered is not None
    # A browser holding only the remember cookie (its session gone) is logged in by it...
    tablet = app.test_client()
    tablet.set_cookie("remember_token", remembered.value)
    assert logged_in(laptop) and logged_in(phone) and logged_in(tablet)

    resetter = app.test_client()
    ask_for_link(resetter, patient.email)
    assert choose(resetter, reset_link(patient, base_url)).status_code == 303

    # ...and nothing of the old sessions works any more, remember cookie included.
    assert logged_in(resetter)
    assert not logged_in(laptop) and not logged_in(phone)
    returning = app.test_client()
    returning.set_cookie("remember_token", remembered.value)
    assert not logged_in(returning)


def test_a_reset_link_proves_the_address(client, make_user, base_url):
    member = make_user("patient", "Forgetful", email_verified=False)
    ask_for_link(client, member.email)
    choose(client, reset_link(member, base_url))
    assert fresh(member).email_verified_at is not None


# --- an admin's reset link ----------------------------------------------------------------------


def test_an_admin_sends_a_reset_link_from_the_members_page(client, people, log_in, base_url):
    patient = people["patient"]
    log_in(people["admin"])
    panel = client.get(f"/moderation/users/{patient.id}")
    form = select_one(panel, f"form[action='/moderation/users/{patient.id}/password-reset']")
    assert text_of(form, "button") == "Send a password reset link"

    response = client.post(f"/moderation/users/{patient.id}/password-reset")
    assert response.status_code == 303
    assert "on its way to RiverWalker" in text_of(
        client.get(response.headers["Location"]), ".flashes"
    )
    assert only_email("reset_password", to=patient.email).user_id == patient.id
    event = db.session.scalar(select(ModerationEvent))
    assert (event.action, event.target_type, event.target_id) == (
        "send_password_reset",
        "user",
        patient.id,
    )
    assert event.actor_id == people["admin"].id
    log = client.get("/moderation/log")
    assert "Sent a password reset link" in text_of(log, "main")
    # The member uses it like any other.
    assert (
        choose(client.application.test_client(), reset_link(patient, base_url)).status_code == 303
    )


def test_an_admins_reset_link_with_htmx_updates_the_panel(client, people, log_in):
    patient = people["patient"]
    log_in(people["admin"])
    response = client.post(f"/moderation/users/{patient.id}/password-reset", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)
    assert "on its way to RiverWalker" in text_of(response, "#user-panel [role=status]")
    assert len(emails("reset_password")) == 1


def test_only_admins_send_reset_links(client, people, log_in):
    log_in(people["clinician"])
    response = client.post(f"/moderation/users/{people['patient'].id}/password-reset")
    assert response.status_code == 403
    assert emails("reset_password") == []
