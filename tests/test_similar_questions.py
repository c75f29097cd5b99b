"""Issue 18, point 4: "Has this been asked?" While a patient or caregiver writes a new thread,
answered questions like it appear under the text box (htmx as they pause; the "Check for
similar questions" button without JavaScript), each linking to its clinician's answer in a new
tab. Nothing is stored, the draft comes back exactly as typed, and nothing hidden is shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.models import Comment
from portal.search import similar

from .helpers import HTMX, select_all, select_one, text_of, value_of
from .hostile import all_hostile_cases

# The shared hostile corpus, when CI has not named one.
SHARED_CORPUS = Path("/work/shared/corpus")
DRAFT = "Thyroid problems after the second course of alemtuzumab: how often are they checked?"
THYROID = "Can thyroid problems start years after the second course?"
THYROID_ANSWER = (
    "Yes: new cases were most frequent in the third year, so monthly blood tests go on."
)


@contextmanager
def sent_statements() -> Iterator[list[str]]:
    """The SQL statements sent inside the block."""
    sent: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def path(post) -> str:
    return f"/posts/{post.slug}/similar-questions"


def answered(make_comment, post, asker, clinician, question: str, answer: str, **fields):
    """A question of asker's, answered by clinician and marked as the answer."""
    asked = make_comment(post, asker, question, **fields)
    reply = make_comment(post, clinician, answer, parent=asked, kind="answer")
    asked.question_state, asked.answer_id = "answered", reply.id
    db.session.commit()
    return asked, reply


@pytest.fixture()
def thyroid(make_comment, post, people):
    return answered(
        make_comment, post, people["caregiver"], people["clinician"], THYROID, THYROID_ANSWER
    )


def comment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def links(html) -> list[str]:
    return [a["href"] for a in select_all(html, ".similar-question a")]


# --- with htmx: the region under the text box ---------------------------------------------


def test_a_pause_in_a_patients_question_shows_the_answered_one_like_it(
    client, log_in, post, people, thyroid
):
    question, answer = thyroid
    log_in(people["patient"])
    before = comment_count()
    response = client.post(path(post), data={"body": DRAFT, "kind": "question"}, headers=HTMX)
    assert response.status_code == 200
    assert links(response) == [f"/comments/{answer.id}"]
    link = select_one(response, ".similar-question a")
    assert link["target"] == "_blank" and "noopener" in link["rel"]
    assert "(opens in a new tab)" in text_of(link)
    assert THYROID in text_of(link)
    item = text_of(response, ".similar-question")
    assert "Answered by Helen Marsh" in item and post.title in item
    # Said politely, once, in the live region; nothing takes focus.
    assert "1 answered question like yours is listed" in text_of(response, "#announcer")
    assert select_one(response, "#announcer")["hx-swap-oob"] == "innerHTML"
    assert not select_all(response, "[autofocus]")
    assert value_of(response, "input[name=similar_shown]") == str(question.id)
    assert comment_count() == before  # nothing stored


def test_a_question_answered_between_two_pauses_is_offered_at_the_second(
    client, log_in, post, people, make_comment
):
    """The words' counts are kept between pauses in typing, but a word no answered question
    held is asked about again: the first answer with it is offered at once."""
    log_in(people["patient"])
    draft = {
        "body": "Optic neuritis came back after my relapse; is that usual?",
        "kind": "question",
    }
    assert links(client.post(path(post), data=draft, headers=HTMX)) == []
    asked, answer = answered(
        make_comment,
        post,
        people["caregiver"],
        people["clinician"],
        "Does optic neuritis come back after a relapse?",
        "It can; most people recover their sight within months.",
    )
    assert links(client.post(path(post), data=draft, headers=HTMX)) == [f"/comments/{answer.id}"]


def test_the_answer_link_leads_to_the_answers_permalink(client, log_in, post, people, thyroid):
    _, answer = thyroid
    log_in(people["patient"])
    shown = client.post(path(post), data={"body": DRAFT}, headers=HTMX)
    response = client.get(links(shown)[0])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/posts/{post.slug}#comment-{answer.id}")


def test_the_same_questions_again_are_not_announced_again(client, log_in, post, people, thyroid):
    question, _ = thyroid
    log_in(people["caregiver"])
    data = {"body": DRAFT + " And for how long?", "similar_shown": str(question.id)}
    response = client.post(path(post), data=data, headers=HTMX)
    assert links(response) and not select_all(response, "#announcer")


