"""The search benchmark's data (bench/search_text.py, bench/search.py's grow): words at
realistic rates, stored HTML exactly as the write path would store it, and rows the index
finds, on whichever database the suite runs on."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from bench import search, search_text
from portal import sanitize
from portal.extensions import db
from portal.models import Comment
from portal.search import engine, terms


def test_common_words_appear_at_realistic_rates_not_everywhere():
    rng = random.Random(5)
    texts = [search_text.comment(rng) for _ in range(5_000)]
    assert 0.07 < search_text.share_with("infusion", texts) < 0.13
    assert 0.05 < search_text.share_with("fatigue", texts) < 0.11
    assert 0.015 < search_text.share_with("thyroid", texts) < 0.05
    assert len(set(texts)) > 2_000  # not one sentence pasted into every row


def test_the_stored_html_is_what_the_renderer_makes():
    rng = random.Random(6)
    for _ in range(300):
        text = search_text.comment(rng, answer=rng.random() < 0.5)
        assert search_text.html_of(text) == sanitize.render_markdown(text)


def test_growing_adds_threads_the_index_finds(app, post, people, make_comment):
    make_comment(post, people["patient"], "A first question about infusions.")
    search.grow(total=400, rng=random.Random(7))
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 400
    answered = db.session.scalars(select(Comment).where(Comment.question_state == "answered")).all()
    assert answered and all(q.answer_id and q.answer.kind == "answer" for q in answered)
    found = engine.search(terms.words(search.SEARCH_WORD), "discussion", limit=5)
    assert found.total > 10
    assert engine.similar_answered(search.DRAFT)
