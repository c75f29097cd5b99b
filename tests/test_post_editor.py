"""Clinicians write posts: drafts, live preview, publishing, tags, references and readable slugs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import sanitize
from portal.extensions import db
from portal.models import Post, SlugRedirect

from .helpers import HTMX, select_all, select_one, text_of, texts_of, value_of


def editor_data(**changes) -> dict:
    data = {
        "title": "Ocrelizumab: what the infusions are like",
        "summary": "A plain guide to the first year.",
        "body": "## Before you start\n\nTwo **half-doses**, two weeks apart.",
        "references": "1. [OPERA trials](https://example.org/opera)",
        "tags": "Ocrelizumab, B-cell therapy",
        "comments_open": "y",
        "action": "save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def stored(title: str) -> Post | None:
    db.session.expire_all()
    return db.session.scalar(select(Post).where(Post.title == title))


def error_for(html: str, field_id: str) -> str:
    errors = select_all(html, f"#{field_id}-error")
    return text_of(errors[0]) if errors else ""


def textarea(html: str, field_id: str) -> str:
    return value_of(html, f"textarea#{field_id}")


# --- writing, previewing, saving, publishing -----------------------------------------------


def test_the_editor_page_has_the_fields_and_a_live_preview(client, people, log_in):
    log_in(people["clinician"])
    page = client.get("/clinic/posts/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and text_of(html, "h1") == "Write a post"
    labels = [label.get_text() for label in select_all(html, "label")]
    for label in ("Title", "Summary", "Post", "References", "Treatments"):
        assert label in labels
    assert select_one(html, 'input[name="comments_open"]').has_attr("checked")  # open by default
    body = select_one(html, "textarea#body")
    assert body["hx-post"] == "/clinic/posts/new"
    assert body["hx-trigger"] == "keyup changed delay:500ms"
    assert body["hx-target"] == "#post-preview"
    assert select_all(html, "#post-preview")
    assert select_all(html, '[name="action"][value="preview"]')  # Preview works without JS
    fragment = client.get("/clinic/posts/new", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and select_all(fragment, "#post-editor")


def test_preview_without_js_rerenders_the_editor_and_saves_nothing(client, people, log_in):
    log_in(people["clinician"])
    response = client.post("/clinic/posts/new", data=editor_data(action="preview"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Before you start" in texts_of(html, "h2") and "half-doses" in texts_of(html, "strong")
    assert "Nothing is saved until you press" in html
    assert textarea(html, "body").startswith("## Before you start")  # the text is kept
    assert stored("Ocrelizumab: what the infusions are like") is None


def test_live_preview_returns_only_the_panel_and_uses_the_post_policy(client, people, log_in):
    log_in(people["clinician"])
    hostile = (
        "# Heading\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n"
        "![pixel](https://tracker.example/p.gif)"
    )
    response = client.post(
        "/clinic/posts/new",
        data=editor_data(body=hostile, references="", action="preview"),
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "<form" not in html
    assert sanitize.render_post_markdown(hostile) in html
    assert "<script>" not in html and 'href="javascript:' not in html and "<img" not in html
    assert not select_all(html, "script, img, [href^='javascript:' i]")
    assert "Heading" in texts_of(html, "h2")  # headings are clamped below the page's h1
    assert "hx-disable" in html
    assert stored("Ocrelizumab: what the infusions are like") is None


def test_saving_a_draft_then_publishing_it(client, people, log_in):
    log_in(people["clinician"])
    saved = client.post("/clinic/posts/new", data=editor_data())
    post = stored("Ocrelizumab: what the infusions are like")
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/clinic/posts/{post.id}/edit"
    assert post.status == "draft" and post.published_at is None
    assert post.slug == "ocrelizumab-what-the-infusions-are-like"
    assert [tag.name for tag in post.tags] == ["b-cell therapy", "ocrelizumab"]
    assert "OPERA trials" in post.references_html and post.comments_open is True
    editor = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Draft saved" in editor and "Save draft" in editor and "Publish" in editor

    published = client.post(f"/clinic/posts/{post.id}/edit", data=editor_data(action="publish"))
    assert published.status_code == 303 and published.headers["Location"] == f"/posts/{post.slug}"
    post = stored(post.title)
    assert post.status == "published" and post.published_at is not None
    assert post.updated_at is None  # publishing a draft is not an update
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "Your post is published." in page
    references = select_one(page, "section.references")
    assert select_all(references, 'a[href="https://example.org/opera"]')
    assert select_all(page, 'a[href="/tags/ocrelizumab"]')
    assert select_all(page, 'a[href="/tags/b-cell-therapy"]')


def test_publishing_straight_away_and_closing_comments(client, people, log_in):
    log_in(people["admin"])  # admins write posts too
    data = editor_data(title="Heat and fatigue", action="publish", comments_open=None)
    response = client.post("/clinic/posts/new", data=data)
    post = stored("Heat and fatigue")
    assert response.status_code == 303 and post.is_published and post.comments_open is False


def test_a_published_post_needs_its_text(client, people, log_in):
    log_in(people["clinician"])
    response = client.post("/clinic/posts/new", data=editor_data(body="  ", action="publish"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_for(html, "body") == "Write the post before publishing it."
    assert stored("Ocrelizumab: what the infusions are like") is None


def test_posting_an_editor_form_without_a_csrf_token_is_refused(client, people, log_in):
    log_in(people["clinician"])
    response = client.post("/clinic/posts/new", data=editor_data(), csrf=False)
    assert response.status_code == 400
    assert stored("Ocrelizumab: what the infusions are like") is None


# --- field limits --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Give the post a title."),
        ("title", "t" * 201, "Titles can be at most 200 characters; this has 201."),
        ("summary", "s" * 501, "Summaries can be at most 500 characters; this has 501."),
        ("body", "b" * 100_001, "Posts can be at most 100,000 characters; this has 100,001."),
        (
            "references",
            "r" * 20_001,
            "References can be at most 20,000 characters; this has 20,001.",
        ),
        ("tags", ", ".join(f"drug{n}" for n in range(11)), "Use at most 10 treatment names"),
        ("tags", "x" * 61, "Each treatment name can be at most 60 characters"),
        ("tags", "???", "needs at least one letter or digit"),
    ],
)
def test_each_limit_is_explained_beside_its_field_and_the_text_kept(
    client, people, log_in, field, value, message
):
    log_in(people["clinician"])
    response = client.post("/clinic/posts/new", data=editor_data(**{field: value}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_for(html, field)
    assert select_one(html, f"#{field}")["aria-invalid"] == "true"
    assert select_all(html, ".error-summary")
    if field in ("body", "references", "summary"):
        assert textarea(html, field) == value
    else:
        assert value_of(html, f"input#{field}") == value
    assert client.application and db.session.scalar(select(Post)) is None


def test_the_longest_allowed_post_fits_through_the_request_limit(client, people, log_in):
    log_in(people["clinician"])
    body = ("Überwachung — ß " * 6250)[:100_000]
    references = "r" * 20_000
    response = client.post("/clinic/posts/new", data=editor_data(body=body, references=references))
    assert response.status_code == 303
    post = stored("Ocrelizumab: what the infusions are like")
    assert len(post.body_source) == 100_000 and len(post.references_source) == 20_000


def test_windows_line_endings_count_once(client, people, log_in):
    log_in(people["clinician"])
    body = "line\r\n" * 20_000  # 120,000 characters as sent, 100,000 once normalised
    response = client.post("/clinic/posts/new", data=editor_data(body=body))
    assert response.status_code == 303
    assert "\r" not in stored("Ocrelizumab: what the infusions are like").body_source


# --- slugs and redirects -------------------------------------------------------------------


def test_slugs_are_readable_and_unique(client, people, log_in):
    log_in(people["clinician"])
    for _ in range(3):
        client.post("/clinic/posts/new", data=editor_data(title="Vitamin D & MS?"))
    slugs = list(db.session.scalars(select(Post.slug).order_by(Post.id)))
    assert slugs == ["vitamin-d-ms", "vitamin-d-ms-2", "vitamin-d-ms-3"]


def test_retitling_a_published_post_moves_it_and_the_old_address_redirects(client, people, log_in):
    log_in(people["clinician"])
    client.post("/clinic/posts/new", data=editor_data(title="Cladribine tablets", action="publish"))
    post = stored("Cladribine tablets")
    client.post(f"/clinic/posts/{post.id}/edit", data=editor_data(title="Cladribine: year two"))
    client.post(f"/clinic/posts/{post.id}/edit", data=editor_data(title="Cladribine: the review"))
    post = stored("Cladribine: the review")
    assert post.slug == "cladribine-the-review"
    for old in ("cladribine-tablets", "cladribine-year-two"):
        moved = client.get(f"/posts/{old}")
        assert (
            moved.status_code == 301 and moved.headers["Location"] == "/posts/cladribine-the-review"
        )
    # Another post never takes an address that still redirects.
    client.post("/clinic/posts/new", data=editor_data(title="Cladribine tablets", action="publish"))
    assert stored("Cladribine tablets").slug == "cladribine-tablets-2"
    # The post can take back one of its own old addresses.
    client.post(f"/clinic/posts/{post.id}/edit", data=editor_data(title="Cladribine: year two"))
    assert stored("Cladribine: year two").slug == "cladribine-year-two"
    assert client.get("/posts/cladribine-year-two").status_code == 200
    assert client.get("/posts/cladribine-the-review").headers["Location"] == (
        "/posts/cladribine-year-two"
    )


def test_retitling_a_draft_moves_it_without_leaving_a_redirect(client, people, log_in):
    log_in(people["clinician"])
    client.post("/clinic/posts/new", data=editor_data(title="Working title"))
    post = stored("Working title")
    client.post(f"/clinic/posts/{post.id}/edit", data=editor_data(title="Final title"))
    assert stored("Final title").slug == "final-title"
    assert db.session.scalar(select(SlugRedirect)) is None


def test_an_old_address_of_an_unpublished_post_tells_strangers_nothing(app, client, people, log_in):
    log_in(people["clinician"])
    client.post("/clinic/posts/new", data=editor_data(title="Tysabri review", action="publish"))
    post = stored("Tysabri review")
    client.post(f"/clinic/posts/{post.id}/edit", data=editor_data(title="Tysabri: year one"))
    client.post(f"/clinic/posts/{post.id}/unpublish")
    client.post(f"/clinic/posts/{post.id}/edit", data=editor_data(title="A draft's new title"))
    assert stored("A draft's new title").slug == "a-draft-s-new-title"
    # Its author (and admins) follow the old address to the draft ...
    for reader in ("clinician", "admin"):
        log_in(people[reader])
        moved = client.get("/posts/tysabri-review")
        assert moved.status_code == 301
        assert moved.headers["Location"] == "/posts/a-draft-s-new-title"
    # ... everyone else finds nothing there, and no hint of the new title.
    for stranger in ("patient", None):
        client.post("/logout")
        if stranger:
            log_in(people[stranger])
        for old in ("tysabri-review", "tysabri-year-one"):
            gone = client.get(f"/posts/{old}")
            assert gone.status_code == 404 and "Location" not in gone.headers
            assert "new title" not in gone.get_data(as_text=True)
            assert client.get(f"/posts/{old}/comments.atom").status_code == 404


def test_a_change_that_keeps_the_slug_words_keeps_the_slug(client, people, log_in):
    log_in(people["clinician"])
    client.post("/clinic/posts/new", data=editor_data(title="Fatigue", action="publish"))
    post = stored("Fatigue")
    client.post(f"/clinic/posts/{post.id}/edit", data=editor_data(title="Fatigue!"))
    assert stored("Fatigue!").slug == "fatigue" and db.session.scalar(select(SlugRedirect)) is None


# --- the "Updated" date --------------------------------------------------------------------


def test_editing_a_published_post_shows_updated_with_the_date(client, people, log_in):
    log_in(people["clinician"])
    client.post("/clinic/posts/new", data=editor_data(action="publish"))
    post = stored("Ocrelizumab: what the infusions are like")
    unchanged = client.post(f"/clinic/posts/{post.id}/edit", data=editor_data())
    assert unchanged.status_code == 303 and stored(post.title).updated_at is None
    client.post(f"/clinic/posts/{post.id}/edit", data=editor_data(body="Revised advice."))
    post = stored(post.title)
    assert post.updated_at is not None and post.body_html == "<p>Revised advice.</p>"
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    updated = select_all(html, f'time[datetime="{post.updated_at.isoformat(timespec="seconds")}"]')
    assert any(str(time.previous_sibling).endswith("Updated ") for time in updated)


def test_editing_a_draft_sets_no_updated_date(client, people, log_in):
    log_in(people["clinician"])
    client.post("/clinic/posts/new", data=editor_data())
    post = stored("Ocrelizumab: what the infusions are like")
    client.post(f"/clinic/posts/{post.id}/edit", data=editor_data(body="Second draft."))
    assert stored(post.title).updated_at is None


def test_the_editor_is_filled_with_the_stored_post(client, people, log_in):
    log_in(people["clinician"])
    client.post("/clinic/posts/new", data=editor_data(action="publish", comments_open=None))
    post = stored("Ocrelizumab: what the infusions are like")
    html = client.get(f"/clinic/posts/{post.id}/edit").get_data(as_text=True)
    assert textarea(html, "body").startswith("## Before you start")
    assert value_of(html, "input#tags") == "b-cell therapy, ocrelizumab"
    assert not select_one(html, "input#comments_open").has_attr("checked")
    assert "Save changes" in html and "Unpublish" in html
    assert not select_all(html, '[value="publish"]')
    fragment = client.get(f"/clinic/posts/{post.id}/edit", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "Save changes" in fragment


# --- who may write and edit ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["patient", "caregiver"])
def test_patients_and_caregivers_cannot_write_posts(client, people, log_in, role):
    log_in(people[role])
    assert client.get("/clinic/posts/new").status_code == 403
    assert client.get("/clinic/posts/new", headers=HTMX).status_code == 403
    assert client.post("/clinic/posts/new", data=editor_data()).status_code == 403
    assert client.get("/clinic/posts").status_code == 403
    assert db.session.scalar(select(Post)) is None


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/clinic/posts/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    htmx = client.get("/clinic/posts/new", headers=HTMX)
    assert htmx.status_code == 401 and "/login" in htmx.headers["HX-Redirect"]


def test_a_suspended_clinician_is_told_why(client, people, log_in, make_user):
    from datetime import timedelta

    from portal.models import utcnow

    clinician = make_user("clinician", "Paused Doctor")
    log_in(clinician)
    clinician.status = "suspended"
    clinician.suspended_until = utcnow() + timedelta(days=2)
    db.session.commit()
    response = client.post("/clinic/posts/new", data=editor_data())
    assert response.status_code == 403 and "suspended" in response.get_data(as_text=True)


def test_another_clinicians_draft_does_not_exist_and_their_post_is_not_yours(
    client, people, log_in, make_user, make_post
):
    colleague = make_user("clinician", "Dr Second Opinion")
    draft = make_post("Colleague's draft", author=colleague, status="draft", published_at=None)
    published = make_post("Colleague's post", author=colleague)
    log_in(people["clinician"])
    assert client.get(f"/posts/{draft.slug}").status_code == 404
    assert client.get(f"/clinic/posts/{draft.id}/edit").status_code == 404
    assert client.post(f"/clinic/posts/{draft.id}/edit", data=editor_data()).status_code == 404
    assert client.post(f"/clinic/posts/{draft.id}/publish").status_code == 404
    assert client.get(f"/clinic/posts/{published.id}/edit").status_code == 403
    assert client.post(f"/clinic/posts/{published.id}/edit", data=editor_data()).status_code == 403
    assert client.post(f"/clinic/posts/{published.id}/unpublish").status_code == 403
    assert client.get("/clinic/posts/9999/edit").status_code == 404
    assert stored("Colleague's post").is_published
    page = client.get(f"/posts/{published.slug}").get_data(as_text=True)
    assert "Edit this post" not in page


def test_admins_read_and_edit_anyones_posts(client, people, log_in, make_post):
    draft = make_post("Clinician's draft", status="draft", published_at=None)
    log_in(people["admin"])
    assert client.get(f"/posts/{draft.slug}").status_code == 200
    editor = client.get(f"/clinic/posts/{draft.id}/edit").get_data(as_text=True)
    assert "Written by Helen Marsh" in editor
    response = client.post(
        f"/clinic/posts/{draft.id}/edit", data=editor_data(title="Clinician's draft, tidied")
    )
    assert response.status_code == 303
    assert stored("Clinician's draft, tidied").author_id == people["clinician"].id


def test_the_author_sees_an_edit_link_on_the_post(client, people, log_in, post):
    log_in(people["clinician"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "Edit this post" in texts_of(html, f'a[href="/clinic/posts/{post.id}/edit"]')


# --- My posts, publishing and unpublishing --------------------------------------------------


def test_my_posts_lists_my_drafts_and_published_posts_only(
    client, people, log_in, make_post, make_user
):
    make_post("My published post")
    make_post("My draft", status="draft", published_at=None)
    make_post("Not mine", author=make_user("clinician", "Dr Elsewhere"))
    log_in(people["clinician"])
    html = client.get("/clinic/posts").get_data(as_text=True)
    assert text_of(html, "h1") == "My posts" and "Write a post" in html
    assert "My published post" in html and "My draft" in html and "Not mine" not in html
    assert {"Draft", "Published"} <= set(texts_of(html, "span"))
    assert "My posts" in texts_of(html, 'nav a[href="/clinic/posts"]')  # in the navigation
    fragment = client.get("/clinic/posts", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "My draft" in fragment


def test_publish_and_unpublish_from_my_posts_without_js(client, people, log_in, make_post):
    draft = make_post("Ready to go", status="draft", published_at=None)
    log_in(people["clinician"])
    response = client.post(f"/clinic/posts/{draft.id}/publish")
    assert response.status_code == 303 and response.headers["Location"] == "/clinic/posts"
    assert stored("Ready to go").is_published
    assert "“Ready to go” is published." in client.get("/clinic/posts").get_data(as_text=True)
    response = client.post(f"/clinic/posts/{draft.id}/unpublish")
    assert response.status_code == 303 and not stored("Ready to go").is_published
    client.post("/logout")
    assert client.get(f"/posts/{draft.slug}").status_code == 404


def test_publish_and_unpublish_from_my_posts_with_htmx(client, people, log_in, make_post):
    draft = make_post("Ready to go", status="draft", published_at=None)
    log_in(people["clinician"])
    html = client.post(f"/clinic/posts/{draft.id}/publish", headers=HTMX).get_data(as_text=True)
    row = select_one(html, f"li#my-post-{draft.id}")
    assert row["class"] == ["my-post"] and row.has_attr("autofocus")
    assert "Unpublish" in html
    announced = [element.get_text() for element in select_all(html, '[hx-swap-oob="innerHTML"]')]
    assert any(text.startswith("“Ready to go” is published.") for text in announced)
    html = client.post(f"/clinic/posts/{draft.id}/unpublish", headers=HTMX).get_data(as_text=True)
    assert "Publish" in [button.contents[0] for button in select_all(html, "button")]
    assert "is unpublished" in html
    assert not stored("Ready to go").is_published


def test_an_unfinished_draft_is_not_published_and_says_why(client, people, log_in, make_post):
    empty = make_post("Just a title", status="draft", published_at=None, body="")
    log_in(people["clinician"])
    htmx = client.post(f"/clinic/posts/{empty.id}/publish", headers=HTMX)
    assert htmx.status_code == 422
    assert "Not published yet: Write the post before publishing it." in htmx.get_data(as_text=True)
    plain = client.post(f"/clinic/posts/{empty.id}/publish")
    assert plain.status_code == 422 and select_all(plain, "#post-editor")
    assert not stored("Just a title").is_published


def test_a_republished_post_keeps_its_first_publication_date(client, people, log_in, make_post):
    post = make_post("Back again")
    first = post.published_at
    log_in(people["clinician"])
    client.post(f"/clinic/posts/{post.id}/unpublish")
    client.post(f"/clinic/posts/{post.id}/publish")
    assert stored("Back again").published_at == first
