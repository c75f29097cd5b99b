"""Journeys of point 5 and 7 of issue 15: nothing typed is lost, and times read in the reader's
own zone.

- A half-written reply survives Escape, Cancel and opening another reply form (JavaScript:
  kept in the tab, restored when the form reopens; discarding asks first).
- An expired edit keeps its text: saved after the 15 minutes, the form says so plainly, keeps
  the words and posts them as a new comment, with JavaScript and without.
- With JavaScript, times show in the reader's zone and recent ones as "… minutes ago".

RiverWalker (a demo patient with approved comments, so trusted) writes on the alemtuzumab post.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment, Post

from .browser import (
    POST_PATH,
    POST_SLUG,
    assert_no_problems,
    axe_violations,
    describe_violations,
    saved_comment,
    settled,
    without_page_load,
)
from .helpers import EMAILS, PASSWORD, log_in

# As tests/e2e/test_accessibility.py does: axe needs JavaScript, so the no-JS journeys refuse the
# page's own scripts instead, which leaves exactly the server's HTML and plain forms.
PAGE_SCRIPTS = re.compile(r"/static/.*\.js(\?.*)?$")
WINDOW_PASSED = "The 15 minutes for editing this comment have passed."


def first_comments(site, count: int = 2) -> list[int]:
    with site.database():
        post = db.session.scalar(select(Post).where(Post.slug == POST_SLUG))
        return list(
            db.session.scalars(
                select(Comment.id)
                .where(
                    Comment.post_id == post.id,
                    Comment.parent_id.is_(None),
                    Comment.status == "approved",
                )
                .order_by(Comment.created_at, Comment.id)
                .limit(count)
            )
        )


def reply_link(page, comment_id: int):
    card = page.locator(f"#comment-card-{comment_id}")
    return card.get_by_role("link", name=re.compile(r"^Reply to "))


def open_reply(page, comment_id: int):
    with settled(page):
        reply_link(page, comment_id).click()
    form = page.locator(f"#reply-slot-{comment_id} form.comment-form--reply")
    expect(form).to_be_visible()
    return form


def age(site, comment: Comment, minutes: int) -> None:
    """Move a comment's writing time back, as if the writer had paused that long."""
    with site.database():
        stored = db.session.get(Comment, comment.id)
        stored.created_at = stored.created_at - timedelta(minutes=minutes)
        db.session.commit()


def test_a_half_written_reply_survives_escape_cancel_and_another_reply(site, visit):
    page = visit("riverwalker")
    page.goto(POST_PATH)
    first, second = first_comments(site)
    with without_page_load(page):
        form = open_reply(page, first)
        form.get_by_label("Your reply").fill("I had the same headaches in the first week")
        # Escape closes the form; focus goes back to the Reply link; the text is kept.
        with settled(page):
            form.get_by_label("Your reply").press("Escape")
        expect(page.locator(f"#reply-slot-{first}")).to_be_empty()
        expect(reply_link(page, first)).to_be_focused()
        expect(page.locator("#announcer")).to_contain_text("Your text is kept")
        form = open_reply(page, first)
        expect(form.get_by_label("Your reply")).to_have_value(
            "I had the same headaches in the first week"
        )
        # Opening another reply form closes this one, and still nothing is lost.
        form.get_by_label("Your reply").press("End")
        form.get_by_label("Your reply").press_sequentially(", too.")
        open_reply(page, second)
        expect(page.locator(f"#reply-slot-{first}")).to_be_empty()
        form = open_reply(page, first)
        area = form.get_by_label("Your reply")
        expect(area).to_have_value("I had the same headaches in the first week, too.")
        # Cancel keeps it as well.
        with settled(page):
            form.get_by_role("link", name="Cancel reply").click()
        form = open_reply(page, first)
        expect(form.get_by_label("Your reply")).to_have_value(
            "I had the same headaches in the first week, too."
        )
        # Discarding asks first; "Keep writing" keeps every word.
        form.get_by_role("button", name="Discard", exact=True).click()
        prompt = form.get_by_role("group", name=re.compile("Discard your text"))
        expect(prompt).to_be_visible()
        expect(prompt.get_by_role("button", name="Keep writing")).to_be_focused()
        violations = axe_violations(page)
        assert violations == [], describe_violations(violations)
        prompt.get_by_role("button", name="Keep writing").click()
        expect(prompt).to_have_count(0)
        expect(form.get_by_label("Your reply")).to_have_value(
            "I had the same headaches in the first week, too."
        )
        # Posted: the draft has done its work, and the form opens empty next time.
        with settled(page):
            form.get_by_role("button", name="Post reply").click()
        reply = saved_comment(site, "I had the same headaches in the first week, too.")
        assert reply.parent_id == first
        form = open_reply(page, first)
        expect(form.get_by_label("Your reply")).to_have_value("")
    assert_no_problems(page)


