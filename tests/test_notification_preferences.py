"""Delivery preferences: per kind, email at once, a daily digest or only in the portal; quoting
in emails; the settings on the account page and their own page; and the one-click unsubscribe
link that works without logging in.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.mail.render import render_parts
from portal.mail.unsubscribe import unsubscribe_token
from portal.models import Notification, NotificationPreference, OutgoingEmail, User
from portal.notifications import preferences, service, tasks

from .helpers import HTMX, select_all, select_one, text_of, texts_of


def deliveries(user: User) -> dict[str, str]:
    db.session.expire_all()
    return preferences.deliveries_for(db.session.get(User, user.id))


def emails_to(user: User) -> list[OutgoingEmail]:
    return list(
        db.session.scalars(
            select(OutgoingEmail).where(OutgoingEmail.user_id == user.id).order_by(OutgoingEmail.id)
        )
    )


# --- the settings form ---------------------------------------------------------------------


def test_the_account_page_shows_each_kind_with_its_default(client, log_in, people):
    log_in(people["patient"])
    section = select_one(client.get("/account"), "section#notification-settings")
    legends = texts_of(section, "legend")
    assert "Replies to my comments" in legends
    assert "New questions waiting on my posts" not in legends  # for clinicians
    assert "The moderation queue has waited too long" not in legends  # for admins
    checked = select_one(section, "input[name=reply][checked]")
    assert checked["value"] == "immediate"
    for kind in ("reply", "answer"):
        labels = [
            text_of(section, f"label[for={radio['id']}]")
            for radio in select_all(section, f"input[name={kind}]")
        ]
        assert labels == ["Email at once", "Daily digest", "Portal only, no email"]
    assert not select_one(section, "#quote_in_email").has_attr("checked")


def test_staff_see_the_kinds_meant_for_them(client, log_in, people):
    log_in(people["clinician"])
    section = select_one(client.get("/account"), "section#notification-settings")
    assert select_one(section, "input[name=questions_waiting][checked]")["value"] == "digest"
    assert select_all(section, "input[name=queue_waiting]") == []
    client.post("/logout")
    log_in(people["admin"])
    section = select_one(client.get("/account"), "section#notification-settings")
    assert select_one(section, "input[name=queue_waiting][checked]")["value"] == "immediate"


def test_saving_without_javascript(client, log_in, people):
    log_in(people["patient"])
    answer = client.post(
        "/account/notifications",
        data={"reply": "digest", "followed_post": "in_app", "quote_in_email": "y"},
    )
    assert (answer.status_code, answer.headers["Location"]) == (
        303,
        "/account#notification-settings",
    )
    chosen = deliveries(people["patient"])
    assert (chosen["reply"], chosen["followed_post"], chosen["answer"]) == (
        "digest",
        "in_app",
        "immediate",
    )
    assert db.session.get(User, people["patient"].id).quote_in_email is True
    # Only choices that differ from the default are stored.
    rows = db.session.scalars(select(NotificationPreference.kind)).all()
    assert sorted(rows) == ["followed_post", "reply"]
    page = client.get("/account")
    assert "Your notification settings are saved." in text_of(page, ".flashes")
    assert select_one(page, "input[name=reply][checked]")["value"] == "digest"


def test_saving_with_htmx_answers_the_section(client, log_in, people):
    log_in(people["patient"])
    answer = client.post("/account/notifications", data={"answer": "in_app"}, headers=HTMX)
    assert answer.status_code == 200
    assert not select_all(answer, "h1")
    assert select_one(answer, "section#notification-settings")
    assert text_of(answer, "[role=status]") == "Your notification settings are saved."
    assert select_one(answer, "input[name=answer][checked]")["value"] == "in_app"


def test_a_choice_the_form_never_offers_is_refused(client, log_in, people):
    log_in(people["patient"])
    plain = client.post("/account/notifications", data={"reply": "carrier-pigeon"})
    assert plain.status_code == 422
    assert "Choose how to hear about “Replies to my comments”." in text_of(plain, ".form-errors")
    fragment = client.post("/account/notifications", data={"reply": "nope"}, headers=HTMX)
    assert fragment.status_code == 422 and not select_all(fragment, "h1")
    assert deliveries(people["patient"])["reply"] == "immediate"


def test_a_kind_not_meant_for_the_member_is_ignored(client, log_in, people):
    log_in(people["patient"])
    client.post("/account/notifications", data={"queue_waiting": "in_app"})
    assert db.session.scalars(select(NotificationPreference)).all() == []


def test_the_settings_have_their_own_page_and_fragment(client, log_in, people):
    assert client.get("/account/notifications").status_code == 302
    log_in(people["caregiver"])
    page = client.get("/account/notifications")
    assert text_of(page, "h1") == "Notification settings"
    assert select_one(page, "section#notification-settings form")["action"] == (
        "/account/notifications"
    )
    fragment = client.get("/account/notifications", headers=HTMX)
    assert not select_all(fragment, "h1") and select_one(fragment, "section#notification-settings")


# --- what each preference does -----------------------------------------------------------------


def test_each_delivery_writes_the_email_it_promises(people, post, make_comment):
    member = people["patient"]
    comment = make_comment(post, people["caregiver"], "A reply")
    preferences.save(
        member,
        {"reply": "immediate", "followed_post": "digest", "followed_thread": "in_app"},
        False,
    )
    for kind in ("reply", "followed_post", "followed_thread"):
        service.notify(member, kind, comment=comment)
    db.session.commit()
    assert len(db.session.scalars(select(Notification)).all()) == 3  # all three in the portal
    assert [email.template for email in emails_to(member)] == ["reply"]
    assert tasks.send_digests() == 1
    assert [email.template for email in emails_to(member)] == ["reply", "digest"]
    digest = emails_to(member)[1]
    rendered = render_parts(digest)
    assert "SteadyHand commented on “Alemtuzumab: the long view”" in rendered.text
    assert "replied in a thread" not in rendered.text  # the in-app one stays in the portal
    assert tasks.send_digests() == 0  # nothing twice


def test_unverified_addresses_get_no_notification_email(people, post, make_comment, make_user):
    unproven = make_user("patient", email_verified=False)
    service.notify(unproven, "reply", comment=make_comment(post, people["caregiver"], "Hi"))
    db.session.commit()
    assert len(db.session.scalars(select(Notification)).all()) == 1
    assert emails_to(unproven) == []


# --- unsubscribing in one click ------------------------------------------------------------------


def test_the_unsubscribe_link_asks_first_and_changes_nothing_on_get(client, people):
    token = unsubscribe_token(people["patient"].id, "reply")
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200
    assert text_of(page, "h1") == "Stop these emails?"
    assert "“Replies to my comments”" in text_of(page, "#unsubscribe")
    form = select_one(page, "#unsubscribe form")
    assert (form["method"], form["action"]) == ("post", f"/unsubscribe/{token}")
    assert deliveries(people["patient"])["reply"] == "immediate"


def test_one_click_post_works_without_login_or_csrf_token(client, people):
    token = unsubscribe_token(people["patient"].id, "reply")
    # What a mail program sends (RFC 8058): a POST with this body, no cookie, no token.
    answer = client.post(
        f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}, csrf=False
    )
    assert answer.status_code == 200
    assert text_of(answer, "h1") == "Emails stopped"
    assert select_one(answer, "a[href='/account/notifications']")
    chosen = deliveries(people["patient"])
    assert chosen["reply"] == "in_app" and chosen["answer"] == "immediate"


def test_unsubscribing_from_everything_and_from_the_digest(client, people):
    member = people["clinician"]
    preferences.save(member, {"reply": "digest"}, False)
    client.post(f"/unsubscribe/{unsubscribe_token(member.id, 'digest')}", csrf=False)
    chosen = deliveries(member)
    assert chosen["reply"] == chosen["questions_waiting"] == "in_app"
    assert chosen["answer"] == "immediate"
    client.post(f"/unsubscribe/{unsubscribe_token(member.id, 'all')}", csrf=False)
    assert set(deliveries(member).values()) == {"in_app"}


def test_a_forged_or_foreign_token_does_nothing(client, people):
    assert client.post("/unsubscribe/not-a-token", csrf=False).status_code == 400
    from portal.tokens import make_token

    wrong_purpose = make_token("reset-password", [people["patient"].id, "reply"])
    answer = client.post(f"/unsubscribe/{wrong_purpose}", csrf=False)
    assert answer.status_code == 400 and text_of(answer, "h1") == "This link does not work"
    unknown_kind = unsubscribe_token(people["patient"].id, "everything-ever")
    assert client.get(f"/unsubscribe/{unknown_kind}").status_code == 400
    assert deliveries(people["patient"])["reply"] == "immediate"


def test_the_unsubscribe_page_has_a_fragment_too(client, people):
    token = unsubscribe_token(people["patient"].id, "answer")
    fragment = client.get(f"/unsubscribe/{token}", headers=HTMX)
    assert fragment.status_code == 200 and not select_all(fragment, "html")
    assert text_of(fragment, "h1") == "Stop these emails?"
