"""Handling a question from the clinicians' waiting list: what the list says of each question,
and Answer, Holding reply, Claim / Let go and Close, each in place with htmx and as a plain form.

Only deliberate acts move a question (questions.lifecycle): a holding reply and a claim leave it
waiting; answering from the list marks the answer; closing needs a reason and a note.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from portal.clinic.views import QuestionLinks
from portal.extensions import db
from portal.models import Comment, ModerationEvent, Notification, utcnow
from portal.moderation import rules
from portal.questions import lifecycle

from .helpers import HTMX, select_all, select_one, text_of, texts_of, value_of


def listed(html) -> list[int]:
    rows = select_all(html, 'li.question[id^="question-"]')
    return [int(row["id"].removeprefix("question-")) for row in rows]


def item(html, question: Comment):
    return select_one(html, f"li#question-{question.id}")


def state_of(html, question: Comment) -> str:
    return text_of(item(html, question), ".question__state")


def announced(html) -> str:
    return text_of(select_one(html, 'div#announcer[hx-swap-oob="innerHTML"]'))


@pytest.fixture()
def colleague(make_user):
    return make_user("clinician", "Sam Okafor", title="MS Nurse Specialist")


@pytest.fixture()
def question(people, post, make_comment):
    return make_comment(post, people["patient"], "Is the rash after my infusion normal?")


def test_the_list_says_where_each_question_stands(
    client, people, log_in, post, make_comment, colleague
):
    plain = make_comment(post, people["patient"], "Plain waiting question")
    held = make_comment(post, people["patient"], "Held question", holding_at=utcnow())
    claimed = make_comment(post, people["caregiver"], "Claimed question", asked_for="my partner")
    lifecycle.claim(claimed, colleague)
    db.session.commit()
    log_in(people["clinician"])
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert state_of(page, plain) == "Waiting, not claimed"
    assert state_of(page, held).startswith("Someone is looking")
    until = lifecycle.claim_expires_at(claimed)
    assert state_of(page, claimed).startswith("Claimed by Sam Okafor until")
    assert select_all(
        item(page, claimed), f'.question__state time[datetime="{until:%Y-%m-%dT%H:%M:%S}+00:00"]'
    )
    # Age, whom it is asked for, the post and the asker's pseudonym.
    asked = select_one(item(page, plain), "dd time")
    assert asked["datetime"] == plain.created_at.isoformat(timespec="seconds")
    assert "(waiting less than a day)" in text_of(item(page, plain), "dl")
    assert "Asked for my partner" in text_of(item(page, claimed), "dl")
    assert "Asked for" not in text_of(item(page, plain), "dl")
    heading = text_of(item(page, claimed), "h3")
    assert heading == f"SteadyHand asked about {post.title}"
    # Someone else's live claim offers no Claim button; the others do.
    assert not select_all(item(page, claimed), "form[action$='/claim']")
    assert select_all(item(page, plain), f"form[action='/clinic/questions/{plain.id}/claim']")


def test_the_list_shows_the_askers_latest_follow_up(
    client, people, log_in, post, make_comment, question
):
    at = utcnow() - timedelta(hours=3)
    older = make_comment(post, people["patient"], "First follow-up", parent=question, created_at=at)
    someone = make_comment(post, people["caregiver"], "Me too!", parent=question)
    deeper = make_comment(
        post,
        people["patient"],
        "Latest follow-up, in a deeper reply. " + "It goes on and on. " * 20,
        parent=someone,
        created_at=at + timedelta(hours=1),
    )
    make_comment(post, people["patient"], "Not public yet", parent=older, status="pending")
    log_in(people["clinician"])
    page = client.get("/clinic/questions").get_data(as_text=True)
    follow_up = select_one(item(page, question), ".question__follow-up")
    text = text_of(follow_up)
    assert text.startswith("Latest follow-up from RiverWalker")
    assert "Latest follow-up, in a deeper reply." in text and "…" in text
    assert len(text_of(follow_up, "blockquote")) < 200
    assert "First follow-up" not in text and "Not public yet" not in text
    assert "Me too!" not in text
    assert select_all(follow_up, f'a[href="/comments/{deeper.id}"]')


def test_a_question_without_follow_ups_shows_none(client, people, log_in, question):
    log_in(people["clinician"])
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert not select_all(item(page, question), ".question__follow-up")


# --- only questions, and only deliberate acts ------------------------------------------------


def test_a_tip_never_enters_the_waiting_list(client, people, log_in, post):
    log_in(people["patient"])
    posted = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "A tip: cool showers help me.", "kind": "discussion"},
    )
    assert posted.status_code == 303
    tip = db.session.scalar(select(Comment).where(Comment.body_source.startswith("A tip")))
    assert tip.kind == "discussion" and tip.question_state is None
    tip.status = "approved"  # a new member's first comment: a moderator lets it through
    db.session.commit()
    client.post("/logout")
    log_in(people["clinician"])
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert tip.id not in listed(page) and "cool showers" not in page
    assert client.get(f"/clinic/questions/{tip.id}/answer").status_code == 404
    refused = client.post(f"/clinic/questions/{tip.id}/claim", headers=HTMX)
    assert refused.status_code == 422 and "not a question" in refused.get_data(as_text=True)


def test_a_holding_reply_leaves_the_question_waiting(client, people, log_in, post, question):
    log_in(people["clinician"])
    response = client.post(
        f"/clinic/questions/{question.id}/holding",
        data={"body": "I'll check with our infusion unit and come back to you tomorrow."},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # Only the question's item comes back, saying someone is looking.
    assert listed(html) == [question.id] and item(html, question).has_attr("autofocus")
    assert state_of(html, question).startswith("Someone is looking")
    assert "Your holding reply to RiverWalker is posted." in announced(html)
    db.session.refresh(question)
    assert question.question_state == "waiting" and question.holding_at is not None
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == question.id))
    assert reply.kind == "holding"
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert question.id in listed(page)
    assert state_of(page, question).startswith("Someone is looking")


def test_a_clinicians_ordinary_reply_does_not_take_it_off(client, people, log_in, post, question):
    log_in(people["clinician"])
    replied = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Thank you for the kind words.", "parent_id": str(question.id)},
    )
    assert replied.status_code == 303
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert question.id in listed(page) and state_of(page, question) == "Waiting, not claimed"


# --- holding replies -------------------------------------------------------------------------


def test_the_holding_form_opens_in_place_and_on_a_page_of_its_own(client, people, log_in, question):
    log_in(people["clinician"])
    url = f"/clinic/questions/{question.id}/holding"
    page = client.get("/clinic/questions").get_data(as_text=True)
    link = select_one(item(page, question), f'a[href="{url}"]')
    assert (link["hx-get"], link["hx-target"]) == (url, f"#answer-slot-{question.id}")
    fragment = client.get(url, headers=HTMX).get_data(as_text=True)
    form = select_one(fragment, f'form[action="{url}"]')
    assert (form["method"], form["hx-post"], form["hx-target"], form["hx-swap"]) == (
        "post",
        url,
        f"#question-{question.id}",
        "outerHTML",
    )
    assert select_all(form, 'input[name="csrf_token"]') and "data-cancel-reply" in fragment
    assert select_one(form, "label").get_text() == "Your holding reply"
    plain = client.get(url).get_data(as_text=True)
    assert text_of(plain, "h1") == "Holding reply to RiverWalker"
    assert "Is the rash after my infusion normal?" in plain
    assert "Back to the questions" in plain and "data-cancel-reply" not in plain


def test_a_holding_reply_without_javascript_comes_back_to_the_list(
    client, people, log_in, question
):
    log_in(people["clinician"])
    response = client.post(
        f"/clinic/questions/{question.id}/holding", data={"body": "Looking into it today."}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/clinic/questions#question-{question.id}"
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert "Your holding reply to RiverWalker is posted." in texts_of(page, ".flash")[0]
    assert state_of(page, question).startswith("Someone is looking")


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_an_empty_or_long_holding_reply_is_refused_beside_the_field(
    client, people, log_in, question, headers
):
    log_in(people["clinician"])
    url = f"/clinic/questions/{question.id}/holding"
    empty = client.post(url, data={"body": "  "}, headers=headers)
    assert empty.status_code == 422
    assert (
        text_of(empty, f"#holding-form-{question.id}-body-error")
        == "Write something before posting."
    )
    long_text = "word " * 1001
    too_long = client.post(url, data={"body": long_text}, headers=headers)
    assert too_long.status_code == 422
    assert "at most 5,000 characters" in text_of(
        too_long, f"#holding-form-{question.id}-body-error"
    )
    assert value_of(too_long, f"#holding-form-{question.id}-body") == long_text
    if headers:
        assert too_long.headers["HX-Retarget"] == f"#holding-form-{question.id}"
    assert db.session.scalar(select(Comment).where(Comment.parent_id == question.id)) is None


@pytest.mark.rate_limits
def test_a_holding_reply_refused_for_speed_keeps_its_text(
    client, people, log_in, post, make_comment
):
    questions = [make_comment(post, people["patient"], f"Question {n}") for n in range(11)]
    log_in(people["clinician"])
    for question in questions[:10]:
        posted = client.post(f"/clinic/questions/{question.id}/holding", data={"body": "Looking."})
        assert posted.status_code == 303
    last = questions[10]
    # Without JavaScript the form comes back; with htmx, portal.js leaves the form as it was.
    refused = client.post(f"/clinic/questions/{last.id}/holding", data={"body": "My careful words"})
    assert refused.status_code == 429
    assert value_of(refused, f"#holding-form-{last.id}-body") == "My careful words"
    assert "Please slow down" in text_of(refused, f"#holding-form-{last.id}-body-error")


# --- answering -------------------------------------------------------------------------------


def test_answering_from_the_list_marks_the_answer_and_tells_the_asker(
    client, people, log_in, question
):
    log_in(people["clinician"])
    response = client.post(
        f"/clinic/questions/{question.id}/answer",
        data={"body": "Yes: a mild rash is common on the day."},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert select_one(html, f"li#answered-{question.id}").has_attr("autofocus")
    assert "Your answer to RiverWalker is posted." in announced(html)
    db.session.refresh(question)
    assert question.question_state == "answered" and question.answer.kind == "answer"
    event = db.session.scalar(
        select(ModerationEvent).where(ModerationEvent.action == "mark_answer")
    )
    assert (event.target_type, event.target_id, event.to_status) == (
        "question",
        question.id,
        "answered",
    )
    told = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == people["patient"].id)
    ).all()
    assert "answer" in told


def test_an_answer_the_rules_refuse_keeps_its_text_and_the_question_waits(
    client, people, log_in, question
):
    settings = rules.current_settings()
    settings.block_words = "miracle cure"
    db.session.commit()
    log_in(people["clinician"])
    response = client.post(
        f"/clinic/questions/{question.id}/answer",
        data={"body": "There is no miracle cure, but it settles."},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#answer-form-{question.id}"
    assert "not posted" in text_of(response, f"#answer-form-{question.id}-body-error")
    kept = value_of(response, f"#answer-form-{question.id}-body")
    assert kept == "There is no miracle cure, but it settles."
    db.session.refresh(question)
    assert question.question_state == "waiting" and question.answer_id is None
    assert db.session.scalar(select(Comment).where(Comment.parent_id == question.id)) is None


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_answering_a_question_no_longer_waiting_keeps_the_text(
    client, people, log_in, question, colleague, headers
):
    lifecycle.close(question, colleague, "signposted", "Please ask your MS nurse.")
    db.session.commit()
    log_in(people["clinician"])
    response = client.post(
        f"/clinic/questions/{question.id}/answer",
        data={"body": "My careful answer"},
        headers=headers,
    )
    assert response.status_code == 422
    error = text_of(response, f"#answer-form-{question.id}-body-error")
    assert error.startswith("This question is no longer waiting")
    assert value_of(response, f"#answer-form-{question.id}-body") == "My careful answer"
    assert db.session.scalar(select(Comment).where(Comment.parent_id == question.id)) is None


# --- claims ----------------------------------------------------------------------------------


def claim(client, question, headers=None, step="claim"):
    return client.post(f"/clinic/questions/{question.id}/{step}", headers=headers or {})


def test_claiming_in_place_shows_the_claim_and_offers_let_go(client, people, log_in, question):
    log_in(people["clinician"])
    response = claim(client, question, HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and listed(html) == [question.id]
    assert state_of(html, question).startswith("Claimed by you until")
    let_go = select_one(html, f"form[action='/clinic/questions/{question.id}/release'] button")
    assert let_go.has_attr("autofocus") and text_of(let_go).startswith("Let go")
    assert "You claimed RiverWalker’s question until" in announced(html)
    db.session.refresh(question)
    assert question.claimed_by_id == people["clinician"].id


def test_another_clinician_sees_the_claim_and_cannot_take_it(
    client, people, log_in, question, colleague
):
    log_in(people["clinician"])
    assert claim(client, question).status_code == 303
    client.post("/logout")
    log_in(colleague)
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert state_of(page, question).startswith("Claimed by Helen Marsh until")
    assert not select_all(item(page, question), "form[action$='/claim'], form[action$='/release']")
    refused = claim(client, question, HTMX)
    assert refused.status_code == 422
    error = select_one(refused, f"#question-{question.id}-error")
    assert text_of(error) == "Helen Marsh has already claimed this question."
    assert error.has_attr("autofocus")
    plain = claim(client, question)
    assert plain.status_code == 422
    assert text_of(plain, f"#question-{question.id}-error").startswith("Helen Marsh has already")
    not_theirs = claim(client, question, HTMX, step="release")
    assert not_theirs.status_code == 422
    assert (
        text_of(not_theirs, f"#question-{question.id}-error")
        == "You have not claimed this question."
    )
    db.session.refresh(question)
    assert question.claimed_by_id == people["clinician"].id


def test_a_lapsed_claim_shows_as_unclaimed(app, client, people, log_in, question, colleague):
    lifecycle.claim(question, people["clinician"])
    question.claimed_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    log_in(colleague)
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert state_of(page, question) == "Waiting, not claimed"
    assert claim(client, question).status_code == 303
    db.session.refresh(question)
    assert question.claimed_by_id == colleague.id


def test_claims_lapse_after_the_configured_hours(app, client, people, log_in, question, colleague):
    app.config["QUESTION_CLAIM_HOURS"] = 2
    lifecycle.claim(question, people["clinician"])
    question.claimed_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    log_in(colleague)
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert state_of(page, question) == "Waiting, not claimed"
    app.config["QUESTION_CLAIM_HOURS"] = 4
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert state_of(page, question).startswith("Claimed by Helen Marsh")


def test_claim_and_let_go_without_javascript(client, people, log_in, question):
    log_in(people["clinician"])
    claimed = claim(client, question)
    assert claimed.status_code == 303
    assert claimed.headers["Location"] == f"/clinic/questions#question-{question.id}"
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert texts_of(page, ".flash")[0].startswith("You claimed RiverWalker’s question until")
    assert state_of(page, question).startswith("Claimed by you")
    released = claim(client, question, step="release")
    assert released.status_code == 303
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert "You let RiverWalker’s question go." in texts_of(page, ".flash")
    assert state_of(page, question) == "Waiting, not claimed"


def test_letting_go_in_place(client, people, log_in, question):
    log_in(people["clinician"])
    claim(client, question)
    response = claim(client, question, HTMX, step="release")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and state_of(html, question) == "Waiting, not claimed"
    button = select_one(html, f"form[action='/clinic/questions/{question.id}/claim'] button")
    assert button.has_attr("autofocus")
    assert announced(html) == "You let RiverWalker’s question go."
    events = db.session.scalars(
        select(ModerationEvent.action).where(ModerationEvent.target_id == question.id)
    ).all()
    assert events == ["claim_question", "release_question"]


def test_claiming_a_question_no_longer_waiting_says_so(client, people, log_in, question, colleague):
    lifecycle.close(question, colleague, "no_answer_needed", "Glad it helped.")
    db.session.commit()
    log_in(people["clinician"])
    fragment = claim(client, question, HTMX)
    assert fragment.status_code == 422
    assert fragment.headers["HX-Retarget"] == f"#question-{question.id}"
    assert "This question is no longer waiting." in text_of(fragment, "li")
    plain = claim(client, question)
    assert plain.status_code == 422 and "This question is no longer waiting." in text_of(
        plain, "main"
    )


def test_a_missing_question_is_not_found(client, people, log_in):
    log_in(people["clinician"])
    for step in ("claim", "release", "holding", "close", "answer"):
        assert client.post(f"/clinic/questions/99999/{step}").status_code == 404
    for step in ("holding", "close", "answer"):
        assert client.get(f"/clinic/questions/99999/{step}").status_code == 404


# --- closing ---------------------------------------------------------------------------------


def close(client, question, data, headers=None):
    return client.post(f"/clinic/questions/{question.id}/close", data=data, headers=headers or {})


def test_the_close_form_offers_the_reasons_and_a_note(client, people, log_in, question):
    log_in(people["clinician"])
    url = f"/clinic/questions/{question.id}/close"
    fragment = client.get(url, headers=HTMX).get_data(as_text=True)
    form = select_one(fragment, f'form[action="{url}"]')
    assert (form["hx-post"], form["hx-target"]) == (url, f"#question-{question.id}")
    reasons = {
        radio["value"]: radio for radio in select_all(form, 'input[type="radio"][name="reason"]')
    }
    assert set(reasons) == {"no_answer_needed", "signposted"}
    labels = texts_of(form, ".radio label")
    assert labels == ["No answer needed", "Signposted elsewhere"]
    assert text_of(form, "legend") == "Why does this question need no answer here?"
    assert select_all(form, 'label[for="note"]') and select_all(form, "textarea#note")
    plain = client.get(url).get_data(as_text=True)
    assert text_of(plain, "h1") == "Close RiverWalker’s question"
    assert "Back to the questions" in plain


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_closing_needs_a_reason_and_a_short_note(client, people, log_in, question, headers):
    log_in(people["clinician"])
    no_note = close(client, question, {"reason": "signposted", "note": "  "}, headers)
    assert no_note.status_code == 422
    assert text_of(no_note, "#note-error").startswith("Write a short note for the asker")
    assert select_one(no_note, 'input[value="signposted"]').has_attr("checked")
    long_note = "Please see your MS nurse. " * 20
    too_long = close(client, question, {"reason": "signposted", "note": long_note}, headers)
    assert too_long.status_code == 422
    assert "at most 300 characters" in text_of(too_long, "#note-error")
    assert value_of(too_long, "textarea#note") == long_note
    no_reason = close(client, question, {"note": "Ask your GP."}, headers)
    assert no_reason.status_code == 422
    assert text_of(no_reason, "#reason-error") == "Choose why this question needs no answer here."
    assert value_of(no_reason, "textarea#note") == "Ask your GP."
    if headers:
        assert no_reason.headers["HX-Retarget"] == f"#close-form-{question.id}"
    db.session.refresh(question)
    assert question.question_state == "waiting"


def test_closing_in_place_takes_it_off_the_list(client, people, log_in, post, question):
    log_in(people["clinician"])
    note = "Your infusion nurse can check this today: call the unit."
    response = close(client, question, {"reason": "signposted", "note": note}, HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    line = select_one(html, f"li#closed-{question.id}")
    assert line.has_attr("autofocus") and text_of(line).startswith("Closed.")
    assert "Signposted elsewhere" in text_of(line)
    assert text_of(select_one(html, "span#waiting-questions-count[hx-swap-oob]")) == "0 waiting"
    assert "closed: Signposted elsewhere" in announced(html)
    db.session.refresh(question)
    assert (question.question_state, question.close_reason, question.close_note) == (
        "closed",
        "signposted",
        note,
    )
    assert question.id not in listed(client.get("/clinic/questions").get_data(as_text=True))
    # The asker sees the reason and the note with their question.
    client.post("/logout")
    post_page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "Signposted elsewhere" in post_page and note in post_page


def test_closing_without_javascript(client, people, log_in, question):
    log_in(people["clinician"])
    response = close(
        client, question, {"reason": "no_answer_needed", "note": "Thanks for sharing."}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/clinic/questions"
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert "RiverWalker’s question is closed: No answer needed." in texts_of(page, ".flash")[0]
    assert question.id not in listed(page)


# --- who may ---------------------------------------------------------------------------------

CLINICIAN_ONLY = [
    ("GET", "answer"),
    ("POST", "answer"),
    ("GET", "holding"),
    ("POST", "holding"),
    ("POST", "claim"),
    ("POST", "release"),
    ("GET", "close"),
    ("POST", "close"),
]


@pytest.mark.parametrize("role", ["patient", "caregiver", "admin"])
@pytest.mark.parametrize(("method", "step"), CLINICIAN_ONLY)
def test_only_clinicians_handle_questions(client, people, log_in, question, role, method, step):
    log_in(people[role])
    data = {"body": "Text", "reason": "signposted", "note": "A note."}
    for headers in ({}, HTMX):
        response = client.open(
            f"/clinic/questions/{question.id}/{step}", method=method, data=data, headers=headers
        )
        assert response.status_code == 403
    db.session.refresh(question)
    assert question.question_state == "waiting" and question.claimed_by_id is None
    assert db.session.scalar(select(Comment).where(Comment.parent_id == question.id)) is None


def test_visitors_are_sent_to_log_in(client, question):
    for method, step in CLINICIAN_ONLY:
        response = client.open(f"/clinic/questions/{question.id}/{step}", method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_lists_links_are_the_routes_addresses(app):
    # The list builds its links from prefixes (a url_for each costs too much at 25 questions a
    # page); they must stay the addresses the routes answer.
    with app.test_request_context():
        links = QuestionLinks.now()
        steps = {
            "answer": "clinic.answer_form",
            "holding": "clinic.holding_form",
            "claim": "clinic.claim",
            "release": "clinic.release",
            "close": "clinic.close_form",
        }
        for step, endpoint in steps.items():
            assert links.step(4021, step) == url_for(endpoint, comment_id=4021)
        assert links.comment(4021) == url_for("comments.card", comment_id=4021)
        assert links.person(4021) == url_for("profiles.show", user_id=4021)
