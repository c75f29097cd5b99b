"""Every hostile input, sent through the comment form, is stored and shown harmlessly."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment

from .helpers import HTMX
from .hostile import all_hostile_cases, assert_no_executable

BODY_RE = re.compile(r'<div class="comment__body prose" hx-disable>(.*?)</div>\n', re.S)


def test_every_hostile_case_through_the_comment_form(app, client, post, people, log_in):
    app.config["THREADS_PER_PAGE"] = 100_000
    log_in(people["clinician"])  # approved on write, so every case is rendered on the page
    token = client.csrf_token()
    cases = all_hostile_cases()
    accepted: dict[int, str] = {}
    for index, case in enumerate(cases):
        headers = {"X-CSRFToken": token, **(HTMX if index % 2 else {})}
        # Cases with a phone number or an address are posted anyway, as the writer may choose.
        data = {"body": case, "personal_data_confirmed": "y"}
        response = client.post(f"/posts/{post.slug}/comments", data=data, headers=headers)
        assert response.status_code in (201, 303, 422), (index, case, response.status_code)
        if response.status_code == 422:
            # Refused input is explained and comes back intact in the form.
            assert case.strip() == "" or len(case.replace("\r\n", "\n")) > 5000, case
            assert html.escape(case, quote=False) in response.get_data(as_text=True) or (
                case.strip() == ""
            )
            continue
        accepted[index] = case

    stored = list(db.session.scalars(select(Comment).order_by(Comment.id)))
    assert len(stored) == len(accepted)
    for comment, case in zip(stored, accepted.values(), strict=True):
        assert comment.body_source == case.replace("\r\n", "\n").replace("\x00", "\ufffd")
        assert_no_executable(comment.body_html)

    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    bodies = BODY_RE.findall(page)
    assert len(bodies) == len(stored)
    for body in bodies:
        assert_no_executable(body)


def test_template_syntax_and_plain_text_survive_readably(client, post, people, log_in):
    log_in(people["clinician"])
    samples = [
        "{{7*7}}",
        "{% if 1 %}x{% endif %}",
        "${7*7}",
        "I <3 my nurse",
        "a < b > c",
        "Ça va? Ελληνικά עברית العربية 👩‍👩‍👧",
        "e\u0301 (combining)",
    ]
    for sample in samples:
        client.post(f"/posts/{post.slug}/comments", data={"body": sample})
    page = html.unescape(client.get(f"/posts/{post.slug}").get_data(as_text=True))
    for sample in samples:
        assert sample in page, sample
