"""The demo shows every state a question can be in, reached by the steps people take."""

from __future__ import annotations

from sqlalchemy import select

from portal.demo import seed_demo
from portal.extensions import db
from portal.models import Comment, HelpfulMark, ModerationEvent, User
from portal.questions import lifecycle


def _questions() -> list[Comment]:
    return list(
        db.session.scalars(
            select(Comment).where(Comment.kind == "question", Comment.status == "approved")
        )
    )


def test_the_demo_has_a_waiting_a_claimed_a_held_an_answered_and_a_closed_question(app):
    seed_demo()
    questions = _questions()
    waiting = [q for q in questions if q.question_state == "waiting"]
    unclaimed = [q for q in waiting if lifecycle.live_claimant(q) is None and q.holding_at is None]
    claimed = [q for q in waiting if lifecycle.live_claimant(q) is not None]
    held = [q for q in waiting if q.holding_at is not None]
    answered = [q for q in questions if q.question_state == "answered"]
    closed = [q for q in questions if q.question_state == "closed"]
    assert unclaimed and claimed and held and answered and closed
    assert {q.close_reason for q in closed} == {"no_answer_needed", "signposted"}
    assert all(q.close_note for q in closed)
    assert all(lifecycle.live_claimant(q).is_clinician for q in claimed)
    assert any(q.asked_for for q in questions)


def test_demo_answers_are_marked_by_their_clinician_or_by_the_asker(app):
    seed_demo()
    answered = [q for q in _questions() if q.question_state == "answered"]
    for question in answered:
        assert question.answer.kind == "answer" and question.answer.author.is_clinician
    actions = set(
        db.session.scalars(
            select(ModerationEvent.action).where(ModerationEvent.target_type == "question")
        )
    )
    assert {"mark_answer", "accept_answer", "claim_question", "close_question"} <= actions
    assert "holding_reply" in actions


def test_demo_tips_are_discussions_and_stay_off_the_waiting_list(app):
    seed_demo()
    tips = db.session.scalars(select(Comment).where(Comment.kind == "discussion"))
    assert all(tip.question_state is None for tip in tips)
    clinicians_replies = db.session.scalars(
        select(Comment).join(User, Comment.author_id == User.id).where(User.role == "clinician")
    )
    # A clinician's reply to a tip is a reply, not an answer.
    assert any(reply.kind == "reply" for reply in clinicians_replies)


def test_demo_helpful_counts_match_the_marks(app):
    seed_demo()
    for answer in db.session.scalars(select(Comment).where(Comment.kind == "answer")):
        marks = db.session.scalars(
            select(HelpfulMark).where(HelpfulMark.comment_id == answer.id)
        ).all()
        assert answer.helpful_count == len(marks)
    assert db.session.scalar(select(db.func.max(Comment.helpful_count))) >= 2


def test_the_demo_has_a_non_clinical_author_with_a_post(app):
    seed_demo()
    author = db.session.scalar(select(User).where(User.role == "author"))
    assert author is not None and author.posts and not author.is_clinician


def test_the_demos_past_is_not_news_no_unread_notice_and_no_email(app):
    from portal.models import Notification, OutgoingEmail

    seed_demo()
    notices = db.session.scalars(select(Notification)).all()
    assert notices  # the steps that answered and closed questions told their askers
    assert all(n.read_at is not None for n in notices)
    assert db.session.scalars(select(OutgoingEmail)).all() == []
