"""Writing, editing and deleting comments: the rules that apply whichever view is used."""

from __future__ import annotations

import re
from datetime import timedelta

from markupsafe import Markup
from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from .. import personal_data, rendering
from ..extensions import db
from ..forms import FieldError
from ..models import Comment, Post, User, utcnow
from ..moderation import audit
from ..moderation import rules as moderation
from ..moderation.rules import Decision
from ..notifications import events as notifications
from ..permissions import allowed, restriction_message, unconfirmed_email_message
from ..questions import lifecycle as questions
from . import write_turns
from .inserting import insert_new
from .threads import visibility

MAX_BODY_LENGTH = 5000
EDIT_WINDOW = timedelta(minutes=15)
# The same words from the same member in the same place this soon are the same form sent
# again: going back and pressing "Post" re-fetches the page (a new form token) while the
# browser restores the words, so the token alone cannot see it.
REPEAT_WINDOW = timedelta(minutes=10)


class CommentError(FieldError):
    """A problem the writer can fix; field names the form field it belongs to."""


def check_body(body: str | None) -> str:
    text = (body or "").replace("\r\n", "\n")
    if not text.strip():
        raise CommentError("body", "Write something before posting.")
    if len(text) > MAX_BODY_LENGTH:
        raise CommentError(
            "body",
            f"Comments can be at most {MAX_BODY_LENGTH:,} characters; "
            f"this one has {len(text):,}. Please shorten it.",
        )
    return text


def visible_parent(post: Post, parent_id: int | None, viewer: User) -> Comment | None:
    """The comment being answered, if it belongs to this post and the writer can see it."""
    if parent_id is None:
        return None
    parent = db.session.scalar(
        select(Comment).where(
            Comment.id == parent_id, Comment.post_id == post.id, visibility(viewer)
        )
    )
    if parent is None or parent.status in ("deleted", "removed"):
        raise CommentError("body", "The comment you are replying to is no longer available.")
    return parent


def check_can_write(post: Post, author: User) -> None:
    if not post.is_published or not post.comments_open:
        raise CommentError("body", "Comments are closed on this post.")
    message = restriction_message(author) or unconfirmed_email_message(author)
    if message:
        raise CommentError("body", message)


_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,32}")


# Both look-ups are built once, their values bound at each call: building them anew cost a
# write about as much as the database spends answering them.
_SENT_BEFORE = select(Comment).where(
    Comment.author_id == bindparam("author_id"), Comment.form_token == bindparam("token")
)
_SENT_JUST_NOW = (
    select(Comment)
    .where(
        Comment.author_id == bindparam("author_id"),
        Comment.post_id == bindparam("post_id"),
        # Not `parent_id IS NULL`: SQLite would answer that from the parent_id index,
        # walking every top-level comment on the site (45 ms per write at 20,000
        # comments); written this way it takes the author's index, a handful of rows.
        func.coalesce(Comment.parent_id, 0) == bindparam("parent_id"),
        Comment.created_at >= bindparam("since"),
        Comment.status.not_in(("deleted", "removed")),
        Comment.body_source == bindparam("text"),
    )
    .order_by(Comment.id.desc())
    .limit(1)
)


def sent_before(author: User, token: str) -> Comment | None:
    """The comment this member already sent from the form with this token, if any."""
    return db.session.scalar(_SENT_BEFORE, {"author_id": author.id, "token": token})


def sent_just_now(author: User, post: Post, parent: Comment | None, text: str) -> Comment | None:
    """This member's comment with these very words in this place, sent in the last minutes."""
    return db.session.scalar(
        _SENT_JUST_NOW,
        {
            "author_id": author.id,
            "post_id": post.id,
            "parent_id": parent.id if parent is not None else 0,
            "since": utcnow() - REPEAT_WINDOW,
            "text": text,
        },
    )


# Built once. A thread's first comment is its own root, known only once its id is.
_OWN_ROOT = (
    update(Comment.__table__)
    .where(Comment.__table__.c.id == bindparam("comment_id"))
    .values(root_id=bindparam("comment_id"))
)


def _be_own_root(comment: Comment) -> None:
    """A new thread's first comment, just flushed, is its own thread's root. One Core
    statement rather than a second flush of the unit of work (which cost a write more than
    its INSERT); which thread a comment starts shows a visitor nothing the INSERT did not, so
    the content version is left to the INSERT."""
    db.session.connection().execute(_OWN_ROOT, {"comment_id": comment.id})
    set_committed_value(comment, "root_id", comment.id)


