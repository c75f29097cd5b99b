"""Threads on the post page: order, nesting, the depth cap, badges, counts and paging."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.comments.threads import MAX_DEPTH
from portal.models import utcnow

from .helpers import HTMX, count_statements, select_all, select_one, text_of, texts_of

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


def at(minutes: int):
    return utcnow() - timedelta(hours=5) + timedelta(minutes=minutes)


def thread_html(html: str) -> str:
    return str(select_one(html, "#comments"))


def classes_of_item(html: str, comment) -> list[str]:
    return select_one(html, f"li#comment-{comment.id}")["class"]


def test_top_level_comments_oldest_first_with_replies_nested(client, post, people, make_comment):
    second = make_comment(post, people["caregiver"], "Second question", created_at=at(2))
    first = make_comment(post, people["patient"], "First question", created_at=at(1))
    make_comment(post, people["clinician"], "An answer", parent=first, created_at=at(3))
    html = thread_html(client.get(f"/posts/{post.slug}").get_data(as_text=True))
    words = text_of(html)
    assert words.index("First question") < words.index("An answer") < words.index("Second question")
    replies = select_one(html, f"#replies-{first.id}")
    assert "An answer" in text_of(replies) and not select_all(replies, f"#comment-{second.id}")
    assert "(2 comments)" not in html and "(3 comments)" in html


def test_each_comment_shows_name_badge_time_body_permalink_and_reply(
    client, post, people, make_comment
):
    comment = make_comment(post, people["clinician"], "Monthly **blood tests** matter.")
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    card = select_one(html, f"article#comment-card-{comment.id}")
    words = text_of(card)
    assert "Helen Marsh" in words
    assert "✓ Verified clinician" in words
    times = [time["datetime"] for time in select_all(card, "time[datetime]")]
    assert any(TIMESTAMP.fullmatch(when) for when in times)
    assert "blood tests" in texts_of(card, "strong")
    assert select_all(card, f'a[href="/posts/{post.slug}#comment-{comment.id}"]')
    assert "Log in to reply" in words  # a visitor is offered the way in


def test_role_badges_name_every_role(client, post, people, make_comment):
    for role in ("patient", "caregiver", "clinician", "admin"):
        make_comment(post, people[role], f"From a {role}")
    html = thread_html(client.get(f"/posts/{post.slug}").get_data(as_text=True))
    for badge in ("badge--patient", "badge--caregiver", "badge--clinician", "badge--admin"):
        assert select_all(html, f".badge.{badge}")
    assert {"Patient", "Caregiver", "Admin"} <= set(texts_of(html, ".badge"))


def test_replies_deeper_than_the_cap_sit_at_the_cap_and_say_whom_they_answer(
    client, post, people, make_user, make_comment
):
    names = ["Ann One", "Ben Two", "Cal Three", "Dee Four", "Eve Five", "Fay Six"]
    authors = [make_user("patient", name) for name in names]
    chain = []
    parent = None
    for depth, author in enumerate(authors, start=1):
        parent = make_comment(post, author, f"Level {depth}", parent=parent, created_at=at(depth))
        chain.append(parent)
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    for depth in range(1, MAX_DEPTH + 1):
        assert classes_of_item(html, chain[depth - 1]) == ["thread-item", f"depth-{depth}"]
    # Level 5 and 6 are shown at depth 4, in the same list as level 4, naming whom they answer.
    assert classes_of_item(html, chain[4]) == ["thread-item", "depth-4"]
    assert classes_of_item(html, chain[5]) == ["thread-item", "depth-4"]
    level_three_replies = text_of(html, f"#replies-{chain[2].id}")
    assert level_three_replies.index("Level 4") < level_three_replies.index("Level 5")
    assert "in reply to Dee Four" in html and "in reply to Eve Five" in html
    assert "depth-5" not in html


def test_total_counts_only_approved_comments(client, post, people, make_comment):
    make_comment(post, people["patient"])
    make_comment(post, people["caregiver"], status="pending")
    make_comment(post, people["caregiver"], status="rejected")
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    count = select_one(html, "span#comment-count")
    assert count["class"] == ["count"] and text_of(count) == "(1 comment)"


def test_pending_comments_are_seen_by_their_author_only(client, post, people, make_comment, log_in):
    make_comment(
        post,
        people["patient"],
        "Is my thyroid at risk?",
        status="pending",
        held_reason="New members' first comments are read by a moderator.",
    )
    assert "Is my thyroid at risk?" not in client.get(f"/posts/{post.slug}").get_data(as_text=True)
    log_in(people["caregiver"])
    assert "Is my thyroid at risk?" not in client.get(f"/posts/{post.slug}").get_data(as_text=True)
    client.post("/logout")
    log_in(people["patient"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "Is my thyroid at risk?" in html
    assert "Awaiting moderation — only you can see this." in html
    assert "read by a moderator" in html


def test_rejected_and_spam_comments_are_never_shown(client, post, people, make_comment, log_in):
    make_comment(post, people["patient"], "Buy cheap pills", status="spam")
    make_comment(post, people["patient"], "Rude words", status="rejected")
    log_in(people["patient"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "Buy cheap pills" not in html and "Rude words" not in html


def test_a_deleted_comment_with_replies_stays_as_deleted(client, post, people, make_comment):
    gone = make_comment(post, people["patient"], "Original words", status="deleted")
    make_comment(post, people["clinician"], "Answer to it", parent=gone)
    alone = make_comment(post, people["patient"], "Lonely words", status="deleted")
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "[deleted]" in html and "Answer to it" in html
    assert "Original words" not in html
    assert not select_all(html, f"#comment-{alone.id}")


def test_threads_come_in_pages_with_show_more(app, client, post, people, make_comment):
    app.config["THREADS_PER_PAGE"] = 3
    for n in range(7):
        make_comment(post, people["patient"], f"Question number {n}", created_at=at(n))
    first = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "Question number 2" in first and "Question number 3" not in first
    assert "Show more comments" in first
    assert select_all(first, f'a[href="/posts/{post.slug}?page=2#comments"]')  # without JS
    assert "(7 comments)" in first

    fragment = client.get(f"/posts/{post.slug}/threads?page=2", headers=HTMX)
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert "<html" not in text
    assert select_all(text, '[hx-swap-oob="beforeend:#thread-list"]')
    assert "Question number 3" in text and "Question number 5" in text
    assert "Question number 6" not in text and "page=3" in text

    last = client.get(f"/posts/{post.slug}/threads?page=3", headers=HTMX).get_data(as_text=True)
    assert "Question number 6" in last and "Show more comments" not in last
    plain = client.get(f"/posts/{post.slug}/threads?page=2")
    assert plain.status_code == 302 and plain.headers["Location"].endswith("page=2")


def add_discussion(post, people, make_comment, threads: int, replies: int):
    for n in range(threads):
        top = make_comment(post, people["patient"], f"Question {n} with https://example.org")
        parent = top
        for r in range(replies):
            author = people["clinician"] if r % 2 else people["caregiver"]
            parent = make_comment(post, author, f"Reply {n}.{r}", parent=parent)


def test_post_page_statement_count_does_not_grow_with_the_thread(
    app, client, make_post, people, make_comment
):
    small = make_post("Small thread")
    large = make_post("Large thread")
    add_discussion(small, people, make_comment, threads=5, replies=1)  # 10 comments
    add_discussion(large, people, make_comment, threads=100, replies=2)  # 300 comments
    small_url, large_url = f"/posts/{small.slug}", f"/posts/{large.slug}"
    client.get("/")  # warm up what is loaded once per process
    small_count = count_statements(lambda: client.get(small_url))
    large_count = count_statements(lambda: client.get(large_url))
    assert small_count == large_count
    assert large_count <= 8
    assert "(300 comments)" in client.get(large_url).get_data(as_text=True)


def test_recent_posts_and_comments_appear_beside_the_content(
    client, make_post, people, make_comment
):
    other = make_post("Fatigue and heat")
    make_comment(other, people["caregiver"], "Cool showers help")
    make_comment(other, people["patient"], "Not yet approved", status="pending")
    html = client.get("/").get_data(as_text=True)
    sidebar = text_of(html, "aside.sidebar")
    assert "Recent posts" in sidebar and "Fatigue and heat" in sidebar
    assert "Recent comments" in sidebar and "SteadyHand on" in sidebar
    assert "RiverWalker on" not in sidebar


def test_replies_under_a_hidden_comment_stay_under_a_placeholder(
    client, post, people, make_comment, log_in
):
    reported = make_comment(post, people["patient"], "Words under review", status="pending")
    make_comment(post, people["clinician"], "A careful answer", parent=reported)
    spam_root = make_comment(post, people["patient"], "Buy pills", status="spam")
    make_comment(post, people["caregiver"], "Ignore that", parent=spam_root)
    make_comment(post, people["caregiver"], "Unanswered spam", status="spam")
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "A careful answer" in html and "Ignore that" in html
    assert "[hidden while a moderator looks at it]" in html
    assert "[removed by a moderator]" in html
    for hidden in ("Words under review", "Buy pills", "Unanswered spam"):
        assert hidden not in html
    # Its author still sees their own held words, marked as such.
    log_in(people["patient"])
    own = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "Words under review" in own and "Awaiting moderation" in own
