"""Writing in a discussion: new comments, inline replies, edits and deletions.

Each route answers htmx with a fragment and a plain browser with a page or a redirect.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from ..errors import render_error, rescues_form
from ..extensions import db, login_manager
from ..forms import UNREADABLE_FORM, FieldError, attach_error
from ..models import Comment, Post
from ..numbers import LARGEST_ID
from ..permissions import can
from ..posts import queries
from ..posts.page import render_post_page
from ..questions import helpful
from ..responding import htmx_answer, page_or_fragment
from . import service, threads
from .blank_form import blank_form
from .forms import CHOOSE_A_KIND, CommentForm
from .limits import comment_writing, comment_writing_as_new

bp = Blueprint("comments", __name__)


def _permalink(comment: Comment) -> str:
    return url_for("posts.show", **threads.permalink_args(comment, current_user))


def _visible_comment_or_404(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or not queries.can_read(comment.post):
        abort(404)
    visible = db.session.scalar(
        threads.select_visible(comment.post, current_user).where(Comment.id == comment_id)
    )
    if visible is None:
        abort(404)
    return comment


def _own_comment_or_404(comment_id: int) -> Comment:
    comment = _visible_comment_or_404(comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    return comment


# Built once; only the post's own row: its author and tags, which its page draws, are not
# needed to write on it (two statements fewer for every comment).
_POST_AT = select(Post).where(Post.slug == bindparam("slug"))


def _post_to_write_on(slug: str) -> Post:
    """The post at slug, if this writer may read it (as queries.get_readable_or_404)."""
    post = db.session.scalar(_POST_AT, {"slug": slug})
    if post is None or not queries.can_read(post):
        abort(404)
    return post


def _replying_to(post: Post, parent_id: int | None) -> Comment | None:
    """The comment a submitted form answers, if this writer can still see it."""
    if not parent_id or not 0 < parent_id <= LARGEST_ID:
        return None
    return db.session.scalar(
        threads.select_visible(post, current_user).where(Comment.id == parent_id)
    )


def _announcement(comment: Comment, verb: str) -> str:
    if comment.status == "approved":
        return f"Your {verb} is posted."
    if comment.status == "pending":
        return f"Your {verb} is awaiting moderation. Only you can see it for now."
    return f"Your {verb} was not posted: {comment.held_reason}"


def _keep_error(form: CommentForm, error: FieldError) -> None:
    """The error beside the text; personal details found are kept for the form's panel."""
    attach_error(form, error)
    if isinstance(error, service.PersonalDataFound):
        form.personal_data_found = error


def _form_again(form: CommentForm, post: Post, reply_to: Comment | None):
    """The form with its errors and text: in place for htmx, on the post page otherwise."""
    if not request.wants_fragment:
        return render_post_page(post, form=form, reply_to=reply_to, status=422)
    html = render_template("comments/_comment_form.html", form=form, post=post, reply_to=reply_to)
    # The form replaces itself, errors and text included, wherever it was.
    target = f"#reply-form-{reply_to.id}" if reply_to else "#comment-form"
    return htmx_answer(html, 422, retarget=target, reswap="outerHTML")


def _asking(form: CommentForm, post: Post) -> bool:
    """Whether a new thread asks a clinician. Patients and caregivers starting one must choose;
    without a choice, every other problem with the form is shown with that one."""
    if form.parent_id.data or not current_user.asks_questions:
        return False
    kind = form.chosen_kind
    if kind is None:
        try:
            service.check_can_write(post, current_user)
            service.check_body(form.body.data)
        except FieldError as error:
            attach_error(form, error)
        raise service.CommentError("kind", CHOOSE_A_KIND)
    return kind == "question"


@bp.post("/posts/<slug>/comments")
@can("comment")
@comment_writing
def create(slug: str):
    post = _post_to_write_on(slug)
    form = CommentForm()
    reply_to = _replying_to(post, form.parent_id.data)
    try:
        if not form.validate_on_submit():
            raise service.CommentError("body", UNREADABLE_FORM)
        asking = _asking(form, post)
        comment = service.submit(
            post,
            current_user,
            form.body.data,
            form.parent_id.data,
            asking=asking,
            asked_for=form.asked_for.data if asking else None,
            holding=bool(form.holding.data) and form.parent_id.data is not None,
            personal_data_confirmed=bool(form.personal_data_confirmed.data),
            commit=False,
            form_token=form.sent_token,
        )
    except FieldError as error:
        _keep_error(form, error)
        return _form_again(form, post, reply_to)
    # The answer is built while the comment is stored but not committed: once committed,
    # nothing that could fail stands between the comment and the answer that says so.
    if request.wants_fragment:
        answer = _created(post, comment)
    else:
        answer = redirect(_permalink(comment), 303)
    db.session.commit()
    return answer


def _created(post: Post, comment: Comment) -> Response:
    node = threads.node_for(comment)
    html = render_template(
        "comments/_created.html",
        post=post,
        node=node,
        announcement=_announcement(comment, "reply" if comment.parent_id else "comment"),
        approved_total=threads.approved_total(post),
        closed_form_id=comment.parent_id,
        blank_form=None if comment.parent_id else blank_form(post),
    )
    container = node.container_id
    return htmx_answer(
        html,
        201,
        retarget=f"#replies-{container}" if container else "#thread-list",
        reswap="beforeend",
    )


@rescues_form("comments.create")
def _keep_comment_text(status: int, message: str):
    """Refused before the view ran (too many comments too fast, or a suspended account):
    the page again, with the text kept and the reason beside it."""
    post = queries.get_readable_or_404(request.view_args["slug"])
    form = CommentForm(meta={"csrf": False})
    form.body.errors = [message]
    return render_post_page(
        post, form=form, reply_to=_replying_to(post, form.parent_id.data), status=status
    )