def _same_comment(stored: Comment, post: Post, parent: Comment | None, text: str) -> bool:
    return (
        stored.post_id == post.id
        and stored.parent_id == (parent.id if parent is not None else None)
        and stored.body_source == text
    )


def submit(
    post: Post,
    author: User,
    body: str | None,
    parent_id: int | None = None,
    *,
    asking: bool = False,
    asked_for: str | None = None,
    holding: bool = False,
    personal_data_confirmed: bool = False,
    commit: bool = True,
    form_token: str | None = None,
) -> Comment:
    """Validate, sanitize, apply the moderation rules and store a new comment.

    asking: a patient or caregiver starts a question for a clinician rather than a discussion,
    perhaps for someone else (asked_for). holding: a clinician's reply says someone is looking,
    and the question keeps waiting. personal_data_confirmed: the writer saw the personal details
    found in the text and chose to post anyway (else PersonalDataFound, and nothing is stored).
    commit=False leaves the commit to the caller, who builds its answer first: once a comment
    is stored, nothing that could fail stands between it and the answer saying so.
    form_token: the one-time token of the form it came from; the same form sent again (a
    retry, a double click, back and post again) gives back the comment it stored the first time.
    """
    check_can_write(post, author)
    text = check_body(body)
    parent = visible_parent(post, parent_id, author)
    token = form_token if form_token and _TOKEN_SHAPE.fullmatch(form_token) else None
    if token is not None:
        stored = sent_before(author, token)
        if stored is not None:
            if _same_comment(stored, post, parent, text):
                return stored
            token = None  # one form's token reused for different words: a comment of its own
    repeated = sent_just_now(author, post, parent, text)
    if repeated is not None:
        return repeated
    kind = questions.kind_for_new_comment(author, parent, asking=asking, holding=holding)
    asked_for_words = questions.check_asked_for(asked_for) if kind == "question" else ""
    if personal_data.find(asked_for_words):
        # Shown beside the question for everyone: a name for whom, never contact details.
        raise CommentError("asked_for", ASKED_FOR_PERSONAL_DATA)
    html = rendering.render_comment(text)
    decision = moderation.decide(author, text, html)
    if decision.status == "rejected":
        # Nothing is stored: the writer keeps the text and may reword it.
        raise CommentError("body", decision.reason)
    found = check_personal_data(text, decision, confirmed=personal_data_confirmed)
    comment = Comment(
        post=post,
        author=author,
        parent=parent,
        root_id=parent.root_id if parent is not None else None,
        body_source=text,
        body_html=html,
        kind=kind,
        asked_for=asked_for_words,
        form_token=token,
    )
    comment.status = decision.status
    comment.held_reason = decision.reason
    comment.urgent = decision.urgent
    hold_for_personal_data(comment, author, found)
    questions.comment_added(comment)
    write_turns.take(db.session())
    try:
        insert_new(comment)
    except IntegrityError:
        # The same form, sent twice at once: the other request stored it first.
        db.session.rollback()
        stored = sent_before(author, token) if token is not None else None
        if stored is None:
            raise
        return stored
    if parent is None:
        _be_own_root(comment)
    notifications.comment_submitted(comment)
    if decision.urgent:
        held_in_crisis(comment, decision, from_status=None)
    if commit:
        db.session.commit()
    return comment


# Said plainly when the clock, not a permission, stops an edit; the text stays in the form.
EDIT_WINDOW_PASSED = (
    f"The {int(EDIT_WINDOW.total_seconds() // 60)} minutes for editing this comment have passed."
)


def edit_window_passed(comment: Comment, user: User) -> bool:
    """Whether only the clock stops user editing comment (so the text can be a new comment)."""
    return (
        comment.author_id == user.id
        and comment.status in ("pending", "approved")
        and utcnow() - comment.created_at > EDIT_WINDOW
    )


def can_edit(comment: Comment, user: User) -> bool:
    return (
        comment.author_id == user.id
        and comment.status in ("pending", "approved")
        and utcnow() - comment.created_at <= EDIT_WINDOW
        and restriction_message(user) is None
    )


