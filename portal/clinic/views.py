"""The clinicians' workspace: writing posts, their own list of posts, and the questions that wait.

Every page here answers htmx with the partial the full page includes.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..comments import service as comments
from ..comments import threads
from ..comments.forms import CommentForm
from ..comments.limits import comment_writing
from ..errors import rescues_form
from ..extensions import db
from ..forms import UNREADABLE_FORM, attach_error
from ..models import Comment, Post
from ..paging import page_arg
from ..permissions import can
from ..posts import editing, queries
from ..responding import htmx_answer, page_or_fragment
from . import service
from .forms import PostForm

bp = Blueprint("clinic", __name__, url_prefix="/clinic")

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


# --- questions -----------------------------------------------------------------------------


@bp.get("/questions")
@can("answer_questions")
def questions() -> Response:
    question_filter = service.QuestionFilter(
        post_slug=request.args.get("post", "").strip()[:120],
        tag_slug=request.args.get("tag", "").strip()[:80],
    )
    per_page = current_app.config.get("QUESTIONS_PER_PAGE", service.QUESTIONS_PER_PAGE)
    queue = service.waiting_questions(question_filter, page_arg(), per_page)
    return page_or_fragment("clinic/questions.html", "clinic/_question_list.html", queue=queue)


@bp.get("/questions/<int:comment_id>/answer")
@can("answer_questions")
def answer_form(comment_id: int) -> Response:
    """The inline answer form for the queue; without htmx, a page with the question and form."""
    question = service.waiting_question(comment_id)
    if question is None:
        abort(404)
    form = CommentForm(formdata=None, parent_id=question.id)
    return page_or_fragment(
        "clinic/answer.html", "clinic/_answer_form.html", question=question, form=form, inline=True
    )


@bp.post("/questions/<int:comment_id>/answer")
@can("answer_questions")
@comment_writing
def answer(comment_id: int) -> Response:
    """An answer written on the waiting list: posted as a reply, answered where it was written."""
    form = CommentForm()
    question = _answerable_question(comment_id)
    if question is None:
        return _question_gone(comment_id, form.body.data or "")
    try:
        if not form.validate_on_submit():
            raise comments.CommentError("body", UNREADABLE_FORM)
        reply = comments.submit(question.post, current_user, form.body.data, question.id)
    except comments.CommentError as error:
        attach_error(form, error)
        return _answer_form_again(form, question, 422)
    return _answered(question, reply)


def _answerable_question(comment_id: int) -> Comment | None:
    """The question being answered, while this clinician can still see it on its post."""
    question = db.session.get(Comment, comment_id)
    if question is None or not queries.can_read(question.post):
        return None
    return db.session.scalar(
        threads.select_visible(question.post, current_user).where(Comment.id == comment_id)
    )


def _answer_form_again(form: CommentForm, question: Comment, status: int) -> Response:
    """The answer was not stored: the form again with its errors and the clinician's text."""
    return page_or_fragment(
        "clinic/answer.html",
        "clinic/_answer_form.html",
        status=status,
        retarget=f"#answer-form-{question.id}",
        reswap="outerHTML",
        question=question,
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
        announcement="That question is no longer available.",
        text=text,
    )


def _answered(question: Comment, reply: Comment) -> Response:
    """A stored answer: htmx gets the row's replacement, a plain browser the waiting list."""
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
    if not request.wants_fragment:
        flash(message, "success")
        return redirect(url_for("clinic.questions"), 303)
    return htmx_answer(
        render_template(
            "clinic/_answered.html",
            question=question,
            reply=reply,
            done=done,
            waiting=waiting,
            message=message,
            announcement=f"{message} {_waiting_words(waiting)}",
        )
    )


@rescues_form("clinic.answer")
def _keep_answer_text(status: int, message: str) -> Response:
    """Refused before the view ran (too many comments, a suspended account): text kept."""
    form = CommentForm(meta={"csrf": False})
    form.body.errors = [message]
    comment_id = request.view_args["comment_id"]
    question = _answerable_question(comment_id)
    if question is None:
        return _question_gone(comment_id, form.body.data or "")
    return _answer_form_again(form, question, status)


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
