"""Drafts stay private: an old address of an unpublished post answers 404 to everyone but its
author and admins, on every route that takes a post's address, and tells nothing of its title."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import SlugRedirect

from .helpers import HTMX

OLD = "tysabri-review"
NEW_TITLE = "A secret new title"
GETS = ("/posts/{}", "/posts/{}/answers", "/posts/{}/threads", "/posts/{}/comments.atom")
POSTS = ("/posts/{}/comments", "/posts/{}/follow")


@pytest.fixture()
def draft(make_post, people):
    """A clinician's post, published as "Tysabri review", then unpublished and retitled."""
    post = make_post(NEW_TITLE, slug="a-secret-new-title", status="draft", published_at=None)
    db.session.add(SlugRedirect(old_slug=OLD, post_id=post.id))
    db.session.commit()
    return post


def as_reader(reader, people, make_user, log_in):
    if reader == "other clinician":
        log_in(make_user("clinician", "Omar Reyes"))
    elif reader != "visitor":
        log_in(people[reader])


@pytest.mark.parametrize("reader", ["visitor", "patient", "caregiver", "other clinician"])
def test_an_old_address_of_a_draft_is_not_found_by_anyone_but_its_author_and_admins(
    client, people, make_user, log_in, draft, reader
):
    as_reader(reader, people, make_user, log_in)
    for path in GETS:
        for headers in ({}, HTMX):
            gone = client.get(path.format(OLD), headers=headers)
            assert gone.status_code == 404, (path, gone.status_code)
            assert "Location" not in gone.headers
            assert NEW_TITLE not in gone.get_data(as_text=True)
            assert "a-secret-new-title" not in gone.get_data(as_text=True)
    if reader != "visitor":
        for path in POSTS:
            gone = client.post(path.format(OLD), data={"body": "Hello"})
            assert gone.status_code == 404, (path, gone.status_code)
            assert NEW_TITLE not in gone.get_data(as_text=True)


@pytest.mark.parametrize("reader", ["clinician", "admin"])
def test_its_author_and_admins_follow_the_old_address_to_the_draft_privately(
    client, people, log_in, draft, reader
):
    log_in(people[reader])  # the fixture's clinician wrote the post
    moved = client.get(f"/posts/{OLD}")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/posts/a-secret-new-title"
    # The answer depends on who asks, so no shared cache may keep it for the next reader.
    cache_control = moved.headers.get("Cache-Control", "")
    assert "private" in cache_control or "no-store" in cache_control
    assert client.get(moved.headers["Location"]).status_code == 200


def test_a_published_posts_old_address_redirects_everyone(client, make_post):
    post = make_post("Tysabri: year one", slug="tysabri-year-one")
    db.session.add(SlugRedirect(old_slug=OLD, post_id=post.id))
    db.session.commit()
    moved = client.get(f"/posts/{OLD}")
    assert (moved.status_code, moved.headers["Location"]) == (301, "/posts/tysabri-year-one")
