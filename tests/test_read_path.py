"""Reading is cheap: pages show stored HTML and cost the same few SQL statements at any size.

Sanitizing happens once, when a comment or post is written. These tests make every sanitizing
and Markdown entry point fail while pages are read, and count the statements each page sends
with a small and a large discussion.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import bleach
import pytest
from bleach.linkifier import Linker
from bleach.sanitizer import Cleaner
from markdown_it import MarkdownIt
from sqlalchemy import event, select

from portal import rendering, sanitize
from portal.extensions import db
from portal.models import Comment, HelpfulMark, Post, User, utcnow
from tests.helpers import HTMX, select_all, texts_of

MAX_STATEMENTS = 8
SMALL, LARGE = 10, 300
# Staff navigation shows live counts (questions waiting; the moderation queue), one statement
# each on every page they see: over the readers' budget, and still the same at any size.
STAFF_NAVIGATION_STATEMENTS = {None: 0, "patient": 0, "clinician": 1, "admin": 2}


QUESTION = "Does **fatigue** settle? See https://example.org/ms"
ANSWER = "Usually within weeks.\n\n- rest\n- cool showers"


def add_discussion(post: Post, asker: User, answerer: User, total: int) -> None:
    """total approved comments in threads of three: a question, an answer, a follow-up."""
    rendered = {source: sanitize.render_markdown(source) for source in (QUESTION, ANSWER)}
    parent: Comment | None = None
    for n in range(total):
        source = ANSWER if n % 3 == 1 else QUESTION
        comment = Comment(
            post=post,
            author=answerer if n % 3 == 1 else asker,
            parent=parent if n % 3 else None,
            status="approved",
            body_source=source,
            body_html=rendered[source],
        )
        db.session.add(comment)
        db.session.flush()
        comment.root_id = parent.root_id if n % 3 else comment.id
        parent = comment
    db.session.commit()


def add_held_questions(post: Post, askers: list[User], total: int) -> None:
    """Comments waiting in the moderation queue, each from a different new member."""
    for n in range(total):
        comment = Comment(
            post=post,
            author=askers[n % len(askers)],
            status="pending",
            held_reason="First comments from new members are checked first.",
        )
        rendering.set_comment_body(comment, f"My first question, number {n}.")
        db.session.add(comment)
        db.session.flush()
        comment.root_id = comment.id
    db.session.commit()


def count_statements(client, path: str, headers: dict | None = None) -> int:
    client.get(path, headers=headers)  # warm up what is loaded once per process
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, path
    return len(statements)


@contextmanager
def sanitizing_forbidden(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every way to sanitize or render Markdown fails the test while the block runs."""

    def fail(*args, **kwargs):
        pytest.fail("the read path sanitized or rendered Markdown")

    with monkeypatch.context() as patch:
        for name in ("render_markdown", "render_post_markdown", "_render", "count_links"):
            patch.setattr(sanitize, name, fail)
        patch.setattr(bleach, "clean", fail)
        patch.setattr(bleach, "linkify", fail)
        patch.setattr(Cleaner, "clean", fail)
        patch.setattr(Linker, "linkify", fail)
        patch.setattr(MarkdownIt, "render", fail)
        patch.setattr(MarkdownIt, "parse", fail)
        yield


@pytest.fixture()
def discussed_post(make_post, people):
    post = make_post("Ocrelizumab and fatigue")
    add_discussion(post, people["patient"], people["clinician"], 30)
    return post


def test_the_guard_catches_a_sanitizer_call(app, monkeypatch):
    with sanitizing_forbidden(monkeypatch), pytest.raises(pytest.fail.Exception):
        sanitize.render_markdown("**hello**")


