"""The notifications area: the list and its read marks, follow buttons, delivery preferences
(on the account page and on their own page), and the one-click unsubscribe link of emails.

Each route answers htmx with the partial that changed and a plain browser with a page or a
redirect; the page includes the same partial.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..comments import threads
from ..comments.forms import CommentForm
from ..extensions import csrf, db
from ..forms import UNREADABLE_FORM, FieldError, attach_error
from ..mail.unsubscribe import read_unsubscribe_token
from ..models import Comment, User
from ..paging import page_arg
from ..permissions import can
from ..posts import queries
from ..responding import htmx_answer, page_or_fragment
from . import following, posting_again, preferences, service, wording

bp = Blueprint("notifications", __name__)


# --- the notifications page -------------------------------------------------------------------


def _list_context(page: int) -> dict:
    found = service.page_for(current_user, page)
    return {"found": found, "items": [wording.show(n) for n in found.notifications]}


@bp.get("/notifications", endpoint="index")
@can("read_notifications")
def index() -> Response:
    """Newest first, a page at a time; htmx gets the list alone (the pager's links)."""
    return page_or_fragment(
        "notifications/index.html", "notifications/_list.html", **_list_context(page_arg())
    )


def _own_or_404(notification_id: int):
    notification = service.get_own(current_user, notification_id)
    if notification is None:
        abort(404)
    return notification


def _again_form(notification) -> CommentForm | None:
    """A held-back comment's text in a form, to edit and post again; None for other notices."""
    comment = posting_again.held_back_comment(notification)
    if comment is None:
        return None
    return CommentForm(formdata=None, body=comment.body_source)


@bp.get("/notifications/<int:notification_id>", endpoint="show")
@can("read_notifications")
def show(notification_id: int) -> Response:
    """One notification on its own page: where an email about a held-back comment leads."""
    notification = _own_or_404(notification_id)
    return page_or_fragment(
        "notifications/show.html",
        "notifications/_item.html",
        item=wording.show(notification),
        list_page=1,
        alone=True,
        again_form=_again_form(notification),
    )


@bp.post("/notifications/<int:notification_id>/post-again", endpoint="post_again")
@can("read_notifications")
def post_again(notification_id: int) -> Response:
    """A rejected or removed comment's text, edited or not, posted as a new comment."""
    notification = _own_or_404(notification_id)
    if posting_again.held_back_comment(notification) is None:
        abort(404)
    form = CommentForm()
    try:
        if not form.validate_on_submit():
            raise FieldError("body", UNREADABLE_FORM)
        comment = posting_again.post_again(notification, current_user, form.body.data)
    except FieldError as error:
        attach_error(form, error)
        return page_or_fragment(
            "notifications/show.html",
            "notifications/_item.html",
            status=422,
            item=wording.show(notification),
            list_page=1,
            alone=True,
            again_form=form,
        )
    message = (
        "Your comment is posted again."
        if comment.status == "approved"
        else "Your comment is posted again and waits for a moderator. Only you can see it for now."
    )
    flash(message, "success")
    where = url_for("posts.show", **threads.permalink_args(comment, current_user))
    if request.wants_fragment:
        return htmx_answer(redirect=where)
    return redirect(where, 303)


def _back_to_list(page: int) -> Response:
    return redirect(url_for("notifications.index", page=page if page > 1 else None), 303)


@bp.post("/notifications/<int:notification_id>/read", endpoint="mark_read")
@can("read_notifications")
def mark_read(notification_id: int) -> Response:
    notification = _own_or_404(notification_id)
    service.mark_read(notification)
    page = page_arg(request.form)
    if not request.wants_fragment:
        flash("Marked as read.", "success")
        if request.form.get("alone"):
            return redirect(url_for("notifications.show", notification_id=notification.id), 303)
        return _back_to_list(page)
    total, unread = service.counts(current_user)
    return htmx_answer(
        render_template(
            "notifications/_marked.html",
            item=wording.show(notification),
            list_page=page,
            alone=bool(request.form.get("alone")),
            total=total,
            unread=unread,
            announcement="Marked as read.",
        )
    )


@bp.post("/notifications/read", endpoint="mark_all_read")
@can("read_notifications")
def mark_all_read() -> Response:
    marked = service.mark_all_read(current_user)
    message = "Every notification is marked as read." if marked else "Nothing was unread."
    page = page_arg(request.form)
    if not request.wants_fragment:
        flash(message, "success")
        return _back_to_list(page)
    return htmx_answer(
        render_template(
            "notifications/_all_marked.html", **_list_context(page), announcement=message
        )
    )


# --- following -------------------------------------------------------------------------------


def _wanted() -> bool | None:
    """The follow form's choice: True (follow), False (stop), None (unreadable)."""
    return {"yes": True, "no": False}.get(request.form.get("follow", ""))


def _follow_answer(template: str, status: int = 200, **context) -> Response:
    """htmx: the button in its new state; a failed plain form: a page around the same button."""
    if request.wants_fragment:
        return htmx_answer(render_template(template, **context), status)
    return page_or_fragment(
        "notifications/follow.html", template, status=status, partial=template, **context
    )


def _set_following(
    template: str, back_to: str, said: tuple[str, str], context: dict, **target
) -> Response:
    """Follow target (post= or thread=) or stop, as the form asks; answer in place or go back.

    said: what to tell the member after following, and after stopping.
    """
    wanted = _wanted()
    if wanted is None:
        return _follow_answer(template, 422, error=UNREADABLE_FORM, **context)
    following.set_following(current_user, follow=wanted, **target)
    following.forget_state()
    message = said[0] if wanted else said[1]
    if not request.wants_fragment:
        flash(message, "success")
        return redirect(back_to, 303)
    return _follow_answer(template, message=message, **context)


@bp.post("/posts/<slug>/follow", endpoint="follow_post")
@can("follow")
def follow_post(slug: str) -> Response:
    """Follow or stop following a whole discussion."""
    post = queries.get_readable_or_404(slug)
    if not post.is_published:
        abort(404)
    return _set_following(
        "notifications/_follow_post.html",
        url_for("posts.show", slug=post.slug, _anchor="comments"),
        (
            "You follow this discussion: you will be told of new comments.",
            "You no longer follow this discussion.",
        ),
        {"post": post},
        post=post,
    )


def _followable_thread_or_404(comment_id: int) -> Comment:
    """A top-level comment this member can see on a published post."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.parent_id is not None or not comment.post.is_published:
        abort(404)
    if not (service.can_see(comment, current_user) or comment.status in ("deleted", "removed")):
        abort(404)
    return comment


@bp.post("/comments/<int:comment_id>/follow", endpoint="follow_thread")
@can("follow")
def follow_thread(comment_id: int) -> Response:
    """Follow or stop following one top-level comment's thread."""
    thread = _followable_thread_or_404(comment_id)
    return _set_following(
        "notifications/_follow_thread.html",
        url_for("posts.show", slug=thread.post.slug, _anchor=f"comment-{thread.id}"),
        (
            "You follow this thread: you will be told of new replies.",
            "You no longer follow this thread.",
        ),
        {"comment": thread},
        thread=thread,
    )


@bp.post("/account/following/<int:follow_id>/stop", endpoint="stop_following")
@can("follow")
def stop_following(follow_id: int) -> Response:
    """Stop following something from the account page's list."""
    stopped = following.stop(current_user, follow_id)
    if stopped is None:
        abort(404)
    message = "Stopped following."
    if not request.wants_fragment:
        flash(message, "success")
        return redirect(url_for("accounts.show", _anchor="following"), 303)
    return htmx_answer(
        render_template("notifications/_following.html", saved_message=message, focus=True)
    )


# --- preferences ------------------------------------------------------------------------------


@bp.get("/account/notifications", endpoint="preferences")
@can("manage_account")
def preferences_page() -> Response:
    """The delivery settings on their own page (emails link here); the account page has them too."""
    return page_or_fragment("notifications/preferences.html", "notifications/_preferences.html")


@bp.post("/account/notifications", endpoint="save_preferences")
@can("manage_account")
def save_preferences() -> Response:
    choices = {kind: request.form.get(kind) for kind in preferences.kinds_for(current_user)}
    try:
        preferences.save(current_user, choices, request.form.get("quote_in_email") == "y")
    except preferences.PreferenceError as error:
        return page_or_fragment(
            "notifications/preferences.html",
            "notifications/_preferences.html",
            status=422,
            error=error,
        )
    message = "Your notification settings are saved."
    if not request.wants_fragment:
        flash(message, "success")
        return redirect(url_for("accounts.show", _anchor="notification-settings"), 303)
    return htmx_answer(render_template("notifications/_preferences.html", saved_message=message))


# --- one-click unsubscribe (RFC 8058) -------------------------------------------------------------


def _unsubscribing(token: str) -> tuple[User, str] | None:
    read = read_unsubscribe_token(token)
    if read is None:
        return None
    user = db.session.get(User, read[0])
    if user is None or not (read[1] in preferences.KIND_LABELS or read[1] in ("all", "digest")):
        return None
    return user, read[1]


def _what(kind: str) -> str:
    if kind == preferences.ALL_KINDS:
        return "every kind of notification"
    if kind == preferences.DIGEST:
        return "the daily digest"
    return f"“{preferences.KIND_LABELS[kind]}”"


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"], endpoint="unsubscribe")
@csrf.exempt  # mail programs post here with no session and no form (RFC 8058)
def unsubscribe(token: str) -> Response:
    """GET: a page with one button; POST: that kind of email stops, no login needed."""
    found = _unsubscribing(token)
    if found is None:
        return page_or_fragment(
            "notifications/unsubscribe.html",
            "notifications/_unsubscribe.html",
            status=400,
            invalid=True,
        )
    user, kind = found
    done = False
    if request.method == "POST":
        preferences.stop_emails(user, kind)
        done = True
    return page_or_fragment(
        "notifications/unsubscribe.html",
        "notifications/_unsubscribe.html",
        token=token,
        what=_what(kind),
        done=done,
        invalid=False,
    )
