"""Readers find answers: the way to ask, to the discussion and to the answers sits at the top
of a post; home and tag pages link their comment counts to the discussion; "Clinicians'
answers" lists each answered question with its marked answer (a page without JavaScript, the
discussion's list region with htmx); and the discussion can be read oldest first, newest
first or answered first."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from portal import page_cache
from portal.comments import threads
from portal.extensions import db
from portal.models import SlugRedirect, Tag, utcnow
from portal.questions import lifecycle

from .helpers import HTMX, count_statements, select_all, select_one, text_of, texts_of

REGION = {**HTMX, "HX-Target": "discussion-view"}


def at(minutes: int):
    return utcnow() - timedelta(hours=5) + timedelta(minutes=minutes)


def answered(post, asker, clinician, make_comment, question: str, answer: str, *, minute: int):
    """A question asked at minute, answered by clinician and marked as the answer."""
    asked = make_comment(post, asker, question, created_at=at(minute))
    reply = make_comment(post, clinician, answer, parent=asked, created_at=at(minute + 1))
    lifecycle.mark_answer(reply, clinician)
    db.session.commit()
    return asked, reply


def answers_of(html) -> list[str]:
    """The answered questions' headings and answer bodies, in order, from the answers list."""
    return texts_of(html, "#answer-list .answered__answer .comment__body")


# --- the top of the post --------------------------------------------------------------------


def top_links(html):
    return select_one(html, "nav.discussion-links")


