"""The demo journey: a clinician logs in, answers a waiting question in place, and publishes."""

from __future__ import annotations

from portal.demo import seed_demo
from portal.extensions import db
from portal.models import Comment

from .helpers import HTMX, select_all, text_of, texts_of


def test_a_demo_clinician_answers_a_question_and_publishes_a_post(client):
    report = seed_demo()
    email, password = next(
        (email, password) for role, email, password in report.logins if role == "clinician"
    )
    assert client.post("/login", data={"email": email, "password": password}).status_code == 303

    queue = client.get("/clinic/questions").get_data(as_text=True)
    waiting = int(text_of(queue, "#waiting-questions-count").removesuffix(" waiting"))
    assert waiting >= 1
    first_id = select_all(queue, "li.question")[0]["id"].removeprefix("question-")
    form = client.get(f"/clinic/questions/{first_id}/answer", headers=HTMX).get_data(as_text=True)
    action = select_all(form, "[hx-post]")[0]["hx-post"]
    answered = client.post(
        action,
        data={"body": "Thank you for asking."},
        headers=HTMX,
    ).get_data(as_text=True)
    assert select_all(answered, f"#answered-{first_id}")
    count = texts_of(answered, '#waiting-questions-count[hx-swap-oob="innerHTML"]')
    assert count == [f"{waiting - 1} waiting"]
    # Answering from the list is a deliberate answer: the reply is marked as the question's.
    question = db.session.get(Comment, int(first_id))
    assert question.question_state == "answered" and question.answer.kind == "answer"

    preview = client.post(
        "/clinic/posts/new",
        data={
            "title": "Spasticity: stretches that help",
            "body": "Try **this**.",
            "action": "preview",
        },
        headers=HTMX,
    ).get_data(as_text=True)
    assert "this" in texts_of(preview, "strong")
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
    assert text_of(page, "h1#post-title") == "Spasticity: stretches that help"
    assert "Your post is published." in page
    client.post("/logout")
    assert "Spasticity: stretches that help" in client.get("/").get_data(as_text=True)
