"""Non-clinical authors (researchers, charity staff): an admin makes one from the members admin;
they write posts and skip pre-moderation but never answer as clinicians; their badge says
"Author" and what they do, never "Clinician"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment, ModerationEvent, User
from portal.permissions import allowed

from .helpers import HTMX, first_element, select_all, select_one, text_of, texts_of, value_of


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def fact(html: str, term: str) -> str:
    (found,) = [dt for dt in select_all(html, "dt") if text_of(dt) == term]
    return text_of(found.find_next_sibling("dd"))


@pytest.fixture()
def author(make_user) -> User:
    return make_user(
        "author",
        "Priya Raman",
        title="Neuroscientist",
        bio="Explains trial results for an MS charity.",
    )


def test_an_admin_makes_a_member_a_non_clinical_author(client, people, log_in):
    patient, admin = people["patient"], people["admin"]
    log_in(admin)
    response = client.post(
        f"/moderation/users/{patient.id}/author",
        data={"author-title": " Charity information officer ", "author-bio": "Runs the helpline."},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/moderation/users/{patient.id}"
    member = fresh(patient)
    assert (member.role, member.title, member.bio) == (
        "author",
        "Charity information officer",
        "Runs the helpline.",
    )
    assert member.verified_at is None  # an author is not a verified clinician
    event = db.session.scalar(select(ModerationEvent))
    assert (event.action, event.actor_id, event.target_type, event.target_id) == (
        "make_author",
        admin.id,
        "user",
        patient.id,
    )
    assert (event.from_status, event.to_status, event.reason) == (
        "patient",
        "author",
        "Charity information officer",
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "RiverWalker is now a non-clinical author." in text_of(page)
    assert fact(page, "Author profile") == "Charity information officer (not a clinician)"
    assert "Author profile" in texts_of(page, "h2")
    assert value_of(page, 'input[name="author-title"]') == "Charity information officer"
    log_page = client.get("/moderation/log").get_data(as_text=True)
    assert "Made a non-clinical author" in text_of(log_page)


def test_making_an_author_with_htmx_answers_with_the_panel(client, people, log_in):
    log_in(people["admin"])
    response = client.post(
        f"/moderation/users/{people['caregiver'].id}/author",
        data={"author-title": "Researcher"},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    panel = first_element(html)
    assert panel.name == "div" and panel["id"] == "user-panel"
    assert text_of(html, '[role="status"]') == "SteadyHand is now a non-clinical author."


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_an_author_needs_a_title_and_keeps_what_was_typed(client, people, log_in, headers):
    log_in(people["admin"])
    response = client.post(
        f"/moderation/users/{people['patient'].id}/author",
        data={"author-title": "", "author-bio": "Kept bio"},
        headers=headers,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter what they do" in text_of(html, "#author-title-error")
    assert value_of(html, 'textarea[name="author-bio"]') == "Kept bio"
    too_long = client.post(
        f"/moderation/users/{people['patient'].id}/author",
        data={"author-title": "x" * 121},
        headers=headers,
    )
    assert too_long.status_code == 422
    assert "Use at most 120 characters." in text_of(too_long.get_data(as_text=True))
    assert fresh(people["patient"]).role == "patient"


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("clinician", "Revoke the verification first"),
        ("admin", "Admins already have every permission an author has."),
    ],
)
def test_clinicians_and_admins_are_not_made_authors(
    client, people, make_user, log_in, role, message
):
    target = people["clinician"] if role == "clinician" else make_user("admin", "Second Admin")
    log_in(people["admin"])
    response = client.post(
        f"/moderation/users/{target.id}/author", data={"author-title": "Researcher"}
    )
    assert response.status_code == 422
    assert message in text_of(response.get_data(as_text=True))
    assert fresh(target).role == role


def test_the_author_form_is_offered_to_members_but_not_to_clinicians(client, people, log_in):
    log_in(people["admin"])
    patient = client.get(f"/moderation/users/{people['patient'].id}").get_data(as_text=True)
    form = select_one(patient, f'form[action="/moderation/users/{people["patient"].id}/author"]')
    assert form["method"] == "post" and form["hx-post"] == form["action"]
    assert "What they do" in texts_of(form, "label")
    clinician = client.get(f"/moderation/users/{people['clinician'].id}").get_data(as_text=True)
    assert "/author" not in clinician and "Revoke the verification" in texts_of(clinician, "h2")


@pytest.mark.parametrize("role", ["patient", "caregiver", "clinician", "suspended"])
def test_only_admins_make_authors(client, people, author, log_in, role):
    log_in(people[role])
    target = people["patient" if role != "patient" else "caregiver"]
    for headers in ({}, HTMX):
        response = client.post(
            f"/moderation/users/{target.id}/author",
            data={"author-title": "Researcher"},
            headers=headers,
        )
        assert response.status_code == 403
    assert fresh(target).role != "author"
    client.post("/logout")
    log_in(author)
    assert (
        client.post(
            f"/moderation/users/{target.id}/author", data={"author-title": "Researcher"}
        ).status_code
        == 403
    )


# --- what an author is, and how readers see them ------------------------------------------------


def test_authors_write_posts_and_skip_premoderation_but_never_answer(
    client, people, author, post, log_in
):
    assert allowed(author, "write_posts") and allowed(author, "skip_premoderation")
    assert not allowed(author, "answer_questions") and not allowed(author, "handle_questions")
    log_in(author)
    assert client.get("/clinic/posts/new").status_code == 200
    assert client.get("/clinic/questions").status_code == 403
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "The trial had 800 people.", "kind": "discussion"},
    )
    assert response.status_code == 303
    comment = db.session.scalar(select(Comment).where(Comment.author_id == author.id))
    assert comment.status == "approved" and comment.kind != "question"


def test_an_authors_badge_says_author_and_what_they_do_never_clinician(
    client, people, author, make_post, make_comment
):
    post = make_post("Reading a trial result", author=author)
    question = make_comment(post, people["patient"], "What does a hazard ratio mean?")
    reply = make_comment(post, author, "It compares risks over time.", parent=question)
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    about = select_one(html, "#about-author")
    assert text_of(about, ".badge") == "Author · Neuroscientist"
    assert "badge--author" in select_one(about, ".badge")["class"]
    assert "Not a clinician" in text_of(about)
    assert "Explains trial results for an MS charity." in text_of(about)
    card = select_one(html, f"#comment-card-{reply.id}")
    assert texts_of(card, ".badge") == ["Author · Neuroscientist"]
    assert "comment--clinician" not in card["class"]
    assert "Clinician's answer" not in text_of(card)
    for word in ("Verified clinician", "Clinician (verified)"):
        assert word not in text_of(about) and word not in text_of(card)
    assert not select_all(html, f"#comment-card-{reply.id} .badge--clinician")


def test_an_authors_profile_shows_what_they_do_and_their_posts(
    client, people, author, make_post, make_comment
):
    post = make_post("Reading a trial result", author=author)
    make_comment(post, author, "A note under my post.")
    html = client.get(f"/people/{author.id}").get_data(as_text=True)
    assert text_of(html, "header .badge") == "Author · Neuroscientist"
    assert "Explains trial results for an MS charity." in text_of(html)
    assert "Reading a trial result" in texts_of(html, "ul.plain-list a")
    assert text_of(html, "#profile-activity-heading") == "Comments"
    assert "A note under my post." in text_of(html, "#profile-activity")
    assert "Most helpful answers" not in html and author.email not in html


def test_every_role_badge_is_text_and_the_members_list_shows_them(client, people, author, log_in):
    log_in(people["admin"])
    html = client.get("/moderation/users").get_data(as_text=True)
    badges = {text_of(badge) for badge in select_all(html, "#user-results .badge")}
    assert {"Patient", "Caregiver", "Admin", "✓ Verified clinician"} <= badges
    assert "Author · Neuroscientist" in badges


def test_create_user_makes_an_author_from_the_command_line(app, monkeypatch):
    from portal.cli import create_user_command

    monkeypatch.setenv("PORTAL_USER_PASSWORD", "a long enough password")
    result = app.test_cli_runner().invoke(
        create_user_command,
        [
            "--email",
            "priya@example.org",
            "--name",
            "Priya Raman",
            "--role",
            "author",
            "--title",
            "Neuroscientist",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Created author Priya Raman" in result.output
    user = db.session.scalar(select(User).where(User.email == "priya@example.org"))
    assert (user.role, user.title, user.verified_at) == ("author", "Neuroscientist", None)


def test_an_authors_title_is_shown_as_text(client, people, make_user, make_post):
    title = '<script>alert("x")</script> & "Researcher"'
    author = make_user("author", "Priya Raman", title=title)
    post = make_post("Reading a trial result", author=author)
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert text_of(html, "#about-author .badge") == f"Author · {title}"
    assert not select_all(html, "#about-author script") and "<script>alert" not in html
