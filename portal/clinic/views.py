"""The clinicians' workspace: writing posts, their own list of posts, and the questions that wait.

Every page here answers htmx with the partial the full page includes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response

from ..comments import service as comments
from ..comments import threads
from ..comments.forms import CommentForm
from ..comments.limits import comment_writing
from ..errors import rescues_form
from ..extensions import db
from ..forms import UNREADABLE_FORM, FieldError, attach_error
from ..models import Comment, Post
from ..paging import page_arg
from ..permissions import can
from ..posts import editing, queries
from ..questions import lifecycle
from ..responding import htmx_answer, page_or_fragment
from ..templating import human_datetime
from . import recent_counts, service
from .forms import CloseQuestionForm, PostForm

bp = Blueprint("clinic", __name__, url_prefix="/clinic")
bp.record_once(lambda state: recent_counts.install(state.app))

# A post may hold 100,000 characters of body and 20,000 of references, well past the site-wide
# request limit; urlencoded non-ASCII text can take up to nine bytes a character.
EDITOR_MAX_BYTES = 2 * 1024 * 1024
EDITOR_ENDPOINTS = frozenset({"clinic.new_post", "clinic.edit_post"})


@bp.url_value_preprocessor
def _allow_long_posts(endpoint: str | None, values: dict | None) -> None:
    # URL value preprocessors run before every before_request handler, so this raises the limit
    # before CSRFProtect reads the form.
    if endpoint in EDITOR_ENDPOINTS:
        request.max_content_length = EDITOR_MAX_BYTES


def _asker_name(question: Comment) -> str:
    return question.author.display_name if question.author else "a deleted account"


def _waiting_words(waiting: int) -> str:
    if waiting == 0:
        return "No questions are waiting now."
    return f"{waiting} question{'s' if waiting != 1 else ''} still waiting."


# --- the waiting list ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionLinks:
    """The list's links, from three prefixes: url_for costs microseconds each, and a page of
    25 questions carries ten links apiece."""

    questions: str
    comments: str
    people: str

    @classmethod
    def now(cls) -> QuestionLinks:
        return cls(
            questions=url_for("clinic.questions"),
            comments=url_for("comments.card", comment_id=0).removesuffix("0"),
            people=url_for("profiles.show", user_id=0).removesuffix("0"),
        )

    def step(self, question_id: int, step: str) -> str:
        """clinic.answer_form, .holding_form, .claim, .release or .close_form's address."""
        return f"{self.questions}/{question_id}/{step}"

    def comment(self, comment_id: int) -> str:
        """comments.card's address: the comment on its page of the discussion."""
        return f"{self.comments}{comment_id}"

    def person(self, user_id: int) -> str:
        return f"{self.people}{user_id}"


@bp.get("/questions")
@can("answer_questions")
def questions() -> Response:
    question_filter = service.QuestionFilter(
        post_slug=request.args.get("post", "").strip()[:120],
        tag_slug=request.args.get("tag", "").strip()[:80],
    )
    per_page = current_app.config.get("QUESTIONS_PER_PAGE", service.QUESTIONS_PER_PAGE)
    queue = service.waiting_questions(question_filter, page_arg(), per_page)
    # The filter form lists every post with its count: made once while the counts are kept.
    filters = queue.counted.made(
        question_filter,
        lambda: Markup(render_template("clinic/_question_filters.html", queue=queue)),
    )
    return page_or_fragment(
        "clinic/questions.html",
        "clinic/_question_list.html",
        queue=queue,
        filters=filters,
        links=QuestionLinks.now(),
    )


GONE = "That question is no longer available."

# Each way of handling a question that needs text: its form, and the words of its page.
RESPONSES = {
    "answer": ("clinic/_answer_form.html", "Answer {name}"),
    "holding": ("clinic/_holding_form.html", "Holding reply to {name}"),
    "close": ("clinic/_close_form.html", "Close {name}’s question"),
}


def _waiting_or_404(comment_id: int) -> service.WaitingQuestion:
    item = service.waiting_question(comment_id)
    if item is None:
        abort(404)
    return item


def _visible_question(comment_id: int) -> Comment | None:
    """The question being handled, while this clinician can still see it on its post."""
    question = db.session.get(Comment, comment_id)
    if question is None:
        abort(404)
    if not queries.can_read(question.post):
        return None
    return db.session.scalar(
        threads.select_visible(question.post, current_user).where(Comment.id == comment_id)
    )


