"""Redaction: a moderator removes part of a comment (a phone number, an address) instead of
rejecting all of it.

The moderator edits the comment's text; the new text is rendered through the one Markdown and
Bleach policy, the author is told why, and the audit log keeps what was removed (admins read it,
nobody else). The moderator may approve the comment at the same time.
"""

from __future__ import annotations

import difflib

from .. import locking, rendering
from ..extensions import db
from ..forms import FieldError
from ..models import Comment, ModerationEvent, User, utcnow
from ..notifications.service import notify
from . import audit, decisions

MAX_REASON_LENGTH = 300
# Comments can be redacted while someone could still see or publish them.
REDACTABLE = ("pending", "approved")


class RedactionError(FieldError):
    """A problem the moderator can fix; field names the form field it belongs to."""


def changed_parts(before: str, after: str) -> tuple[list[str], list[str]]:
    """The runs of text taken out of before, and those put in (a "[removed]" placeholder)."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    removed, added = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace") and before[i1:i2].strip():
            removed.append(before[i1:i2].strip())
        if tag in ("insert", "replace") and after[j1:j2].strip():
            added.append(after[j1:j2].strip())
    return removed, added


def _audit_reason(reason: str, removed: list[str], added: list[str]) -> str:
    """The reason, then what was taken out, word for word: the log is for admins only."""
    summary = f"{reason} Removed: " + "; ".join(f"“{part}”" for part in removed)
    if added:
        summary += ". Put in: " + "; ".join(f"“{part}”" for part in added)
    return summary


def redact(
    comment: Comment, moderator: User, new_source: str | None, reason: str | None, *, approve: bool
) -> ModerationEvent:
    """Replace comment's text with new_source, a copy with parts removed; tell the author.

    Raises RedactionError when nothing was removed, nothing would be left, or the reason the
    author reads is missing or too long.
    """
    comment = locking.lock(Comment, comment.id) or comment
    if comment.status not in REDACTABLE:
        raise RedactionError("body", "This comment is no longer waiting or published.")
    text = (new_source or "").replace("\r\n", "\n")
    words = (reason or "").strip()
    if not text.strip():
        raise RedactionError(
            "body", "Nothing would be left. To take the whole comment down, reject it instead."
        )
    if text == comment.body_source:
        raise RedactionError("body", "Nothing was removed. Delete the words to take out first.")
    if not words:
        raise RedactionError("reason", "Write the reason the author will read.")
    if len(words) > MAX_REASON_LENGTH:
        raise RedactionError("reason", f"Use at most {MAX_REASON_LENGTH} characters.")

    removed, added = changed_parts(comment.body_source, text)
    now = utcnow()
    rendering.set_comment_body(comment, text)
    comment.redacted_at = now
    event = audit.record(
        moderator,
        "redact",
        "comment",
        comment.id,
        reason=_audit_reason(words, removed, added),
        from_status=comment.status,
        to_status=comment.status,
        at=now,
    )
    if comment.author is not None:
        notify(comment.author, "redacted", comment=comment, detail=words, actor=moderator)
    if approve and comment.status == "pending":
        # moderate() commits the redaction with the approval, and logs its own event.
        return decisions.moderate(comment, moderator, "approve")
    db.session.commit()
    return event
