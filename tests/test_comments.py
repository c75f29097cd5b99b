"""Writing in a discussion: with htmx and without, and every way it can go wrong."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Comment, utcnow

from .helpers import HTMX, select_all, select_one, text_of, texts_of, value_of

COMMENT_BODY = "form#comment-form textarea[name=body]"


def comments_in_db() -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def count_comments() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


@pytest.fixture()
def trusted_patient(people, post, make_comment):
    """A patient with an approved comment already, so the first-comment hold does not apply."""
    make_comment(post, people["patient"], "An earlier approved question")
    return people["patient"]


# --- a new top-level comment -------------------------------------------------------------


def test_visitor_sees_the_invitation_and_comes_back_after_login(client, post, people):
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "to join the discussion." in html
    login_link = f"/login?next=/posts/{post.slug}%23comments"
    assert login_link in html
    response = client.post(
        "/login",
        data={
            "email": people["patient"].email,
            "password": "correct horse battery",
            "next": f"/posts/{post.slug}#comments",
        },
    )
    assert response.headers["Location"] == f"/posts/{post.slug}#comments"


def test_logged_in_member_sees_leave_a_reply(client, post, people, log_in):
    log_in(people["caregiver"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    form = select_one(html, "form#comment-form")
    assert "Leave a reply" in html
    assert form["action"] == form["hx-post"] == f"/posts/{post.slug}/comments"


def test_posting_without_js_redirects_to_the_permalink(client, post, trusted_patient, log_in):
    log_in(trusted_patient)
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Does it cause *fatigue*?", "kind": "question"},
    )
    assert response.status_code == 303
    new = comments_in_db()[-1]
    assert response.headers["Location"] == f"/posts/{post.slug}#comment-{new.id}"
    assert new.status == "approved" and new.root_id == new.id
    assert new.body_source == "Does it cause *fatigue*?"
    assert new.body_html == "<p>Does it cause <em>fatigue</em>?</p>"


def test_posting_with_htmx_returns_the_comment_count_and_announcement(
    client, post, trusted_patient, log_in
):
    log_in(trusted_patient)
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "A question about infusions", "kind": "question"},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    new = comments_in_db()[-1]
    assert response.status_code == 201
    assert response.headers["HX-Retarget"] == "#thread-list"
    assert response.headers["HX-Reswap"] == "beforeend"
    assert "<html" not in html
    item = select_one(html, f"#comment-{new.id}")
    assert item["tabindex"] == "-1" and item.has_attr("autofocus")  # focus moves to it
    count = select_one(html, "span#comment-count")
    assert count["hx-swap-oob"] == "innerHTML" and text_of(count) == "(2 comments)"
    announcer = select_one(html, "div#announcer")
    assert announcer["hx-swap-oob"] == "innerHTML"
    assert announcer.get_text() == "Your comment is posted."
    # The top-level form comes back empty, ready for the next comment.
    assert select_one(html, "#comment-form")["hx-swap-oob"] == "true"
    assert all("A question about infusions" not in kept for kept in texts_of(html, "textarea"))


def test_a_new_members_comment_is_held_and_says_so(client, post, people, log_in):
    log_in(people["patient"])
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "My first question", "kind": "question"},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 201
    assert comments_in_db()[-1].status == "pending"
    assert "Awaiting moderation — only you can see this." in html
    assert "awaiting moderation. Only you can see it for now." in html
    assert "(0 comments)" in html


# --- replies -------------------------------------------------------------------------------


def test_reply_link_works_without_js_and_loads_inline_with_htmx(
    client, post, people, make_comment, log_in
):
    question = make_comment(post, people["caregiver"], "How do I help my partner?")
    log_in(people["patient"])
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    reply_href = f"/posts/{post.slug}?replytocom={question.id}#reply-form-{question.id}"
    reply_link = select_one(page, f'a[href="{reply_href}"]')
    assert reply_link["hx-get"] == f"/comments/{question.id}/reply"
    assert reply_link["hx-target"] == f"#reply-slot-{question.id}"

    no_js = client.get(f"/posts/{post.slug}?replytocom={question.id}").get_data(as_text=True)
    slot = select_one(no_js, f"#reply-slot-{question.id}")
    assert slot.find(True)["id"] == f"reply-form-{question.id}"  # the slot opens with the form
    assert "Reply to SteadyHand" in text_of(slot)
    cancel = f'a[href="/posts/{post.slug}#comment-{question.id}"]'
    assert texts_of(slot, cancel) == ["Cancel reply"]  # Cancel reply, a link
    assert "Leave a reply to the post instead" in no_js

    plain = client.get(f"/comments/{question.id}/reply")
    assert plain.status_code == 302 and f"replytocom={question.id}" in plain.headers["Location"]

    fragment = client.get(f"/comments/{question.id}/reply", headers=HTMX)
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text
    assert "Reply to SteadyHand" in text and "Cancel reply" in text
    assert select_all(text, f'input[name="parent_id"][value="{question.id}"]')
    assert "autofocus" in text

    cancel = client.get(f"/comments/{question.id}/reply/cancel", headers=HTMX)
    assert cancel.status_code == 200 and cancel.get_data(as_text=True) == ""
    assert client.get(f"/comments/{question.id}/reply/cancel").status_code == 302


def test_htmx_reply_request_from_a_visitor_redirects_the_whole_page_to_login(
    client, post, people, make_comment
):
    question = make_comment(post, people["caregiver"])
    headers = {**HTMX, "HX-Current-URL": f"http://localhost/posts/{post.slug}"}
    response = client.get(f"/comments/{question.id}/reply", headers=headers)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == f"/login?next=/posts/{post.slug}"
    posted = client.post(f"/posts/{post.slug}/comments", data={"body": "x"}, headers=headers)
    # Text sent without a session stays on the page, in a login form (test_nothing_lost.py).
    assert posted.status_code == 401 and "data-session-ended" in posted.get_data(as_text=True)
    assert count_comments() == 1


def test_posting_a_reply_with_htmx_lands_under_its_parent(
    client, post, people, make_comment, log_in
):
    question = make_comment(post, people["caregiver"], "Thyroid checks?")
    log_in(people["clinician"])
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Every month, by blood test.", "parent_id": question.id},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    reply = comments_in_db()[-1]
    assert response.status_code == 201
    assert reply.parent_id == question.id and reply.root_id == question.id
    assert reply.status == "approved"  # clinicians skip pre-moderation
    assert response.headers["HX-Retarget"] == f"#replies-{question.id}"
    slot = select_one(html, f"div#reply-slot-{question.id}")
    assert slot.attrs == {
        "class": ["reply-slot"],
        "id": f"reply-slot-{question.id}",
        "hx-swap-oob": "true",
    }
    assert not slot.contents
    assert "Your reply is posted." in html
    # A clinician's reply is a clinician's words, not yet an answer: the badge alone, and the
    # button that would make it the answer.
    assert reply.kind == "reply" and "Clinician's answer" not in text_of(html)
    assert "badge--clinician" in html and "Mark as the answer" in text_of(html)


def test_a_reply_to_the_deepest_level_is_swapped_beside_its_parent(
    client, post, people, make_comment, log_in
):
    parent = None
    for _ in range(4):
        parent = make_comment(post, people["caregiver"], "deeper", parent=parent)
    log_in(people["clinician"])
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "At the cap", "parent_id": parent.id},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == f"#replies-{parent.parent_id}"
    assert "depth-4" in html and "in reply to SteadyHand" in html


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something before posting."),
        ("   \n\t  ", "Write something before posting."),
        ("x" * 5001, "at most 5,000 characters; this one has 5,001"),
    ],
)
def test_bad_bodies_are_explained_and_the_text_kept(
    client, post, trusted_patient, log_in, body, message
):
    log_in(trusted_patient)
    before = count_comments()
    plain = client.post(f"/posts/{post.slug}/comments", data={"body": body, "kind": "question"})
    assert plain.status_code == 422
    html = plain.get_data(as_text=True)
    assert message in html
    assert value_of(html, COMMENT_BODY) == body
    assert select_one(html, COMMENT_BODY)["aria-invalid"] == "true"

    fragment = client.post(
        f"/posts/{post.slug}/comments", data={"body": body, "kind": "question"}, headers=HTMX
    )
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 422
    assert fragment.headers["HX-Retarget"] == "#comment-form"
    assert fragment.headers["HX-Reswap"] == "outerHTML"
    assert "<html" not in text and message in text and value_of(text, COMMENT_BODY) == body
    assert count_comments() == before


def test_an_inline_reply_error_replaces_only_that_form(client, post, people, make_comment, log_in):
    question = make_comment(post, people["caregiver"])
    log_in(people["clinician"])
    response = client.post(
        f"/posts/{post.slug}/comments", data={"body": " ", "parent_id": question.id}, headers=HTMX
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#reply-form-{question.id}"
    html = response.get_data(as_text=True)
    assert "Reply to SteadyHand" in html and "Write something before posting." in html

    plain = client.post(
        f"/posts/{post.slug}/comments", data={"body": " ", "parent_id": question.id}
    ).get_data(as_text=True)
    slot = select_one(plain, f"#reply-slot-{question.id}")
    assert "Write something before posting." in text_of(slot)


def test_a_parent_from_another_post_is_refused(client, make_post, people, make_comment, log_in):
    here, there = make_post("Here"), make_post("There")
    elsewhere = make_comment(there, people["caregiver"])
    log_in(people["clinician"])
    response = client.post(
        f"/posts/{here.slug}/comments", data={"body": "Answer", "parent_id": elsewhere.id}
    )
    assert response.status_code == 422
    assert "no longer available" in response.get_data(as_text=True)
    assert count_comments() == 1


def test_a_parent_the_writer_cannot_see_is_refused(client, post, people, make_comment, log_in):
    hidden = make_comment(post, people["caregiver"], status="pending")
    log_in(people["clinician"])
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Answer", "parent_id": hidden.id},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert count_comments() == 1


def test_closed_comments_are_refused_and_the_text_kept(client, post, trusted_patient, log_in):
    post.comments_open = False
    db.session.commit()
    log_in(trusted_patient)
    response = client.post(
        f"/posts/{post.slug}/comments", data={"body": "Still there?", "kind": "discussion"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Comments are closed on this post." in html
    assert value_of(html, COMMENT_BODY) == "Still there?"
    assert count_comments() == 1


def test_a_suspended_member_is_told_why_and_until_when(client, post, people, log_in):
    log_in(people["suspended"])
    response = client.post(f"/posts/{post.slug}/comments", data={"body": "Let me in"})
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Your account is suspended until" in html
    assert "Repeated off-topic posting" in html
    assert value_of(html, COMMENT_BODY) == "Let me in"
    fragment = client.post(f"/posts/{post.slug}/comments", data={"body": "Let me in"}, headers=HTMX)
    assert fragment.status_code == 403 and "Your account is suspended" in fragment.get_data(
        as_text=True
    )
    assert count_comments() == 0


def test_comments_on_drafts_and_missing_posts_are_404(client, make_post, people, log_in):
    draft = make_post("Draft", status="draft", published_at=None)
    log_in(people["patient"])
    assert client.post(f"/posts/{draft.slug}/comments", data={"body": "x"}).status_code == 404
    assert client.post("/posts/nothing-here/comments", data={"body": "x"}).status_code == 404
    assert client.get("/comments/999999/reply", headers=HTMX).status_code == 404


def test_a_block_word_rejects_the_comment_and_keeps_the_text(client, post, trusted_patient, log_in):
    from portal.moderation.rules import current_settings

    current_settings().block_words = "miracle cure"
    db.session.commit()
    log_in(trusted_patient)
    response = client.post(
        f"/posts/{post.slug}/comments", data={"body": "A MIRACLE CURE!", "kind": "discussion"}
    )
    assert response.status_code == 422
    assert "not posted" in response.get_data(as_text=True)
    assert value_of(response, COMMENT_BODY) == "A MIRACLE CURE!"


# --- editing and deleting one's own comments -------------------------------------------------


def test_author_edits_within_fifteen_minutes_with_and_without_js(
    client, post, people, make_comment, log_in
):
    comment = make_comment(post, people["patient"], "Frist try")
    log_in(people["patient"])
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert select_all(page, f'a[href="/comments/{comment.id}/edit"]')

    form = client.get(f"/comments/{comment.id}/edit", headers=HTMX).get_data(as_text=True)
    assert "<html" not in form and value_of(form, "textarea[name=body]") == "Frist try"
    assert client.get(f"/comments/{comment.id}/edit").status_code == 200  # a page without JS

    response = client.post(f"/comments/{comment.id}/edit", data={"body": "First try"}, headers=HTMX)
    assert response.status_code == 200
    assert "First try" in response.get_data(as_text=True)
    assert "(edited)" in response.get_data(as_text=True)
    plain = client.post(f"/comments/{comment.id}/edit", data={"body": "First try, again"})
    assert plain.status_code == 303
    edited = comments_in_db()[0]
    assert edited.body_source == "First try, again" and edited.edited_at is not None


def test_editing_sends_an_untrusted_authors_comment_back_to_moderation(
    client, post, people, make_comment, log_in
):
    comment = make_comment(post, people["patient"], "Approved once")
    log_in(people["patient"])
    client.post(f"/comments/{comment.id}/edit", data={"body": "Now with other words"})
    assert comments_in_db()[0].status == "pending"


def test_a_bad_edit_is_explained_and_kept(client, post, people, make_comment, log_in):
    comment = make_comment(post, people["patient"], "Fine words")
    log_in(people["patient"])
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "  "}, headers=HTMX)
    assert response.status_code == 422
    assert "Write something before posting." in response.get_data(as_text=True)
    assert comments_in_db()[0].body_source == "Fine words"


def test_editing_after_the_window_or_someone_elses_comment_is_refused(
    client, post, people, make_comment, log_in
):
    old = make_comment(
        post, people["patient"], "Old words", created_at=utcnow() - timedelta(minutes=16)
    )
    theirs = make_comment(post, people["caregiver"], "Their words")
    log_in(people["patient"])
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert not select_all(page, f'[href="/comments/{old.id}/edit"]')
    # Too late: refused, but said plainly with the text kept (tests/test_nothing_lost.py).
    assert client.post(f"/comments/{old.id}/edit", data={"body": "New"}).status_code == 422
    assert client.get(f"/comments/{old.id}/edit").status_code == 403
    assert client.post(f"/comments/{theirs.id}/edit", data={"body": "Mine now"}).status_code == 403
    assert client.post(f"/comments/{theirs.id}/delete").status_code == 403
    bodies = [c.body_source for c in comments_in_db()]
    assert bodies == ["Old words", "Their words"]


def test_deleting_a_comment_without_replies_removes_it(client, post, people, make_comment, log_in):
    comment = make_comment(post, people["patient"], "Delete me")
    log_in(people["patient"])
    confirm = client.get(f"/comments/{comment.id}/delete").get_data(as_text=True)
    assert "Delete your comment?" in confirm and "Delete me" in confirm
    response = client.post(f"/comments/{comment.id}/delete", headers=HTMX)
    html = response.get_data(as_text=True)
    gone = select_one(html, f"li#comment-{comment.id}")
    assert gone.attrs == {"id": f"comment-{comment.id}", "hx-swap-oob": "delete"}
    assert not gone.contents
    assert "Your comment is deleted." in html
    assert comments_in_db() == []


def test_deleting_a_comment_with_replies_leaves_deleted_in_place(
    client, post, people, make_comment, log_in
):
    comment = make_comment(post, people["patient"], "Delete me")
    make_comment(post, people["clinician"], "But I answered", parent=comment)
    log_in(people["patient"])
    response = client.post(f"/comments/{comment.id}/delete")
    assert response.status_code == 303
    kept = comments_in_db()[0]
    assert kept.status == "deleted" and kept.body_source == "" and kept.body_html == ""
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "[deleted]" in html and "But I answered" in html and "Delete me" not in html


def test_comment_permalink_route_and_card_fragment(client, post, people, make_comment):
    comment = make_comment(post, people["patient"], "Linkable")
    plain = client.get(f"/comments/{comment.id}")
    assert plain.status_code == 302
    assert plain.headers["Location"] == f"/posts/{post.slug}#comment-{comment.id}"
    card = client.get(f"/comments/{comment.id}", headers=HTMX).get_data(as_text=True)
    assert select_all(card, f"#comment-card-{comment.id}") and "Linkable" in card
    pending = make_comment(post, people["patient"], "Not public", status="pending")
    assert client.get(f"/comments/{pending.id}", headers=HTMX).status_code == 404


def test_a_closed_post_says_so_instead_of_offering_the_form(client, post, people, log_in):
    post.comments_open = False
    db.session.commit()
    log_in(people["patient"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "Comments are closed on this post." in html
    assert "Leave a reply" not in html