def _response_form(
    response: str, form: FlaskForm, question: Comment, *, status: int = 200
) -> Response:
    """The form for response: inline in the list for htmx, else on the question's own page.

    After a refusal the form comes back in place of itself, with its errors and the text."""
    template, heading = RESPONSES[response]
    return page_or_fragment(
        "clinic/answer.html",
        template,
        status=status,
        retarget=f"#{response}-form-{question.id}" if status != 200 else None,
        reswap="outerHTML" if status != 200 else None,
        item=service.waiting_question(question.id),
        links=QuestionLinks.now(),
        question=question,
        heading=heading.format(name=_asker_name(question)),
        form_template=template,
        form=form,
        inline=True,
    )


def _question_gone(question_id: int, text: str) -> Response:
    """Deleted or hidden while being answered: say so, and hand back what was written."""
    return page_or_fragment(
        "clinic/gone.html",
        "clinic/_gone.html",
        status=422,
        retarget=f"#question-{question_id}",
        reswap="outerHTML",
        question_id=question_id,
        announcement=GONE,
        text=text,
    )


def _item_changed(question: Comment, message: str, *, focus: str = "item") -> Response:
    """A step that keeps the question on the list: htmx gets its item anew, a browser the list."""
    if not request.wants_fragment:
        flash(message, "success")
        return redirect(url_for("clinic.questions", _anchor=f"question-{question.id}"), 303)
    item = service.waiting_question(question.id)
    if item is None:  # no longer listed (its post closed meanwhile): as if it had left
        return _left_the_list(question, message, "")
    return htmx_answer(
        render_template(
            "clinic/_question_changed.html",
            item=item,
            links=QuestionLinks.now(),
            note=message,
            focus=focus,
            announcement=message,
        )
    )


def _left_the_list(question: Comment, message: str, link: str) -> Response:
    """Answered or closed: htmx replaces the item with a line saying so, a browser the list."""
    waiting = service.waiting_count()
    if not request.wants_fragment:
        flash(message, "success")
        return redirect(url_for("clinic.questions"), 303)
    return htmx_answer(
        render_template(
            "clinic/_question_left.html",
            question=question,
            message=message,
            link=link,
            waiting=waiting,
            announcement=f"{message} {_waiting_words(waiting)}",
        )
    )


def _step_refused(comment_id: int, question: Comment | None, message: str) -> Response:
    """Claim or let go refused: the message beside the item's buttons (or, once the question
    has left the list, in its place), or on the question's own page without htmx.

    question is None when this clinician can no longer see it: nothing of it is shown."""
    item = service.waiting_question(comment_id) if question is not None else None
    if item is not None and request.wants_fragment:
        return htmx_answer(
            render_template(
                "clinic/_question_changed.html",
                item=item,
                links=QuestionLinks.now(),
                error=message,
                focus="error",
                announcement=message,
            ),
            422,
        )
    return page_or_fragment(
        "clinic/answer.html",
        "clinic/_question_left.html",
        status=422,
        retarget=f"#question-{comment_id}",
        reswap="outerHTML",
        item=item,
        links=QuestionLinks.now(),
        question=question,
        question_id=comment_id,
        heading=f"{_asker_name(question)}’s question" if question else "A question",
        error=message,
        message=message,
        link="",
        waiting=service.waiting_count(),
        announcement=message,
    )


# --- answering -------------------------------------------------------------------------------


def _write_reply(
    comment_id: int, step: str, write: Callable[[Comment, Any, str | None, str | None], Comment]
) -> tuple[Comment, Comment] | Response:
    """What Answer and Holding reply share: the question still shown, the form readable, the
    reply written by write. (question, reply), or the answer that keeps the text when not."""
    form = CommentForm()
    question = _visible_question(comment_id)
    if question is None:
        return _question_gone(comment_id, form.body.data or "")
    try:
        if not form.validate_on_submit():
            raise comments.CommentError("body", UNREADABLE_FORM)
        # Stored, not yet committed: the view builds its answer, then commits (_committed).
        written = write(question, current_user, form.body.data, form.form_token.data)
        return question, written
    except FieldError as error:
        attach_error(form, error)
        return _response_form(step, form, question, status=422)


@bp.get("/questions/<int:comment_id>/answer")
@can("handle_questions")
def answer_form(comment_id: int) -> Response:
    """The inline answer form for the list; without htmx, a page with the question and form."""
    item = _waiting_or_404(comment_id)
    return _response_form("answer", CommentForm(formdata=None), item.question)