@bp.get("/comments/<int:comment_id>/reply")
def reply_form(comment_id: int):
    """The inline "Reply to NAME" form; without htmx, the post page with the form in place."""
    parent = _visible_comment_or_404(comment_id)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not request.wants_fragment:
        return redirect(
            url_for(
                "posts.show",
                slug=parent.post.slug,
                replytocom=parent.id,
                _anchor=f"reply-form-{parent.id}",
            )
        )
    form = CommentForm(formdata=None, parent_id=parent.id)
    return render_template(
        "comments/_comment_form.html", form=form, post=parent.post, reply_to=parent, inline=True
    )


@bp.get("/comments/<int:comment_id>/reply/cancel")
def cancel_reply(comment_id: int):
    """Closing the inline form: htmx empties the slot, a plain browser goes to the comment."""
    comment = _visible_comment_or_404(comment_id)
    if request.wants_fragment:
        return ""
    return redirect(_permalink(comment))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@can("comment")
@comment_writing_as_new
def edit(comment_id: int):
    comment = _own_comment_or_404(comment_id)
    if request.method == "POST" and service.edit_window_passed(comment, current_user):
        return _edit_window_passed(comment)
    if not service.can_edit(comment, current_user):
        abort(403)
    if request.method == "GET":
        form = CommentForm(formdata=None, body=comment.body_source)
        return page_or_fragment(
            "comments/edit.html", "comments/_edit_form.html", form=form, comment=comment
        )
    form = CommentForm()
    try:
        if not form.validate_on_submit():
            raise service.CommentError("body", UNREADABLE_FORM)
        service.edit(
            comment,
            current_user,
            form.body.data,
            personal_data_confirmed=bool(form.personal_data_confirmed.data),
        )
    except service.CommentError as error:
        _keep_error(form, error)
        return page_or_fragment(
            "comments/edit.html", "comments/_edit_form.html", status=422, form=form, comment=comment
        )
    if not request.wants_fragment:
        return redirect(_permalink(comment), 303)
    return render_template(
        "comments/_edited.html",
        node=threads.node_for(comment),
        post=comment.post,
        announcement=_announcement(comment, "edit"),
    )


def _edit_window_passed(comment: Comment):
    """Saving after the edit window: the text stays in the form, said plainly, with "Post it as
    a new comment" (the form's as_new button), which posts it beside the old one."""
    form = CommentForm()
    if not request.form.get("as_new"):
        form.body.errors = [service.EDIT_WINDOW_PASSED]
    else:
        try:
            if not form.validate_on_submit():
                raise service.CommentError("body", UNREADABLE_FORM)
            posted = service.submit(comment.post, current_user, form.body.data, comment.parent_id)
        except FieldError as error:
            attach_error(form, error)
        else:
            return _posted_as_new(comment, posted)
    return page_or_fragment(
        "comments/edit.html",
        "comments/_edit_form.html",
        status=422,
        form=form,
        comment=comment,
        window_passed=True,
    )


def _posted_as_new(old: Comment, posted: Comment):
    if not request.wants_fragment:
        return redirect(_permalink(posted), 303)
    # The edit form turns back into the old comment; the new one joins the thread.
    html = render_template(
        "comments/_posted_as_new.html",
        node=threads.node_for(old),
        new_node=threads.node_for(posted),
        post=old.post,
        approved_total=threads.approved_total(old.post),
        announcement=_announcement(posted, "reply" if posted.parent_id else "comment"),
    )
    return htmx_answer(html, 201)


@rescues_form("comments.edit")
def _keep_edit_text(status: int, message: str):
    """Refused before the view ran (too many comments, a suspended account): the text stays."""
    comment = db.session.get(Comment, request.view_args["comment_id"])
    if request.method != "POST" or comment is None or comment.author_id != current_user.id:
        return render_error(status, message)  # nothing typed here to keep
    form = CommentForm(meta={"csrf": False})
    form.body.errors = [message]
    return page_or_fragment(
        "comments/edit.html", "comments/_edit_form.html", status=status, form=form, comment=comment
    )


@bp.get("/comments/<int:comment_id>")
def card(comment_id: int):
    """One comment: its card for htmx (to undo an open edit form), else its permalink."""
    comment = _visible_comment_or_404(comment_id)
    if not request.wants_fragment:
        return redirect(_permalink(comment))
    answers = [comment.id] if comment.kind == "answer" else []
    # Its one htmx use is an edit's Cancel: focus returns to the card, and that is announced.
    return render_template(
        "comments/_edit_cancelled.html",
        node=threads.node_for(comment),
        post=comment.post,
        helpful_marked=helpful.marked_by(current_user, answers),
    )


@bp.get("/comments/<int:comment_id>/delete")
@can("comment")
def confirm_delete(comment_id: int):
    comment = _own_comment_or_404(comment_id)
    return render_template("comments/confirm_delete.html", comment=comment)


@bp.post("/comments/<int:comment_id>/delete")
@can("comment")
def delete(comment_id: int) -> str | Response:
    comment = _own_comment_or_404(comment_id)
    post = comment.post
    service.delete(comment, current_user)
    if not request.wants_fragment:
        return redirect(url_for("posts.show", slug=post.slug, _anchor="comments"), 303)
    remaining = db.session.get(Comment, comment_id)
    return render_template(
        "comments/_deleted.html",
        comment_id=comment_id,
        node=threads.node_for(remaining) if remaining else None,
        post=post,
        approved_total=threads.approved_total(post),
        announcement="Your comment is deleted.",
    )
