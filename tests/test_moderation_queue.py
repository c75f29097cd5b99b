"""The moderation queue: an admin reads held comments in context and decides on them, one by one
or several at once, with JavaScript (htmx fragments) and without (plain forms), and can undo."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from portal.extensions import db
from portal.models import Comment, Flag, ModerationEvent, utcnow
from portal.moderation import queue
from portal.questions import lifecycle

from .helpers import HTMX, first_element, select_all, select_one, text_of, texts_of


def nav_count_out_of_band(html: str) -> str:
    """The held count an answer sends along for the navigation, swapped in out of band."""
    count = select_one(html, "span#moderation-nav-count")
    assert count["hx-swap-oob"] == "true"
    return text_of(count)


def queue_rows(html: str) -> list[str]:
    """The ids of the queue's rows, in order."""
    return [row["id"] for row in select_all(html, "li.panel.queue-item")]


def fresh(comment: Comment) -> Comment:
    db.session.expire_all()
    return db.session.get(Comment, comment.id)


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture()
def held(people, post, make_comment):
    """A clinician's approved answer, and a new patient's reply to it waiting in the queue."""
    answer = make_comment(post, people["clinician"], "Blood tests are monthly for four years.")
    reply = make_comment(
        post,
        people["patient"],
        "Can I skip one month while travelling?",
        parent=answer,
        status="pending",
        held_reason="New members' first comments are read by a moderator before they appear.",
    )
    return reply


def test_queue_shows_each_held_comment_with_its_post_parent_and_author_record(
    client, people, post, held, make_comment, log_in
):
    make_comment(post, people["patient"], "An earlier approved question.")
    make_comment(post, people["patient"], "Something rejected.", status="rejected")
    log_in(people["admin"])
    response = client.get("/moderation")
    html = response.get_data(as_text=True)
    words = text_of(html)
    assert response.status_code == 200
    assert text_of(html, "h1") == "Moderation queue"
    assert "Comment by RiverWalker on “Alemtuzumab: the long view”" in words
    assert "Can I skip one month while travelling?" in words
    assert "In reply to Helen Marsh" in words
    assert "Blood tests are monthly for four years." in words
    assert "Patient" in words  # role badge
    assert "Member for less than a day" in words
    assert "1 approved, 1 rejected" in words
    assert "Why it is held: New members' first comments" in words
    # Emails are for the members page only.
    assert people["patient"].email not in html
    # User-written HTML is inert to htmx.
    inert = select_all(html, ".comment__body.prose[hx-disable] > p:first-child")
    assert any(text_of(paragraph).startswith("Can I skip") for paragraph in inert)


def test_queue_lists_held_comments_oldest_first(client, people, post, make_comment, log_in):
    now = utcnow()
    newer = make_comment(post, people["patient"], "Newer question", status="pending")
    older = make_comment(
        post, people["caregiver"], "Older question", status="pending", created_at=now - timedelta(1)
    )
    log_in(people["admin"])
    html = client.get("/moderation").get_data(as_text=True)
    rows = queue_rows(html)
    assert rows.index(f"queue-item-{older.id}") < rows.index(f"queue-item-{newer.id}")


def test_queue_pages_read_urgent_then_reported_clinician_answers_then_oldest(
    client, people, post, make_comment, log_in
):
    # Each group is read on its own, in order, and the groups merged: paging through must give
    # every held comment once, in the order a moderator should read them.
    now = utcnow()
    oldest_first = [
        make_comment(
            post,
            people["patient"],
            f"Question {n}",
            status="pending",
            created_at=now - timedelta(hours=100 - n),
        )
        for n in range(queue.PER_PAGE + 3)
    ]
    urgent = [
        make_comment(
            post,
            people["caregiver"],
            f"I cannot go on {n}",
            status="pending",
            urgent=True,
            created_at=now - timedelta(minutes=10 - n),
        )
        for n in range(2)
    ]
    answer = make_comment(post, people["clinician"], "Keep taking it.", created_at=now)
    db.session.add(Flag(comment_id=answer.id, reporter_id=people["patient"].id, reason="other"))
    db.session.commit()
    log_in(people["admin"])

    first = queue_rows(client.get("/moderation").get_data(as_text=True))
    second = queue_rows(client.get("/moderation?page=2").get_data(as_text=True))

    assert len(first) == queue.PER_PAGE
    assert first + second == [f"queue-item-{c.id}" for c in [*urgent, answer, *oldest_first]]