@bp.post("/questions/<int:comment_id>/answer")
@can("handle_questions")
@comment_writing
def answer(comment_id: int) -> Response:
    """An answer written on the waiting list: posted as a reply and marked as the answer."""
    written = _write_reply(comment_id, "answer", service.answer)
    if isinstance(written, Response):
        return written
    question, reply = written
    link = url_for("comments.card", comment_id=reply.id)
    if reply.kind == "answer":
        message = f"Your answer to {_asker_name(question)} is posted."
        return _committed(_left_the_list(question, message, link))
    message = (
        f"Your answer is awaiting moderation. {reply.held_reason} It answers the question "
        "once it is published and marked as the answer."
    )
    return _committed(_item_changed(question, " ".join(message.split())))


def _committed(answer: Response) -> Response:
    """Commit the reply the answer was built for: after this, nothing can fail."""
    db.session.commit()
    return answer


@rescues_form("clinic.answer")
def _keep_answer_text(status: int, message: str) -> Response:
    return _keep_text("answer", status, message)


# --- holding replies -------------------------------------------------------------------------


@bp.get("/questions/<int:comment_id>/holding")
@can("handle_questions")
def holding_form(comment_id: int) -> Response:
    """The holding-reply form: inline in the list, or a page of its own without htmx."""
    item = _waiting_or_404(comment_id)
    return _response_form("holding", CommentForm(formdata=None), item.question)


@bp.post("/questions/<int:comment_id>/holding")
@can("handle_questions")
@comment_writing
def holding(comment_id: int) -> Response:
    """A reply telling the asker someone is looking; the question keeps waiting."""
    written = _write_reply(comment_id, "holding", service.hold)
    if isinstance(written, Response):
        return written
    question, reply = written
    if reply.status == "approved":
        message = (
            f"Your holding reply to {_asker_name(question)} is posted. "
            "The question stays on this list."
        )
    else:
        message = f"Your holding reply is awaiting moderation. {reply.held_reason}"
    return _committed(_item_changed(question, message.strip()))


@rescues_form("clinic.holding")
def _keep_holding_text(status: int, message: str) -> Response:
    return _keep_text("holding", status, message)


def _keep_text(response: str, status: int, message: str) -> Response:
    """Refused before the view ran (too many comments, a suspended account): text kept."""
    form = CommentForm(meta={"csrf": False})
    form.body.errors = [message]
    comment_id = request.view_args["comment_id"]
    question = _visible_question(comment_id)
    if question is None:
        return _question_gone(comment_id, form.body.data or "")
    return _response_form(response, form, question, status=status)


# --- claims ----------------------------------------------------------------------------------


@bp.post("/questions/<int:comment_id>/claim")
@can("handle_questions")
def claim(comment_id: int) -> Response:
    """ "I'll take this one": other clinicians see the name until the claim lapses."""
    question = _visible_question(comment_id)
    if question is None:
        return _step_refused(comment_id, None, GONE)
    try:
        lifecycle.claim(question, current_user)
    except lifecycle.QuestionError as error:
        db.session.rollback()
        return _step_refused(comment_id, question, error.message)
    db.session.commit()
    until = human_datetime(lifecycle.claim_expires_at(question))
    return _item_changed(
        question, f"You claimed {_asker_name(question)}’s question until {until}.", focus="release"
    )


@bp.post("/questions/<int:comment_id>/release")
@can("handle_questions")
def release(comment_id: int) -> Response:
    """The claimant lets the question go back to everyone."""
    question = _visible_question(comment_id)
    if question is None:
        return _step_refused(comment_id, None, GONE)
    try:
        lifecycle.release(question, current_user)
    except lifecycle.QuestionError as error:
        db.session.rollback()
        return _step_refused(comment_id, question, error.message)
    db.session.commit()
    return _item_changed(question, f"You let {_asker_name(question)}’s question go.", focus="claim")


# --- closing ---------------------------------------------------------------------------------


@bp.get("/questions/<int:comment_id>/close")
@can("handle_questions")
def close_form(comment_id: int) -> Response:
    """Closing a question that needs no answer: inline in the list, or a page of its own."""
    item = _waiting_or_404(comment_id)
    return _response_form("close", CloseQuestionForm(formdata=None), item.question)


