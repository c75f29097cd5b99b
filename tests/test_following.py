"""Following discussions and threads: the buttons on the post page (htmx and plain forms), the
question that follows itself, the account page's list, and the fan-out to followers that runs
in the worker, never in the request.
"""

from __future__ import annotations

from sqlalchemy import event, func, insert, select

from portal.extensions import db
from portal.models import Comment, FanOut, Follow, Notification, OutgoingEmail, User, utcnow
from portal.notifications import following, tasks
from portal.tasks import huey

from .helpers import HTMX, select_all, select_one, text_of, texts_of


def follows_of(user: User) -> list[tuple[int | None, int | None]]:
    return [
        (follow.post_id, follow.thread_id)
        for follow in db.session.scalars(select(Follow).where(Follow.user_id == user.id))
    ]


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


# --- the buttons on the post page ----------------------------------------------------------------


def test_members_see_follow_buttons_on_the_post_and_each_top_level_comment(
    client, log_in, people, post, make_comment
):
    first = make_comment(post, people["caregiver"], "First question")
    second = make_comment(post, people["caregiver"], "Second question")
    reply = make_comment(post, people["clinician"], "An answer", parent=first)
    log_in(people["patient"])
    page = client.get(f"/posts/{post.slug}")
    discussion = select_one(page, f"#follow-post-{post.id} form")
    assert discussion["action"] == f"/posts/{post.slug}/follow"
    assert discussion["hx-post"] == f"/posts/{post.slug}/follow"
    assert text_of(discussion, "button") == "Follow this discussion"
    assert select_one(discussion, "input[name=follow]")["value"] == "yes"
    for question in (first, second):
        form = select_one(page, f"#comment-card-{question.id} form#follow-thread-{question.id}")
        assert form["action"] == f"/comments/{question.id}/follow"
        assert text_of(form, "button") == "Follow this thread"
    assert select_all(page, f"#comment-card-{reply.id} form.follow") == []  # replies: none


def test_visitors_are_offered_to_log_in_to_follow(client, post, make_comment, people):
    question = make_comment(post, people["caregiver"], "A question")
    page = client.get(f"/posts/{post.slug}")
    link = select_one(page, f"#follow-post-{post.id} a")
    assert text_of(link) == "Log in to follow this discussion"
    assert link["href"].startswith("/login?next=")
    assert select_all(page, f"#comment-card-{question.id} form.follow") == []
    assert client.post(f"/posts/{post.slug}/follow", data={"follow": "yes"}).status_code == 302


def test_following_a_discussion_without_javascript(client, log_in, people, post):
    log_in(people["patient"])
    answer = client.post(f"/posts/{post.slug}/follow", data={"follow": "yes"})
    assert (answer.status_code, answer.headers["Location"]) == (
        303,
        f"/posts/{post.slug}#comments",
    )
    assert follows_of(people["patient"]) == [(post.id, None)]
    page = client.get(f"/posts/{post.slug}")
    assert "You follow this discussion" in text_of(page, ".flashes")
    assert text_of(page, f"#follow-post-{post.id} button") == "Stop following this discussion"
    client.post(f"/posts/{post.slug}/follow", data={"follow": "yes"})  # twice: still one
    assert follows_of(people["patient"]) == [(post.id, None)]
    client.post(f"/posts/{post.slug}/follow", data={"follow": "no"})
    assert follows_of(people["patient"]) == []


def test_following_a_discussion_with_htmx_answers_the_button_in_its_new_state(
    client, log_in, people, post
):
    log_in(people["patient"])
    answer = client.post(f"/posts/{post.slug}/follow", data={"follow": "yes"}, headers=HTMX)
    assert answer.status_code == 200
    button = select_one(answer, f"#follow-post-{post.id} button")
    # Same id before and after, so htmx keeps focus on it.
    assert (button["id"], text_of(button)) == (
        f"follow-post-button-{post.id}",
        "Stop following this discussion",
    )
    assert text_of(answer, "#announcer").startswith("You follow this discussion")
    stop = client.post(f"/posts/{post.slug}/follow", data={"follow": "no"}, headers=HTMX)
    assert text_of(stop, f"#follow-post-{post.id} button") == "Follow this discussion"
    assert follows_of(people["patient"]) == []


