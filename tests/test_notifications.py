"""Who is told what: replies, answers, moderation outcomes, reports and account actions, in the
portal (the notifications page, the header count) and by email, and what nobody is told.

Events are acted out through the test client as members and moderators would; the database
says who was told, and the notifications page and the rendered emails say what they read.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.mail.render import render_email, render_parts
from portal.models import Comment, Flag, Notification, OutgoingEmail, User, utcnow
from portal.moderation import decisions, members
from portal.notifications import service, tasks
from portal.questions import lifecycle

from .helpers import HTMX, select_all, select_one, text_of, texts_of


def told(user: User, kind: str | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def emails_to(user: User, template: str | None = None) -> list[OutgoingEmail]:
    query = select(OutgoingEmail).where(OutgoingEmail.user_id == user.id)
    if template:
        query = query.where(OutgoingEmail.template == template)
    return list(db.session.scalars(query.order_by(OutgoingEmail.id)))


def all_notifications() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)) or 0


def reply_as(client, log_in, user: User, post, body: str, parent: Comment | None = None):
    log_in(user)
    data = {"body": body}
    if parent is not None:
        data["parent_id"] = str(parent.id)
    response = client.post(f"/posts/{post.slug}/comments", data=data)
    client.post("/logout")
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()


def trusted(make_comment, post, user: User) -> User:
    """A member with an approved comment already, so the next one is published at once."""
    make_comment(post, user, "An earlier approved comment.")
    return user


@pytest.fixture()
def question(make_comment, post, people):
    return make_comment(post, people["patient"], "Does the fatigue settle after a dose?")


# --- a direct reply and a clinician's answer -----------------------------------------------------


def test_a_direct_reply_tells_the_author_of_the_comment_it_answers(
    client, log_in, people, post, question, make_comment
):
    trusted(make_comment, post, people["caregiver"])
    reply = reply_as(client, log_in, people["caregiver"], post, "Mine did, slowly.", question)
    assert reply.status == "approved"
    [notification] = told(people["patient"])
    assert (notification.kind, notification.comment_id) == ("reply", reply.id)
    [email] = emails_to(people["patient"])
    assert (email.template, email.notification_id, email.status) == (
        "reply",
        notification.id,
        "queued",
    )


def test_a_clinicians_reply_is_a_reply_until_it_is_marked_as_the_answer(
    client, log_in, people, post, question
):
    answer = reply_as(client, log_in, people["clinician"], post, "Usually within weeks.", question)
    assert [(n.kind, n.comment_id) for n in told(people["patient"])] == [("reply", answer.id)]
    [queued] = emails_to(people["patient"])
    lifecycle.mark_answer(answer, people["clinician"])
    db.session.commit()
    # One act, one message: the unread reply notice (and its unsent email) became the answer.
    assert [(n.kind, n.comment_id) for n in told(people["patient"])] == [("answer", answer.id)]
    assert [email.template for email in emails_to(people["patient"])] == ["answer"]
    assert render_parts(queued).subject == "A clinician answered your question on Treatment Talk"
    log_in(people["patient"])
    page = client.get("/notifications")
    assert (
        "Helen Marsh, a clinician, answered your question on “Alemtuzumab: the long view”."
        in (texts_of(page, ".notification__headline")[0])
    )
    told_answer = next(n for n in told(people["patient"]) if n.kind == "answer")
    link = select_one(page, f"#notification-{told_answer.id} a.action")
    assert (text_of(link), link["href"]) == ("Read the answer", f"/comments/{answer.id}")
    assert client.get(link["href"]).headers["Location"].endswith(f"#comment-{answer.id}")


def test_an_answer_marked_after_the_reply_was_read_is_a_notice_of_its_own(
    client, log_in, people, post, question
):
    answer = reply_as(client, log_in, people["clinician"], post, "Usually within weeks.", question)
    service.mark_all_read(people["patient"])
    lifecycle.mark_answer(answer, people["clinician"])
    db.session.commit()
    kinds = sorted(n.kind for n in told(people["patient"]))
    assert kinds == ["answer", "reply"]


def test_a_marked_answer_to_a_follow_up_tells_the_asker_once_and_the_other_writer(
    client, log_in, people, post, question, make_comment
):
    follow_up = make_comment(post, people["caregiver"], "Same here.", parent=question)
    answer = reply_as(client, log_in, people["clinician"], post, "It settles.", follow_up)
    assert told(people["patient"]) == []  # not an answer yet: the asker hears when it is marked
    lifecycle.mark_answer(answer, people["clinician"])
    db.session.commit()
    assert [n.kind for n in told(people["patient"])] == ["answer"]
    assert [(n.kind, n.comment_id) for n in told(people["caregiver"])] == [("reply", answer.id)]


def test_nobody_is_told_of_their_own_reply(client, log_in, people, post, question, make_comment):
    trusted(make_comment, post, people["patient"])
    reply_as(client, log_in, people["patient"], post, "Answering myself.", question)
    assert told(people["patient"]) == []
    assert emails_to(people["patient"]) == []


# --- held comments: approved, not published, spam ---------------------------------------------


def moderate(client, log_in, admin: User, comment: Comment, decision: str, **form):
    log_in(admin)
    response = client.post(
        f"/moderation/comments/{comment.id}", data={"decision": decision, **form}
    )
    client.post("/logout")
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def test_a_held_reply_tells_nobody_until_it_is_approved(client, log_in, people, post, question):
    held = reply_as(client, log_in, people["caregiver"], post, "My first words here.", question)
    assert held.status == "pending"
    assert all_notifications() == 0  # nobody learns of another member's pending comment
    moderate(client, log_in, people["admin"], held, "approve")
    assert [(n.kind, n.comment_id) for n in told(people["patient"])] == [("reply", held.id)]
    [approved] = told(people["caregiver"])
    assert (approved.kind, approved.comment_id) == ("comment_approved", held.id)
    assert told(people["admin"]) == []  # the moderator is not told of their own action


def test_a_rejected_comment_tells_its_author_alone_with_the_reason_and_their_text(
    client, log_in, people, post, question
):
    held = reply_as(client, log_in, people["caregiver"], post, "Try this supplement.", question)
    moderate(
        client, log_in, people["admin"], held, "reject", reason_other="Please ask your team first."
    )
    assert told(people["patient"]) == []  # the reply they never saw stays unknown to them
    [notice] = told(people["caregiver"])
    assert (notice.kind, notice.detail) == ("comment_not_published", "Please ask your team first.")
    [email] = emails_to(people["caregiver"])
    assert email.template == "comment_not_published"
    log_in(people["caregiver"])
    listed = client.get("/notifications")
    assert "was not published. Reason: Please ask your team first." in text_of(
        listed, f"#notification-{notice.id}"
    )
    link = select_one(listed, f"#notification-{notice.id} a.action")
    assert link["href"] == f"/notifications/{notice.id}"
    alone = client.get(link["href"])
    assert alone.status_code == 200
    assert "Try this supplement." in text_of(alone, ".notification__text")
    assert select_one(alone, "details.notification__text").has_attr("open")


def test_spam_tells_nobody(client, log_in, people, post, question):
    held = reply_as(client, log_in, people["caregiver"], post, "Cheap pills here.", question)
    moderate(client, log_in, people["admin"], held, "spam")
    assert all_notifications() == 0


def test_bulk_approval_announces_every_comment(client, log_in, people, post, question, make_user):
    writers = [make_user("patient") for _ in range(3)]
    held = [reply_as(client, log_in, w, post, "A reply", question) for w in writers]
    decisions.moderate_many([c.id for c in held], people["admin"], "approve")
    assert sorted(n.comment_id for n in told(people["patient"], "reply")) == [c.id for c in held]
    for writer in writers:
        assert [n.kind for n in told(writer)] == ["comment_approved"]


def test_undoing_an_approval_leaves_the_notice_saying_no_longer_available(
    client, log_in, people, post, question
):
    held = reply_as(client, log_in, people["caregiver"], post, "Private detail here.", question)
    event = decisions.moderate(held, people["admin"], "approve")
    assert [n.kind for n in told(people["patient"])] == ["reply"]
    decisions.undo(event, people["admin"])
    log_in(people["patient"])
    page = client.get("/notifications")
    item = text_of(page, ".notification")
    assert "A reply to your comment on “Alemtuzumab: the long view” is no longer available." in item
    assert "Private detail" not in page.get_data(as_text=True)
    assert people["caregiver"].display_name not in item
    assert select_all(page, ".notification a.action")[0]["href"] == f"/posts/{post.slug}"
    # Approved again: not announced a second time.
    decisions.moderate(db.session.get(Comment, held.id), people["admin"], "approve")
    assert len(told(people["patient"])) == 1


def test_a_comment_removed_after_it_was_announced_is_no_longer_available(
    client, log_in, people, post, question, make_comment
):
    trusted(make_comment, post, people["caregiver"])
    reply = reply_as(client, log_in, people["caregiver"], post, "My dose was 12 mg.", question)
    db.session.add(Flag(comment_id=reply.id, reporter_id=people["clinician"].id, reason="other"))
    db.session.commit()
    decisions.moderate(reply, people["admin"], "reject", "misinformation")
    assert db.session.get(Comment, reply.id).status == "removed"
    [notification] = told(people["patient"])
    assert service.shown_comment(notification) is None
    email = emails_to(people["patient"])[0]
    people["patient"].quote_in_email = True
    db.session.commit()
    rendered = render_parts(db.session.get(OutgoingEmail, email.id))
    assert "no longer available" in rendered.text
    assert "12 mg" not in rendered.text and "12 mg" not in rendered.html
    assert people["caregiver"].display_name not in rendered.text


# --- reports and account actions ---------------------------------------------------------------


def test_reporters_hear_that_a_moderator_looked_and_nothing_of_the_outcome(
    client, log_in, people, post, make_comment
):
    reported = make_comment(post, people["caregiver"], "Reported words.")
    for reader in (people["patient"], people["clinician"]):
        log_in(reader)
        assert (
            client.post(f"/comments/{reported.id}/report", data={"reason": "spam"}).status_code
            == 303
        )
        client.post("/logout")
    moderate(client, log_in, people["admin"], reported, "reject", reason="advertising")
    for reader in (people["patient"], people["clinician"]):
        [notice] = told(reader)
        assert (notice.kind, notice.comment_id) == ("report_handled", reported.id)
    [removal] = told(people["caregiver"])
    assert (removal.kind, removal.detail) == ("comment_not_published", "Advertising or spam")
    log_in(people["patient"])
    item = text_of(client.get("/notifications"), ".notification")
    assert "A moderator has looked at a comment you reported" in item
    assert "removed" not in item and "Reported words" not in item


def test_suspension_ban_and_lift_tell_the_member_with_the_end_and_the_reason(people):
    member, admin = people["caregiver"], people["admin"]
    until = date.today() + timedelta(days=10)
    members.suspend(member, admin, until, "Repeated off-topic posts")
    members.lift(member, admin, "Talked it through")
    members.ban(member, admin, "Threats to another member")
    details = [n.detail for n in told(member, "account_action")]
    assert details[0] == (
        f"Your account is suspended until {until.day} {until:%B %Y}, so you cannot post or report. "
        "Reason: Repeated off-topic posts"
    )
    assert "lifted" in details[1] and "Talked it through" in details[1]
    assert details[2].startswith("Your account is banned") and "Threats" in details[2]
    assert [e.template for e in emails_to(member)] == ["account_action"] * 3
    assert told(admin) == []


# --- the notifications page --------------------------------------------------------------------


def notify_patient(people, post, count: int) -> list[Notification]:
    made = []
    for n in range(count):
        notification = service.notify(
            people["patient"], "account_action", detail=f"Notice number {n}", delivery="in_app"
        )
        notification.created_at = utcnow() - timedelta(minutes=count - n)
        made.append(notification)
    db.session.commit()
    return made


def test_the_page_lists_newest_first_and_pages(client, log_in, people, post):
    notify_patient(people, post, service.PER_PAGE + 3)
    log_in(people["patient"])
    first = client.get("/notifications")
    headlines = texts_of(first, ".notification__headline")
    assert len(headlines) == service.PER_PAGE
    assert headlines[0] == f"New: Notice number {service.PER_PAGE + 2}"
    assert text_of(first, "#notification-summary p") == (
        f"{service.PER_PAGE + 3} unread of {service.PER_PAGE + 3}."
    )
    older = select_one(first, "nav.pagination a[rel=next]")
    assert older["hx-target"] == "#notification-list"
    fragment = client.get(older["href"], headers=HTMX)
    assert not select_all(fragment, "h1") and not select_all(fragment, "html")
    assert texts_of(fragment, ".notification__headline") == [
        "New: Notice number 2",
        "New: Notice number 1",
        "New: Notice number 0",
    ]


def test_the_page_is_for_members(client, log_in, people):
    assert client.get("/notifications").status_code == 302
    log_in(people["suspended"])  # restricted members still read what they are told
    assert client.get("/notifications").status_code == 200


def test_marking_one_read_with_htmx_answers_the_item_and_the_counts(client, log_in, people, post):
    first, second = notify_patient(people, post, 2)
    log_in(people["patient"])
    answer = client.post(f"/notifications/{first.id}/read", data={"page": "1"}, headers=HTMX)
    assert answer.status_code == 200
    item = select_one(answer, f"li#notification-{first.id}")
    assert "notification--unread" not in item["class"] and item.has_attr("autofocus")
    assert not select_all(item, "form")  # read: no "Mark as read" any more
    link = select_one(answer, "a#notification-count")
    assert link["aria-label"] == "Notifications, 1 unread" and text_of(link) == "Notifications 1"
    assert link["hx-swap-oob"] == "true"
    assert text_of(answer, "#notification-summary p") == "1 unread of 2."
    assert text_of(answer, "#announcer") == "Marked as read."
    db.session.expire_all()
    assert db.session.get(Notification, first.id).read_at is not None
    assert db.session.get(Notification, second.id).read_at is None


def test_marking_one_read_without_javascript_returns_to_the_page(client, log_in, people, post):
    [notice] = notify_patient(people, post, 1)
    log_in(people["patient"])
    page = client.get("/notifications")
    form = select_one(page, f"#notification-{notice.id} form")
    assert form["method"] == "post" and form["action"] == f"/notifications/{notice.id}/read"
    answer = client.post(form["action"], data={"page": "1"})
    assert (answer.status_code, answer.headers["Location"]) == (303, "/notifications")
    assert "Marked as read." in client.get("/notifications").get_data(as_text=True)


def test_marking_all_read_with_htmx_and_without(client, log_in, people, post):
    notify_patient(people, post, 3)
    log_in(people["patient"])
    answer = client.post("/notifications/read", data={"page": "1"}, headers=HTMX)
    assert answer.status_code == 200
    assert select_all(answer, ".notification--unread") == []
    link = select_one(answer, "a#notification-count")
    assert link["aria-label"] == "Notifications" and text_of(link) == "Notifications"
    assert select_one(answer, "#notification-summary").has_attr("autofocus")
    assert service.counts(people["patient"]) == (3, 0)
    plain = client.post("/notifications/read", data={"page": "1"})
    assert (plain.status_code, plain.headers["Location"]) == (303, "/notifications")


def test_someone_elses_notification_is_not_found(client, log_in, people, post):
    [notice] = notify_patient(people, post, 1)
    log_in(people["caregiver"])
    assert client.get(f"/notifications/{notice.id}").status_code == 404
    assert client.post(f"/notifications/{notice.id}/read").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).read_at is None


def test_one_notification_has_its_own_page_and_fragment(client, log_in, people, post):
    [notice] = notify_patient(people, post, 1)
    log_in(people["patient"])
    page = client.get(f"/notifications/{notice.id}")
    assert text_of(page, "h1") == "Notification"
    fragment = client.get(f"/notifications/{notice.id}", headers=HTMX)
    assert not select_all(fragment, "h1")
    assert text_of(fragment, ".notification__headline") == "New: Notice number 0"
    alone = client.post(f"/notifications/{notice.id}/read", data={"alone": "1"})
    assert alone.headers["Location"] == f"/notifications/{notice.id}"


# --- the header count ------------------------------------------------------------------------


def test_the_header_says_notifications_and_how_many_are_unread(client, log_in, people, post):
    log_in(people["patient"])
    link = select_one(client.get("/"), ".site-nav a[href='/notifications']")
    assert text_of(link) == "Notifications" and link["aria-label"] == "Notifications"
    notify_patient(people, post, 3)
    link = select_one(client.get("/"), ".site-nav a[href='/notifications']")
    # The visible "3" is read as "Notifications, 3 unread" (the browser journey hears it so).
    assert link["aria-label"] == "Notifications, 3 unread"
    assert text_of(link, ".badge") == "3"
    client.post("/logout")
    assert select_all(client.get("/"), ".site-nav a[href='/notifications']") == []


def statements_of(client, path: str) -> list[str]:
    client.get(path)
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize("path", ["/", "/account", "/notifications"])
def test_the_count_rides_on_the_statement_that_loads_the_member(client, log_in, people, post, path):
    notify_patient(people, post, 2)
    log_in(people["patient"])
    statements = statements_of(client, path)
    counting = [s for s in statements if "read_at IS NULL" in s]
    # One statement counts, and it is the one that loads the member anyway.
    assert len(counting) == 1 and "FROM users" in counting[0]
    client.post("/logout")
    visitor = statements_of(client, "/") if path == "/" else []
    if path == "/":
        # A member's home page costs one statement more than a visitor's (loading them), and a
        # visitor's made afresh one more than the member's: the number it is kept under.
        assert len(statements) == len(visitor)
        assert not any("content_version" in statement for statement in statements)
        assert "content_version" in visitor[0]


def test_the_notifications_page_costs_the_same_with_few_or_many(client, log_in, people, post):
    notify_patient(people, post, 2)
    log_in(people["patient"])
    few = len(statements_of(client, "/notifications"))
    notify_patient(people, post, 40)
    assert len(statements_of(client, "/notifications")) == few <= 8


# --- emails ------------------------------------------------------------------------------------


def test_a_reply_email_links_to_the_permalink_and_keeps_words_out_of_the_subject(
    app, client, log_in, people, post, question, make_comment
):
    trusted(make_comment, post, people["caregiver"])
    reply = reply_as(client, log_in, people["caregiver"], post, "Cool showers helped me.", question)
    email = emails_to(people["patient"])[0]
    rendered = render_parts(email)
    base = app.config["PORTAL_BASE_URL"]
    assert rendered.subject == "Someone replied to your comment on Treatment Talk"
    assert f"{base}/posts/{post.slug}#comment-{reply.id}" in rendered.text
    assert f'href="{base}/posts/{post.slug}#comment-{reply.id}"' in rendered.html
    assert "Cool showers" not in rendered.text  # quoting is off unless chosen
    assert rendered.unsubscribe_url and rendered.unsubscribe_url.startswith(f"{base}/unsubscribe/")
    assert f"{base}/account/notifications" in rendered.text
    people["patient"].quote_in_email = True
    db.session.commit()
    quoted = render_parts(db.session.get(OutgoingEmail, email.id))
    assert "Cool showers helped me." in quoted.text and "Cool showers helped me." in quoted.html
    assert "Cool showers" not in quoted.subject


def test_every_notification_email_carries_one_click_unsubscribe(
    client, log_in, people, post, question
):
    answer = reply_as(client, log_in, people["clinician"], post, "An answer.", question)
    lifecycle.mark_answer(answer, people["clinician"])
    db.session.commit()
    message = render_email(emails_to(people["patient"])[0])
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("http://127.0.0.1:5000")
    assert client.post(path, csrf=False).status_code == 200
    assert emails_to(people["patient"])  # the email already queued stays
    assert db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.kind == "answer")
    )


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        ("reply", "Someone replied to your comment on Treatment Talk"),
        ("answer", "A clinician answered your question on Treatment Talk"),
        ("comment_approved", "Your comment is published on Treatment Talk"),
        ("comment_not_published", "Your comment was not published on Treatment Talk"),
        ("report_handled", "A moderator looked at a comment you reported"),
        ("account_action", "News about your Treatment Talk account"),
        ("followed_post", "A new comment in a discussion you follow"),
        ("followed_thread", "A new reply in a thread you follow"),
        ("question_closed", "A clinician closed your question on Treatment Talk"),
        ("questions_waiting", "3 new questions are waiting on your posts"),
        ("queue_waiting", "3 comments are waiting in the moderation queue"),
    ],
)
def test_every_kind_has_an_email_whose_subject_says_nothing_of_the_content(
    people, post, make_comment, kind, subject
):
    comment = make_comment(post, people["caregiver"], "Words about my MS relapse.")
    notification = service.notify(
        people["admin"],
        kind,
        comment=comment if kind not in ("questions_waiting", "queue_waiting") else None,
        post=post,
        detail="Some detail",
        count=3,
        delivery="immediate",
    )
    db.session.commit()
    email = emails_to(people["admin"])[0]
    rendered = render_parts(email)
    assert rendered.subject == subject
    assert "MS relapse" not in rendered.subject and post.title not in rendered.subject
    assert rendered.text.strip() and "<html" in rendered.html
    assert notification.id == email.notification_id


# --- the worker's notices: new questions for clinicians, the queue for admins -----------------


def test_clinicians_get_one_notice_of_new_waiting_questions(people, post, make_comment, make_user):
    for n in range(3):
        make_comment(post, make_user("patient"), f"Question {n}")
    answered = make_comment(post, people["caregiver"], "Answered already")
    lifecycle.mark_answer(
        make_comment(post, people["clinician"], "Yes.", parent=answered), people["clinician"]
    )
    make_comment(post, people["caregiver"], "Just sharing a tip", kind="discussion")
    db.session.commit()
    assert tasks.notify_new_questions() == 1
    [notice] = told(people["clinician"])
    assert (notice.kind, notice.count, notice.post_id) == ("questions_waiting", 3, post.id)
    assert emails_to(people["clinician"]) == []  # the digest by default
    assert tasks.send_digests() == 1
    [digest] = emails_to(people["clinician"], "digest")
    rendered = render_parts(digest)
    assert "3 new questions wait for a clinician's answer" in rendered.text
    assert f"/clinic/questions?post={post.slug}" in rendered.text


def test_admins_hear_when_the_queue_has_waited_too_long_and_not_every_ten_minutes(
    app, people, post, make_comment
):
    app.config["QUEUE_WAITING_MINUTES"] = 30
    fresh = make_comment(post, people["patient"], "Just now", status="pending")
    assert tasks.notify_queue_waiting() == 0
    fresh.created_at = utcnow() - timedelta(minutes=45)
    db.session.commit()
    assert tasks.notify_queue_waiting() == 1
    [notice] = told(people["admin"])
    assert (notice.kind, notice.count) == ("queue_waiting", 1)
    assert tasks.notify_queue_waiting() == 0  # unread still: no second reminder
    service.mark_all_read(people["admin"])
    notice.created_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    assert tasks.notify_queue_waiting() == 1


def test_the_asker_is_told_when_a_clinician_closes_their_question_and_why(
    client, log_in, people, post, question
):
    lifecycle.close(question, people["clinician"], "signposted", "Please ask your own MS team.")
    db.session.commit()
    [notice] = told(people["patient"])
    assert (notice.kind, notice.comment_id) == ("question_closed", question.id)
    [email] = emails_to(people["patient"])
    rendered = render_parts(email)
    assert rendered.subject == "A clinician closed your question on Treatment Talk"
    assert "Signposted elsewhere: Please ask your own MS team." in rendered.text
    log_in(people["patient"])
    page = client.get("/notifications")
    headline = texts_of(page, ".notification__headline")[0]
    assert "A clinician closed your question on “Alemtuzumab: the long view”." in headline
    assert "Please ask your own MS team. (Helen Marsh)" in headline
    link = select_one(page, f"#notification-{notice.id} a.action")
    assert text_of(link) == "See your question"
