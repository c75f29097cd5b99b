"""The clinicians' workspace: writing posts, their own list of posts, and the questions that wait.

Every page here answers htmx with the partial the full page includes.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..comments.forms import CommentForm
from ..extensions import db
from ..models import Post
from ..permissions import can
from ..posts import editing, queries
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


@bp.app_context_processor
def _workspace_helpers() -> dict:
    def can_edit_post(post: Post) -> bool:
        return current_user.is_authenticated and editing.can_edit(post, current_user)

    return {"waiting_question_count": service.waiting_count, "can_edit_post": can_edit_post}


def _fragment_wanted() -> bool:
    # Restoring history after a pushed URL asks for the whole page, even from htmx.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _page_arg() -> int:
    return request.args.get("page", 1, type=int) or 1


# --- questions -----------------------------------------------------------------------------


@bp.get("/questions")
@can("answer_questions")
def questions() -> str:
    question_filter = service.QuestionFilter(
        post_slug=request.args.get("post", "").strip()[:120],
        tag_slug=request.args.get("tag", "").strip()[:80],
    )
    per_page = current_app.config.get("QUESTIONS_PER_PAGE", service.QUESTIONS_PER_PAGE)
    queue = service.waiting_questions(question_filter, _page_arg(), per_page)
    template = "clinic/_question_list.html" if _fragment_wanted() else "clinic/questions.html"
    return render_template(template, queue=queue)


@bp.get("/questions/<int:comment_id>/answer")
@can("answer_questions")
def answer_form(comment_id: int) -> str:
    """The inline answer form for the queue; without htmx, a page with the question and form."""
    question = service.waiting_question(comment_id)
    if question is None:
        abort(404)
    form = CommentForm(formdata=None, parent_id=question.id)
    if request.htmx:
        return render_template(
            "clinic/_answer_form.html", question=question, form=form, inline=True
        )
    return render_template("clinic/answer.html", question=question, form=form)


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
    template = "clinic/_editor.html" if _fragment_wanted() else "clinic/editor.html"
    html = render_template(template, form=form, post=post, preview=preview)
    return html, status


def _save_from_editor(post: Post | None):
    """The editor's POST: preview, save a draft, publish, or save changes to a published post."""
    form = PostForm()
    action = request.form.get("action", "save")
    if action == "preview":
        unsaved = editing.preview(form.fields())
        if request.htmx:
            return render_template("clinic/_preview.html", preview=unsaved)
        return _render_editor(form, post, preview=unsaved)
    if not form.validate_on_submit():
        form.form_errors.append("This form could not be read. Please try again.")
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
def my_posts() -> str:
    posts = editing.posts_by(current_user)
    counts = queries.approved_comment_counts([post.id for post in posts])
    template = "clinic/_my_posts.html" if _fragment_wanted() else "clinic/my_posts.html"
    return render_template(template, posts=posts, comment_counts=counts)


def _after_status_change(post: Post, message: str, *, error: bool = False):
    if request.htmx:
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
