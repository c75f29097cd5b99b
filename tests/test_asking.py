"""Asking on purpose: a patient or caregiver starting a thread chooses between asking a
clinician and sharing with everyone; only questions wait for a clinician."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.clinic import service as clinic
from portal.extensions import db
from portal.models import Comment, ModerationEvent

from .helpers import HTMX, select_all, select_one, text_of, texts_of, value_of

BODY = "form#comment-form textarea[name=body]"


def newest_comment() -> Comment:
    db.session.expire_all()
    return db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()


@pytest.fixture()
def trusted(people, post, make_comment):
    """The patient and caregiver with approved comments already, so nothing is held."""
    for role in ("patient", "caregiver"):
        make_comment(post, people[role], "An earlier approved comment", kind="discussion")
    return people


def checked_kind(html: str) -> list[str]:
    return [radio["value"] for radio in select_all(html, "#comment-form input[name=kind][checked]")]


@pytest.mark.parametrize("role", ["patient", "caregiver"])
def test_an_asker_chooses_between_asking_a_clinician_and_sharing(
    client, post, people, log_in, role
):
    log_in(people[role])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    fieldset = select_one(html, "form#comment-form fieldset.thread-kind")
    assert text_of(fieldset, "legend") == "What would you like to do?"
    radios = select_all(fieldset, "input[type=radio][name=kind]")
    assert [radio["value"] for radio in radios] == ["question", "discussion"]
    assert all(radio.has_attr("required") for radio in radios)
    labels = [text_of(fieldset, f'label[for="{radio["id"]}"]') for radio in radios]
    assert labels[0].startswith("Ask a clinician a question")
    assert labels[1].startswith("Share or discuss")
    assert checked_kind(html) == []  # nothing chosen for them
    assert select_one(html, "form#comment-form input[name=asked_for]")["type"] == "text"


@pytest.mark.parametrize("role", ["clinician", "admin"])
def test_clinicians_and_admins_see_no_chooser_and_start_discussions(
    client, post, people, log_in, role
):
    log_in(people[role])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert select_all(html, "form#comment-form input[name=kind]") == []
    assert select_all(html, "form#comment-form input[name=asked_for]") == []
    # Even a forged choice makes a discussion: only patients and caregivers ask.
    response = client.post(
        f"/posts/{post.slug}/comments", data={"body": "A note for everyone.", "kind": "question"}
    )
    assert response.status_code == 303
    comment = newest_comment()
    assert comment.kind == "discussion" and comment.question_state is None


def test_ask_1_opens_the_form_with_the_question_chosen(client, post, people, log_in):
    log_in(people["caregiver"])
    html = client.get(f"/posts/{post.slug}?ask=1").get_data(as_text=True)
    assert checked_kind(html) == ["question"]
    assert checked_kind(client.get(f"/posts/{post.slug}?ask=0").get_data(as_text=True)) == []


def test_no_choice_is_explained_beside_the_choice_and_the_text_kept(client, post, trusted, log_in):
    log_in(trusted["patient"])
    data = {"body": "Is it safe in pregnancy?", "asked_for": "my sister"}
    plain = client.post(f"/posts/{post.slug}/comments", data=data)
    assert plain.status_code == 422
    html = plain.get_data(as_text=True)
    fieldset = select_one(html, "form#comment-form fieldset.thread-kind")
    error = select_one(fieldset, ".error-message")
    assert "Choose whether you are asking a clinician or sharing" in error.get_text()
    assert fieldset["aria-describedby"] == error["id"]
    assert value_of(html, BODY) == "Is it safe in pregnancy?"
    assert value_of(html, "form#comment-form input[name=asked_for]") == "my sister"

    fragment = client.post(f"/posts/{post.slug}/comments", data=data, headers=HTMX)
    assert fragment.status_code == 422
    assert fragment.headers["HX-Retarget"] == "#comment-form"
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and "Choose whether you are asking" in text
    assert value_of(text, BODY) == "Is it safe in pregnancy?"
    assert newest_comment().body_source == "An earlier approved comment"


def test_no_choice_and_no_text_are_both_explained(client, post, trusted, log_in):
    log_in(trusted["patient"])
    html = client.post(f"/posts/{post.slug}/comments", data={"body": " "}).get_data(as_text=True)
    assert "Choose whether you are asking" in text_of(html, "fieldset.thread-kind")
    assert "Write something before posting." in html


def test_asking_makes_a_waiting_question_labelled_on_its_card(client, post, trusted, log_in):
    waiting_before = clinic.waiting_count()
    log_in(trusted["patient"])
    response = client.post(
        f"/posts/{post.slug}/comments", data={"body": "Can I drive after?", "kind": "question"}
    )
    question = newest_comment()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#comment-{question.id}")
    assert question.kind == "question" and question.question_state == "waiting"
    assert clinic.waiting_count() == waiting_before + 1
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    status = text_of(html, f"#question-status-{question.id}")
    assert status == "Question for a clinician Waiting for a clinician"


def test_a_tip_is_never_a_question(client, post, trusted, log_in):
    waiting_before = clinic.waiting_count()
    log_in(trusted["caregiver"])
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Tip: a cool flannel helps.", "kind": "discussion", "asked_for": "my dad"},
        headers=HTMX,
    )
    assert response.status_code == 201
    tip = newest_comment()
    assert tip.kind == "discussion" and tip.question_state is None and tip.asked_for == ""
    assert clinic.waiting_count() == waiting_before
    html = response.get_data(as_text=True)
    assert "Question for a clinician" not in html and "Waiting for a clinician" not in html
    # The form comes back for the next comment, asking the choice again.
    assert checked_kind(html) == [] and select_one(html, "#comment-form fieldset.thread-kind")


def test_asking_with_htmx_shows_the_question_in_place(client, post, trusted, log_in):
    log_in(trusted["caregiver"])
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Can he still work?", "kind": "question", "asked_for": "for my partner"},
        headers=HTMX,
    )
    assert response.status_code == 201
    question = newest_comment()
    # "for my partner" and "my partner" say the same; the card says "asked for my partner".
    assert question.asked_for == "my partner"
    html = response.get_data(as_text=True)
    assert text_of(html, f"#question-status-{question.id} .asked-for") == "asked for my partner"
    assert "Waiting for a clinician" in text_of(html, f"#question-status-{question.id}")


def test_whom_one_asks_for_is_length_checked_with_the_text_kept(client, post, trusted, log_in):
    log_in(trusted["caregiver"])
    too_long = "my " + "very " * 16 + "dear partner"
    assert len(too_long) > 80
    data = {"body": "Is this normal?", "kind": "question", "asked_for": too_long}
    response = client.post(f"/posts/{post.slug}/comments", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = select_one(html, "form#comment-form .asked-for-field")
    assert f"at most 80 characters; this has {len(too_long)}" in text_of(field, ".error-message")
    assert select_one(field, "input")["aria-invalid"] == "true"
    assert value_of(html, "form#comment-form input[name=asked_for]") == too_long
    assert value_of(html, BODY) == "Is this normal?"
    assert checked_kind(html) == ["question"]  # the choice is kept too
    assert newest_comment().body_source == "An earlier approved comment"


def test_replies_have_no_chooser(client, post, people, make_comment, log_in):
    question = make_comment(post, people["caregiver"], "Q")
    log_in(people["patient"])
    inline = client.get(f"/comments/{question.id}/reply", headers=HTMX).get_data(as_text=True)
    assert select_all(inline, "input[name=kind]") == [] and "holding" not in inline
    response = client.post(
        f"/posts/{post.slug}/comments", data={"body": "Me too", "parent_id": question.id}
    )
    assert response.status_code == 303
    assert newest_comment().kind == "reply"


def holding_box(html: str, parent_id: int) -> list:
    return select_all(html, f"form#reply-form-{parent_id} input[type=checkbox][name=holding]")


def test_a_clinician_replying_to_a_waiting_question_may_post_a_holding_reply(
    client, post, people, make_comment, log_in
):
    question = make_comment(post, people["caregiver"], "Can we travel after the infusion?")
    follow_up = make_comment(post, people["caregiver"], "It's a long flight.", parent=question)
    chat = make_comment(post, people["caregiver"], "Thanks all!", kind="discussion")
    log_in(people["clinician"])
    inline = client.get(f"/comments/{question.id}/reply", headers=HTMX).get_data(as_text=True)
    box = holding_box(inline, question.id)
    assert len(box) == 1
    label = text_of(inline, f'label[for="{box[0]["id"]}"]')
    assert label == "This is a holding reply: someone is looking into it"
    # Deeper in the question's thread too; not in a discussion's.
    no_js = client.get(f"/posts/{post.slug}?replytocom={follow_up.id}").get_data(as_text=True)
    assert len(holding_box(no_js, follow_up.id)) == 1
    chat_form = client.get(f"/comments/{chat.id}/reply", headers=HTMX).get_data(as_text=True)
    assert holding_box(chat_form, chat.id) == []


def test_a_holding_reply_keeps_the_question_waiting_and_says_someone_is_looking(
    client, post, people, make_comment, log_in
):
    question = make_comment(post, people["caregiver"], "Can we travel after the infusion?")
    log_in(people["clinician"])
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={
            "body": "I'll check with the infusion unit and come back tomorrow.",
            "parent_id": question.id,
            "holding": "y",
        },
        headers=HTMX,
    )
    assert response.status_code == 201
    holding = newest_comment()
    assert holding.kind == "holding"
    db.session.refresh(question)
    assert question.question_state == "waiting" and question.holding_at is not None
    assert clinic.waiting_count() == 1
    html = response.get_data(as_text=True)
    assert texts_of(html, f"#comment-card-{holding.id} .label--holding-reply") == ["Holding reply"]
    assert "Clinician's answer" not in html
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "A clinician is looking into this" in text_of(page, f"#question-status-{question.id}")
    logged = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.action == "holding_reply")
    ).all()
    assert [(e.target_type, e.target_id, e.to_status) for e in logged] == [
        ("question", question.id, "waiting")
    ]
    # The asker sees no holding box; it is clinicians' own.
    client.post("/logout")
    log_in(people["caregiver"])
    asker_form = client.get(f"/comments/{question.id}/reply", headers=HTMX).get_data(as_text=True)
    assert holding_box(asker_form, question.id) == []


def test_a_forged_holding_box_outside_a_waiting_question_is_an_ordinary_reply(
    client, post, people, make_comment, log_in
):
    chat = make_comment(post, people["caregiver"], "Thanks all!", kind="discussion")
    question = make_comment(post, people["caregiver"], "Q")
    log_in(people["patient"])
    client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Looking into it!", "parent_id": question.id, "holding": "y"},
    )
    assert newest_comment().kind == "reply"  # only clinicians hold
    client.post("/logout")
    log_in(people["clinician"])
    client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "You're welcome", "parent_id": chat.id, "holding": "y"},
    )
    assert newest_comment().kind == "reply"