def test_a_visitor_reads_stored_html_without_any_sanitizing(client, discussed_post, monkeypatch):
    with sanitizing_forbidden(monkeypatch):
        home = client.get("/")
        page = client.get(f"/posts/{discussed_post.slug}")
    assert home.status_code == 200 and discussed_post.title in home.get_data(as_text=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "fatigue" in texts_of(html, "strong")
    links = select_all(html, 'a[href="https://example.org/ms"]')
    assert ["nofollow", "ugc", "noopener", "noreferrer"] in [link.get("rel") for link in links]
    assert "cool showers" in texts_of(html, "li")


def test_a_member_reads_and_loads_more_threads_without_any_sanitizing(
    app, client, log_in, people, discussed_post, monkeypatch
):
    app.config["THREADS_PER_PAGE"] = 4
    log_in(people["caregiver"])
    with sanitizing_forbidden(monkeypatch):
        page = client.get(f"/posts/{discussed_post.slug}")
        more = client.get(f"/posts/{discussed_post.slug}/threads?page=2", headers=HTMX)
        home = client.get("/")
    assert page.status_code == 200 and "fatigue" in texts_of(page, "strong")
    assert more.status_code == 200 and "fatigue" in texts_of(more, "strong")
    assert home.status_code == 200


def test_writing_a_comment_is_where_sanitizing_happens(client, log_in, people, post, monkeypatch):
    log_in(people["clinician"])
    with sanitizing_forbidden(monkeypatch), pytest.raises(pytest.fail.Exception):
        client.post(f"/posts/{post.slug}/comments", data={"body": "**Rest** helps."})


@pytest.mark.parametrize("viewer", [None, "patient", "clinician", "admin"])
def test_post_page_statements_do_not_grow_with_the_discussion(
    client, log_in, make_user, make_post, people, viewer
):
    # Written by someone other than the viewer, so no account is already loaded for free.
    writer = make_user("clinician", "Dr Writer")
    small = make_post("Ten comments", author=writer)
    large = make_post("Three hundred comments", author=writer)
    add_discussion(small, people["patient"], people["clinician"], SMALL)
    add_discussion(large, people["patient"], people["clinician"], LARGE)
    if viewer:
        log_in(people[viewer])
    small_count = count_statements(client, f"/posts/{small.slug}")
    large_count = count_statements(client, f"/posts/{large.slug}")
    assert small_count == large_count
    assert large_count <= MAX_STATEMENTS + STAFF_NAVIGATION_STATEMENTS[viewer]


def mark_answers_helpful_by(post: Post, member: User) -> list[int]:
    """Every clinician's reply on post becomes a marked answer; member says every other one
    helped. Returns the ids of the answers member marked."""
    answers = list(
        db.session.scalars(
            select(Comment).where(Comment.post_id == post.id, Comment.parent_id.is_not(None))
        )
    )
    answers = [answer for answer in answers if answer.author.is_clinician]
    for answer in answers:
        answer.kind = "answer"
    marked = [answer.id for answer in answers[::2]]
    db.session.add_all(HelpfulMark(comment_id=answer_id, user_id=member.id) for answer_id in marked)
    db.session.commit()
    return marked


def test_a_members_marks_on_a_long_discussion_cost_no_statement_of_their_own(
    app, client, log_in, make_user, make_post, people
):
    # Each answer shows "This helped me" as this member left it: known from the replies' query.
    writer = make_user("clinician", "Dr Writer")
    small = make_post("Ten comments", author=writer)
    large = make_post("Three hundred comments", author=writer)
    add_discussion(small, people["patient"], people["clinician"], SMALL)
    add_discussion(large, people["patient"], people["clinician"], LARGE)
    member = people["caregiver"]
    mark_answers_helpful_by(small, member)
    marked = mark_answers_helpful_by(large, member)
    log_in(member)
    small_count = count_statements(client, f"/posts/{small.slug}")
    large_count = count_statements(client, f"/posts/{large.slug}")
    assert small_count == large_count <= MAX_STATEMENTS
    html = client.get(f"/posts/{large.slug}").get_data(as_text=True)
    pressed = {
        int(button["id"].removeprefix("helpful-button-")): button["aria-pressed"]
        for button in select_all(html, "button.helpful__button")
    }
    assert len(pressed) == app.config["THREADS_PER_PAGE"]  # one answer in each thread shown
    assert {answer_id for answer_id, state in pressed.items() if state == "true"} == (
        set(marked) & set(pressed)
    )
    assert "false" in pressed.values() and "true" in pressed.values()


@pytest.mark.parametrize("viewer", [None, "patient"])
def test_home_page_statements_do_not_grow_with_the_discussion(
    client, log_in, make_post, people, viewer
):
    first = make_post("First post")
    add_discussion(first, people["patient"], people["clinician"], SMALL)
    if viewer:
        log_in(people[viewer])
    small_count = count_statements(client, "/")
    for n in range(12):
        make_post(f"Another post {n}")
    add_discussion(first, people["patient"], people["clinician"], LARGE)
    large_count = count_statements(client, "/")
    assert small_count == large_count
    assert large_count <= MAX_STATEMENTS


def test_moderation_queue_statements_do_not_grow_with_the_queue(
    client, log_in, make_user, make_post, people
):
    post = make_post()
    askers = [make_user("patient") for _ in range(20)]
    add_held_questions(post, askers, SMALL)
    log_in(people["admin"])
    small_count = count_statements(client, "/moderation")
    add_held_questions(post, askers, LARGE - SMALL)
    large_count = count_statements(client, "/moderation")
    assert small_count == large_count
    assert large_count <= MAX_STATEMENTS


def test_unanswered_questions_statements_do_not_grow_with_the_questions(
    client, log_in, make_user, make_post, people
):
    """Every question carries what the list shows of it: its asker, a follow-up, a claim, a
    holding reply; none of them costs a statement per question."""
    post = make_post()
    askers = [make_user("patient") for _ in range(20)]

    def add_questions(numbers: range) -> None:
        questions = []
        for n in numbers:
            question = Comment(
                post=post,
                author=askers[n % 20],
                status="approved",
                kind="question",
                question_state="waiting",
                claimed_by=people["clinician"] if n % 3 == 0 else None,
                claimed_at=utcnow() if n % 3 == 0 else None,
                holding_at=utcnow() if n % 4 == 0 else None,
            )
            rendering.set_comment_body(question, "Is this normal?")
            questions.append(question)
        db.session.add_all(questions)
        db.session.flush()
        for question in questions:
            question.root_id = question.id
            follow_up = Comment(
                post=post,
                author=question.author,
                parent=question,
                root_id=question.id,
                status="approved",
                kind="reply",
            )
            rendering.set_comment_body(follow_up, "Still wondering about this.")
            db.session.add(follow_up)
        db.session.commit()

    add_questions(range(SMALL))
    log_in(people["clinician"])
    small_count = count_statements(client, "/clinic/questions")
    add_questions(range(SMALL, LARGE))
    large_count = count_statements(client, "/clinic/questions")
    assert small_count == large_count
    assert large_count <= MAX_STATEMENTS
    page = client.get("/clinic/questions").get_data(as_text=True)
    assert "Is this normal?" in page and "Still wondering about this." in page
    assert "Claimed by you" in page and "Someone is looking" in page


def test_posting_without_javascript_lands_on_the_page_that_shows_the_comment(
    app, client, log_in, make_post, people
):
    app.config["THREADS_PER_PAGE"] = 3
    post = make_post("A busy post")
    add_discussion(post, people["patient"], people["clinician"], 15)  # five threads
    log_in(people["clinician"])
    posted = client.post(f"/posts/{post.slug}/comments", data={"body": "Newest question here"})
    assert posted.status_code == 303
    path, _, anchor = posted.headers["Location"].partition("#")
    assert path.endswith(f"/posts/{post.slug}?page=2") and anchor.startswith("comment-")
    assert "Newest question here" in client.get(path).get_data(as_text=True)
    first = db.session.scalars(
        select(Comment).where(Comment.post_id == post.id).order_by(Comment.id)
    ).first()
    reply = client.post(
        f"/posts/{post.slug}/comments", data={"body": "A reply", "parent_id": str(first.id)}
    )
    assert reply.headers["Location"].split("#")[0].endswith(f"/posts/{post.slug}")


def test_permalinks_on_later_pages_name_their_page(app, client, make_post, people):
    app.config["THREADS_PER_PAGE"] = 3
    post = make_post("A busy post")
    add_discussion(post, people["patient"], people["clinician"], 15)
    first = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    more = client.get(f"/posts/{post.slug}/threads?page=2", headers=HTMX).get_data(as_text=True)
    plain = client.get(f"/posts/{post.slug}?page=2").get_data(as_text=True)
    assert select_all(first, f'a[href^="/posts/{post.slug}#comment-"]')
    assert select_all(more, f'a[href^="/posts/{post.slug}?page=2#comment-"]')
    assert select_all(plain, f'a[href^="/posts/{post.slug}?page=2#comment-"]')
