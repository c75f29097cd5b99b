"""Authors see how moderation treated their comments, and why, on their account page."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Comment, Flag
from portal.moderation import rules

from .helpers import HTMX, select_all, text_of


def outcomes_section(client) -> str:
    """The text of the account page's moderation outcomes; "" when the page has none."""
    sections = select_all(client.get("/account"), "section#moderation-outcomes")
    return text_of(sections[0]) if sections else ""


def test_an_approved_comment_shows_as_approved(client, people, post, make_comment, log_in):
    comment = make_comment(post, people["patient"], "My question", status="pending")
    log_in(people["admin"])
    client.post(f"/moderation/comments/{comment.id}", data={"decision": "approve"}, headers=HTMX)
    client.post("/logout")
    log_in(people["patient"])
    section = outcomes_section(client)
    assert "Your comments and moderation" in section
    assert "Approved: your comment on “Alemtuzumab: the long view”" in section
    assert "Reason" not in section
    html = client.get("/account").get_data(as_text=True)
    assert select_all(html, f'a[href="/posts/{post.slug}#comment-{comment.id}"]')


def test_a_rejected_comment_shows_the_reason(client, people, post, make_comment, log_in):
    comment = make_comment(post, people["patient"], "My question", status="pending")
    log_in(people["admin"])
    client.post(
        f"/moderation/comments/{comment.id}",
        data={"decision": "reject", "reason_other": "Please ask your own neurologist about doses."},
    )
    client.post("/logout")
    log_in(people["patient"])
    section = outcomes_section(client)
    assert "Not published: your comment on" in section
    assert "Reason: Please ask your own neurologist about doses." in section


def test_a_held_comment_shows_it_is_waiting_and_why(client, people, post, log_in):
    log_in(people["patient"])
    client.post(
        f"/posts/{post.slug}/comments", data={"body": "My first question.", "kind": "question"}
    )
    section = outcomes_section(client)
    assert "Waiting for a moderator" in section
    assert "New members' first comments are read by a moderator" in section


def test_a_comment_refused_by_a_block_word_is_explained_at_once_and_not_kept(
    client, people, post, log_in
):
    rules.current_settings().block_words = "miracle cure"
    db.session.commit()
    log_in(people["patient"])
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Buy this miracle cure now", "kind": "question"},
    )
    assert response.status_code == 422
    assert "words our community rules do not allow" in response.get_data(as_text=True)
    # The writer rewords it there and then; a refused attempt is no record against them.
    assert "miracle cure" not in outcomes_section(client)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_a_comment_removed_after_reports_shows_removed(client, people, post, make_comment, log_in):
    comment = make_comment(post, people["patient"], "Reported words")
    db.session.add(Flag(comment_id=comment.id, reporter_id=people["caregiver"].id, reason="spam"))
    db.session.commit()
    log_in(people["admin"])
    client.post(
        f"/moderation/comments/{comment.id}",
        data={"decision": "reject", "reason": "advertising"},
    )
    client.post("/logout")
    log_in(people["patient"])
    section = outcomes_section(client)
    assert "Removed: your comment on" in section
    assert "Reason: Advertising or spam" in section


def test_members_see_only_their_own_outcomes(client, people, post, make_comment, log_in):
    other = make_comment(post, people["caregiver"], "Someone else's", status="pending")
    log_in(people["admin"])
    client.post(f"/moderation/comments/{other.id}", data={"decision": "spam"})
    client.post("/logout")
    log_in(people["patient"])
    assert outcomes_section(client) == ""
    log_in(people["caregiver"])
    assert "Not published (marked as spam)" in outcomes_section(client)


def test_comments_nobody_needed_to_check_are_not_listed(client, people, post, make_comment, log_in):
    make_comment(post, people["patient"], "Approved on write")
    log_in(people["patient"])
    assert outcomes_section(client) == ""


def test_restricted_members_still_see_their_outcomes(client, people, post, make_comment, log_in):
    comment = make_comment(post, people["suspended"], "Before the pause", status="pending")
    log_in(people["admin"])
    client.post(
        f"/moderation/comments/{comment.id}", data={"decision": "reject", "reason": "off_topic"}
    )
    client.post("/logout")
    log_in(people["suspended"])
    section = outcomes_section(client)
    assert "Reason: Not about this post" in section
