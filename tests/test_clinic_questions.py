"""Clinicians see which questions still wait for an answer, and answer them where they are.

Only questions asked on purpose are listed, and only deliberate acts take one off: an answer
marked as such (answering from the list marks it) or closing it. A clinician's ordinary reply,
a holding reply or a claim leaves it waiting.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment, Tag, utcnow
from portal.questions import lifecycle

from .helpers import (
    HTMX,
    Markup,
    count_statements,
    select_all,
    select_one,
    text_of,
    texts_of,
)


def at(minutes: int):
    return utcnow() - timedelta(hours=5) + timedelta(minutes=minutes)


def listed(html: str) -> list[int]:
    """Ids of the questions in the list, in order."""
    rows = select_all(html, 'li[class="thread-item question"][id^="question-"]')
    return [int(row["id"].removeprefix("question-")) for row in rows]


def nav_count(html: Markup) -> str:
    counts = select_all(html, "#waiting-questions-count")
    return text_of(counts[0]).removesuffix(" waiting") if counts else ""


def filter_option(page: str, select_id: str, value: str):
    return select_one(page, f'select#{select_id} option[value="{value}"]')


@pytest.fixture()
def queue(people, make_post, make_comment, make_user):
    """A mix of waiting and not-waiting questions (and threads that are no questions)."""
    alemtuzumab = Tag(name="alemtuzumab", slug="alemtuzumab")
    fatigue = Tag(name="fatigue", slug="fatigue")
    first = make_post("Alemtuzumab: the long view", tags=[alemtuzumab])
    second = make_post("Living with fatigue", tags=[fatigue])
    draft = make_post("Unpublished", status="draft", published_at=None)
    closed = make_post("Closed to comments", comments_open=False)
    patient, caregiver = people["patient"], people["caregiver"]
    q = {
        "oldest": make_comment(first, patient, "Is the rash normal?", created_at=at(1)),
        "caregiver": make_comment(
            second, caregiver, "How do I help on bad days?", created_at=at(2)
        ),
        "patient_reply_only": make_comment(first, patient, "Any news?", created_at=at(3)),
        "clinician_replied": make_comment(first, caregiver, "Replied deep down", created_at=at(4)),
        "admin_reply_only": make_comment(second, patient, "Admin looked", created_at=at(5)),
        "pending": make_comment(first, patient, "Held", status="pending", created_at=at(6)),
        "by_clinician": make_comment(first, people["clinician"], "A note", created_at=at(7)),
        "on_draft": make_comment(draft, patient, "Early bird", created_at=at(8)),
        "on_closed": make_comment(closed, patient, "Too late", created_at=at(9)),
        "newest": make_comment(second, patient, "Newest question", created_at=at(10)),
        "tip": make_comment(first, patient, "A tip: cool showers", kind="discussion"),
        "answered": make_comment(second, caregiver, "Answered and marked", created_at=at(14)),
        "closed": make_comment(second, patient, "Thank you all!", created_at=at(15)),
    }
    make_comment(first, caregiver, "Me too", parent=q["patient_reply_only"], created_at=at(11))
    level2 = make_comment(first, patient, "More", parent=q["clinician_replied"], created_at=at(12))
    # An ordinary clinician reply, however deep, answers nothing.
    make_comment(first, people["clinician"], "A thought, not an answer", parent=level2)
    reply = make_comment(second, people["clinician"], "The answer", parent=q["answered"])
    lifecycle.mark_answer(reply, people["clinician"])
    lifecycle.close(q["closed"], people["clinician"], "no_answer_needed", "Glad it helped.")
    db.session.commit()
    make_comment(second, people["admin"], "Moderator here", parent=q["admin_reply_only"])
    make_comment(
        second, people["clinician"], "Held answer", parent=q["caregiver"], status="pending"
    )
    return {"posts": {"first": first, "second": second}, **q}


def test_the_queue_lists_waiting_questions_oldest_first(client, people, log_in, queue):
    log_in(people["clinician"])
    response = client.get("/clinic/questions")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert text_of(html, "h1") == "Questions waiting for an answer"
    expected = [
        "oldest",
        "caregiver",
        "patient_reply_only",
        "clinician_replied",
        "admin_reply_only",
        "newest",
    ]
    assert listed(html) == [queue[name].id for name in expected]
    assert "6 questions waiting" in html
    assert "Is the rash normal?" in html and "RiverWalker" in texts_of(html, "a")
    assert "Caregiver" in texts_of(html, '[class="badge badge--caregiver"]')
    assert nav_count(html) == "6"


def test_the_queue_as_an_htmx_fragment(client, people, log_in, queue):
    log_in(people["clinician"])
    html = client.get("/clinic/questions", headers=HTMX).get_data(as_text=True)
    assert "<html" not in html and not select_all(html, "h1")
    assert len(listed(html)) == 6


def test_a_history_restore_gets_the_whole_page(client, people, log_in, queue):
    log_in(people["clinician"])
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    html = client.get("/clinic/questions?post=living-with-fatigue", headers=headers).get_data(
        as_text=True
    )
    assert "<html" in html and len(listed(html)) == 3


def test_filtering_by_post_and_by_tag(client, people, log_in, queue):
    log_in(people["admin"])
    page = client.get("/clinic/questions").get_data(as_text=True)
    form = select_one(page, 'form[class="filters stacked-form"]')
    assert (form["method"], form["action"]) == ("get", "/clinic/questions")
    assert (form["hx-get"], form["hx-target"], form["hx-push-url"]) == (
        "/clinic/questions",
        "#question-list",
        "true",
    )
    by_post_option = filter_option(page, "filter-post", "living-with-fatigue")
    assert text_of(by_post_option) == "Living with fatigue (3)"
    by_tag_option = filter_option(page, "filter-tag", "alemtuzumab")
    assert text_of(by_tag_option) == "alemtuzumab (3)"
    assert not by_post_option.has_attr("selected") and not by_tag_option.has_attr("selected")

    by_post = client.get("/clinic/questions?post=living-with-fatigue").get_data(as_text=True)
    assert listed(by_post) == [queue[n].id for n in ("caregiver", "admin_reply_only", "newest")]
    assert "for this filter" in by_post and "Show all" in by_post
    assert filter_option(by_post, "filter-post", "living-with-fatigue").has_attr("selected")

    by_tag = client.get("/clinic/questions?tag=alemtuzumab", headers=HTMX).get_data(as_text=True)
    assert listed(by_tag) == [
        queue[name].id for name in ("oldest", "patient_reply_only", "clinician_replied")
    ]

    both = client.get("/clinic/questions?post=living-with-fatigue&tag=alemtuzumab")
    assert listed(both.get_data(as_text=True)) == []
    assert "No questions are waiting for this post or treatment." in both.get_data(as_text=True)
    nothing = client.get("/clinic/questions?tag=no-such-tag").get_data(as_text=True)
    assert "(none waiting)" in nothing and listed(nothing) == []


def test_the_post_filter_offers_the_busiest_posts_and_the_one_asked_for(
    monkeypatch, client, people, log_in, make_post, make_comment
):
    from portal.clinic import service

    monkeypatch.setattr(service, "POST_CHOICES", 2)
    waiting = {"Quiet post": 1, "Busy post": 3, "Middling post": 2}
    for title, count in waiting.items():
        post = make_post(title)
        for n in range(count):
            make_comment(post, people["patient"], f"{title} question {n}")
    log_in(people["clinician"])
    page = client.get("/clinic/questions").get_data(as_text=True)
    # The busiest, in title order; the treatment filter and "All posts" reach the rest.
    assert texts_of(page, "select#filter-post option") == [
        "All posts",
        "Busy post (3)",
        "Middling post (2)",
    ]
    asked = client.get("/clinic/questions?post=quiet-post").get_data(as_text=True)
    assert text_of(filter_option(asked, "filter-post", "quiet-post")) == "Quiet post (1)"
    assert filter_option(asked, "filter-post", "quiet-post").has_attr("selected")
    assert len(listed(asked)) == 1


def test_the_queue_comes_in_pages(app, client, people, log_in, post, make_comment):
    app.config["QUESTIONS_PER_PAGE"] = 2
    made = [make_comment(post, people["patient"], f"Q{n}", created_at=at(n)) for n in range(5)]
    log_in(people["clinician"])
    first = client.get("/clinic/questions").get_data(as_text=True)
    assert listed(first) == [made[0].id, made[1].id] and "Page 1 of 3" in first
    assert select_all(first, 'a[href="/clinic/questions?page=2"][rel="next"]')
    last = client.get("/clinic/questions?page=3", headers=HTMX).get_data(as_text=True)
    assert listed(last) == [made[4].id] and select_all(last, '[rel="prev"]')


@pytest.mark.parametrize("role", ["patient", "caregiver"])
def test_patients_and_caregivers_cannot_see_the_queue(client, people, log_in, queue, role):
    log_in(people[role])
    assert client.get("/clinic/questions").status_code == 403
    assert client.get("/clinic/questions", headers=HTMX).status_code == 403
    answer = f"/clinic/questions/{queue['oldest'].id}/answer"
    assert client.get(answer).status_code == 403
    home = client.get("/").get_data(as_text=True)
    assert "waiting-questions-count" not in home and "/clinic/questions" not in home


def test_visitors_are_sent_to_log_in(client, queue):
    response = client.get("/clinic/questions")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_navigation_shows_how_many_wait(client, people, log_in, queue):
    log_in(people["clinician"])
    home = client.get("/").get_data(as_text=True)
    nav = select_one(home, "nav.site-nav")
    assert select_all(nav, 'a[href="/clinic/questions"]') and nav_count(nav) == "6"
    assert " waiting" in [hidden.get_text() for hidden in select_all(nav, ".visually-hidden")]


# --- answering in place --------------------------------------------------------------------


def test_the_answer_form_opens_inline_and_posts_where_post_page_replies_go(
    client, people, log_in, queue
):
    question = queue["oldest"]
    slug = queue["posts"]["first"].slug
    log_in(people["clinician"])
    page = client.get("/clinic/questions").get_data(as_text=True)
    answer_url = f"/clinic/questions/{question.id}/answer"
    assert select_all(page, f'a[href="{answer_url}"][hx-target="#answer-slot-{question.id}"]')
    fragment = client.get(f"/clinic/questions/{question.id}/answer", headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    form = select_one(html, f'form[action="{answer_url}"]')
    assert form["hx-post"] == answer_url
    assert (form["hx-target"], form["hx-swap"]) == (f"#question-{question.id}", "outerHTML")
    assert "Answer RiverWalker" in html and "data-cancel-reply" in html
    # The post page's reply form posts to the comments endpoint, as a reply to the question.
    post_page = client.get(f"/posts/{slug}?replytocom={question.id}").get_data(as_text=True)
    reply_form = f'form[action="/posts/{slug}/comments"]'
    assert select_all(post_page, f'{reply_form} input[name="parent_id"][value="{question.id}"]')


def test_the_answer_form_without_js_is_a_page(client, people, log_in, queue):
    question = queue["oldest"]
    log_in(people["clinician"])
    html = client.get(f"/clinic/questions/{question.id}/answer").get_data(as_text=True)
    assert text_of(html, "h1") == "Answer RiverWalker" and "Is the rash normal?" in html
    assert "Back to the questions" in html and "data-cancel-reply" not in html


def test_only_waiting_questions_can_be_opened_for_an_answer(client, people, log_in, queue):
    log_in(people["clinician"])
    not_waiting = ("answered", "closed", "tip", "pending", "by_clinician", "on_draft", "on_closed")
    for name in not_waiting:
        assert client.get(f"/clinic/questions/{queue[name].id}/answer").status_code == 404
    assert client.get("/clinic/questions/99999/answer", headers=HTMX).status_code == 404


def answer(client, question, body="Yes, that is common in the first month.", headers=None):
    return client.post(
        f"/clinic/questions/{question.id}/answer", data={"body": body}, headers=headers or {}
    )


def test_answering_with_htmx_takes_the_question_off_the_list(client, people, log_in, queue):
    question = queue["oldest"]
    log_in(people["clinician"])
    response = answer(client, question, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert not select_all(html, f"#question-{question.id}") and "Is the rash normal?" not in html
    assert select_one(html, f"#answered-{question.id}").has_attr("autofocus")
    count = select_one(html, "span#waiting-questions-count")
    assert count["hx-swap-oob"] == "innerHTML" and text_of(count) == "5 waiting"
    assert "Your answer to RiverWalker is posted. 5 questions still waiting." in html
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == question.id))
    assert reply.status == "approved" and reply.author_id == people["clinician"].id
    # Answering from the list is a deliberate answer: the reply is marked, the question answered.
    db.session.refresh(question)
    assert reply.kind == "answer" and question.question_state == "answered"
    assert question.answer_id == reply.id
    assert select_all(html, f'a[href="/comments/{reply.id}"]')
    after = client.get("/clinic/questions").get_data(as_text=True)
    assert question.id not in listed(after) and nav_count(after) == "5"
    post_page = client.get(f"/posts/{question.post.slug}").get_data(as_text=True)
    assert "Yes, that is common in the first month." in post_page


def test_answering_without_js_comes_back_to_the_queue(client, people, log_in, queue):
    question = queue["caregiver"]
    log_in(people["clinician"])
    response = answer(client, question)
    assert response.status_code == 303 and response.headers["Location"] == "/clinic/questions"
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert "Your answer to SteadyHand is posted." in page
    assert question.id not in listed(page)


def test_a_bad_answer_keeps_the_text_and_explains(client, people, log_in, queue):
    question = queue["oldest"]
    log_in(people["clinician"])
    long_text = "word " * 1001
    response = answer(client, question, body=long_text, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#answer-form-{question.id}"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert "at most 5,000 characters" in html and long_text.strip() in html
    assert select_all(html, f'[hx-post="/clinic/questions/{question.id}/answer"]')
    assert "data-cancel-reply" in html
    plain = answer(client, question, body="   ")
    assert plain.status_code == 422
    assert "Write something before posting." in plain.get_data(as_text=True)
    assert text_of(plain, "h1") == "Answer RiverWalker"
    assert db.session.scalar(select(Comment).where(Comment.parent_id == question.id)) is None


def test_a_question_that_vanished_meanwhile_keeps_the_answer_to_copy(client, people, log_in, queue):
    question = queue["oldest"]
    log_in(people["clinician"])
    question.status = "rejected"
    db.session.commit()
    response = answer(client, question, body="My careful answer", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#question-{question.id}"
    assert "That question is no longer available." in html and "My careful answer" in html
    plain = answer(client, question, body="My careful answer")
    assert plain.status_code == 422 and "My careful answer" in plain.get_data(as_text=True)


def test_an_admin_sees_the_list_but_cannot_answer_from_it(client, people, log_in, queue):
    question = queue["newest"]
    log_in(people["admin"])
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert question.id in listed(page)
    assert not select_all(page, f'a[href="/clinic/questions/{question.id}/answer"]')
    assert not select_all(page, "form[action$='/claim']")
    assert any(link.startswith("See the discussion") for link in texts_of(page, "a"))
    response = answer(client, question, body="A clinician will be along soon.", headers=HTMX)
    assert response.status_code == 403
    assert db.session.scalar(select(Comment).where(Comment.parent_id == question.id)) is None
    assert question.id in listed(client.get("/clinic/questions").get_data(as_text=True))


def test_a_patient_cannot_answer_through_the_queue(client, people, log_in, queue):
    question = queue["oldest"]
    log_in(people["caregiver"])
    response = answer(client, question, body="Same here.")
    assert response.status_code == 403
    assert db.session.scalar(select(Comment).where(Comment.parent_id == question.id)) is None


# --- a fixed number of statements ----------------------------------------------------------


def test_the_queue_loads_in_a_fixed_number_of_statements(
    app, client, people, log_in, make_post, make_comment, make_user
):
    app.config["QUESTION_COUNTS_SECONDS"] = 0  # counted afresh each time: the whole cost

    def add_questions(post, how_many: int) -> None:
        for n in range(how_many):
            asker = make_user("patient") if n % 2 else people["caregiver"]
            top = make_comment(post, asker, f"Question {n}")
            make_comment(post, people["patient"], f"Follow-up {n}", parent=top)

    small = make_post("Small", tags=[Tag(name="small", slug="small")])
    add_questions(small, 2)
    log_in(people["clinician"])
    client.get("/clinic/questions")  # warm up what is loaded once per process
    small_count = count_statements(lambda: client.get("/clinic/questions"))
    large = make_post("Large", tags=[Tag(name="large", slug="large")])
    add_questions(large, 20)
    large_count = count_statements(lambda: client.get("/clinic/questions"))
    html = client.get("/clinic/questions").get_data(as_text=True)
    assert len(listed(html)) == 22
    assert small_count == large_count
    assert large_count <= 8


# --- counts kept for a few seconds ---------------------------------------------------------


def test_the_counts_are_kept_between_views_and_the_list_is_always_read_afresh(
    app, client, people, log_in, queue, make_comment
):
    app.config["QUESTION_COUNTS_SECONDS"] = 60
    log_in(people["clinician"])
    client.get("/clinic/questions")
    kept = count_statements(lambda: client.get("/clinic/questions"))
    app.config["QUESTION_COUNTS_SECONDS"] = 0
    client.get("/clinic/questions")
    every_time = count_statements(lambda: client.get("/clinic/questions"))
    assert kept == every_time - 1  # the counts' statement, and only it, is saved


def test_a_write_in_this_process_shows_in_the_counts_at_once(
    app, client, people, log_in, queue, make_comment
):
    app.config["QUESTION_COUNTS_SECONDS"] = 60
    log_in(people["clinician"])
    assert nav_count(client.get("/clinic/questions").get_data(as_text=True)) == "6"
    make_comment(queue["posts"]["first"], people["patient"], "One more question")
    html = client.get("/clinic/questions").get_data(as_text=True)
    assert nav_count(html) == "7" and "7 questions waiting" in html
    assert len(listed(html)) == 7


def test_a_write_by_another_process_shows_once_the_kept_counts_expire(
    app, client, people, log_in, queue
):
    """Another process's write reaches this one's kept counts within QUESTION_COUNTS_SECONDS;
    the list itself shows the change at once. A second engine stands for the other process."""
    from sqlalchemy import create_engine, text

    app.config["QUESTION_COUNTS_SECONDS"] = 1
    log_in(people["clinician"])
    assert nav_count(client.get("/clinic/questions").get_data(as_text=True)) == "6"
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with other.begin() as connection:
        connection.execute(
            text(
                "UPDATE comments SET question_state = 'closed', close_reason = "
                "'no_answer_needed' WHERE id = :id"
            ),
            {"id": queue["oldest"].id},
        )
    other.dispose()
    html = client.get("/clinic/questions").get_data(as_text=True)
    assert queue["oldest"].id not in listed(html)
    assert nav_count(html) == "6"  # still the kept count, for at most a second
    time.sleep(1.1)
    assert nav_count(client.get("/clinic/questions").get_data(as_text=True)) == "5"