@bp.post("/questions/<int:comment_id>/close")
@can("handle_questions")
def close(comment_id: int) -> Response:
    """Closed as needing no answer or signposted elsewhere, with a note the asker sees."""
    form = CloseQuestionForm()
    question = _visible_question(comment_id)
    if question is None:
        return _question_gone(comment_id, form.note.data or "")
    try:
        if not form.validate_on_submit():
            raise lifecycle.QuestionError("", UNREADABLE_FORM)
        lifecycle.close(question, current_user, form.reason.data or "", form.note.data)
    except lifecycle.QuestionError as error:
        db.session.rollback()
        attach_error(form, error)
        return _response_form("close", form, question, status=422)
    db.session.commit()
    reason = lifecycle.CLOSE_REASON_WORDS[question.close_reason or ""]
    message = f"{_asker_name(question)}’s question is closed: {reason}. They see your note."
    return _left_the_list(question, message, url_for("comments.card", comment_id=question.id))


# --- writing posts -------------------------------------------------------------------------


def _editable_post_or_404(post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    # Someone else's draft does not exist for this reader; a post they can read but not edit
    # is a permission problem.
    if post is None or not queries.can_read(post):
        abort(404)
    if not editing.can_edit(post, current_user):
        abort(403)
    return post


def _editor_url(post: Post | None) -> str:
    return url_for("clinic.edit_post", post_id=post.id) if post else url_for("clinic.new_post")


def _render_editor(form: PostForm, post: Post | None, *, preview: Post | None = None, status=200):
    form.enable_live_preview(_editor_url(post))
    return page_or_fragment(
        "clinic/editor.html",
        "clinic/_editor.html",
        status=status,
        form=form,
        post=post,
        preview=preview,
    )


def _save_from_editor(post: Post | None):
    """The editor's POST: preview, save a draft, publish, or save changes to a published post."""
    form = PostForm()
    action = request.form.get("action", "save")
    if action == "preview":
        unsaved = editing.preview(form.fields())
        if request.wants_fragment:
            return render_template("clinic/_preview.html", preview=unsaved)
        return _render_editor(form, post, preview=unsaved)
    if not form.validate_on_submit():
        form.form_errors.append(UNREADABLE_FORM)
        return _render_editor(form, post, status=422)
    publishing = action == "publish"
    try:
        if post is None:
            post = editing.create_post(current_user, form.fields(), publish=publishing)
        else:
            post = editing.update_post(post, form.fields(), publish=publishing)
    except editing.PostInvalid as invalid:
        form.show_errors(invalid.errors)
        return _render_editor(form, post, status=422)
    if post.is_published:
        flash("Your post is published." if publishing else "Your changes are published.", "success")
        return redirect(url_for("posts.show", slug=post.slug), 303)
    flash("Draft saved. Only its author and the admins can see it.", "success")
    return redirect(url_for("clinic.edit_post", post_id=post.id), 303)


@bp.route("/posts/new", methods=["GET", "POST"])
@can("write_posts")
def new_post():
    if request.method == "POST":
        return _save_from_editor(None)
    return _render_editor(PostForm(formdata=None), None)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@can("write_posts")
def edit_post(post_id: int):
    post = _editable_post_or_404(post_id)
    if request.method == "POST":
        return _save_from_editor(post)
    return _render_editor(PostForm.for_post(post), post)


@bp.get("/posts")
@can("write_posts")
def my_posts() -> Response:
    posts = editing.posts_by(current_user)
    counts = queries.approved_comment_counts([post.id for post in posts])
    return page_or_fragment(
        "clinic/my_posts.html", "clinic/_my_posts.html", posts=posts, comment_counts=counts
    )


def _after_status_change(post: Post, message: str, *, error: bool = False):
    if request.wants_fragment:
        counts = queries.approved_comment_counts([post.id])
        html = render_template(
            "clinic/_status_changed.html",
            post=post,
            comment_counts=counts,
            announcement=message,
            error=message if error else "",
        )
        return Response(html, status=422 if error else 200)
    if error:
        form = PostForm.for_post(post)
        form.form_errors.append(message)
        return _render_editor(form, post, status=422)
    flash(message, "success")
    return redirect(url_for("clinic.my_posts"), 303)


@bp.post("/posts/<int:post_id>/publish")
@can("write_posts")
def publish_post(post_id: int):
    post = _editable_post_or_404(post_id)
    try:
        editing.publish(post)
    except editing.PostInvalid as invalid:
        reasons = " ".join(invalid.errors.values())
        return _after_status_change(post, f"Not published yet: {reasons}", error=True)
    return _after_status_change(post, f"“{post.title}” is published.")


@bp.post("/posts/<int:post_id>/unpublish")
@can("write_posts")
def unpublish_post(post_id: int):
    post = _editable_post_or_404(post_id)
    editing.unpublish(post)
    return _after_status_change(
        post, f"“{post.title}” is unpublished. Only its author and the admins can see it now."
    )