def test_an_unreadable_follow_form_is_answered_with_the_button_and_the_reason(
    client, log_in, people, post
):
    log_in(people["patient"])
    plain = client.post(f"/posts/{post.slug}/follow", data={})
    assert plain.status_code == 422
    assert text_of(plain, "h1") == "Following"
    assert "could not be read" in text_of(plain, f"#follow-post-{post.id} .error-message")
    fragment = client.post(f"/posts/{post.slug}/follow", data={}, headers=HTMX)
    assert fragment.status_code == 422 and not select_all(fragment, "h1")
    assert follows_of(people["patient"]) == []


def test_following_a_thread_with_htmx_and_without(client, log_in, people, post, make_comment):
    question = make_comment(post, people["caregiver"], "A question")
    log_in(people["patient"])
    answer = client.post(f"/comments/{question.id}/follow", data={"follow": "yes"}, headers=HTMX)
    assert text_of(answer, f"#follow-thread-{question.id} button") == "Stop following this thread"
    assert follows_of(people["patient"]) == [(None, question.id)]
    page = client.get(f"/posts/{post.slug}")
    assert text_of(page, f"#follow-thread-{question.id} button") == "Stop following this thread"
    plain = client.post(f"/comments/{question.id}/follow", data={"follow": "no"})
    assert plain.headers["Location"] == f"/posts/{post.slug}#comment-{question.id}"
    assert follows_of(people["patient"]) == []


def test_replies_and_hidden_comments_cannot_be_followed(client, log_in, people, post, make_comment):
    question = make_comment(post, people["caregiver"], "A question")
    reply = make_comment(post, people["clinician"], "An answer", parent=question)
    held = make_comment(post, people["caregiver"], "Held", status="pending")
    log_in(people["patient"])
    for comment in (reply, held):
        assert client.post(
            f"/comments/{comment.id}/follow", data={"follow": "yes"}
        ).status_code == (404)
    assert follows_of(people["patient"]) == []


def test_suspended_members_may_still_follow(client, log_in, people, post):
    log_in(people["suspended"])
    assert client.post(f"/posts/{post.slug}/follow", data={"follow": "yes"}).status_code == 303


def test_asking_a_question_follows_its_thread(client, log_in, people, post):
    log_in(people["patient"])
    client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "My question, held at first.", "kind": "question"},
    )
    question = db.session.scalars(select(Comment)).one()
    assert question.status == "pending"
    assert follows_of(people["patient"]) == [(None, question.id)]
    client.post("/logout")
    log_in(people["clinician"])  # a clinician's own top-level comment is not a question
    client.post(
        f"/posts/{post.slug}/comments", data={"body": "A note for everyone.", "kind": "question"}
    )
    assert follows_of(people["clinician"]) == []


def test_the_htmx_answer_to_a_new_question_shows_it_followed(
    client, log_in, people, post, make_comment
):
    make_comment(post, people["patient"], "An earlier question, approved.")
    log_in(people["patient"])
    answer = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "A second question.", "kind": "question"},
        headers=HTMX,
    )
    assert answer.status_code == 201
    question = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert text_of(answer, f"#follow-thread-{question.id} button") == "Stop following this thread"


def test_the_post_page_learns_what_a_member_follows_at_no_statement_of_its_own(
    client, log_in, people, post, make_comment
):
    questions = [make_comment(post, people["caregiver"], f"Question {n}") for n in range(3)]
    path = f"/posts/{post.slug}"
    log_in(people["patient"])
    client.get(path)
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    def statements() -> int:
        seen.clear()
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            client.get(path)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(seen)

    # Following the discussion is learned with the threads the member has a part in: no
    # statement of its own. A followed thread is drawn for them (kept_threads): two
    # statements, however many threads they follow.
    before = statements()
    following.set_following(people["patient"], post=post, follow=True)
    assert statements() == before
    following.set_following(people["patient"], thread=questions[1], follow=True)
    one_thread = statements()
    assert one_thread <= before + 2
    following.set_following(people["patient"], thread=questions[2], follow=True)
    assert statements() == one_thread
    following.set_following(people["patient"], thread=questions[2], follow=False)
    assert not [s for s in seen if s.lstrip().startswith("SELECT follows")]
    page = client.get(f"/posts/{post.slug}")
    assert text_of(page, f"#follow-post-{post.id} button") == "Stop following this discussion"
    assert texts_of(page, "form.follow button") == [
        "Follow this thread",
        "Stop following this thread",
        "Follow this thread",
    ]


