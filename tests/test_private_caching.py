"""Only answers that are the same for everyone may be kept by a shared cache.

Every other answer may depend on who is logged in: pages, htmx fragments, data exports,
redirects, 401 and 403 answers all carry Cache-Control private or no-store. The walk reads the
app's own route map, so a new route is covered without being listed.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import ResponseCacheControl
from werkzeug.http import parse_cache_control_header

from portal.auth_session import PUBLIC_ENDPOINTS

from .helpers import HTMX

# The walk must not end the session it walks with.
SKIPPED_ENDPOINT_WORDS = ("log_out", "logout", "end_sessions", "sign_out", "delete")


def cache_control(response) -> ResponseCacheControl:
    return parse_cache_control_header(
        response.headers.get("Cache-Control"), cls=ResponseCacheControl
    )


def is_private(response) -> bool:
    cache = cache_control(response)
    return bool(cache.private or cache.no_store) and not cache.public


def requests_for(app, values: dict[str, str]) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) for every route, with real ids and slugs where there are."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or any(w in rule.endpoint for w in SKIPPED_ENDPOINT_WORDS):
            continue
        path = rule.rule
        for name in rule._converters:
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>", values.get(name, "1"), path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path))
    return found


@pytest.mark.parametrize("who", ["visitor", "patient", "clinician", "admin"])
def test_every_answer_but_the_public_ones_is_private(
    app, client, people, post, make_comment, log_in, who
):
    comment = make_comment(post, people["caregiver"], "A reply to read.")
    if who != "visitor":
        log_in(people[who])
    values = {
        "slug": post.slug,
        "user_id": str(people["caregiver"].id),
        "comment_id": str(comment.id),
        "post_id": str(post.id),
        "token": "not-a-real-token",
        "filename": "css/portal.css",
    }
    statuses: set[int] = set()
    for endpoint, method, path in requests_for(app, values):
        for headers in ({}, HTMX):
            response = client.open(path, method=method, headers=headers)
            statuses.add(response.status_code)
            if endpoint in PUBLIC_ENDPOINTS and response.status_code == 200:
                assert "Set-Cookie" not in response.headers, path
                continue
            assert is_private(response), (
                who,
                method,
                path,
                response.status_code,
                response.headers.get("Cache-Control"),
            )
    # The walk met pages, redirects and refusals, not only one kind of answer.
    assert 200 in statuses and (statuses & {301, 302, 303})
    assert statuses & {401, 403, 404, 405, 422}


@pytest.mark.parametrize("who", ["visitor", "patient"])
def test_public_answers_are_public_and_set_no_cookie(client, people, post, log_in, who):
    # Not even a logged-in member's session: a shared cache would hand it to the next reader.
    if who != "visitor":
        log_in(people[who])
    for path in ("/feed.atom", f"/posts/{post.slug}/comments.atom"):
        response = client.get(path)
        assert cache_control(response).public and "Set-Cookie" not in response.headers
    versioned = client.get("/static/css/portal.css?v=abc123")
    assert cache_control(versioned).public and cache_control(versioned).immutable
    assert "Set-Cookie" not in versioned.headers


def test_a_public_endpoints_redirect_is_private(client, make_post, people, log_in):
    # A draft's old feed address redirects its author only: that answer is theirs alone.
    from portal.extensions import db
    from portal.models import SlugRedirect

    draft = make_post("A draft", slug="a-draft", status="draft", published_at=None)
    db.session.add(SlugRedirect(old_slug="old-draft", post_id=draft.id))
    db.session.commit()
    log_in(people["clinician"])
    moved = client.get("/posts/old-draft/comments.atom")
    assert moved.status_code == 301
    assert is_private(moved)


def test_logged_in_redirects_errors_and_fragments_are_private(client, people, post, log_in):
    log_in(people["patient"])
    for response in (
        client.get("/login"),  # a member is sent on to their account
        client.get("/moderation"),  # 403
        client.get("/posts/no-such-post"),  # 404
        client.get(f"/posts/{post.slug}", headers=HTMX),
    ):
        assert is_private(response), (response.status_code, response.headers)
    client.post("/logout")
    assert is_private(client.get("/account"))  # a visitor is sent to log in
