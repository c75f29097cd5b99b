"""Registering proves the address: a link by email, posting waits until it is opened, and
registering with an address in use creates nothing and tells no stranger who is a member."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Comment, User

from .account_links import emails, fresh, link_path, links_made_ago, only_email, rendered
from .helpers import HTMX, login, select_all, select_one, text_of, value_of

NEW = {
    "email": "New.Person@Example.org",
    "display_name": "Morning Tide",
    "password": "a long enough passphrase",
    "confirm": "a long enough passphrase",
    "role": "patient",
    "agree_rules": "y",
    "agree_disclaimer": "y",
}


def register(client, **changes):
    return client.post("/register", data={**NEW, **changes})


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture()
def unverified(make_user):
    return make_user("patient", "Not Yet Sure", email_verified=False)


@pytest.fixture()
def base_url(app) -> str:
    return app.config["PORTAL_BASE_URL"]


# --- registering ----------------------------------------------------------------------------


def test_registering_sends_a_link_and_shows_check_your_email(client, base_url):
    response = register(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/register/check-email"
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.email_verified_at is None

    page = client.get("/register/check-email")
    assert text_of(page, "h1") == "Check your email"
    assert "new.person@example.org" in text_of(page, ".lede")
    # Nobody is logged in by registering: the header would tell a stranger who is a member.
    assert "Log out" not in page.get_data(as_text=True)

    email = only_email("verify_email", to="new.person@example.org")
    assert email.user_id == user.id
    assert link_path(email, base_url).startswith("/account/verify/")
    message = rendered(email)
    assert message.subject == "Confirm your email address for Treatment Talk"
    assert email.link in message.text and f'href="{email.link}"' in message.html
    assert "3 days" in message.text


def test_registering_with_an_address_in_use_looks_the_same_and_tells_its_owner(app, make_user):
    owner = make_user("patient", "Already Here", email="new.person@example.org")
    newcomer, stranger = app.test_client(), app.test_client()

    # The stranger uses the owner's address; the newcomer one nobody has (same spelling).
    taken = register(stranger, display_name="Curious Stranger")
    fresh_address = register(newcomer, email="Other.Person@Example.org")
    assert taken.status_code == fresh_address.status_code == 303
    assert taken.headers["Location"] == fresh_address.headers["Location"]

    stranger_page = stranger.get("/register/check-email")
    newcomer_page = newcomer.get("/register/check-email")
    assert stranger_page.status_code == newcomer_page.status_code == 200
    said_to_stranger = text_of(stranger_page, "main").replace("new.person", "ADDRESS")
    said_to_newcomer = text_of(newcomer_page, "main").replace("other.person", "ADDRESS")
    assert said_to_stranger == said_to_newcomer

    # No account for the stranger, nobody logged in, and the owner hears about it.
    assert user_count() == 2
    assert db.session.scalar(select(User).where(User.display_name == "Curious Stranger")) is None
    assert "Log out" not in stranger.get("/").get_data(as_text=True)
    assert "Log out" not in newcomer.get("/").get_data(as_text=True)
    notice = only_email("register_attempt", to="new.person@example.org")
    assert notice.user_id == owner.id and notice.link == ""
    assert emails("verify_email", to="new.person@example.org") == []
    message = rendered(notice)
    assert message.subject == "Someone tried to use your email address on Treatment Talk"
    assert "nothing was created" in message.text
    assert f"{app.config['PORTAL_BASE_URL']}/password/forgot" in message.text


def test_the_owner_is_told_once_an_hour_however_often_a_stranger_tries(app, make_user):
    make_user("patient", "Already Here", email="new.person@example.org")
    for n in range(3):
        assert register(app.test_client(), display_name=f"Stranger {n}").status_code == 303
    assert len(emails("register_attempt")) == 1


def test_an_address_in_use_still_gets_the_display_name_and_password_rules(client, make_user):
    # These answers do not depend on the address, so they may be given either way.
    make_user("patient", "Already Here", email="new.person@example.org")
    name_taken = register(client, display_name="already here")
    assert name_taken.status_code == 422
    assert "taken" in text_of(name_taken, "#display_name-error")
    assert value_of(name_taken, "#email") == "New.Person@Example.org"
    assert emails("register_attempt") == []


# --- the banner and the link --------------------------------------------------------------


def test_an_unverified_member_sees_the_banner_with_the_resend_button(client, unverified, log_in):
    log_in(unverified)
    for path in ("/", "/account", "/rules"):
        page = client.get(path)
        banner = select_one(page, "#verify-banner")
        assert "Please confirm your email address" in text_of(banner)
        form = select_one(banner, "form#verify-resend-form")
        assert form["method"] == "post" and form["action"] == "/account/verify/resend"
        assert form["hx-post"] == "/account/verify/resend"
        assert text_of(form, "button") == "Send the link again"
        assert unverified.email not in text_of(banner)  # the address stays private
    account = client.get("/account")
    assert "It is not confirmed yet" in text_of(account, "#email-settings")


def test_a_verified_member_sees_no_banner(client, people, log_in):
    log_in(people["patient"])
    assert select_all(client.get("/"), "#verify-banner") == []


def test_send_the_link_again_as_a_plain_form(client, unverified, log_in):
    log_in(unverified)
    response = client.post("/account/verify/resend", data={"next": "/rules"})
    assert response.status_code == 303 and response.headers["Location"] == "/rules"
    assert len(emails("verify_email", to=unverified.email)) == 1
    assert "We have emailed you a new link" in text_of(client.get("/rules"), ".flashes")


def test_send_the_link_again_with_htmx(client, unverified, log_in):
    log_in(unverified)
    response = client.post("/account/verify/resend", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "We have emailed you a new link. It works for 3 days." in html
    assert len(emails("verify_email")) == 1


def test_send_the_link_again_when_already_verified_sends_nothing(client, people, log_in):
    log_in(people["patient"])
    response = client.post("/account/verify/resend", headers=HTMX)
    assert "already confirmed" in response.get_data(as_text=True)
    assert emails("verify_email") == []


@pytest.mark.rate_limits
def test_send_the_link_again_is_rate_limited(client, unverified, log_in):
    log_in(unverified)
    statuses = [client.post("/account/verify/resend").status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    assert len(emails("verify_email")) == 3


def test_the_link_confirms_the_address_even_when_logged_out(app, client, base_url):
    register(client)
    link = link_path(only_email("verify_email"), base_url)
    other_device = app.test_client()
    page = other_device.get(link)
    assert page.status_code == 200
    assert text_of(page, "h1") == "Thank you, your email address is confirmed"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    confirmed_at = fresh(user).email_verified_at
    assert confirmed_at is not None
    assert other_device.get(link).status_code == 200  # opening it twice is harmless
    assert fresh(user).email_verified_at == confirmed_at
    assert select_all(client.get("/"), "#verify-banner") == []


@pytest.mark.parametrize("token", ["not-a-token", "x" * 200])
def test_a_forged_link_gets_a_clear_page(client, token):
    page = client.get(f"/account/verify/{token}")
    assert page.status_code == 400
    assert text_of(page, "h1") == "This link no longer works"
    assert "Log in" in text_of(page, "main")


def test_an_expired_link_offers_a_new_one(client, unverified, log_in, base_url):
    log_in(unverified)
    with links_made_ago(4 * 24 * 3600):
        client.post("/account/verify/resend")
    page = client.get(link_path(only_email("verify_email"), base_url))
    assert page.status_code == 400
    assert "has expired" in text_of(page, "main")
    assert "Send the link again" in text_of(page, "#verify-banner")
    assert fresh(unverified).email_verified_at is None


def test_a_link_for_an_address_no_longer_used_does_not_confirm_the_new_one(
    client, unverified, log_in, base_url
):
    log_in(unverified)
    client.post("/account/verify/resend")
    unverified.email = "moved@example.org"
    db.session.commit()
    page = client.get(link_path(only_email("verify_email"), base_url))
    assert page.status_code == 400
    assert fresh(unverified).email_verified_at is None


# --- posting waits for the address ----------------------------------------------------------


def test_a_comment_from_an_unverified_member_is_refused_with_the_text_kept(
    client, post, unverified, log_in
):
    log_in(unverified)
    before = client.get(f"/posts/{post.slug}")
    form = select_one(before, "#comment-form")
    assert "Please confirm your email address before posting" in text_of(form, ".address-wait")

    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "My careful question", "kind": "question"},
        headers={"Referer": f"http://localhost/posts/{post.slug}"},
    )
    assert response.status_code == 422
    assert value_of(response, "#comment-form textarea[name=body]") == "My careful question"
    error = text_of(response, "#comment-form-body-error")
    assert "Please confirm your email address before posting" in error
    button = select_one(response, "#comment-form .address-wait button")
    assert text_of(button) == "Send the link again"
    assert button["form"] == "verify-resend-form"  # the banner's form, on the same page
    assert button["hx-post"] == "/account/verify/resend"
    assert button["hx-target"] == "#comment-form-resend-status"
    assert select_one(response, "#comment-form-resend-status")["role"] == "status"
    # Sent without JavaScript, the banner's form comes back to the post, not to this POST.
    back_to = select_one(response, "form#verify-resend-form input[name=next]")["value"]
    assert back_to == f"http://localhost/posts/{post.slug}"
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_an_htmx_comment_from_an_unverified_member_comes_back_in_place(
    client, post, unverified, log_in
):
    log_in(unverified)
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Typed with htmx", "kind": "question"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#comment-form"
    assert "<html" not in response.get_data(as_text=True)
    assert value_of(response, "#comment-form textarea[name=body]") == "Typed with htmx"
    assert "confirm your email address" in text_of(response, "#comment-form-body-error")
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_the_inline_reply_form_says_why_too(client, post, people, make_comment, unverified, log_in):
    question = make_comment(post, people["caregiver"])
    log_in(unverified)
    form = client.get(f"/comments/{question.id}/reply", headers=HTMX)
    button = select_one(form, ".address-wait button")
    assert button["hx-target"] == f"#reply-form-{question.id}-resend-status"


def test_once_the_link_is_opened_the_comment_goes_through(client, post, base_url):
    register(client)
    client.post("/login", data={"email": NEW["email"], "password": NEW["password"]})
    refused = client.post(
        f"/posts/{post.slug}/comments", data={"body": "First words", "kind": "question"}
    )
    assert refused.status_code == 422
    client.get(link_path(only_email("verify_email"), base_url))
    posted = client.post(
        f"/posts/{post.slug}/comments", data={"body": "First words", "kind": "question"}
    )
    assert posted.status_code == 303
    assert db.session.scalar(select(Comment.body_source)) == "First words"


def test_the_test_people_count_as_verified(people):
    assert all(user.email_verified_at is not None for user in people.values())


def test_a_self_registered_member_can_still_log_in_and_manage_the_account(app, client):
    register(client)
    client.post("/logout")
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert login(client, user, "a long enough passphrase").status_code == 303
    assert client.get("/account").status_code == 200
    assert client.get("/account/export").status_code == 200
    renamed = client.post("/account/name", data={"display_name": "Evening Tide"})
    assert renamed.status_code == 303
