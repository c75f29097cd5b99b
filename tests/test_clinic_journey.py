"""The demo journey: a clinician logs in, answers a waiting question in place, and publishes."""

from __future__ import annotations

import re

from portal.demo import seed_demo

from .helpers import HTMX


def test_a_demo_clinician_answers_a_question_and_publishes_a_post(client):
    report = seed_demo()
    email, password = next(
        (email, password) for role, email, password in report.logins if role == "clinician"
    )
    assert client.post("/login", data={"email": email, "password": password}).status_code == 303

    queue = client.get("/clinic/questions").get_data(as_text=True)
    waiting = int(re.search(r'id="waiting-questions-count">(\d+)<', queue).group(1))
    assert waiting >= 1
    first_id = re.search(r'id="question-(\d+)"', queue).group(1)
    form = client.get(f"/clinic/questions/{first_id}/answer", headers=HTMX).get_data(as_text=True)
    action = re.search(r'hx-post="([^"]+)"', form).group(1)
    answered = client.post(
        action,
        data={"body": "Thank you for asking."},
        headers=HTMX,
    ).get_data(as_text=True)
    assert f'id="answered-{first_id}"' in answered
    assert f'hx-swap-oob="innerHTML">{waiting - 1}<' in answered

    preview = client.post(
        "/clinic/posts/new",
        data={
            "title": "Spasticity: stretches that help",
            "body": "Try **this**.",
            "action": "preview",
        },
        headers=HTMX,
    ).get_data(as_text=True)
    assert "<strong>this</strong>" in preview
    published = client.post(
        "/clinic/posts/new",
        data={
            "title": "Spasticity: stretches that help",
            "body": "Try **this**.",
            "tags": "baclofen",
            "comments_open": "y",
            "action": "publish",
        },
    )
    assert published.status_code == 303
    page = client.get(published.headers["Location"]).get_data(as_text=True)
    assert '<h1 id="post-title">Spasticity: stretches that help</h1>' in page
    assert "Your post is published." in page
    client.post("/logout")
    assert "Spasticity: stretches that help" in client.get("/").get_data(as_text=True)