def test_discard_asks_and_then_empties_the_form(site, visit):
    page = visit("riverwalker")
    page.goto(POST_PATH)
    first = first_comments(site, 1)[0]
    form = open_reply(page, first)
    form.get_by_label("Your reply").fill("Not sure I want to say this")
    form.get_by_role("button", name="Discard", exact=True).click()
    form.get_by_role("group", name=re.compile("Discard")).get_by_role(
        "button", name="Discard"
    ).click()
    expect(form.get_by_label("Your reply")).to_have_value("")
    expect(form.get_by_label("Your reply")).to_be_focused()
    with settled(page):
        form.get_by_label("Your reply").press("Escape")
    form = open_reply(page, first)
    expect(form.get_by_label("Your reply")).to_have_value("")
    assert_no_problems(page)


def write_a_comment(page, words: str) -> None:
    form = page.locator("#comment-form")
    form.get_by_label("Your comment or question").fill(words)
    kind = form.get_by_label(re.compile(r"^Share or discuss"))
    if kind.count():
        kind.check()
    form.get_by_role("button", name="Post comment").click()


def test_an_expired_edit_keeps_its_text_with_javascript(site, visit):
    page = visit("riverwalker")
    page.goto(POST_PATH)
    with without_page_load(page):
        with settled(page):
            write_a_comment(page, "My first thoughts on the infusion")
        mine = saved_comment(site, "My first thoughts on the infusion")
        card = page.locator(f"#comment-card-{mine.id}")
        with settled(page):
            card.get_by_role("link", name=re.compile("^Edit")).click()
        form = page.locator(f"form#comment-card-{mine.id}")
        area = form.get_by_role("textbox", name="Your comment")
        area.fill("My first thoughts on the infusion, a week later")
        age(site, mine, 20)  # the writer paused: the window has passed
        with settled(page):
            form.get_by_role("button", name="Save changes").click()
        form = page.locator(f"form#comment-card-{mine.id}")
        expect(form).to_contain_text(WINDOW_PASSED)
        expect(form.get_by_role("textbox", name="Your comment")).to_have_value(
            "My first thoughts on the infusion, a week later"
        )
        with settled(page):
            form.get_by_role("button", name="Post it as a new comment").click()
        new = saved_comment(site, "My first thoughts on the infusion, a week later")
        expect(page.locator(f"#comment-card-{mine.id}")).to_contain_text(
            "My first thoughts on the infusion"
        )
        expect(page.locator(f"#comment-card-{new.id}")).to_contain_text("a week later")
    with site.database():
        assert db.session.get(Comment, mine.id).body_source == "My first thoughts on the infusion"
    assert_no_problems(page)


def without_page_scripts(visit):
    page = visit()
    page.route(PAGE_SCRIPTS, lambda route: route.abort())
    log_in(page, "riverwalker")
    assert page.evaluate("() => typeof window.htmx") == "undefined", "htmx was not held back"
    return page