def test_a_short_draft_asks_nothing_and_shows_nothing(client, log_in, post, people, thyroid):
    log_in(people["patient"])
    client.post(path(post), data={"body": "warming up"}, headers=HTMX)
    with sent_statements() as sent:
        response = client.post(path(post), data={"body": "Thyroid"}, headers=HTMX)
    assert response.status_code == 200
    assert not select_all(response, ".similar-question, .hint, #announcer")
    # No search, no loading, for one word.
    assert not [s for s in sent if "fts" in s or "search_vector" in s or "answer_id" in s]


def test_a_draft_like_nothing_answered_says_so_quietly(client, log_in, post, people, thyroid):
    log_in(people["patient"])
    draft = "Does swimming in cold water help with spasticity in the evenings?"
    response = client.post(path(post), data={"body": draft}, headers=HTMX)
    assert response.status_code == 200
    assert text_of(response, ".hint") == "No similar answered questions yet."
    assert not select_all(response, "#announcer, .similar-question")


def test_at_most_five_are_shown(client, log_in, post, people, make_comment):
    # Seven answered questions, each sharing a different word with the draft.
    for word in ("thyroid", "problems", "second", "course", "alemtuzumab", "often", "checked"):
        answered(
            make_comment,
            post,
            people["caregiver"],
            people["clinician"],
            f"A question where {word} matters",
            "An answer.",
        )
    log_in(people["patient"])
    response = client.post(path(post), data={"body": DRAFT}, headers=HTMX)
    assert len(select_all(response, ".similar-question")) == 5
    assert "5 answered questions like yours are listed" in text_of(response, "#announcer")


def test_the_lookup_costs_the_same_statements_for_one_question_or_five(
    client, log_in, post, people, make_comment
):
    def ask_and_count() -> tuple[int, int]:
        client.post(path(post), data={"body": DRAFT}, headers=HTMX)
        with sent_statements() as sent:
            response = client.post(path(post), data={"body": DRAFT}, headers=HTMX)
        return len(select_all(response, ".similar-question")), len(sent)

    log_in(people["patient"])
    for n in range(5):
        answered(
            make_comment,
            post,
            people["caregiver"],
            people["clinician"],
            f"Thyroid question {n} after the second course",
            f"Thyroid answer {n}.",
        )
        if n == 0:
            one = ask_and_count()
    five = ask_and_count()
    assert (one[0], five[0]) == (1, 5)
    assert one[1] == five[1]  # questions, answers, their authors and posts in one statement


# --- without JavaScript: the button, and the page again --------------------------------------


def test_the_check_button_sits_in_a_patients_new_thread_form(client, log_in, post, people):
    log_in(people["patient"])
    page = client.get(f"/posts/{post.slug}")
    button = select_one(page, "#comment-form button[formaction]")
    assert text_of(button) == "Check for similar questions"
    assert button["formaction"] == f"/posts/{post.slug}/similar-questions#comment-form-similar"
    region = select_one(page, "#comment-form-similar")
    assert region["hx-post"] == path(post)
    assert region["hx-trigger"] == "input changed delay:600ms from:#comment-form-body"
    assert "hx-get" not in region.attrs  # the draft is health text: never in an address
    # The default button (Enter in a field) still posts: it comes first.
    buttons = select_all(page, "#comment-form .form-actions button[type=submit]")
    assert text_of(buttons[0]) == "Post comment"


@pytest.mark.parametrize("role", ["clinician", "admin"])
def test_clinicians_and_admins_answering_are_not_offered_it(client, log_in, post, people, role):
    log_in(people[role])
    page = client.get(f"/posts/{post.slug}")
    assert select_all(page, "#comment-form")
    assert not select_all(page, "#comment-form-similar, button[formaction]")


def test_replies_are_not_offered_it(client, log_in, post, people, make_comment):
    thread = make_comment(post, people["caregiver"], "A question of my own here.")
    log_in(people["patient"])
    page = client.get(f"/posts/{post.slug}?replytocom={thread.id}")
    assert select_all(page, f"#reply-form-{thread.id}")
    assert not select_all(page, f"#reply-form-{thread.id} button[formaction]")
    assert not select_all(page, f"#reply-form-{thread.id}-similar")


def test_checking_without_javascript_draws_the_page_with_the_form_exactly_as_typed(
    client, log_in, post, people, thyroid
):
    _, answer = thyroid
    log_in(people["caregiver"])
    draft = "  Thyroid problems after the *second course*?\r\n\r\n- tired\r\n- cold <b>hands</b>  "
    before = comment_count()
    form = {
        "body": draft,
        "kind": "question",
        "asked_for": "my partner",
        "form_token": "token-from-the-first-draw",
        "check_similar": "1",
    }
    response = client.post(path(post), data=form)
    assert response.status_code == 200
    assert value_of(response, "#comment-form-body") == draft
    assert select_one(response, "#comment-form-kind-question").has_attr("checked")
    assert value_of(response, "#comment-form-asked-for") == "my partner"
    assert value_of(response, "#comment-form input[name=form_token]") == "token-from-the-first-draw"
    assert links(response) == [f"/comments/{answer.id}"]
    assert "(opens in a new tab)" in text_of(response, "#comment-form-similar")
    assert comment_count() == before
    # The form posts as it did: the same token, so posting now stores the comment once.
    assert select_one(response, "#comment-form")["action"] == f"/posts/{post.slug}/comments"


