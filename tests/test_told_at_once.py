"""Suspended and banned members are told at once: at login, on every page while it lasts, and
in place of the comment form and the Reply links (issue 15, point 4)."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.models import utcnow

from .helpers import HTMX, login, select_all, select_one, text_of


def _ban(user, reason: str = "Selling cures") -> None:
    user.status, user.status_reason, user.suspended_until = "banned", reason, None
    db.session.commit()


def test_a_suspended_member_is_told_at_login_not_welcomed(client, people):
    response = login(client, people["suspended"])
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Welcome back" not in page
    flash = select_one(page, ".flash--warning")
    assert flash["role"] == "status"
    words = flash.get_text(" ", strip=True)
    assert "suspended until" in words and "Repeated off-topic posting" in words
    until = people["suspended"].suspended_until
    assert f"{until.day} {until:%B %Y}" in words


def test_a_banned_member_is_told_at_login_with_the_reason(client, people):
    _ban(people["suspended"])
    response = login(client, people["suspended"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Welcome back" not in page
    words = text_of(page, ".flash--warning")
    assert "banned" in words and "Selling cures" in words


def test_an_active_member_is_still_welcomed(client, people):
    response = login(client, people["patient"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Welcome back, RiverWalker." in page
    assert not select_all(page, "#restriction-banner")


def test_every_page_carries_the_banner_while_the_suspension_lasts(log_in, people, post):
    client = log_in(people["suspended"])
    for path in ("/", f"/posts/{post.slug}", "/account", "/notifications", "/rules"):
        page = client.get(path).get_data(as_text=True)
        banner = select_one(page, "header #restriction-banner")
        heading = select_one(banner, "h2")
        assert banner["aria-labelledby"] == heading["id"]
        assert heading.get_text(strip=True) == "Your account is suspended"
        words = banner.get_text(" ", strip=True)
        assert "Repeated off-topic posting" in words and "until" in words, path


def test_the_banner_goes_when_the_suspension_has_run_out(log_in, people):
    client = log_in(people["suspended"])
    people["suspended"].suspended_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert not select_all(client.get("/").get_data(as_text=True), "#restriction-banner")


def test_a_banned_member_sees_the_banner_too(log_in, people):
    client = log_in(people["suspended"])
    _ban(people["suspended"])
    banner = select_one(client.get("/").get_data(as_text=True), "#restriction-banner")
    assert "Your account is banned" in banner.get_text()
    assert "Selling cures" in banner.get_text()


def test_on_a_post_the_form_and_reply_links_give_way_to_the_message(
    log_in, people, post, make_comment
):
    comment = make_comment(post, people["patient"], "Has anyone tried this?")
    client = log_in(people["suspended"])
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert not select_all(page, "form.comment-form")
    note = select_one(page, "#comment-form")
    assert "You cannot comment." in note.get_text() and "Repeated off-topic" in note.get_text()
    actions = select_one(page, f"#comment-card-{comment.id} .comment__actions")
    assert "Reply" not in [a.get_text(strip=True)[:5] for a in actions.select("a")]
    assert "No replies while your account is suspended" in actions.get_text()
    # The no-JavaScript reply address gives the message too, not a form.
    page = client.get(f"/posts/{post.slug}?replytocom={comment.id}").get_data(as_text=True)
    assert not select_all(page, "form.comment-form")
    assert "You cannot reply." in text_of(page, f"#reply-form-{comment.id}")


def test_a_refused_comment_keeps_its_form_and_text(log_in, people, post):
    client = log_in(people["suspended"])
    response = client.post(
        f"/posts/{post.slug}/comments", data={"body": "My words", "kind": "discussion"}
    )
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "My words" in text_of(page, "#comment-form textarea")


def test_a_member_in_good_standing_keeps_form_and_reply_links(log_in, people, post, make_comment):
    comment = make_comment(post, people["caregiver"], "A thought.")
    client = log_in(people["patient"])
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert select_one(page, "form#comment-form")
    assert select_one(page, f"#comment-card-{comment.id} a[data-reply-link][href*=replytocom]")
    fragment = client.get(f"/comments/{comment.id}/reply", headers=HTMX).get_data(as_text=True)
    assert select_one(fragment, f"form#reply-form-{comment.id}")