def edit(
    comment: Comment, user: User, body: str | None, *, personal_data_confirmed: bool = False
) -> Comment:
    """Change one's own comment within the edit window; re-run the moderation rules."""
    if edit_window_passed(comment, user):
        raise CommentError("body", EDIT_WINDOW_PASSED)
    if not can_edit(comment, user):
        raise CommentError("body", "This comment can no longer be edited.")
    text = check_body(body)
    html = rendering.render_comment(text)
    decision = moderation.decide(user, text, html, editing=comment)
    if decision.status == "rejected":
        raise CommentError("body", decision.reason)
    found = check_personal_data(text, decision, confirmed=personal_data_confirmed)
    comment.body_source, comment.body_html = text, html
    newly_urgent = decision.urgent and not comment.urgent
    was = comment.status
    if decision.status != "approved" or comment.status == "pending":
        # An edit cannot make a held comment public, and a held edit goes back to the queue.
        comment.status = "pending" if decision.status == "approved" else decision.status
        comment.held_reason = decision.reason or comment.held_reason
    comment.edited_at = utcnow()
    hold_for_personal_data(comment, user, found)
    if newly_urgent:
        comment.urgent = True
        comment.held_reason = decision.reason
        held_in_crisis(comment, decision, from_status=was)
    db.session.commit()
    return comment


def held_in_crisis(comment: Comment, decision: Decision, from_status: str | None) -> None:
    """A comment was held for crisis words: the audit log says so (the site acted) and every
    admin is told now, in the same transaction as the hold."""
    audit.record(
        None,
        "crisis_held",
        "comment",
        comment.id,
        reason=f"Matched the crisis phrase “{decision.crisis_phrase}”. "
        "First in the queue; admins told; its writer was shown where to find help.",
        from_status=from_status,
        to_status=comment.status,
    )
    notifications.crisis_held(comment)


def has_replies(comment: Comment) -> bool:
    return bool(db.session.scalar(select(exists().where(Comment.parent_id == comment.id))))


def delete(comment: Comment, user: User) -> None:
    """Delete one's own comment; one with replies stays as "[deleted]" to keep the thread."""
    if comment.author_id != user.id or comment.status == "deleted":
        raise CommentError("body", "You can only delete your own comments.")
    questions.answer_withdrawn(comment)
    if has_replies(comment):
        comment.status = "deleted"
        comment.body_source = ""
        comment.body_html = ""
    else:
        db.session.delete(comment)
    db.session.commit()


class PersonalDataFound(CommentError):
    """Personal details in the text that the writer has not yet chosen to post: nothing is
    stored, and the form shows them what was found (found: the spans, in text)."""

    def __init__(self, text: str, found: list[personal_data.Span]) -> None:
        self.text = text
        self.found = found
        super().__init__(
            "body",
            f"This seems to include {_in_words(self.labels)}. Edit your text to take it out, "
            "or choose “Post anyway” below.",
        )

    @property
    def labels(self) -> list[str]:
        return [personal_data.KINDS[kind] for kind in personal_data.kinds_found(self.found)]

    @property
    def marked(self) -> Markup:
        """The writer's text, escaped, with what was found in <mark>."""
        return personal_data.marked(self.text, self.found)


ASKED_FOR_PERSONAL_DATA = (
    "Everyone can read whom you ask for. Say who they are to you (“my partner”), without "
    "phone numbers, addresses or dates of birth."
)
# Fits held_reason's 200 characters; the rules page says the same.
PERSONAL_DATA_HELD = (
    "It includes personal details, so a moderator checks it before it appears. They may "
    "remove those details and will tell you if they do."
)


def _in_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def check_personal_data(
    text: str, decision: Decision, *, confirmed: bool
) -> list[personal_data.Span]:
    """The personal details in text; unconfirmed ones stop the post (PersonalDataFound).

    Words of someone in crisis are never stopped here: they must reach a moderator, and
    their writer must see where to find help, before anything else.
    """
    found = personal_data.find(text)
    if found and not confirmed and not decision.urgent:
        raise PersonalDataFound(text, found)
    return found


def hold_for_personal_data(comment: Comment, author: User, found: list) -> None:
    """Posted anyway with personal details: held for a moderator, as the community rules
    promise, unless its writer is staff."""
    if not found or allowed(author, "skip_premoderation"):
        return
    comment.personal_data = True
    if not comment.urgent:  # a crisis hold keeps its own reason
        comment.held_reason = PERSONAL_DATA_HELD
    comment.status = "pending"
