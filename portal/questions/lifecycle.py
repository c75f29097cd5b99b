"""Where a question stands, and the only code that moves it.

A patient or caregiver asks on purpose (a top-level comment of kind "question"). It waits,
perhaps claimed by a named clinician for a while, perhaps with a clinician's holding reply
saying someone is looking; it is answered when a clinician marks their reply as the answer or
the asker marks a clinician's reply "This answered my question"; or a clinician closes it as
needing no answer or signposted elsewhere. Nothing else changes a state: a clinician's reply
alone does not answer a question. Every change is written to the audit log (target
"question"), and the question's own columns carry the state, so lists read it, never derive it.

Functions here change the session and leave the commit to the caller, with its other writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..forms import FieldError
from ..models import CLOSE_REASONS, Comment, ModerationEvent, User, utcnow
from ..moderation import audit
from ..permissions import allowed

# How the state and the reasons for closing read, wherever they are shown.
CLOSE_REASON_WORDS = {
    "no_answer_needed": "No answer needed",
    "signposted": "Signposted elsewhere",
}
MAX_CLOSE_NOTE = 300
MAX_ASKED_FOR = 80
DEFAULT_CLAIM_HOURS = 24
KINDS_A_THREAD_CAN_HAVE = ("question", "discussion")


class QuestionError(FieldError):
    """A question-handling step that cannot be taken; field names where the message goes."""


def claim_lifetime() -> timedelta:
    return timedelta(hours=current_app.config.get("QUESTION_CLAIM_HOURS", DEFAULT_CLAIM_HOURS))


def live_claimant(question: Comment, now: datetime | None = None) -> User | None:
    """The clinician holding a claim on question now, or None once the claim has lapsed."""
    if question.claimed_by_id is None or question.claimed_at is None:
        return None
    if question.claimed_at + claim_lifetime() <= (now or utcnow()):
        return None
    return question.claimed_by


def claim_expires_at(question: Comment) -> datetime | None:
    return question.claimed_at + claim_lifetime() if question.claimed_at else None


# --- asking ----------------------------------------------------------------------------------


def kind_for_new_comment(
    author: User, parent: Comment | None, *, asking: bool, holding: bool = False
) -> str:
    """The kind a new comment starts with: only patients and caregivers ask questions, and
    only a clinician's reply in a waiting question's thread can be a holding reply."""
    if parent is None:
        return "question" if asking and author.asks_questions else "discussion"
    if holding and author.is_clinician:
        root = thread_root(parent)
        if root.is_question and root.question_state == "waiting":
            return "holding"
    return "reply"


def check_asked_for(text: str | None) -> str:
    words = " ".join((text or "").split())
    if len(words) > MAX_ASKED_FOR:
        raise QuestionError(
            "asked_for",
            f"Whom you ask for can be at most {MAX_ASKED_FOR} characters; this has {len(words)}.",
        )
    return words


def comment_added(comment: Comment) -> None:
    """A new comment is being stored (before its first flush): set its question's state."""
    now = utcnow()
    if comment.kind == "question":
        comment.question_state = "waiting"
        comment.state_changed_at = now
    elif comment.kind == "holding" and comment.parent is not None:
        question = thread_root(comment.parent)
        question.holding_at = now
        _record(comment.author, "holding_reply", question, "waiting", "waiting", at=now)


def thread_root(comment: Comment) -> Comment:
    if comment.root_id is None or comment.root_id == comment.id:
        return comment
    root = db.session.get(Comment, comment.root_id)
    assert root is not None
    return root


# --- a thread's kind -------------------------------------------------------------------------


def change_kind(thread: Comment, actor: User, kind: str) -> None:
    """A clinician or moderator makes a thread a question or a discussion."""
    if not allowed(actor, "change_thread_kind"):
        raise QuestionError("kind", "Only clinicians and moderators can change this.")
    if thread.parent_id is not None:
        raise QuestionError("kind", "Only the first comment of a thread can be a question.")
    if kind not in KINDS_A_THREAD_CAN_HAVE:
        raise QuestionError("kind", "Choose a question or a discussion.")
    if kind == thread.kind:
        return
    if kind == "question" and (thread.author is None or not thread.author.asks_questions):
        raise QuestionError("kind", "Only a patient's or caregiver's thread can be a question.")
    before = thread.question_state
    now = utcnow()
    if kind == "question":
        thread.kind, thread.question_state = "question", "waiting"
    else:
        _let_answer_go(thread)
        thread.kind, thread.question_state = "discussion", None
        thread.claimed_by_id = thread.claimed_at = None
        thread.close_reason, thread.close_note = None, ""
    thread.state_changed_at = now
    _record(actor, f"make_{kind}", thread, before, thread.question_state, at=now)