# --- the account page -------------------------------------------------------------------------


def test_the_account_page_lists_what_i_follow_and_lets_me_stop(
    client, log_in, people, post, make_comment
):
    question = make_comment(post, people["caregiver"], "A question")
    following.set_following(people["patient"], post=post, follow=True)
    following.set_following(people["patient"], thread=question, follow=True)
    log_in(people["patient"])
    section = select_one(client.get("/account"), "section#following")
    assert texts_of(section, "li") == [
        "The thread started by SteadyHand on “Alemtuzumab: the long view” Stop following the "
        "thread started by SteadyHand on “Alemtuzumab: the long view”",
        "The discussion on “Alemtuzumab: the long view” Stop following the discussion on "
        "“Alemtuzumab: the long view”",
    ]
    forms = select_all(section, "form")
    thread_follow = db.session.scalar(select(Follow).where(Follow.thread_id == question.id))
    assert forms[0]["action"] == f"/account/following/{thread_follow.id}/stop"
    answer = client.post(forms[0]["action"], headers=HTMX)
    assert answer.status_code == 200
    assert select_one(answer, "section#following").has_attr("autofocus")
    assert len(select_all(answer, "section#following li")) == 1
    plain = client.post(forms[1]["action"])
    assert (plain.status_code, plain.headers["Location"]) == (303, "/account#following")
    assert follows_of(people["patient"]) == []
    assert "You follow nothing yet" in text_of(client.get("/account"), "section#following")


def test_a_followed_thread_that_is_gone_is_not_named(client, log_in, people, post, make_comment):
    question = make_comment(post, people["caregiver"], "A question")
    following.set_following(people["patient"], thread=question, follow=True)
    question.status = "removed"
    db.session.commit()
    log_in(people["patient"])
    text = text_of(client.get("/account"), "section#following")
    assert "A thread that is no longer available" in text and "SteadyHand" not in text


def test_someone_elses_follow_cannot_be_stopped(client, log_in, people, post):
    following.set_following(people["caregiver"], post=post, follow=True)
    follow_id = db.session.scalar(select(Follow.id))
    log_in(people["patient"])
    assert client.post(f"/account/following/{follow_id}/stop").status_code == 404
    assert count(Follow) == 1


# --- the fan-out: one row in the request, the followers in the worker ---------------------------


def add_followers(post, how_many: int, *, thread: Comment | None = None) -> list[int]:
    """how_many patients following post (or thread), inserted in bulk."""
    start = db.session.scalar(select(func.count()).select_from(User)) or 0
    db.session.execute(
        insert(User),
        [
            {
                "email": f"follower{start + n}@example.org",
                "display_name": f"Follower {start + n}",
                "display_name_key": f"follower {start + n}",
                "password_hash": "x",
                "role": "patient",
                "email_verified_at": utcnow(),
            }
            for n in range(how_many)
        ],
    )
    ids = list(
        db.session.scalars(select(User.id).where(User.email.like("follower%")).order_by(User.id))
    )[-how_many:]
    db.session.execute(
        insert(Follow),
        [
            {
                "user_id": user_id,
                "post_id": None if thread else post.id,
                "thread_id": thread.id if thread else None,
            }
            for user_id in ids
        ],
    )
    db.session.commit()
    return ids


def test_a_comment_in_a_followed_discussion_costs_the_request_one_row(
    client, log_in, people, post, make_comment
):
    question = make_comment(post, people["patient"], "A question")
    followers = add_followers(post, 1000)
    following.set_following(people["caregiver"], post=post, follow=True)
    log_in(people["clinician"])
    huey.flush()
    response = client.post(
        f"/posts/{post.slug}/comments", data={"body": "An answer.", "parent_id": str(question.id)}
    )
    assert response.status_code == 303
    answer = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    # The request told the asker (an answer) and left the followers to the worker.
    assert count(FanOut) == 1
    assert count(Notification) == 1
    assert [task.name for task in huey.pending()].count("expand_fan_out") == 1
    fan_out = db.session.scalar(select(FanOut))
    told = tasks.expand_fan_out.call_local(fan_out.id)
    assert told == 1001  # the thousand and the caregiver; not the writer, not the asker again
    assert count(Notification, Notification.kind == "followed_post") == 1001
    assert count(Notification, Notification.user_id == people["patient"].id) == 1
    assert count(OutgoingEmail, OutgoingEmail.template == "followed_post") == 1001
    assert count(Notification, Notification.user_id == people["clinician"].id) == 0
    assert all(
        n.comment_id == answer.id
        for n in db.session.scalars(
            select(Notification).where(Notification.user_id == followers[0])
        )
    )
    db.session.expire_all()
    assert db.session.get(FanOut, fan_out.id).done_at is not None
    assert tasks.expand_fan_out.call_local(fan_out.id) == 0  # done: a second run tells nobody