def test_the_top_of_a_post_leads_to_asking_the_discussion_and_the_answers(
    client, log_in, post, people, make_comment
):
    answered(post, people["patient"], people["clinician"], make_comment, "Q1", "A1", minute=1)
    make_comment(post, people["caregiver"], "Still waiting", created_at=at(5))
    log_in(people["patient"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    nav = top_links(html)
    ask = select_one(nav, "a#ask-a-question")
    assert text_of(ask) == "Ask a question" and "button" in ask["class"]
    assert ask["href"] == f"/posts/{post.slug}?ask=1#comment-form"
    (discussion,) = [a for a in select_all(nav, "a") if text_of(a).startswith("Discussion")]
    assert text_of(discussion) == "Discussion (3 comments)" and discussion["href"] == "#comments"
    (answers,) = [a for a in select_all(nav, "a") if text_of(a).startswith("Clinicians'")]
    assert text_of(answers) == "Clinicians' answers (1)"
    assert answers["href"] == f"/posts/{post.slug}/answers"
    # Under the title and meta, before the body: the reader need not scroll past the post.
    assert html.index('class="discussion-links"') > html.index('id="post-title"')
    assert html.index('class="discussion-links"') < html.index('class="post-body')
    # The targets exist: the discussion and the form the button opens.
    assert select_all(html, "section#comments") and select_all(html, "#comment-form")


def test_a_visitor_is_asked_to_log_in_first_and_comes_back_to_the_question_form(client, post):
    nav = top_links(client.get(f"/posts/{post.slug}"))
    ask = select_one(nav, "a#ask-a-question")
    target = urlsplit(ask["href"])
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == [f"/posts/{post.slug}?ask=1#comment-form"]
    assert "Discussion (0 comments)" in texts_of(nav, "a")


def test_without_answers_or_with_comments_closed_those_links_are_left_out(
    client, make_post, people, make_comment
):
    closed = make_post("Closed post", comments_open=False)
    make_comment(closed, people["patient"], "An old question")
    nav = top_links(client.get(f"/posts/{closed.slug}"))
    assert not select_all(nav, "#ask-a-question")
    assert texts_of(nav, "a") == ["Discussion (1 comment)"]


def test_members_who_do_not_ask_questions_get_no_ask_button(client, log_in, post, people):
    log_in(people["clinician"])
    nav = top_links(client.get(f"/posts/{post.slug}"))
    assert not select_all(nav, "#ask-a-question")
    assert select_all(nav, 'a[href="#comments"]')


def test_a_draft_has_no_links_to_a_discussion_nobody_can_join(client, log_in, make_post, people):
    draft = make_post("Unfinished", status="draft", published_at=None)
    log_in(people["clinician"])
    html = client.get(f"/posts/{draft.slug}").get_data(as_text=True)
    assert not select_all(html, "nav.discussion-links")


# --- post lists -----------------------------------------------------------------------------


def test_home_and_tag_pages_link_comment_counts_to_the_discussion(
    client, post, people, make_comment
):
    make_comment(post, people["patient"], "One")
    make_comment(post, people["caregiver"], "Two")
    tag = Tag(name="alemtuzumab", slug="alemtuzumab")
    post.tags.append(tag)
    db.session.commit()
    for path in ("/", f"/tags/{tag.slug}"):
        summary = select_one(client.get(path), f'article[aria-labelledby="post-{post.id}-title"]')
        link = select_one(summary, f'a[href="/posts/{post.slug}#comments"]')
        assert text_of(link).startswith("2 comments"), path
        assert post.title in text_of(link)  # said in full to a screen reader's links list


# --- the answers view -----------------------------------------------------------------------


@pytest.fixture()
def mixed_discussion(post, people, make_comment):
    """One answered question among threads that must not be listed as answered."""
    patient, caregiver, clinician = people["patient"], people["caregiver"], people["clinician"]
    question, answer = answered(
        post, patient, clinician, make_comment, "Does the rash fade?", "It usually fades.", minute=1
    )
    make_comment(post, clinician, "Thank you, glad to help.", parent=question, created_at=at(2))
    held = make_comment(post, caregiver, "Infusion day tips?", created_at=at(3))
    make_comment(post, clinician, "I'll check with our infusion unit.", parent=held, kind="holding")
    unmarked = make_comment(post, patient, "Is fatigue normal?", created_at=at(4))
    make_comment(post, clinician, "A reply nobody marked.", parent=unmarked, created_at=at(5))
    closed = make_comment(post, caregiver, "Thanks for the post!", created_at=at(6))
    lifecycle.close(closed, clinician, "no_answer_needed", "A thank-you needs no answer.")
    make_comment(post, patient, "Sharing what helped me.", kind="discussion", created_at=at(7))
    pending = make_comment(post, patient, "Held question", status="pending", created_at=at(8))
    pending_reply = make_comment(post, clinician, "Answer to a held one", parent=pending)
    lifecycle.mark_answer(pending_reply, clinician)
    db.session.commit()
    return question, answer


def test_the_answers_view_lists_only_answered_questions_with_their_answers(
    client, post, mixed_discussion
):
    question, answer = mixed_discussion
    html = client.get(f"/posts/{post.slug}/answers").get_data(as_text=True)
    items = select_all(html, "#answer-list > li.answered")
    assert len(items) == 1
    words = text_of(items[0])
    assert "Question from RiverWalker" in words and "Does the rash fade?" in words
    assert "It usually fades." in words and "Clinician's answer" in words
    for absent in (
        "Thank you, glad to help.",
        "I'll check with our infusion unit.",
        "Is fatigue normal?",
        "A reply nobody marked.",
        "Thanks for the post!",
        "Sharing what helped me.",
        "Held question",
        "Answer to a held one",
    ):
        assert absent not in html, absent
    # Each links to its place in the discussion.
    assert select_all(items[0], f'a[href="/posts/{post.slug}#comment-{question.id}"]')
    assert select_all(items[0], f'a[href="/posts/{post.slug}#comment-{answer.id}"]')
    # The top of the post counts the same answers.
    nav = top_links(client.get(f"/posts/{post.slug}"))
    assert "Clinicians' answers (1)" in texts_of(nav, "a")


def test_without_javascript_the_answers_are_a_page_with_the_post_title_and_a_way_back(
    client, post, mixed_discussion
):
    response = client.get(f"/posts/{post.slug}/answers")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert text_of(html, "h1") == post.title
    assert "Clinicians' answers" in text_of(html, "title")
    assert select_all(html, f'a[href="/posts/{post.slug}"]')
    current = select_one(html, '.view-switch a[aria-current="true"]')
    assert current["id"] == "show-answers" and text_of(current) == "Clinicians' answers (1)"
    everything = select_one(html, "a#show-all-comments")
    assert everything["href"] == f"/posts/{post.slug}#comments"


def test_with_htmx_the_answers_replace_the_discussion_list_in_place(client, post, mixed_discussion):
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    switch = select_one(page, "#discussion-view a#show-answers")
    assert switch["hx-get"] == f"/posts/{post.slug}/answers"
    assert switch["hx-target"] == "#discussion-view" and switch["hx-push-url"] == "true"
    assert switch["href"] == f"/posts/{post.slug}/answers"  # a plain link first

    fragment = client.get(f"/posts/{post.slug}/answers", headers=REGION)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html and "<h1" not in html
    assert answers_of(html) == ["It usually fades."]
    assert select_one(html, '[aria-current="true"]')["id"] == "show-answers"
    back = select_one(html, "a#show-all-comments")
    assert back["hx-get"] == f"/posts/{post.slug}" and back["hx-target"] == "#discussion-view"
    assert text_of(html, '#announcer[hx-swap-oob="innerHTML"]') == (
        "Showing clinicians' answers (1)."
    )
    # A comment posted while the answers show has a list to land in.
    assert select_all(html, "ol#thread-list")

    # "All comments" brings the threads back, in the same place.
    everything = client.get(f"/posts/{post.slug}", headers=REGION).get_data(as_text=True)
    assert "<html" not in everything and "Is fatigue normal?" in everything
    assert select_one(everything, '[aria-current="true"]')["id"] == "show-all-comments"
    assert text_of(everything, "#announcer") == "Showing all comments, oldest first."


def test_answers_come_most_recently_answered_first_and_in_pages(
    app, client, post, people, make_comment
):
    app.config["THREADS_PER_PAGE"] = 2
    made = []
    for n in range(3):
        question, reply = answered(
            post,
            people["patient"],
            people["clinician"],
            make_comment,
            f"Q{n}",
            f"A{n}",
            minute=n * 2,
        )
        made.append(question)
    # Answered in the order 1, 0, 2: the view follows when they were answered, not asked.
    for question, minutes in zip(made, (20, 10, 30), strict=True):
        question.state_changed_at = at(minutes)
    db.session.commit()
    first = client.get(f"/posts/{post.slug}/answers").get_data(as_text=True)
    assert answers_of(first) == ["A2", "A0"]
    earlier = select_one(first, 'nav.pagination a[rel="next"]')
    assert text_of(earlier) == "Earlier answers"
    assert earlier["href"] == f"/posts/{post.slug}/answers?page=2"
    assert earlier["hx-target"] == "#discussion-view" and earlier["hx-push-url"] == "true"
    second = client.get(f"/posts/{post.slug}/answers?page=2", headers=REGION)
    assert answers_of(second) == ["A1"]
    assert select_all(second, 'nav.pagination a[rel="prev"]')
    # Past the last page: the last page, not an error.
    assert answers_of(client.get(f"/posts/{post.slug}/answers?page=99")) == ["A1"]


def test_each_answer_links_to_the_page_of_the_discussion_that_shows_it(
    app, client, post, people, make_comment
):
    app.config["THREADS_PER_PAGE"] = 2
    for n in range(3):
        make_comment(post, people["caregiver"], f"Early {n}", created_at=at(n))
    question, answer = answered(
        post, people["patient"], people["clinician"], make_comment, "Late", "Answer", minute=10
    )
    html = client.get(f"/posts/{post.slug}/answers").get_data(as_text=True)
    item = select_one(html, "li.answered")
    assert select_all(item, f'a[href="/posts/{post.slug}?page=2#comment-{question.id}"]')
    assert select_all(item, f'a[href="/posts/{post.slug}?page=2#comment-{answer.id}"]')
    shown = client.get(f"/posts/{post.slug}?page=2").get_data(as_text=True)
    assert select_all(shown, f"#comment-{answer.id}")
    # The same page the single-comment permalink names.
    with app.test_request_context():
        assert threads.page_of(question, None, 2) == 2


def test_with_no_answers_the_view_says_so(client, post, people, make_comment):
    make_comment(post, people["patient"], "Waiting question")
    html = client.get(f"/posts/{post.slug}/answers").get_data(as_text=True)
    assert "No clinician has answered a question here yet." in text_of(html, "#discussion-view")
    assert not select_all(html, "#answer-list")


def test_a_draft_s_answers_stay_hidden_from_strangers(client, log_in, make_post, people):
    draft = make_post("Secret draft", status="draft", published_at=None)
    assert client.get(f"/posts/{draft.slug}/answers").status_code == 404
    log_in(people["patient"])
    assert client.get(f"/posts/{draft.slug}/answers").status_code == 404
    client.post("/logout")
    log_in(people["clinician"])  # its author
    assert client.get(f"/posts/{draft.slug}/answers").status_code == 200


def test_a_renamed_post_s_answers_move_with_it(client, post):
    db.session.add(SlugRedirect(old_slug="old-name", post_id=post.id))
    db.session.commit()
    moved = client.get("/posts/old-name/answers")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith(f"/posts/{post.slug}/answers")
    assert client.get("/posts/no-such-post/answers").status_code == 404


def test_the_answers_view_costs_the_same_statements_however_many_answers(
    client, make_post, people, make_comment
):
    few, many = make_post("Few answers"), make_post("Many answers")
    for post, count in ((few, 2), (many, 12)):
        for n in range(count):
            answered(
                post,
                people["patient"],
                people["clinician"],
                make_comment,
                f"Q{n}",
                f"A{n}",
                minute=n * 2,
            )
    few_path, many_path = f"/posts/{few.slug}/answers", f"/posts/{many.slug}/answers"
    client.get(few_path)  # warm up what is loaded once per process

    def made_afresh(path: str, headers: dict) -> None:
        page_cache.cache.clear()  # the cost of making the page, not of its kept copy
        client.get(path, headers=headers)

    for headers in ({}, REGION):
        few_count = count_statements(lambda h=headers: made_afresh(few_path, h))
        many_count = count_statements(lambda h=headers: made_afresh(many_path, h))
        assert few_count == many_count <= 6
    assert len(answers_of(client.get(f"/posts/{many.slug}/answers"))) == 12


# --- ordering the discussion ----------------------------------------------------------------


@pytest.fixture()
def ordered_discussion(post, people, make_comment):
    """Four threads asked at minutes 1-4; the third answered."""
    make_comment(post, people["patient"], "First asked", created_at=at(1))
    make_comment(post, people["caregiver"], "Second asked", created_at=at(2))
    answered(
        post, people["patient"], people["clinician"], make_comment, "Third asked", "Yes.", minute=3
    )
    make_comment(post, people["caregiver"], "Fourth asked", created_at=at(5))
    return ["First asked", "Second asked", "Third asked", "Fourth asked"]


def thread_order(html) -> list[str]:
    cards = select_all(html, "#thread-list > li.thread-item > article .comment__body")
    return [text for text in (text_of(card) for card in cards)]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (None, [0, 1, 2, 3]),
        ("oldest", [0, 1, 2, 3]),
        ("newest", [3, 2, 1, 0]),
        ("answered", [2, 0, 1, 3]),
        ("sideways", [0, 1, 2, 3]),  # unknown: the default, never an error
        ("", [0, 1, 2, 3]),
    ],
)
def test_the_discussion_can_be_ordered(client, post, ordered_discussion, order, expected):
    query = "" if order is None else f"?order={order}"
    response = client.get(f"/posts/{post.slug}{query}")
    assert response.status_code == 200
    assert thread_order(response) == [ordered_discussion[n] for n in expected]
    chosen = select_one(response, "select#discussion-order-select option[selected]")
    shown = order if order in threads.ORDERS else "oldest"
    assert chosen["value"] == shown