# --- claims ----------------------------------------------------------------------------------


def claim(question: Comment, clinician: User) -> None:
    """A clinician says "I'll take this one"; other clinicians see the name until it lapses."""
    _check_clinician(clinician)
    _check_waiting(question)
    holder = live_claimant(question)
    if holder is not None and holder.id != clinician.id:
        raise QuestionError("claim", f"{holder.display_name} has already claimed this question.")
    now = utcnow()
    question.claimed_by_id, question.claimed_at = clinician.id, now
    _record(clinician, "claim_question", question, "waiting", "waiting", at=now)


def release(question: Comment, clinician: User) -> None:
    """The claimant lets the question go back to everyone."""
    _check_clinician(clinician)
    if question.claimed_by_id != clinician.id:
        raise QuestionError("claim", "You have not claimed this question.")
    question.claimed_by_id = question.claimed_at = None
    _record(clinician, "release_question", question, "waiting", "waiting")


# --- answering -------------------------------------------------------------------------------


def can_mark_answer(reply: Comment, user: User | None) -> bool:
    """May user mark reply as its question's answer (the clinician who wrote it, or the asker)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    # A holding reply promises an answer; it is not one (and the answer is already marked).
    if reply.parent_id is None or reply.status != "approved" or reply.kind != "reply":
        return False
    author = reply.author
    if author is None or not author.is_clinician:
        return False
    root = thread_root(reply)
    if not root.is_question or root.question_state == "closed":
        return False
    if author.id == user.id:
        return allowed(user, "handle_questions")
    return root.author_id == user.id and allowed(user, "comment")


def mark_answer(reply: Comment, actor: User) -> Comment:
    """reply becomes its question's answer; the question is answered. Returns the question."""
    if not can_mark_answer(reply, actor):
        raise QuestionError("answer", "This reply cannot be marked as the answer.")
    question = thread_root(reply)
    before = question.question_state
    _let_answer_go(question)
    now = _answered_by(question, reply)
    by_asker = actor.id == question.author_id
    _record(
        actor, "accept_answer" if by_asker else "mark_answer", question, before, "answered", at=now
    )
    if not by_asker:
        from ..notifications import events

        events.answer_marked(question, reply, actor)
    return question


def unmark_answer(question: Comment, actor: User) -> None:
    """The answer's clinician or the asker takes the mark back; the question waits again."""
    answer = question.answer
    if question.question_state != "answered" or answer is None:
        raise QuestionError("answer", "This question has no marked answer.")
    if actor.id not in (answer.author_id, question.author_id):
        raise QuestionError("answer", "Only the clinician who answered or the asker can do this.")
    _reopen(question, actor, "unmark_answer")


def answer_withdrawn(comment: Comment) -> None:
    """comment stopped being public (deleted, removed): a question it answered waits again."""
    if comment.kind != "answer":
        return
    question = db.session.scalar(select(Comment).where(Comment.answer_id == comment.id))
    comment.kind = "reply"
    if question is not None:
        _reopen(question, None, "answer_withdrawn")