def test_queue_for_htmx_is_the_panel_alone_with_the_nav_count_out_of_band(
    client, people, held, log_in
):
    log_in(people["admin"])
    response = client.get("/moderation?show=held", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    panel = first_element(html)
    assert (panel.name, panel["class"], panel["id"]) == ("div", ["queue-panel"], "queue-panel")
    assert nav_count_out_of_band(html) == "(1 held)"


@pytest.mark.parametrize(
    ("show", "expected", "not_expected"),
    [
        ("held", "Held one", "Spam one"),
        ("spam", "Spam one", "Held one"),
        ("rejected", "Rejected one", "Held one"),
        ("reported", "Reported one", "Held one"),
    ],
)
def test_queue_filters(client, people, post, make_comment, log_in, show, expected, not_expected):
    make_comment(post, people["patient"], "Held one", status="pending")
    make_comment(post, people["patient"], "Spam one", status="spam")
    make_comment(post, people["patient"], "Rejected one", status="rejected")
    make_comment(post, people["patient"], "Removed one", status="removed")
    reported = make_comment(post, people["patient"], "Reported one")
    db.session.add(
        Flag(comment_id=reported.id, reporter_id=people["caregiver"].id, reason="abusive")
    )
    db.session.commit()
    log_in(people["admin"])
    words = text_of(client.get(f"/moderation?show={show}").get_data(as_text=True))
    assert expected in words
    assert not_expected not in words
    if show == "rejected":
        assert "Removed one" in words


def test_reported_filter_shows_the_reasons_and_notes(client, people, post, make_comment, log_in):
    comment = make_comment(post, people["patient"], "Stop your treatment, it is poison.")
    db.session.add_all(
        [
            Flag(
                comment_id=comment.id,
                reporter_id=people["caregiver"].id,
                reason="misinformation",
                note="Dangerous advice.",
            ),
            Flag(comment_id=comment.id, reporter_id=people["clinician"].id, reason="other"),
        ]
    )
    db.session.commit()
    log_in(people["admin"])
    words = text_of(client.get("/moderation?show=reported").get_data(as_text=True))
    assert "Reports (2)" in words
    assert "Medical misinformation, from SteadyHand" in words
    assert "“Dangerous advice.”" in words
    assert "Something else, from Helen Marsh" in words
    assert "Approved, still visible" in words
    assert "Dismiss the reports" in words and "Remove" in words


def test_approve_with_a_plain_form_publishes_it_and_comes_back_to_the_queue(
    client, people, held, log_in
):
    log_in(people["admin"])
    response = client.post(f"/moderation/comments/{held.id}", data={"decision": "approve"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation"
    comment = fresh(held)
    assert comment.status == "approved"
    assert comment.moderated_by_id == people["admin"].id
    page = client.get("/moderation").get_data(as_text=True)
    assert "Approved: the comment by RiverWalker" in page  # flash
    assert not select_all(page, f"#queue-item-{held.id}")
    assert "(0 held)" in page
    post_page = client.get(f"/posts/{comment.post.slug}").get_data(as_text=True)
    assert "Can I skip one month while travelling?" in post_page


def test_approve_with_htmx_removes_the_row_and_updates_counts_out_of_band(
    client, people, held, log_in
):
    log_in(people["admin"])
    response = client.post(
        f"/moderation/comments/{held.id}",
        data={"decision": "approve", "show": "held", "page": "1"},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"queue-item-{held.id}" not in html  # nothing takes the row's place: it leaves
    assert nav_count_out_of_band(html) == "(0 held)"
    assert select_one(html, "#queue-tabs")["hx-swap-oob"] == "true"
    assert select_one(html, "#recently-moderated")["hx-swap-oob"] == "true"
    announcer = select_one(html, "div#announcer")
    assert announcer["hx-swap-oob"] == "innerHTML"
    assert announcer.get_text().startswith("Approved: the comment by RiverWalker")
    # The newest decision can be undone, and focus goes to its Undo button.
    undo = db.session.scalar(select(ModerationEvent).order_by(ModerationEvent.id.desc()))
    button = select_one(html, f'form[action="/moderation/decisions/{undo.id}/undo"] button')
    assert button["type"] == "submit" and button["class"] == ["link-button"]
    assert button.has_attr("autofocus") and text_of(button).startswith("Undo")
    assert fresh(held).status == "approved"


def test_reject_needs_a_reason_and_says_so_beside_the_field(client, people, held, log_in):
    log_in(people["admin"])
    response = client.post(f"/moderation/comments/{held.id}", data={"decision": "reject"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert text_of(html, "h1") == "Moderation queue"
    error = text_of(html, f"#c{held.id}-reason-error")
    assert error.startswith("Choose a reason, or write one, before rejecting.")
    assert fresh(held).status == "pending"


def test_reject_choosing_other_without_words_keeps_the_choice_and_asks_for_words(
    client, people, held, log_in
):
    log_in(people["admin"])
    response = client.post(
        f"/moderation/comments/{held.id}",
        data={"decision": "reject", "reason": "other", "reason_other": ""},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    row = first_element(html)
    assert (row.name, row["class"]) == ("li", ["panel", "queue-item"])
    assert row["id"] == f"queue-item-{held.id}"
    assert "Write the reason the author will see." in html
    assert select_one(html, 'option[value="other"]').has_attr("selected")


def test_reject_with_a_listed_reason(client, people, held, log_in):
    log_in(people["admin"])
    response = client.post(
        f"/moderation/comments/{held.id}",
        data={"decision": "reject", "reason": "off_topic"},
        headers=HTMX,
    )
    assert response.status_code == 200
    comment = fresh(held)
    assert comment.status == "rejected"
    assert comment.moderation_reason == "Not about this post"


def test_reject_with_written_words_keeps_them_when_too_long(client, people, held, log_in):
    log_in(people["admin"])
    too_long = "x" * 501
    response = client.post(
        f"/moderation/comments/{held.id}", data={"decision": "reject", "reason_other": too_long}
    )
    assert response.status_code == 422
    assert too_long in response.get_data(as_text=True)
    response = client.post(
        f"/moderation/comments/{held.id}",
        data={"decision": "reject", "reason": "abusive", "reason_other": "Please be kind."},
    )
    assert response.status_code == 303
    assert fresh(held).moderation_reason == "Please be kind."


def test_spam(client, people, held, log_in):
    log_in(people["admin"])
    response = client.post(f"/moderation/comments/{held.id}", data={"decision": "spam"})
    assert response.status_code == 303
    assert fresh(held).status == "spam"
    words = text_of(client.get("/moderation?show=spam").get_data(as_text=True))
    assert "Can I skip one month while travelling?" in words


def test_an_unknown_decision_is_refused_without_change(client, people, held, log_in):
    log_in(people["admin"])
    response = client.post(f"/moderation/comments/{held.id}", data={"decision": "delete"})
    assert response.status_code == 422
    assert "Choose approve, reject or spam." in response.get_data(as_text=True)
    assert fresh(held).status == "pending"


def test_a_comment_its_author_deleted_cannot_be_brought_back(
    client, people, post, make_comment, log_in
):
    tombstone = make_comment(post, people["patient"], "", status="deleted")
    log_in(people["admin"])
    response = client.post(f"/moderation/comments/{tombstone.id}", data={"decision": "approve"})
    assert response.status_code == 422
    assert "Its author has deleted this comment." in response.get_data(as_text=True)
    client.post("/moderation/bulk", data={"comment_ids": [tombstone.id], "decision": "approve"})
    assert fresh(tombstone).status == "deleted"


def test_deciding_on_a_missing_comment_is_404(client, people, log_in):
    log_in(people["admin"])
    assert client.post("/moderation/comments/999", data={"decision": "approve"}).status_code == 404


def test_removing_a_reported_comment_keeps_its_replies_in_the_thread(
    client, people, post, make_comment, log_in
):
    comment = make_comment(post, people["caregiver"], "Questionable advice.")
    make_comment(post, people["patient"], "A reply to it.", parent=comment)
    db.session.add(Flag(comment_id=comment.id, reporter_id=people["patient"].id, reason="spam"))
    db.session.commit()
    log_in(people["admin"])
    response = client.post(
        f"/moderation/comments/{comment.id}",
        data={"decision": "reject", "reason": "misinformation", "show": "reported"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation?show=reported"
    assert fresh(comment).status == "removed"
    flag = db.session.scalar(select(Flag))
    assert flag.resolved_at is not None  # the report is dealt with
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "[removed by a moderator]" in page and "A reply to it." in page
    assert "Questionable advice." not in page


def test_bulk_approve_with_a_plain_form(client, people, post, make_comment, log_in):
    first = make_comment(post, people["patient"], "One", status="pending")
    second = make_comment(post, people["caregiver"], "Two", status="pending")
    third = make_comment(post, people["caregiver"], "Three", status="pending")
    log_in(people["admin"])
    page = client.get("/moderation").get_data(as_text=True)
    # The boxes sit in the rows and belong to the form for several rows.
    box = select_one(page, f'li.queue-item input[name="comment_ids"][value="{first.id}"]')
    assert box["form"] == "bulk-form"
    assert select_all(page, "#bulk-form")
    response = client.post(
        "/moderation/bulk",
        data={"comment_ids": [first.id, second.id], "decision": "approve"},
    )
    assert response.status_code == 303
    assert [fresh(c).status for c in (first, second, third)] == ["approved", "approved", "pending"]
    assert "Approved 2 comments." in client.get("/moderation").get_data(as_text=True)
    actions = db.session.scalars(select(ModerationEvent.action)).all()
    assert actions == ["approve", "approve"]


def test_bulk_reject_with_htmx_answers_with_the_panel(client, people, post, make_comment, log_in):
    first = make_comment(post, people["patient"], "One", status="pending")
    second = make_comment(post, people["caregiver"], "Two", status="pending")
    log_in(people["admin"])
    response = client.post(
        "/moderation/bulk",
        data={"comment_ids": [first.id, second.id], "decision": "reject", "reason": "abusive"},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert select_all(html, "#queue-panel") and "<html" not in html
    assert "Rejected 2 comments." in html
    assert nav_count_out_of_band(html) == "(0 held)"
    assert {fresh(first).status, fresh(second).status} == {"rejected"}
    assert fresh(first).moderation_reason == "Unkind or abusive"


def test_bulk_reject_without_a_reason_keeps_the_ticks(client, people, post, make_comment, log_in):
    first = make_comment(post, people["patient"], "One", status="pending")
    log_in(people["admin"])
    response = client.post(
        "/moderation/bulk", data={"comment_ids": [first.id], "decision": "reject"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a reason, or write one, before rejecting." in html
    box = select_one(html, f'input[value="{first.id}"][form="bulk-form"]')
    assert box.has_attr("checked")
    assert fresh(first).status == "pending"


def test_bulk_with_nothing_ticked_says_so(client, people, held, log_in):
    log_in(people["admin"])
    response = client.post("/moderation/bulk", data={"decision": "approve"}, headers=HTMX)
    assert response.status_code == 422
    assert "Select at least one comment first." in response.get_data(as_text=True)


def test_undo_puts_the_comment_back_and_is_logged(client, people, held, log_in):
    log_in(people["admin"])
    client.post(f"/moderation/comments/{held.id}", data={"decision": "reject", "reason": "abusive"})
    decision = db.session.scalar(select(ModerationEvent))
    page = client.get("/moderation").get_data(as_text=True)
    assert "Recently moderated" in page
    assert select_all(page, f'[action="/moderation/decisions/{decision.id}/undo"]')
    response = client.post(f"/moderation/decisions/{decision.id}/undo", data={"show": "held"})
    assert response.status_code == 303
    comment = fresh(held)
    assert comment.status == "pending"
    assert comment.moderation_reason == ""
    assert select_all(client.get("/moderation"), f"#queue-item-{held.id}")
    undo = db.session.scalar(select(ModerationEvent).where(ModerationEvent.action == "undo"))
    assert (undo.from_status, undo.to_status) == ("rejected", "pending")
    # The original event is untouched: the log only grows.
    db.session.refresh(decision)
    assert (decision.action, decision.from_status, decision.to_status) == (
        "reject",
        "pending",
        "rejected",
    )


def test_undo_with_htmx_answers_with_the_panel_holding_the_row_again(client, people, held, log_in):
    log_in(people["admin"])
    client.post(f"/moderation/comments/{held.id}", data={"decision": "approve"}, headers=HTMX)
    decision = db.session.scalar(select(ModerationEvent))
    response = client.post(
        f"/moderation/decisions/{decision.id}/undo", data={"show": "held"}, headers=HTMX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert select_all(html, f"#queue-item-{held.id}")
    assert "Undone. The comment is back as it was." in html
    assert nav_count_out_of_band(html) == "(1 held)"
    # The live region no longer holds the decision undone: the panel's status line says it.
    announcer = select_one(html, "#announcer")
    assert announcer["hx-swap-oob"] == "innerHTML" and announcer.get_text() == ""


def test_only_the_latest_decision_can_be_undone_and_only_once(client, people, held, log_in):
    log_in(people["admin"])
    client.post(f"/moderation/comments/{held.id}", data={"decision": "approve"})
    decision = db.session.scalar(select(ModerationEvent))
    assert client.post(f"/moderation/decisions/{decision.id}/undo").status_code == 303
    again = client.post(f"/moderation/decisions/{decision.id}/undo")
    assert again.status_code == 422
    assert "cannot be undone any more" in again.get_data(as_text=True)
    assert fresh(held).status == "pending"


def test_undo_reopens_the_reports_a_decision_closed(client, people, post, make_comment, log_in):
    comment = make_comment(post, people["patient"], "Reported words.")
    db.session.add(Flag(comment_id=comment.id, reporter_id=people["caregiver"].id, reason="spam"))
    db.session.commit()
    log_in(people["admin"])
    client.post(f"/moderation/comments/{comment.id}", data={"decision": "approve"})
    assert db.session.scalar(select(Flag.resolved_at)) is not None
    decision = db.session.scalar(select(ModerationEvent))
    client.post(f"/moderation/decisions/{decision.id}/undo")
    db.session.expire_all()
    assert db.session.scalar(select(Flag.resolved_at)) is None
    assert "Reported words." in client.get("/moderation?show=reported").get_data(as_text=True)


def _answered_then_removed(client, people, post, make_comment, log_in):
    question = make_comment(post, people["patient"], "Does the rash pass?")
    answer = make_comment(post, people["clinician"], "It settles in a week.", parent=question)
    lifecycle.mark_answer(answer, people["clinician"])
    db.session.commit()
    log_in(people["admin"])
    client.post(
        f"/moderation/comments/{answer.id}", data={"decision": "reject", "reason": "off_topic"}
    )
    db.session.expire_all()
    assert (question.question_state, question.answer_id) == ("waiting", None)
    removal = db.session.scalar(
        select(ModerationEvent).where(
            ModerationEvent.target_type == "comment", ModerationEvent.target_id == answer.id
        )
    )
    return question, answer, removal


def test_undoing_the_removal_of_an_answer_makes_it_the_answer_again(
    client, people, post, make_comment, log_in
):
    question, answer, removal = _answered_then_removed(client, people, post, make_comment, log_in)
    client.post(f"/moderation/decisions/{removal.id}/undo")
    db.session.expire_all()
    assert (question.question_state, question.answer_id) == ("answered", answer.id)
    assert answer.kind == "answer" and answer.status == "approved"
    logged = db.session.scalars(
        select(ModerationEvent.action).where(ModerationEvent.target_type == "question")
    ).all()
    assert logged[-2:] == ["answer_withdrawn", "answer_returned"]
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "Clinician's answer" in page


def test_undoing_the_removal_leaves_a_question_answered_since_by_another_reply(
    client, people, post, make_comment, log_in
):
    question, answer, removal = _answered_then_removed(client, people, post, make_comment, log_in)
    other = make_comment(post, people["clinician"], "Cool compresses help.", parent=question)
    lifecycle.mark_answer(other, people["clinician"])
    db.session.commit()
    client.post(f"/moderation/decisions/{removal.id}/undo")
    db.session.expire_all()
    assert (question.question_state, question.answer_id) == ("answered", other.id)
    assert answer.status == "approved" and answer.kind == "reply"


def test_undo_of_a_missing_decision_is_404(client, people, log_in):
    log_in(people["admin"])
    assert client.post("/moderation/decisions/12345/undo").status_code == 404


def test_queue_page_costs_the_same_statements_however_long_it_is(
    app, client, people, post, make_user, make_comment, log_in
):
    # The navigation's count of waiting questions, counted afresh on both pages alike.
    app.config["QUESTION_COUNTS_SECONDS"] = 0

    def add_held_reply() -> None:
        author = make_user("patient")
        parent = make_comment(post, people["clinician"], "An answer.")
        comment = make_comment(post, author, "A held reply.", parent=parent, status="pending")
        db.session.add(
            Flag(comment_id=comment.id, reporter_id=people["caregiver"].id, reason="spam")
        )
        db.session.commit()

    add_held_reply()
    log_in(people["admin"])
    client.get("/moderation")  # warm up: nothing first-time-only is counted
    with counted_statements() as few:
        assert client.get("/moderation").status_code == 200
    for _ in range(12):
        add_held_reply()
    with counted_statements() as many:
        html = client.get("/moderation").get_data(as_text=True)
    assert len(queue_rows(html)) == 13
    assert len(many) == len(few), "the queue must not query per row"


def test_navigation_shows_the_held_count_to_admins_only(client, people, held, log_in):
    assert "moderation-nav-count" not in client.get("/").get_data(as_text=True)
    log_in(people["clinician"])
    assert "moderation-nav-count" not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    log_in(people["admin"])
    html = client.get("/").get_data(as_text=True)
    count = select_one(html, "span#moderation-nav-count")
    assert count["class"] == ["count"] and text_of(count) == "(1 held)"
    link = count.parent
    assert (link.name, link["href"], text_of(link)) == ("a", "/moderation", "Moderation (1 held)")
    assert "Members" in texts_of(html, 'a[href="/moderation/users"]')
    assert "Audit log" in texts_of(html, 'a[href="/moderation/log"]')


def test_the_nav_count_is_one_query(client, people, held, log_in):
    log_in(people["admin"])
    client.get("/privacy")
    with counted_statements() as statements:
        client.get("/privacy")
    counting = [s for s in statements if "count(" in s.lower() and "comments" in s.lower()]
    assert len([s for s in counting if "flags" in s.lower()]) == 1


@pytest.mark.parametrize("role", ["patient", "caregiver", "clinician", "suspended"])
def test_the_queue_and_its_actions_are_for_admins(client, people, held, log_in, role):
    log_in(people[role])
    assert client.get("/moderation").status_code == 403
    assert client.get("/moderation", headers=HTMX).status_code == 403
    response = client.post(f"/moderation/comments/{held.id}", data={"decision": "approve"})
    assert response.status_code == 403
    assert client.post("/moderation/bulk", data={"comment_ids": [held.id]}).status_code == 403
    assert fresh(held).status == "pending"


def test_visitors_are_sent_to_log_in(client, held):
    response = client.get("/moderation")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/moderation")
    htmx = client.post(
        f"/moderation/comments/{held.id}", data={"decision": "approve"}, headers=HTMX
    )
    assert htmx.status_code == 401
    assert htmx.headers["HX-Redirect"].startswith("/login")


@pytest.mark.parametrize(
    ("days", "words"),
    [(0, "less than a day"), (1, "1 day"), (20, "20 days"), (75, "2 months"), (800, "2 years")],
)
def test_account_age_in_plain_words(days, words):
    from portal.moderation import account_age

    now = utcnow()
    assert account_age(now - timedelta(days=days, hours=1), now) == words