def test_the_order_menu_is_a_plain_form_that_htmx_enhances(client, post, ordered_discussion):
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    form = select_one(html, "form#discussion-order")
    assert form["method"] == "get" and form["action"] == f"/posts/{post.slug}#comments"
    assert form["hx-get"] == f"/posts/{post.slug}" and form["hx-target"] == "#discussion-view"
    assert form["hx-push-url"] == "true" and "change" in form["hx-trigger"]
    assert text_of(form, "label[for=discussion-order-select]") == "Order"
    assert texts_of(form, "option") == ["Oldest first", "Newest first", "Answered first"]
    assert select_one(form, "button[type=submit]")

    fragment = client.get(f"/posts/{post.slug}?order=newest", headers=REGION)
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text
    assert thread_order(text)[0] == "Fourth asked"
    assert text_of(text, "#announcer") == "Showing all comments, newest first."
    # The fragment is the region's inside: htmx swaps it into #discussion-view.
    assert not select_all(text, "#discussion-view") and select_all(text, "ol#thread-list")


def test_show_more_keeps_the_order(app, client, post, ordered_discussion):
    app.config["THREADS_PER_PAGE"] = 2
    first = client.get(f"/posts/{post.slug}?order=newest").get_data(as_text=True)
    assert thread_order(first) == ["Fourth asked", "Third asked"]
    more = select_one(first, "#show-more a")
    assert more["href"] == f"/posts/{post.slug}?page=2&order=newest#comments"
    assert more["hx-get"] == f"/posts/{post.slug}/threads?page=2&order=newest"
    fragment = client.get(more["hx-get"], headers=HTMX).get_data(as_text=True)
    assert "Second asked" in fragment and "First asked" in fragment
    assert fragment.index("Second asked") < fragment.index("First asked")
    plain = client.get(f"/posts/{post.slug}/threads?page=2&order=answered")
    assert plain.status_code == 302
    assert plain.headers["Location"].endswith(f"/posts/{post.slug}?page=2&order=answered")
    # The default order's links stay as they were.
    oldest = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert select_one(oldest, "#show-more a")["href"] == f"/posts/{post.slug}?page=2#comments"