def answer_returned(comment: Comment, actor: User, since: datetime) -> Comment | None:
    """comment is public again (a moderator undid its removal): if it was its question's answer
    when it went, and nothing has happened to the question since, it is the answer again.

    "Since" is when the decision being undone was made: the question's latest recorded event
    must be the withdrawal that decision caused. Returns the question answered again, if any.
    """
    if comment.status != "approved" or comment.kind != "reply" or comment.author is None:
        return None
    question = thread_root(comment)
    if question.id == comment.id or question.question_state != "waiting":
        return None
    latest = db.session.execute(
        select(ModerationEvent.action, ModerationEvent.created_at)
        .where(ModerationEvent.target_type == "question", ModerationEvent.target_id == question.id)
        .order_by(ModerationEvent.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.action != "answer_withdrawn" or latest.created_at < since:
        return None
    if not allowed(comment.author, "handle_questions"):
        return None  # no longer a verified clinician: their reply cannot answer
    now = _answered_by(question, comment)
    _record(actor, "answer_returned", question, "waiting", "answered", at=now)
    return question


def author_leaving(author: User) -> None:
    """author is deleting their account: questions their answers answered wait again."""
    for answer in db.session.scalars(
        select(Comment).where(Comment.author_id == author.id, Comment.kind == "answer")
    ):
        answer_withdrawn(answer)


def clinician_revoked(clinician: User, admin: User) -> int:
    """A clinician's verification was revoked: questions they answered wait again.

    Returns how many questions went back to the waiting list.
    """
    their_replies = select(Comment.id).where(Comment.author_id == clinician.id)
    questions = list(
        db.session.scalars(
            select(Comment).where(
                Comment.question_state == "answered", Comment.answer_id.in_(their_replies)
            )
        )
    )
    for question in questions:
        _reopen(question, admin, "answer_withdrawn")
    db.session.execute(
        update(Comment)
        .where(Comment.author_id == clinician.id, Comment.kind.in_(("answer", "holding")))
        .values(kind="reply")
    )
    db.session.execute(
        update(Comment)
        .where(Comment.claimed_by_id == clinician.id)
        .values(claimed_by_id=None, claimed_at=None)
    )
    return len(questions)


# --- closing ---------------------------------------------------------------------------------


def close(question: Comment, clinician: User, reason: str, note: str | None) -> None:
    """A clinician closes a question that needs no answer here, saying why in a few words."""
    _check_clinician(clinician)
    _check_waiting(question)
    if reason not in CLOSE_REASONS:
        raise QuestionError("reason", "Choose why this question needs no answer here.")
    words = " ".join((note or "").split())
    if not words:
        raise QuestionError("note", "Write a short note for the asker: what they should do next.")
    if len(words) > MAX_CLOSE_NOTE:
        raise QuestionError(
            "note", f"The note can be at most {MAX_CLOSE_NOTE} characters; this has {len(words)}."
        )
    now = utcnow()
    question.question_state = "closed"
    question.close_reason, question.close_note = reason, words
    question.claimed_by_id = question.claimed_at = None
    question.state_changed_at = now
    _record(clinician, "close_question", question, "waiting", "closed", reason=words, at=now)
    if question.author is not None:
        from ..notifications.service import notify

        why = CLOSE_REASON_WORDS[reason]
        notify(
            question.author,
            "question_closed",
            comment=question,
            detail=f"{why}: {words} ({clinician.display_name})",
            actor=clinician,
        )


def reopen(question: Comment, clinician: User) -> None:
    """A clinician puts a closed question back on the waiting list."""
    _check_clinician(clinician)
    if question.question_state != "closed":
        raise QuestionError("reason", "Only a closed question can be reopened.")
    _reopen(question, clinician, "reopen_question")


# --- the parts -------------------------------------------------------------------------------


def _reopen(question: Comment, actor: User | None, action: str) -> None:
    before = question.question_state
    _let_answer_go(question)
    question.question_state = "waiting"
    question.close_reason, question.close_note = None, ""
    question.state_changed_at = utcnow()
    _record(actor, action, question, before, "waiting", at=question.state_changed_at)


def _answered_by(question: Comment, reply: Comment) -> datetime:
    """reply becomes question's answer (any claim on it ends); returns the moment."""
    now = utcnow()
    reply.kind = "answer"
    question.answer_id = reply.id
    question.question_state = "answered"
    question.claimed_by_id = question.claimed_at = None
    question.state_changed_at = now
    return now


def _let_answer_go(question: Comment) -> None:
    answer = question.answer
    if answer is not None and answer.kind == "answer":
        answer.kind = "reply"
    question.answer_id = None


def _check_clinician(user: User) -> None:
    if not allowed(user, "handle_questions"):
        raise QuestionError("claim", "Only verified clinicians can do this.")


def _check_waiting(question: Comment) -> None:
    if not question.is_question:
        raise QuestionError("claim", "This thread is not a question.")
    if question.question_state != "waiting":
        raise QuestionError("claim", "This question is no longer waiting.")


def _record(
    actor: User | None,
    action: str,
    question: Comment,
    before: str | None,
    after: str | None,
    *,
    reason: str = "",
    at: datetime | None = None,
) -> None:
    audit.record(
        actor,
        action,
        "question",
        question.id,
        reason=reason,
        from_status=before,
        to_status=after,
        at=at,
    )
