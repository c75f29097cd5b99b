"""After a new comment, the htmx answer puts the blank form back: drawn once per post and
kind of writer (comments/blank_form.py), it must read exactly as the template drawn afresh,
with the session's CSRF token and a form token of its own each time."""

from __future__ import annotations

from flask import render_template
from flask_login import login_user

from portal.comments.forms import CommentForm
from portal.extensions import db

from .helpers import HTMX, value_of

FORM = "#comment-form"
FORM_TOKEN = "#comment-form input[name=form_token]"
CSRF_TOKEN = "#comment-form input[name=csrf_token]"


def _post_comment(client, post, words: str, csrf_token: str | None = None):
    headers = {**HTMX, "X-CSRFToken": csrf_token} if csrf_token else HTMX
    response = client.post(
        f"/posts/{post.slug}/comments", data={"body": words, "kind": "question"}, headers=headers
    )
    assert response.status_code == 201
    return response.get_data(as_text=True)


def test_each_answer_brings_a_form_with_a_token_of_its_own(client, post, people, log_in):
    log_in(people["patient"])
    first = _post_comment(client, post, "Does the fatigue settle after the second dose?")
    # The form sent back posts again with its own CSRF token, as the page's would.
    second = _post_comment(
        client, post, "And does it come back after the third?", value_of(first, CSRF_TOKEN)
    )
    tokens = {value_of(first, FORM_TOKEN), value_of(second, FORM_TOKEN)}
    assert len(tokens) == 2 and "" not in tokens


def test_the_form_sent_back_reads_as_the_template_drawn_afresh(app, client, post, people, log_in):
    for writer in (people["patient"], people["clinician"]):
        log_in(writer)
        answer = _post_comment(client, post, f"A first thread from {writer.display_name}.")
        sent = answer[answer.index('<form class="comment-form"') :]
        csrf_token = value_of(answer, CSRF_TOKEN)
        with app.test_request_context(f"/posts/{post.slug}/comments", method="POST"):
            login_user(db.session.get(type(writer), writer.id))
            form = CommentForm(formdata=None)
            form.form_token.data = value_of(answer, FORM_TOKEN)
            fresh = render_template(
                "comments/_comment_form.html",
                form=form,
                post=post,
                reply_to=None,
                oob=True,
                csrf_token=lambda token=csrf_token: token,
            )
        assert sent.strip() == fresh.strip()
        client.get("/logout")