def test_permalinks_in_another_order_name_it_and_sent_permalinks_use_the_default(
    app, client, post, people, ordered_discussion
):
    app.config["THREADS_PER_PAGE"] = 2
    page = client.get(f"/posts/{post.slug}?order=newest&page=2").get_data(as_text=True)
    links = [a["href"] for a in select_all(page, "a.comment__permalink")]
    assert links and all(
        link.startswith(f"/posts/{post.slug}?page=2&order=newest#comment-") for link in links
    )
    # One comment's own permalink (notifications, posting without JavaScript) counts in the
    # default order: the oldest thread is on page 1 whatever order a reader last chose.
    oldest = db.session.scalars(
        threads.select_visible(post, None).order_by(threads.Comment.created_at)
    ).first()
    with app.test_request_context(f"/posts/{post.slug}?order=newest"):
        assert threads.permalink_args(oldest, None)["page"] is None
    redirect = client.get(f"/comments/{oldest.id}")
    assert redirect.headers["Location"].endswith(f"/posts/{post.slug}#comment-{oldest.id}")


def test_pages_of_agrees_with_page_of(app, post, people, make_comment):
    comments = [
        make_comment(post, people["patient"], f"Thread {n}", created_at=at(n)) for n in range(7)
    ]
    make_comment(post, people["caregiver"], "Hidden", status="pending", created_at=at(3))
    with app.test_request_context():
        places = threads.pages_of(post, [c.id for c in comments], None, 3)
        assert places == {c.id: threads.page_of(c, None, 3) for c in comments}
        assert sorted(set(places.values())) == [1, 2, 3]


@pytest.mark.parametrize("order", ["newest", "answered"])
def test_every_order_costs_the_same_statements(client, make_post, people, make_comment, order):
    small, large = make_post("Small"), make_post("Large")
    for post, count in ((small, 3), (large, 40)):
        for n in range(count):
            top = make_comment(post, people["patient"], f"Q{n}", created_at=at(n))
            make_comment(post, people["clinician"], f"R{n}", parent=top)
    answered(large, people["patient"], people["clinician"], make_comment, "Q", "A", minute=99)
    client.get("/")
    counts = {
        path: count_statements(lambda p=path: client.get(p))
        for path in (
            f"/posts/{small.slug}",
            f"/posts/{large.slug}",
            f"/posts/{small.slug}?order={order}",
            f"/posts/{large.slug}?order={order}",
        )
    }
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= 8  # the post page's budget (tests/test_read_path.py)
    region_path = f"/posts/{large.slug}?order={order}"
    region = count_statements(lambda: client.get(region_path, headers=REGION))
    assert region <= max(counts.values())
