"""Every user-writable field, sent every hostile input: nothing answers 500, what is stored comes
back intact in its form, and every page that shows it holds nothing executable.

Top-level comments are covered in test_hostile_comments.py. One test per field loops over all
the cases (our own list, plus the shared corpus when PORTAL_HOSTILE_CORPUS_DIR is set), sending
every other request as htmx so that both the page and the fragment answers are checked. Pages
that list many stored values (queues, the audit log, the home page) are read once at the end.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from xml.etree import ElementTree

from flask import request
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Comment, Flag, ModerationEvent, ModerationSettings, Post, User, utcnow
from portal.moderation import queue as moderation_queue
from portal.names import normalise
from portal.slugs import slugify

from .helpers import HTMX, TEST_PASSWORD, login, select_all, select_one
from .hostile import all_hostile_cases, assert_no_executable
from .hostile_pages import (
    assert_answered,
    assert_only_our_scripts,
    assert_refused,
    assert_shown_escaped,
    assert_user_html_safe,
    escaped,
    form_value,
    page_of,
    submitted,
)

PAGE_SCRIPTS = 2  # base.html's htmx and portal.js; a fragment has none
LOG_PER_PAGE = 50  # the audit log (the queue's own is moderation_queue.PER_PAGE)
ATOM = "{http://www.w3.org/2005/Atom}"


def sent_with(token: str, index: int) -> dict[str, str]:
    """Headers for the index-th request: the CSRF token, and htmx for every other one."""
    return {"X-CSRFToken": token, **(HTMX if index % 2 else {})}


def send(client, url: str, data: dict, token: str, index: int):
    """POST with the client's one token; csrf=False stops the client fetching another."""
    return client.post(url, data=data, headers=sent_with(token, index), csrf=False)


def look(client, url: str, index: int, **query):
    """GET, as a page or (every other index) as an htmx fragment."""
    return client.get(url, query_string=query or None, headers=HTMX if index % 2 else {})


def scripts_for(index: int) -> int:
    return 0 if index % 2 else PAGE_SCRIPTS


def saved(index: int) -> tuple[int, ...]:
    """How a successful form POST answers: a fragment for htmx, else 303 See Other."""
    return (200,) if index % 2 else (303,)


def reopened(client, response, url: str, index: int, case: str) -> str:
    """The form after a successful save: htmx got it back re-rendered from what was stored;
    a plain browser was sent away (303) and opens it again."""
    page = assert_answered(response, case, allowed=saved(index))
    if index % 2:
        return page
    return assert_answered(client.get(url), case, allowed=(200,))


def fresh(model, key):
    """The row as the requests left it (they commit in their own sessions)."""
    return db.session.get(model, key, populate_existing=True)