def test_checking_a_discussion_draft_keeps_its_choice(client, log_in, post, people, thyroid):
    log_in(people["patient"])
    form = {"body": DRAFT, "kind": "discussion", "check_similar": "1"}
    response = client.post(path(post), data=form)
    assert select_one(response, "#comment-form-kind-discussion").has_attr("checked")
    assert not select_one(response, "#comment-form-kind-question").has_attr("checked")


def test_checking_a_short_draft_without_javascript_asks_for_more_words(
    client, log_in, post, people
):
    log_in(people["patient"])
    response = client.post(path(post), data={"body": "thyroid", "check_similar": "1"})
    assert response.status_code == 200
    assert "Write a few more words" in text_of(response, "#comment-form-similar")
    assert value_of(response, "#comment-form-body") == "thyroid"


def test_then_posting_stores_the_question_once(client, log_in, post, people, thyroid):
    log_in(people["patient"])
    form = {"body": DRAFT, "kind": "question", "form_token": "one-form"}
    client.post(path(post), data={**form, "check_similar": "1"})
    before = comment_count()
    posted = client.post(f"/posts/{post.slug}/comments", data=form)
    assert posted.status_code == 303
    assert comment_count() == before + 1


# --- who may, and the form's protection ------------------------------------------------------


def test_a_visitor_is_sent_to_log_in(client, post):
    response = client.post(path(post), data={"body": DRAFT})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["clinician", "admin"])
def test_clinicians_and_admins_are_refused(client, log_in, post, people, role):
    log_in(people[role])
    assert client.post(path(post), data={"body": DRAFT}, headers=HTMX).status_code == 403
    assert client.post(path(post), data={"body": DRAFT}).status_code == 403


def test_a_suspended_member_is_told_why_and_keeps_the_draft(client, log_in, post, people):
    log_in(people["suspended"])
    response = client.post(path(post), data={"body": DRAFT, "check_similar": "1"})
    assert response.status_code == 403
    assert "suspended" in response.get_data(as_text=True)


def test_without_the_csrf_token_nothing_is_looked_up_and_the_draft_is_kept(
    client, log_in, post, people, thyroid
):
    log_in(people["patient"])
    response = client.post(path(post), data={"body": DRAFT}, csrf=False)
    assert response.status_code == 400
    assert value_of(response, "#comment-form-body") == DRAFT
    assert not select_all(response, ".similar-question")
    fragment = client.post(path(post), data={"body": DRAFT}, headers=HTMX, csrf=False)
    assert fragment.status_code == 400 and ".similar-question" not in fragment.get_data(
        as_text=True
    )


def test_a_get_is_not_an_answer(client, log_in, post, people):
    log_in(people["patient"])
    assert client.get(path(post) + "?body=thyroid").status_code == 405


def test_a_missing_or_unpublished_post_is_404(client, log_in, make_post, people):
    draft = make_post("Not yet", status="draft", published_at=None)
    log_in(people["patient"])
    assert (
        client.post("/posts/no-such-post/similar-questions", data={"body": DRAFT}).status_code
        == 404
    )
    assert client.post(path(draft), data={"body": DRAFT}).status_code == 404


@pytest.mark.rate_limits
def test_too_many_looks_are_refused_with_the_draft_kept(client, log_in, post, people):
    log_in(people["patient"])
    answers = [client.post(path(post), data={"body": DRAFT}, headers=HTMX) for _ in range(61)]
    assert {a.status_code for a in answers[:60]} == {200}
    assert answers[60].status_code == 429
    page = client.post(path(post), data={"body": DRAFT, "check_similar": "1"})
    assert page.status_code == 429
    assert value_of(page, "#comment-form-body") == DRAFT


# --- nothing hidden --------------------------------------------------------------------------


@pytest.mark.parametrize("hidden", ["pending", "rejected", "spam", "removed", "deleted"])
def test_a_question_not_approved_is_never_shown(client, log_in, post, people, make_comment, hidden):
    question, _ = answered(
        make_comment, post, people["caregiver"], people["clinician"], THYROID, THYROID_ANSWER
    )
    question.status = hidden
    db.session.commit()
    log_in(people["patient"])
    assert not links(client.post(path(post), data={"body": DRAFT}, headers=HTMX))
    assert not links(client.post(path(post), data={"body": DRAFT, "check_similar": "1"}))


