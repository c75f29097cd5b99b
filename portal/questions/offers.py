"""What a viewer is offered on a comment of the post page: the question buttons they may press.

Each offer is decided by the rule the action's view enforces (questions.lifecycle, permissions,
questions.helpful), so a button is shown exactly when pressing it can work. Everything here
reads what the post page already loaded (authors, thread roots, claimants): no queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..models import Comment, User
from ..permissions import allowed
from . import helpful, lifecycle

MARK_AS_THE_ANSWER = "Mark as the answer"
THIS_ANSWERED_MY_QUESTION = "This answered my question"


@dataclass(frozen=True)
class Offers:
    # The words of the marking button ("" when the viewer may not mark this reply).
    mark_answer: str = ""
    unmark_answer: bool = False
    # The kind a clinician or moderator may turn this thread into ("" for none).
    change_kind_to: str = ""
    # A clinician replying here may say their reply is a holding reply.
    holding_reply: bool = False
    # The clinician holding a live claim on this question, shown to clinicians only.
    claimant: User | None = None
    # The viewer may say "This helped me" of this answer.
    helpful: bool = False


NOTHING = Offers()


def for_viewer(comment: Comment, viewer: Any) -> Offers:
    """The question actions viewer may take on comment, as the page shows them."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return NOTHING
    if comment.status != "approved":
        return NOTHING
    if comment.parent_id is None:
        return _on_a_thread(comment, viewer)
    return _on_a_reply(comment, viewer)


def _on_a_thread(thread: Comment, viewer: User) -> Offers:
    handles = allowed(viewer, "handle_questions")
    return Offers(
        change_kind_to=kind_change_for(thread, viewer),
        holding_reply=handles and _waiting_question(thread),
        claimant=lifecycle.live_claimant(thread) if handles and thread.is_question else None,
    )


def _on_a_reply(reply: Comment, viewer: User) -> Offers:
    root = lifecycle.thread_root(reply)
    mark = ""
    if lifecycle.can_mark_answer(reply, viewer):
        mark = MARK_AS_THE_ANSWER if reply.author_id == viewer.id else THIS_ANSWERED_MY_QUESTION
    return Offers(
        mark_answer=mark,
        unmark_answer=can_unmark_answer(reply, viewer),
        holding_reply=allowed(viewer, "handle_questions") and _waiting_question(root),
        helpful=helpful.can_mark(reply, viewer),
    )


def kind_for_a_thread_change(thread: Comment) -> str:
    """The other kind this thread could become: a question becomes a discussion, and a
    patient's or caregiver's discussion a question ("" when neither applies)."""
    if thread.parent_id is not None:
        return ""
    if thread.is_question:
        return "discussion"
    if thread.kind == "discussion" and thread.author is not None and thread.author.asks_questions:
        return "question"
    return ""


def kind_change_for(thread: Comment, viewer: Any) -> str:
    if not allowed(viewer, "change_thread_kind"):
        return ""
    return kind_for_a_thread_change(thread)


def is_party_to(reply: Comment, viewer: Any) -> bool:
    """The reply's author or the question's asker: the people who may mark or unmark it."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    root = lifecycle.thread_root(reply)
    return viewer.id in (reply.author_id, root.author_id)


def can_unmark_answer(answer: Comment, viewer: Any) -> bool:
    """Its clinician or the asker may say a marked answer is not the answer after all."""
    return (
        answer.kind == "answer"
        and is_party_to(answer, viewer)
        and lifecycle.thread_root(answer).question_state == "answered"
        and allowed(viewer, "comment")
    )


def _waiting_question(thread: Comment) -> bool:
    return thread.is_question and thread.question_state == "waiting"
