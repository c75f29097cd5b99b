"""The moderation rules: whether a new or edited comment is approved, held or rejected.

Modelled on WordPress's "previously approved author" and "disallowed keys" rules. Every
decision about a comment written by a member goes through decide().
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from .. import sanitize
from ..extensions import db
from ..models import Comment, ModerationSettings, User
from ..permissions import allowed


@dataclass(frozen=True)
class Decision:
    status: str  # "approved" | "pending" | "rejected"
    reason: str = ""  # plain words for the author when not approved


def current_settings() -> ModerationSettings:
    """The single settings row, created with the defaults the first time it is asked for."""
    settings = db.session.get(ModerationSettings, 1)
    if settings is None:
        settings = ModerationSettings(id=1)
        db.session.add(settings)
        db.session.flush()
    return settings


def word_list(text: str) -> list[str]:
    """Words or phrases, one per line or separated by commas, lower-cased."""
    return [item.strip().casefold() for item in re.split(r"[\n,]", text or "") if item.strip()]


def first_match(text: str, words: list[str]) -> str | None:
    folded = text.casefold()
    for word in words:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded):
            return word
    return None


def approved_count(author: User, ignoring: Comment | None = None) -> int:
    query = (
        select(func.count())
        .select_from(Comment)
        .where(Comment.author_id == author.id, Comment.status == "approved")
    )
    if ignoring is not None and ignoring.id is not None:
        query = query.where(Comment.id != ignoring.id)
    return db.session.scalar(query) or 0


def decide(author: User, source: str, html: str, *, editing: Comment | None = None) -> Decision:
    """Apply the rules in order: block words, trusted roles, links, watch words, track record.

    When editing, the comment being edited does not count towards its author's track record.
    """
    settings = current_settings()
    if first_match(source, word_list(settings.block_words)):
        return Decision(
            "rejected",
            "Your comment contains words our community rules do not allow, so it was not posted.",
        )
    if allowed(author, "skip_premoderation"):
        return Decision("approved")
    links = sanitize.count_links(source)
    if links > settings.max_links:
        return Decision(
            "pending",
            f"Comments with more than {settings.max_links} links are checked by a moderator "
            "before they appear.",
        )
    if first_match(source, word_list(settings.watch_words)):
        return Decision(
            "pending", "Your comment mentions something our moderators check before it appears."
        )
    if approved_count(author, editing) < settings.approved_before_trusted:
        return Decision(
            "pending",
            "New members' first comments are read by a moderator before they appear. "
            "This usually takes less than a day.",
        )
    return Decision("approved")
