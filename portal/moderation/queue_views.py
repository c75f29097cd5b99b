"""The moderation queue: held, reported, spam and rejected comments, decided one by one or
several at once, with the latest decisions undoable.

Each action answers htmx with the pieces that change (the row leaves; counts and the
"recently moderated" list update out of band) and a plain browser with a redirect.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..forms import UNREADABLE_FORM, attach_error
from ..models import Comment, ModerationEvent
from ..numbers import optional_id
from ..paging import page_arg
from ..permissions import can
from ..responding import htmx_answer, page_or_fragment
from . import audit, decisions, queue
from .blueprint import bp
from .forms import BulkDecisionForm, DecisionForm


def _position(form: DecisionForm) -> tuple[str, int]:
    """Which filter and page of the queue the moderator was looking at."""
    show = form.show.data if form.show.data in queue.FILTERS else queue.DEFAULT_FILTER
    return show, page_arg(request.form)


def _queue_url(show: str, page: int) -> str:
    return url_for(
        "moderation.queue",
        show=None if show == queue.DEFAULT_FILTER else show,
        page=None if page == 1 else page,
    )


def render_queue(
    show: str,
    page: int,
    *,
    status: int = 200,
    row_forms: dict[int, DecisionForm] | None = None,
    bulk_form: BulkDecisionForm | None = None,
    selected: frozenset[int] = frozenset(),
    announcement: str = "",
    notice: str = "",
) -> Response:
    """The queue page, or for htmx its panel (with the navigation count out of band)."""
    queue_page = queue.load(show, page)
    shown = {item.comment.id for item in queue_page.items}
    # A row that is no longer on this page cannot show its form's errors: say them on top.
    notice = notice or " ".join(
        message
        for comment_id, form in (row_forms or {}).items()
        if comment_id not in shown
        for messages in form.errors.values()
        for message in messages
    )
    context = {
        "queue_page": queue_page,
        "queue_counts": queue_page.counts,
        "recent": queue.recent_decisions(),
        "row_forms": row_forms or {},
        "blank_form": DecisionForm(formdata=None),
        "bulk_form": bulk_form or BulkDecisionForm(formdata=None),
        "selected": selected,
        "announcement": announcement,
        "notice": notice,
    }
    return page_or_fragment(
        "moderation/queue.html",
        "moderation/_queue_panel.html",
        status=status,
        oob=request.wants_fragment,
        **context,
    )


@bp.get("/moderation", endpoint="queue")
@can("moderate")
def queue_page() -> Response:
    return render_queue(request.args.get("show", queue.DEFAULT_FILTER), page_arg())


def _done(event: ModerationEvent, comment: Comment) -> str:
    name = comment.author.display_name if comment.author else "a deleted account"
    return (
        f"{audit.ACTIONS[event.action]}: the comment by {name}. Undo is under Recently moderated."
    )


@bp.post("/moderation/comments/<int:comment_id>")
@can("moderate")
def decide(comment_id: int) -> Response:
    """Approve, reject or mark as spam one comment (the button pressed says which)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    form = DecisionForm()
    show, page = _position(form)
    try:
        if not form.validate_on_submit():
            raise decisions.ModerationError("decision", UNREADABLE_FORM)
        event = decisions.moderate(
            comment, current_user, form.decision.data, form.reason.data, form.reason_other.data
        )
    except decisions.ModerationError as error:
        attach_error(form, error)
        if request.wants_fragment:
            item = queue.load_items([comment.id])[0]
            html = render_template(
                "moderation/_queue_row.html",
                item=item,
                row_form=form,
                show=show,
                page=page,
                selected=frozenset(),
            )
            return htmx_answer(html, 422)
        return render_queue(show, page, status=422, row_forms={comment.id: form})
    message = _done(event, comment)
    if request.wants_fragment:
        # The row leaves (an empty answer replaces it); the rest updates out of band.
        return htmx_answer(
            render_template(
                "moderation/_decided.html",
                announcement=message,
                queue_counts=queue.counts(),
                recent=queue.recent_decisions(),
                show=show,
                page=page,
            )
        )
    flash(message, "success")
    return redirect(_queue_url(show, page), 303)


def _selected_ids() -> frozenset[int]:
    chosen = (optional_id(value) for value in request.form.getlist("comment_ids"))
    return frozenset(comment_id for comment_id in chosen if comment_id is not None)


@bp.post("/moderation/bulk")
@can("moderate")
def bulk() -> Response:
    """The same decision for every ticked row."""
    form = BulkDecisionForm()
    show, page = _position(form)
    selected = _selected_ids()
    try:
        if not form.validate_on_submit():
            raise decisions.ModerationError("decision", UNREADABLE_FORM)
        events = decisions.moderate_many(
            sorted(selected),
            current_user,
            form.decision.data,
            form.reason.data,
            form.reason_other.data,
        )
    except decisions.ModerationError as error:
        attach_error(form, error)
        return render_queue(show, page, status=422, bulk_form=form, selected=selected)
    verb = "Approved" if form.decision.data == "approve" else "Rejected"
    count = len(events)
    message = (
        f"{verb} {count} comment{'' if count == 1 else 's'}. "
        "Each can be undone under Recently moderated."
    )
    if request.wants_fragment:
        return render_queue(show, page, announcement=message)
    flash(message, "success")
    return redirect(_queue_url(show, page), 303)


@bp.post("/moderation/decisions/<int:event_id>/undo")
@can("moderate")
def undo(event_id: int) -> Response:
    """Take back a recent decision from the "recently moderated" list."""
    event = db.session.get(ModerationEvent, event_id)
    if event is None or event.target_type != "comment":
        abort(404)
    form = DecisionForm()
    show, page = _position(form)
    try:
        if not form.validate_on_submit():
            raise decisions.ModerationError("event", UNREADABLE_FORM)
        decisions.undo(event, current_user)
    except decisions.ModerationError as error:
        return render_queue(show, page, status=422, notice=error.message)
    message = "Undone. The comment is back as it was."
    if request.wants_fragment:
        return render_queue(show, page, announcement=message)
    flash(message, "success")
    return redirect(_queue_url(show, page), 303)