def test_an_expired_edit_keeps_its_text_without_javascript(site, visit):
    page = without_page_scripts(visit)
    page.goto(POST_PATH)
    write_a_comment(page, "Plain form thoughts")
    mine = saved_comment(site, "Plain form thoughts")
    page.goto(f"/comments/{mine.id}/edit")
    page.get_by_role("textbox", name="Your comment").fill("Plain form thoughts, revised")
    age(site, mine, 20)
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("main")).to_contain_text(WINDOW_PASSED)
    violations = axe_violations(page)  # a page only a POST reaches: checked here
    assert violations == [], describe_violations(violations)
    expect(page.get_by_role("textbox", name="Your comment")).to_have_value(
        "Plain form thoughts, revised"
    )
    page.get_by_role("button", name="Post it as a new comment").click()
    new = saved_comment(site, "Plain form thoughts, revised")
    page.wait_for_url(re.compile(rf"#comment-{new.id}$"))
    expect(page.locator(f"#comment-card-{new.id}")).to_contain_text("revised")
    assert_no_problems(page)


def test_a_reply_sent_after_logging_out_comes_back_after_logging_in_without_javascript(site, visit):
    page = without_page_scripts(visit)
    page.goto(POST_PATH)
    first = first_comments(site, 1)[0]
    page.locator(f"#comment-card-{first}").get_by_role(
        "link", name=re.compile(r"^Reply to ")
    ).click()
    page.get_by_label("Your reply").fill("Written before the session ended")
    # The session ends elsewhere (logged out in another tab).
    page.context.clear_cookies()
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("heading", name="Please log in again to post this")).to_be_visible()
    expect(page.get_by_label("Your text")).to_have_value("Written before the session ended")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    page.get_by_label("Email", exact=True).fill(EMAILS["riverwalker"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in and get my text back").click()
    expect(page.get_by_label("Your reply")).to_have_value("Written before the session ended")
    page.get_by_role("button", name="Post reply").click()
    assert saved_comment(site, "Written before the session ended").parent_id == first
    assert_no_problems(page)


def test_times_read_in_the_readers_own_zone(site, browser):
    context = browser.new_context(base_url=site.url, locale="en-GB", timezone_id="America/New_York")
    try:
        page = context.new_page()
        log_in(page, "riverwalker")
        page.goto(POST_PATH)
        first = first_comments(site, 1)[0]
        stamp = page.locator(f"#comment-card-{first} time")
        server_text = stamp.get_attribute("data-site-text")
        assert server_text and re.search(r"(GMT|BST)$", server_text)
        expect(stamp).to_have_text(re.compile(r"\d{2}:\d{2} (EST|EDT|GMT-[45])$|ago$"))
        write_a_comment(page, "A fresh comment to time")
        fresh = saved_comment(site, "A fresh comment to time")
        fresh_stamp = page.locator(f"#comment-card-{fresh.id} time")
        expect(fresh_stamp).to_have_text(re.compile(r"^(just now|\d+ minutes? ago)$"))
        expect(fresh_stamp).to_have_attribute(
            "title", re.compile(r"^\d{1,2} \w+ \d{4}, \d{2}:\d{2} (EST|EDT|GMT-[45])$")
        )
    finally:
        context.close()


def test_a_reply_sent_after_logging_out_stays_in_place_with_javascript(site, visit):
    page = visit("riverwalker")
    page.goto(POST_PATH)
    first = first_comments(site, 1)[0]
    with without_page_load(page):
        form = open_reply(page, first)
        form.get_by_label("Your reply").fill("Typed while the session ran out")
        page.context.clear_cookies()  # logged out elsewhere
        form.get_by_role("button", name="Post reply").click()
        login = page.locator("#session-ended")
        expect(login.get_by_role("heading")).to_have_text("Please log in again to post this")
        expect(login.get_by_role("heading")).to_be_focused()
        expect(login.get_by_label("Your text")).to_have_value("Typed while the session ran out")
    login.get_by_label("Email", exact=True).fill(EMAILS["riverwalker"])
    login.get_by_label("Password", exact=True).fill(PASSWORD)
    login.get_by_role("button", name="Log in and get my text back").click()
    form = page.locator(f"#reply-form-{first}")
    expect(form.get_by_label("Your reply")).to_have_value("Typed while the session ran out")
    with settled(page):
        form.get_by_role("button", name="Post reply").click()
    assert saved_comment(site, "Typed while the session ran out").parent_id == first
