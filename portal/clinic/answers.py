"""Answers written on the unanswered-questions page, sent through the ordinary reply endpoint.

The inline answer form posts to comments.create like any reply, with one hidden field saying it
came from the queue. For that case only, comments.create hands its response to this module, so
that the answer lands where the clinician is: the question leaves the list, the waiting count in
the navigation goes down, and a plain browser comes back to the queue.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..models import Comment
from ..permissions import allowed
from . import service

SOURCE_FIELD = "answered_from"
SOURCE_VALUE = "clinic-queue"


def came_from_queue() -> bool:
    """True when the reply being posted was written on the unanswered-questions page."""
    # Only those who see the queue get its answers (which include the waiting count).
    return request.form.get(SOURCE_FIELD) == SOURCE_VALUE and allowed(
        current_user, "answer_questions"
    )


def _asker_name(question: Comment) -> str:
    return question.author.display_name if question.author else "a deleted account"


def answered(reply: Comment) -> Response:
    """The response to a stored answer: htmx gets the row's replacement, a browser the queue."""
    question = reply.parent if reply.parent is not None else reply
    done = service.is_answered(question)
    waiting = service.waiting_count(fresh=True)
    if done:
        message = f"Your answer to {_asker_name(question)} is posted."
    elif reply.status == "approved":
        message = (
            "Your reply is posted. The question stays on this list until a clinician answers it."
        )
    else:
        message = f"Your reply is awaiting moderation. {reply.held_reason}".strip()
    if not request.htmx:
        flash(message, "success")
        return redirect(url_for("clinic.questions"), 303)
    html = render_template(
        "clinic/_answered.html",
        question=question,
        reply=reply,
        done=done,
        waiting=waiting,
        message=message,
        announcement=f"{message} {_waiting_words(waiting)}",
    )
    return Response(html)


def _waiting_words(waiting: int) -> str:
    if waiting == 0:
        return "No questions are waiting now."
    return f"{waiting} question{'s' if waiting != 1 else ''} still waiting."


def failed(form, question: Comment | None, question_id: int | None) -> Response:
    """The answer was not stored: the form again with its errors and the clinician's text."""
    if question is None:
        message = "That question is no longer available."
        template = "clinic/_gone.html" if request.htmx else "clinic/gone.html"
        html = render_template(
            template, question_id=question_id, announcement=message, text=form.body.data or ""
        )
        response = Response(html, status=422)
        if not request.htmx:
            return response
        response.headers["HX-Retarget"] = f"#question-{question_id}"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    if not request.htmx:
        html = render_template("clinic/answer.html", question=question, form=form)
        return Response(html, status=422)
    html = render_template("clinic/_answer_form.html", question=question, form=form, inline=True)
    response = Response(html, status=422)
    response.headers["HX-Retarget"] = f"#answer-form-{question.id}"
    response.headers["HX-Reswap"] = "outerHTML"
    return response