def test_thread_followers_hear_of_replies_once_and_by_their_preference(
    client, log_in, people, post, make_comment
):
    question = make_comment(post, people["patient"], "A question")
    following.set_following(people["caregiver"], post=post, follow=True)
    following.set_following(people["caregiver"], thread=question, follow=True)
    following.set_following(people["admin"], thread=question, follow=True)
    from portal.notifications import preferences

    preferences.save(people["admin"], {"followed_thread": "in_app"}, quote_in_email=False)
    log_in(people["clinician"])
    client.post(
        f"/posts/{post.slug}/comments", data={"body": "An answer.", "parent_id": str(question.id)}
    )
    assert tasks.expand_fan_out.call_local(db.session.scalar(select(FanOut.id))) == 2
    kinds = {
        n.user_id: n.kind
        # The asker hears of it as a reply to their question, not as a follower.
        for n in db.session.scalars(
            select(Notification).where(Notification.user_id != people["patient"].id)
        )
    }
    assert kinds == {
        people["caregiver"].id: "followed_thread",
        people["admin"].id: "followed_thread",
    }
    assert count(OutgoingEmail, OutgoingEmail.user_id == people["admin"].id) == 0
    assert count(OutgoingEmail, OutgoingEmail.user_id == people["caregiver"].id) == 1


def test_a_comment_hidden_before_the_worker_runs_is_told_to_nobody(
    client, log_in, people, post, make_comment
):
    following.set_following(people["caregiver"], post=post, follow=True)
    log_in(people["clinician"])
    client.post(f"/posts/{post.slug}/comments", data={"body": "Said too soon.", "kind": "question"})
    comment = db.session.scalar(select(Comment))
    comment.status = "removed"
    db.session.commit()
    assert tasks.expand_fan_out.call_local(db.session.scalar(select(FanOut.id))) == 0
    assert count(Notification, Notification.user_id == people["caregiver"].id) == 0


def test_held_comments_are_fanned_out_when_approved(client, log_in, people, post):
    following.set_following(people["caregiver"], post=post, follow=True)
    log_in(people["patient"])
    client.post(
        f"/posts/{post.slug}/comments", data={"body": "My first question.", "kind": "question"}
    )
    assert count(FanOut) == 0  # held: nobody may learn of it yet
    comment = db.session.scalar(select(Comment))
    from portal.moderation import decisions

    decisions.moderate(comment, people["admin"], "approve")
    assert count(FanOut) == 1
    tasks.expand_fan_out.call_local(db.session.scalar(select(FanOut.id)))
    assert count(Notification, Notification.user_id == people["caregiver"].id) == 1


def test_the_sweep_finds_a_fan_out_whose_pointer_was_lost(app, people, post, make_comment):
    comment = make_comment(post, people["clinician"], "Approved long ago")
    following.set_following(people["caregiver"], post=post, follow=True)
    fan_out = FanOut(comment_id=comment.id)
    db.session.add(fan_out)
    db.session.commit()
    assert tasks.unexpanded_fan_out_ids() == []  # within its grace period
    from datetime import timedelta

    from portal.models import utcnow

    assert tasks.unexpanded_fan_out_ids(utcnow() + timedelta(minutes=2)) == [fan_out.id]
    fan_out.claimed_at = utcnow()
    db.session.commit()
    later = utcnow() + timedelta(seconds=app.config["FAN_OUT_LEASE_SECONDS"] + 1)
    assert tasks.unexpanded_fan_out_ids(later) == [fan_out.id]  # its worker vanished
    assert tasks.expand(fan_out.id) == 0  # claimed by someone else, lease not yet over