@pytest.mark.parametrize("hidden", ["pending", "rejected", "removed", "deleted"])
def test_a_question_whose_answer_is_hidden_is_never_shown(
    client, log_in, post, people, make_comment, hidden
):
    _, answer = answered(
        make_comment, post, people["caregiver"], people["clinician"], THYROID, THYROID_ANSWER
    )
    answer.status = hidden
    db.session.commit()
    log_in(people["patient"])
    assert not links(client.post(path(post), data={"body": DRAFT}, headers=HTMX))


def test_a_question_under_an_unpublished_post_is_never_shown(
    client, log_in, post, make_post, people, make_comment
):
    hidden_post = make_post("Alemtuzumab draft notes", status="draft", published_at=None)
    answered(
        make_comment, hidden_post, people["caregiver"], people["clinician"], THYROID, THYROID_ANSWER
    )
    log_in(people["patient"])
    assert not links(client.post(path(post), data={"body": DRAFT}, headers=HTMX))


def test_a_question_of_a_member_who_hid_their_comments_is_not_shown(
    client, log_in, post, people, thyroid
):
    people["caregiver"].hide_comment_list = True
    db.session.commit()
    log_in(people["patient"])
    assert not links(client.post(path(post), data={"body": DRAFT}, headers=HTMX))


def test_a_waiting_question_is_not_an_answered_one(client, log_in, post, people, make_comment):
    make_comment(post, people["caregiver"], THYROID)  # waiting for a clinician
    log_in(people["patient"])
    assert not links(client.post(path(post), data={"body": DRAFT}, headers=HTMX))


def test_answered_questions_under_other_posts_are_found_too(
    client, log_in, post, make_post, people, make_comment
):
    other = make_post("Cladribine: the second year")
    _, answer = answered(
        make_comment, other, people["caregiver"], people["clinician"], THYROID, THYROID_ANSWER
    )
    log_in(people["patient"])
    response = client.post(path(post), data={"body": DRAFT}, headers=HTMX)
    assert links(response) == [f"/comments/{answer.id}"]
    assert "Cladribine: the second year" in text_of(response, ".similar-question")


def test_a_question_text_is_shown_as_text_never_as_markup(
    client, log_in, post, people, make_comment
):
    answered(
        make_comment,
        post,
        people["caregiver"],
        people["clinician"],
        "Thyroid after the second course? <script>alert(1)</script> **really** &amp; <b>bold</b>",
        "It can be.",
    )
    log_in(people["patient"])
    response = client.post(path(post), data={"body": DRAFT}, headers=HTMX)
    assert not select_all(response, ".similar-question script, .similar-question b")
    assert "Thyroid after the second course?" in text_of(response, ".similar-question a")


# --- hostile drafts ---------------------------------------------------------------------------


def test_hostile_drafts_never_fail(client, log_in, post, people, thyroid, monkeypatch):
    if not os.environ.get("PORTAL_HOSTILE_CORPUS_DIR") and SHARED_CORPUS.is_dir():
        monkeypatch.setenv("PORTAL_HOSTILE_CORPUS_DIR", str(SHARED_CORPUS))
    log_in(people["patient"])
    for case in all_hostile_cases():
        # The case first and among words that find something, through the whole request;
        # repeated up to what a form may send, through the lookup itself (quicker).
        draft = f"{case} thyroid second course {case}"
        response = client.post(path(post), data={"body": draft}, headers=HTMX)
        assert response.status_code == 200, (case, response.status_code)
        assert "<script" not in response.get_data(as_text=True).lower()
        similar.check((case * 40)[:20_000])


def test_a_hostile_draft_comes_back_whole_on_the_page(client, log_in, post, people, thyroid):
    log_in(people["patient"])
    for draft in (
        '"><script>alert(1)</script> thyroid NEAR(course) * OR ()',
        "\x01\x7f thyroid \u202e",
    ):
        response = client.post(path(post), data={"body": draft, "check_similar": "1"})
        assert response.status_code == 200
        assert value_of(response, "#comment-form-body") == draft


def test_a_very_long_draft_is_looked_up_on_its_opening(client, log_in, post, people, thyroid):
    log_in(people["patient"])
    draft = DRAFT + " and more" * 3_000
    response = client.post(path(post), data={"body": draft}, headers=HTMX)
    assert response.status_code == 200
    assert links(response)


def test_the_service_returns_questions_with_their_answers(app, post, people, thyroid):
    question, answer = thyroid
    found = similar.check(DRAFT)
    assert [(f.question.id, f.answer.id) for f in found.found] == [(question.id, answer.id)]
    assert found.found[0].opening == THYROID
    assert similar.check("two words").too_short