def pages_of(client, url: str, total: int, per_page: int = LOG_PER_PAGE, **query) -> list[str]:
    """Every page of a listing of total items, per_page at a time, each a full page."""
    pages = []
    for number in range(1, max(1, -(-total // per_page)) + 1):
        page = assert_answered(client.get(url, query_string={**query, "page": number}), url)
        assert_only_our_scripts(page, PAGE_SCRIPTS)
        pages.append(page)
    return pages


def comment_text(case: str) -> str:
    """A comment body as stored: CRLF line ends become LF, NUL becomes U+FFFD."""
    return submitted(case).replace("\r\n", "\n")


def comment_refused(case: str) -> bool:
    text = comment_text(case)
    return not text.strip() or len(text) > 5000


def reason_text(case: str) -> str:
    """A one-field reason as stored: the form strips it."""
    return submitted(case).strip()


def reason_refused(case: str) -> bool:
    reason = reason_text(case)
    return not reason or len(reason) > 500


def test_a_clean_page_carries_only_our_own_scripts(client, post):
    """The baseline every hostile page is counted against: a page and a fragment."""
    assert_only_our_scripts(page_of(client.get(f"/posts/{post.slug}")), PAGE_SCRIPTS)
    fragment = client.get(f"/posts/{post.slug}/threads", headers=HTMX)
    assert fragment.status_code == 200
    assert_only_our_scripts(page_of(fragment), 0)


# --- replies and edits -----------------------------------------------------------------------


def test_every_hostile_case_as_a_reply(app, client, post, people, make_comment, log_in):
    app.config["THREADS_PER_PAGE"] = 100_000
    question = make_comment(post, people["patient"], "Can I take it with my other tablets?")
    log_in(people["clinician"])  # approved on write, so every reply is shown to everyone
    token = client.csrf_token()
    accepted: list[str] = []
    for index, case in enumerate(all_hostile_cases()):
        # Cases with a phone number or an address are posted anyway, as the writer may choose.
        data = {"body": case, "parent_id": question.id, "personal_data_confirmed": "y"}
        response = send(client, f"/posts/{post.slug}/comments", data, token, index)
        if comment_refused(case):
            assert_refused(response, case, submitted(case))
            continue
        page = assert_answered(response, case, allowed=(201,) if index % 2 else (303,))
        if index % 2:  # the new reply, swapped into the thread
            assert len(assert_user_html_safe(page, "comment__body")) == 1, case
            assert_only_our_scripts(page, 0)
        accepted.append(case)

    replies = db.session.scalars(
        select(Comment).where(Comment.parent_id == question.id).order_by(Comment.id)
    ).all()
    assert [reply.body_source for reply in replies] == [comment_text(c) for c in accepted]
    for index, reply in enumerate(replies):
        assert_no_executable(reply.body_html)
        # The author's edit form gives the stored text back unchanged.
        form = assert_answered(look(client, f"/comments/{reply.id}/edit", index), reply.body_source)
        assert form_value(form, "body") == reply.body_source

    for url, headers, scripts in (
        (f"/posts/{post.slug}", {}, PAGE_SCRIPTS),
        (f"/posts/{post.slug}/threads", HTMX, 0),
    ):
        page = assert_answered(client.get(url, headers=headers), "thread", allowed=(200,))
        assert len(assert_user_html_safe(page, "comment__body")) == 1 + len(replies)
        assert_only_our_scripts(page, scripts)


def test_every_hostile_case_as_a_comment_edit(app, client, post, people, make_comment, log_in):
    app.config["THREADS_PER_PAGE"] = 100_000
    cases = all_hostile_cases()
    author = people["clinician"]
    comments = [make_comment(post, author, f"First words, number {n}.") for n in range(len(cases))]
    log_in(author)
    token = client.csrf_token()
    for index, (case, comment) in enumerate(zip(cases, comments, strict=True)):
        data = {"body": case, "personal_data_confirmed": "y"}  # as with a reply, posted anyway
        response = send(client, f"/comments/{comment.id}/edit", data, token, index)
        if comment_refused(case):
            assert_refused(response, case, submitted(case))
            continue
        page = assert_answered(response, case, allowed=saved(index))
        if index % 2:  # the edited comment, swapped in place
            assert len(assert_user_html_safe(page, "comment__body")) == 1, case
            assert_only_our_scripts(page, 0)
        stored = fresh(Comment, comment.id)
        assert stored.body_source == comment_text(case)
        assert_no_executable(stored.body_html)
        form = assert_answered(look(client, f"/comments/{comment.id}/edit", index), case)
        assert form_value(form, "body") == stored.body_source, case
        assert_only_our_scripts(form, scripts_for(index))

    page = assert_answered(client.get(f"/posts/{post.slug}"), "post page", allowed=(200,))
    assert len(assert_user_html_safe(page, "comment__body")) == len(cases)
    assert_only_our_scripts(page, PAGE_SCRIPTS)


# --- display names ---------------------------------------------------------------------------


def test_every_hostile_case_as_a_new_display_name(app, client, post, people, make_comment, log_in):
    member = people["patient"]
    comment = make_comment(post, member, "My first question.")
    log_in(member)
    token = client.csrf_token()
    pages = {
        "/account": page_of(client.get("/account")),
        f"/people/{member.id}": page_of(client.get(f"/people/{member.id}")),
    }
    for index, case in enumerate(all_hostile_cases()):
        response = send(client, "/account/name", {"display_name": case}, token, index)
        if response.status_code != 303:
            assert_refused(response, case, submitted(case).strip())
            continue
        name = fresh(User, member.id).display_name
        assert name == normalise(submitted(case)), case
        for url, clean_page in pages.items():
            page = assert_answered(client.get(url), case, allowed=(200,))
            assert_shown_escaped(page, name, [case], clean_page=clean_page)
            assert_only_our_scripts(page, PAGE_SCRIPTS)
            if url == "/account":
                assert form_value(page, "display_name") == name, case
        # The name beside what they wrote: the comment's card, as htmx fetches it.
        card = assert_answered(client.get(f"/comments/{comment.id}", headers=HTMX), case)
        assert_shown_escaped(card, name, [case])
        assert_only_our_scripts(card, 0)


def test_every_hostile_case_as_a_display_name_at_registration(app, people):
    member = app.test_client()
    login(member, people["patient"])
    clean_page = page_of(member.get("/account"))
    for index, case in enumerate(all_hostile_cases()):
        visitor = app.test_client()
        token = visitor.csrf_token()
        email = f"newcomer{index}@example.org"
        form = {
            "email": email,
            "display_name": case,
            "password": TEST_PASSWORD,
            "confirm": TEST_PASSWORD,
            "role": "patient",
            "agree_rules": "y",
            "agree_disclaimer": "y",
        }
        response = send(visitor, "/register", form, token, index)
        if response.status_code != 303:
            assert_refused(response, case, submitted(case).strip(), email)
            continue
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.display_name == normalise(submitted(case)), case
        # Registering logs nobody in (that would tell who is a member): log in to look.
        assert (
            visitor.post("/login", data={"email": email, "password": TEST_PASSWORD}).status_code
            == 303
        )
        page = assert_answered(visitor.get("/account"), case, allowed=(200,))
        assert form_value(page, "display_name") == user.display_name, case
        assert_shown_escaped(page, user.display_name, [case], clean_page=clean_page)
        assert_only_our_scripts(page, PAGE_SCRIPTS)


# --- clinician profiles ----------------------------------------------------------------------

GOOD_PROFILE = {
    "title": "Consultant Neurologist",
    "specialty": "Multiple sclerosis",
    "bio": "Twenty years of MS care.",
}


def test_every_hostile_case_in_a_clinician_profile(client, people, make_user, make_post, log_in):
    member = make_user("patient", "Future Neurologist")
    post = make_post("Living with fatigue", author=member)  # its page says who wrote it
    log_in(people["admin"])
    token = client.csrf_token()
    panel_url = f"/moderation/users/{member.id}"
    clean_panel = page_of(client.get(panel_url))

    def verify(profile: dict[str, str], case: str, index: int) -> set[str]:
        """Send profile; return the fields refused, or check everything that shows it."""
        data = {f"verify-{name}": value for name, value in profile.items()}
        # The registration is checked on its own (test_verification_of_clinicians.py) and never
        # shown on public pages, so it stays a good one here.
        data.update({"verify-registration_body": "GMC", "verify-registration_number": "1234567"})
        response = send(client, f"{panel_url}/verify", data, token, index)
        if response.status_code not in saved(index):
            page = assert_refused(response, case, *(submitted(v).strip() for v in profile.values()))
            errors = {element["id"] for element in select_all(page, '[id$="-error"]')}
            refused = {name for name in profile if f"verify-{name}-error" in errors}
            assert refused, f"no field is named in the refusal of {case!r}"
            return refused
        panel = reopened(client, response, panel_url, index, case)
        stored = fresh(User, member.id)
        expected = {name: submitted(value).strip() for name, value in profile.items()}
        assert {name: getattr(stored, name) for name in profile} == expected, case
        # The admin's form gives back what was stored; the panel, the profile and the post
        # page show it.
        assert {name: form_value(panel, f"verify-{name}") for name in profile} == expected, case
        assert_shown_escaped(panel, expected.values(), [case], clean_page=clean_panel)
        assert_only_our_scripts(panel, scripts_for(index))
        for url in (f"/people/{member.id}", f"/posts/{post.slug}"):
            page = assert_answered(client.get(url), case, allowed=(200,))
            assert_shown_escaped(page, expected.values(), [case])
            assert_only_our_scripts(page, PAGE_SCRIPTS)
        return set()

    for index, case in enumerate(all_hostile_cases()):
        profile = dict.fromkeys(GOOD_PROFILE, case)
        # Each field refused in turn gets a good value, until the rest is stored as typed.
        while refused := verify(profile, case, index):
            assert all(profile[name] == case for name in refused), case
            profile.update({name: GOOD_PROFILE[name] for name in refused})


# --- posts -----------------------------------------------------------------------------------

POST_FIELDS = ("title", "summary", "body", "references", "tags")
GOOD_POST = {
    "title": "Ocrelizumab after five years",
    "summary": "What the extension studies show.",
    "body": "Some **evidence**.",
    "references": "1. An extension study",
    "tags": "ocrelizumab",
}


def one_line(text: str) -> str:
    """Titles and summaries as stored: control characters dropped, whitespace runs collapsed."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\n\t")
    return " ".join(kept.split())


def multi_line(text: str) -> str:
    """Post bodies as stored: every line end becomes LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def assert_post_shown(client, post: Post, case: str, index: int) -> None:
    """The editor gives every field back; the post page shows them, escaped or sanitized."""
    tag_text = ", ".join(tag.name for tag in post.tags)
    editor = assert_answered(look(client, f"/clinic/posts/{post.id}/edit", index), case)
    stored = (post.title, post.summary, post.body_source, post.references_source, tag_text)
    assert tuple(form_value(editor, name) for name in POST_FIELDS) == stored, case
    assert_shown_escaped(editor, [post.title, post.summary, tag_text], [case])
    assert_only_our_scripts(editor, scripts_for(index))

    page = assert_answered(client.get(f"/posts/{post.slug}"), case, allowed=(200,))
    assert len(assert_user_html_safe(page, "post-body")) == 1, case
    assert len(assert_user_html_safe(page)) == (2 if post.references_html else 1), case
    assert select_one(page, 'meta[name="description"]')["content"] == post.summary, case
    assert f'content="{escaped(post.summary)}"' in page, case  # and escaped as Jinja writes it
    assert_shown_escaped(page, [post.title, *(tag.name for tag in post.tags)], [case])
    assert_only_our_scripts(page, PAGE_SCRIPTS)


def test_every_hostile_case_in_the_post_editor(app, client, people, log_in):
    app.config["POSTS_PER_PAGE"] = 100_000
    log_in(people["clinician"])
    token = client.csrf_token()
    cases = all_hostile_cases()
    for index, case in enumerate(cases):
        typed = dict.fromkeys(POST_FIELDS, case)
        # Preview: rendered by the same policy, never stored, the text kept in the form.
        data = {**typed, "action": "preview"}
        page = assert_answered(send(client, "/clinic/posts/new", data, token, index), case, (200,))
        assert len(assert_user_html_safe(page, "post-body")) == 1, case
        assert_shown_escaped(page, one_line(submitted(case))[:200], [case])
        assert_only_our_scripts(page, scripts_for(index))
        if not index % 2:  # the whole editor, with what was typed still in it
            assert {form_value(page, name) for name in POST_FIELDS} == {submitted(case)}, case

        response = send(client, "/clinic/posts/new", {**typed, "action": "save"}, token, index)
        if response.status_code != 303:
            page = assert_refused(response, case, submitted(case))
            # Keep what was refused out of the way and save the rest.
            errors = {element["id"] for element in select_all(page, '[id$="-error"]')}
            typed = {
                name: GOOD_POST[name] if f"{name}-error" in errors else case for name in POST_FIELDS
            }
            data = {**typed, "action": "save"}
            response = send(client, "/clinic/posts/new", data, token, index)
            assert response.status_code == 303, (case, typed)
        post = fresh(Post, int(response.location.split("/")[-2]))
        assert post.title == one_line(submitted(typed["title"])), case
        assert post.summary == one_line(submitted(typed["summary"])), case
        assert post.body_source == multi_line(submitted(typed["body"])), case
        assert post.references_source == multi_line(submitted(typed["references"])).strip()
        # One tag per treatment typed (lower-cased, spaces collapsed); names that slug alike
        # are one treatment.
        names = (
            " ".join(part.lower().split())[:60] for part in submitted(typed["tags"]).split(",")
        )
        assert {tag.slug for tag in post.tags} == {slugify(name) for name in names if name}, case
        assert_no_executable(post.body_html)
        assert_no_executable(post.references_html)
        assert_post_shown(client, post, case, index)

    # Published, every post is listed on the home page, in the feed and on the author's list.
    db.session.execute(update(Post).values(status="published", published_at=utcnow()))
    db.session.commit()
    posts = db.session.scalars(select(Post)).all()
    titles, summaries = [post.title for post in posts], [post.summary for post in posts]
    for url in ("/", "/clinic/posts"):
        page = assert_answered(client.get(url), url, allowed=(200,))
        assert_shown_escaped(page, titles + (summaries if url == "/" else []), cases)
        assert_only_our_scripts(page, PAGE_SCRIPTS)
    feed = ElementTree.fromstring(client.get("/feed.atom").get_data())
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        assert entry.findtext(f"{ATOM}title") in titles
        assert_no_executable(entry.findtext(f"{ATOM}content"))


# --- reports and moderation ------------------------------------------------------------------


def test_every_hostile_case_as_a_report_note(app, client, post, people, make_comment, log_in):
    cases = all_hostile_cases()
    comments = [make_comment(post, people["clinician"], f"Answer {n}.") for n in range(len(cases))]
    log_in(people["patient"])
    token = client.csrf_token()
    notes: list[str] = []
    for index, (case, comment) in enumerate(zip(cases, comments, strict=True)):
        data = {"reason": "other", "note": case}
        response = send(client, f"/comments/{comment.id}/report", data, token, index)
        note = comment_text(case).strip()
        if len(note) > 500:
            assert_refused(response, case, submitted(case))
            continue
        assert_only_our_scripts(assert_answered(response, case, allowed=saved(index)), 0)
        flag = db.session.scalar(select(Flag).where(Flag.comment_id == comment.id))
        assert flag.note == note, case
        notes.append(note)

    moderator = app.test_client()
    login(moderator, people["admin"])
    queue = pages_of(
        moderator, "/moderation", len(notes), moderation_queue.PER_PAGE, show="reported"
    )
    for page in queue:
        assert_user_html_safe(page)
    assert_shown_escaped("".join(queue), notes, cases)


def test_every_hostile_case_as_a_rejection_reason(app, client, post, people, make_comment, log_in):
    author = people["patient"]
    authors_view = app.test_client()
    login(authors_view, author)
    log_in(people["admin"])
    token = client.csrf_token()
    cases = all_hostile_cases()
    reasons: list[str] = []
    batch: list[str] = []
    for index, case in enumerate(cases):
        comment = make_comment(post, author, f"Held question {index}.", status="pending")
        data = {"decision": "reject", "reason": "other", "reason_other": case, "show": "held"}
        response = send(client, f"/moderation/comments/{comment.id}", data, token, index)
        if reason_refused(case):
            assert_refused(response, case, reason_text(case))
            # Out of the held queue, so the next refusal's row is on its first page too.
            db.session.delete(comment)
            db.session.commit()
        else:
            assert_only_our_scripts(assert_answered(response, case, saved(index)), 0)
            stored = fresh(Comment, comment.id)
            assert (stored.status, stored.moderation_reason) == ("rejected", reason_text(case))
            batch.append(reason_text(case))
        if len(batch) == 10 or index == len(cases) - 1:
            # The author's account page says why each of their ten latest comments was refused.
            account = assert_answered(authors_view.get("/account"), case, allowed=(200,))
            assert_shown_escaped(account, batch, cases)
            assert_only_our_scripts(account, PAGE_SCRIPTS)
            reasons += batch
            batch = []

    rejected = pages_of(
        client, "/moderation", len(reasons), moderation_queue.PER_PAGE, show="rejected"
    )
    for page in rejected:
        assert_user_html_safe(page)
    assert_shown_escaped("".join(rejected), reasons, cases)
    log = pages_of(client, "/moderation/log", len(reasons), action="reject")
    assert_shown_escaped("".join(log), reasons, cases)


def test_every_hostile_case_as_a_suspension_reason(app, client, people, make_user, log_in):
    member = make_user("patient", "Restless Writer")
    members_view = app.test_client()
    login(members_view, member)
    clean_account = page_of(members_view.get("/account"))
    log_in(people["admin"])
    token = client.csrf_token()
    panel_url = f"/moderation/users/{member.id}"
    clean_panel = page_of(client.get(panel_url))
    until = (utcnow() + timedelta(days=30)).date().isoformat()
    cases = all_hostile_cases()
    for index, case in enumerate(cases):
        data = {"suspend-until": until, "suspend-reason": case}
        response = send(client, f"{panel_url}/suspend", data, token, index)
        if reason_refused(case):
            assert_refused(response, case, reason_text(case))
            continue
        panel = reopened(client, response, panel_url, index, case)
        assert fresh(User, member.id).status_reason == reason_text(case)
        # The admin's panel and the member's own account page both say why.
        assert_shown_escaped(panel, reason_text(case), [case], clean_page=clean_panel)
        assert_only_our_scripts(panel, scripts_for(index))
        account = assert_answered(members_view.get("/account"), case, allowed=(200,))
        assert_shown_escaped(account, reason_text(case), [case], clean_page=clean_account)
        assert_only_our_scripts(account, PAGE_SCRIPTS)

    events = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.action == "suspend")
    ).all()
    log = pages_of(client, "/moderation/log", len(events), action="suspend")
    assert_shown_escaped("".join(log), [event.reason for event in events], cases)


# --- search boxes and settings ---------------------------------------------------------------


def test_every_hostile_case_in_the_search_boxes(client, people, log_in):
    log_in(people["admin"])
    clean = {url: page_of(client.get(url)) for url in ("/moderation/users", "/moderation/log")}
    for index, case in enumerate(all_hostile_cases()):
        typed = submitted(case).strip()  # query strings lose NUL as forms do
        searches = (
            # (url, query, what the page shows back: the box keeps what was searched for)
            ("/moderation/users", {"q": case}, typed[:100]),
            (
                "/moderation/log",
                dict.fromkeys(("actor", "action", "target_type", "target_id", "page"), case),
                typed[:40] if not index % 2 else "",  # the fragment has no filter form
            ),
            (
                "/clinic/questions",
                dict.fromkeys(("post", "tag", "page"), case),
                typed[:120] if not index % 2 else "",
            ),
        )
        for url, query, shown in searches:
            page = assert_answered(look(client, url, index, **query), case, allowed=(200,))
            assert_shown_escaped(page, shown, [case], clean_page=clean.get(url, ""))
            assert_only_our_scripts(page, scripts_for(index))


def word_list(text: str) -> str:
    """Watch and block words as stored: one per line or comma, trimmed, case-folded."""
    words = (word.strip().casefold() for word in re.split(r"[\n,]", text))
    return "\n".join(word for word in words if word)


def test_every_hostile_case_as_watch_and_block_words(client, people, log_in):
    log_in(people["admin"])
    token = client.csrf_token()
    numbers = {"approved_before_trusted": "1", "max_links": "2", "reports_to_hide": "3"}
    clean_page = page_of(client.get("/moderation/settings"))
    for index, case in enumerate(all_hostile_cases()):
        data = {**numbers, "watch_words": case, "block_words": case}
        response = send(client, "/moderation/settings", data, token, index)
        if len(submitted(case)) > 5000:
            assert_refused(response, case, submitted(case))
            continue
        form = reopened(client, response, "/moderation/settings", index, case)
        settings = fresh(ModerationSettings, 1)
        words = word_list(submitted(case))
        assert settings.watch_words == settings.block_words == words, case
        assert form_value(form, "watch_words") == form_value(form, "block_words") == words, case
        assert_shown_escaped(form, words, [case], clean_page=clean_page)
        assert_only_our_scripts(form, scripts_for(index))


def test_a_nul_typed_into_a_search_box_is_replaced_before_the_search(app, client, people, log_in):
    """PostgreSQL refuses NUL in a query parameter: it used to answer 500 there."""
    with app.test_request_context("/moderation/users?q=a%00b&q%00=c"):
        assert request.args.getlist("q") == ["a\ufffdb"]
        assert request.args["q\ufffd"] == "c"
    log_in(people["admin"])
    for url, name in (
        ("/moderation/users", "q"),
        ("/moderation/log", "actor"),
        ("/clinic/questions", "post"),
    ):
        response = client.get(url, query_string={name: "River\x00Walker"})
        page = assert_answered(response, url, allowed=(200,))
        assert "\x00" not in page
        assert "River\ufffdWalker" in page
