"""Changing the email address: it takes effect only when the new address confirms it, and
the old address is then told."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import User

from .account_links import emails, fresh, link_path, links_made_ago, only_email, rendered
from .helpers import HTMX, TEST_PASSWORD, login, select_all, select_one, text_of, value_of

NEW_ADDRESS = "river.new@example.org"


@pytest.fixture()
def base_url(app) -> str:
    return app.config["PORTAL_BASE_URL"]


@pytest.fixture()
def member(people, log_in) -> User:
    log_in(people["patient"])
    return people["patient"]


def ask_to_change(client, address: str = NEW_ADDRESS, password: str = TEST_PASSWORD, **kwargs):
    return client.post(
        "/account/email", data={"email-new_email": address, "email-password": password}, **kwargs
    )


def confirm_link(base_url: str, address: str = NEW_ADDRESS) -> str:
    return link_path(emails("change_email_confirm", to=address)[-1], base_url)


def test_the_account_page_has_the_email_section(client, member):
    section = select_one(client.get("/account"), "#email-settings")
    assert member.email in text_of(section) and "It is confirmed." in text_of(section)
    form = select_one(section, "form[action='/account/email']")
    assert form["hx-post"] == "/account/email" and form["hx-target"] == "#email-settings"
    assert select_one(form, "input#email-new_email")["autocomplete"] == "email"
    assert select_one(form, "input#email-password")["type"] == "password"


def test_asking_sends_a_link_to_the_new_address_and_changes_nothing_yet(client, member, base_url):
    old_address = member.email
    response = ask_to_change(client, "  River.New@Example.org ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account#email-settings"
    stored = fresh(member)
    assert stored.email == old_address and stored.pending_email == NEW_ADDRESS

    email = only_email("change_email_confirm")
    assert email.to_address == NEW_ADDRESS and email.user_id == member.id
    assert link_path(email, base_url).startswith("/account/email/confirm/")
    message = rendered(email)
    assert message.subject == "Confirm your new email address for Treatment Talk"
    assert email.link in message.text and "2 days" in message.text

    page = client.get("/account")
    assert "We have sent a link to river.new@example.org" in text_of(page, ".flashes")
    section = select_one(page, "#email-settings")
    assert f"Waiting for confirmation: {NEW_ADDRESS}" in text_of(section)
    assert text_of(select_one(section, "form[action='/account/email/cancel']")) == (
        "Cancel the change"
    )
    # The old address still logs in; the new one does not yet.
    other = client.application.test_client()
    assert (
        other.post("/login", data={"email": NEW_ADDRESS, "password": TEST_PASSWORD}).status_code
        == 422
    )


def test_asking_with_htmx_answers_with_the_section(client, member):
    response = ask_to_change(client, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    section = select_one(response, "section#email-settings")
    assert "We have sent a link to river.new@example.org" in text_of(section, "[role=status]")
    assert f"Waiting for confirmation: {NEW_ADDRESS}" in text_of(section)


@pytest.mark.parametrize(
    ("address", "password", "field", "message"),
    [
        (NEW_ADDRESS, "not my password", "email-password", "That is not your current password."),
        (NEW_ADDRESS, "", "email-password", "Enter your current password."),
        ("not-an-address", TEST_PASSWORD, "email-new_email", "Enter an email address like"),
        ("", TEST_PASSWORD, "email-new_email", "Enter the new email address."),
        ("PATIENT1@example.org", TEST_PASSWORD, "email-new_email", "already your email address"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_is_explained_beside_the_field_and_kept(
    client, member, address, password, field, message, htmx
):
    if address == "PATIENT1@example.org":
        address = member.email.upper()
    response = ask_to_change(client, address, password, headers=HTMX if htmx else {})
    assert response.status_code == 422
    assert message in text_of(response, f"#{field}-error")
    assert value_of(response, "#email-new_email") == address
    assert ("<html" in response.get_data(as_text=True)) is not htmx
    assert fresh(member).pending_email is None
    assert emails("change_email_confirm") == []


def test_the_link_changes_the_address_and_tells_the_old_one(app, client, member, base_url):
    old_address = member.email
    ask_to_change(client)
    path = confirm_link(base_url)
    visitor = app.test_client()  # the link may be opened anywhere, logged in or not
    page = visitor.get(path)
    assert page.status_code == 200
    assert NEW_ADDRESS in text_of(page, "main")
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert fresh(member).email == old_address  # opening the page alone changes nothing

    done = visitor.post(path)
    assert done.status_code == 200
    assert text_of(done, "h1") == "Your email address is changed"
    stored = fresh(member)
    assert stored.email == NEW_ADDRESS and stored.pending_email is None
    assert stored.email_verified_at is not None

    notice = only_email("change_email_notice")
    assert notice.to_address == old_address and notice.user_id == member.id
    message = rendered(notice)
    assert message.subject == "Your email address for Treatment Talk has changed"
    assert NEW_ADDRESS not in message.text  # the old inbox learns nothing of the new one

    fresh_client = app.test_client()
    assert login(fresh_client, stored).status_code == 303
    old_login = {"email": old_address, "password": TEST_PASSWORD}
    assert app.test_client().post("/login", data=old_login).status_code == 422
    assert visitor.get(path).status_code == 400  # used: it no longer works


def test_confirming_proves_an_unverified_address(app, client, make_user, log_in, base_url):
    member = make_user("patient", "New Here", email_verified=False)
    log_in(member)
    ask_to_change(client)
    client.post(confirm_link(base_url))
    assert fresh(member).email_verified_at is not None


def test_cancelling_forgets_the_new_address_and_kills_its_link(client, member, base_url):
    ask_to_change(client)
    path = confirm_link(base_url)
    response = client.post("/account/email/cancel")
    assert response.status_code == 303
    assert "The change of address is cancelled" in text_of(client.get("/account"), ".flashes")
    assert fresh(member).pending_email is None
    page = client.get(path)
    assert page.status_code == 400
    assert "Your address has not changed" in text_of(page, "main")


def test_cancelling_with_htmx_answers_with_the_section(client, member):
    ask_to_change(client)
    response = client.post("/account/email/cancel", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)
    assert select_all(response, "section#email-settings form[action='/account/email/cancel']") == []


def test_a_newer_request_replaces_the_older_link(client, member, base_url):
    ask_to_change(client, "first@example.org")
    first = confirm_link(base_url, "first@example.org")
    ask_to_change(client, "second@example.org")
    assert client.get(first).status_code == 400
    assert client.post(first).status_code == 400
    assert fresh(member).email != "first@example.org"
    client.post(confirm_link(base_url, "second@example.org"))
    assert fresh(member).email == "second@example.org"


def test_an_old_link_no_longer_works(client, member, base_url):
    with links_made_ago(3 * 24 * 3600):
        ask_to_change(client)
    assert client.get(confirm_link(base_url)).status_code == 400
    assert fresh(member).email != NEW_ADDRESS


def test_an_address_taken_meanwhile_is_refused_at_confirmation(client, member, base_url):
    ask_to_change(client)
    path = confirm_link(base_url)
    db.session.add(
        User(
            email=NEW_ADDRESS,
            display_name="Quick Taker",
            display_name_key="quick taker",
            password_hash="x",
        )
    )
    db.session.commit()
    response = client.post(path)
    assert response.status_code == 409
    assert "belongs to another account" in text_of(response, "[role=alert]")
    stored = fresh(member)
    assert stored.email != NEW_ADDRESS and stored.pending_email is None
    assert emails("change_email_notice") == []


def test_an_address_in_use_gets_the_same_answer_and_its_owner_is_told(client, member, make_user):
    owner = make_user("patient", "Owner Of It", email=NEW_ADDRESS)
    response = ask_to_change(client)
    assert response.status_code == 303
    assert "We have sent a link to river.new@example.org" in text_of(
        client.get("/account"), ".flashes"
    )
    assert emails("change_email_confirm") == []
    assert only_email("register_attempt").user_id == owner.id


def test_a_reset_link_sent_to_the_old_address_dies_with_the_change(app, client, member, base_url):
    app.test_client().post("/password/forgot", data={"email": member.email})
    reset_path = link_path(only_email("reset_password"), base_url)
    ask_to_change(client)
    client.post(confirm_link(base_url))
    assert app.test_client().get(reset_path).status_code == 400


@pytest.mark.rate_limits
def test_asking_is_rate_limited(client, member):
    statuses = [ask_to_change(client, password="wrong guess").status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
