"""The moderation rules: whether a new or edited comment is approved, held or rejected.

Modelled on WordPress's "previously approved author" and "disallowed keys" rules. Every
decision about a comment written by a member goes through decide().
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm.util import identity_key

from .. import sanitize
from ..extensions import db
from ..models import Comment, ModerationSettings, User, utcnow
from ..permissions import allowed
from . import audit, crisis


@dataclass(frozen=True)
class Decision:
    status: str  # "approved" | "pending" | "rejected"
    reason: str = ""  # plain words for the author when not approved
    # Held because its words suggest someone in crisis: first in the queue, admins told.
    urgent: bool = False
    crisis_phrase: str = ""  # the phrase that matched, for the audit log


# Beside a comment held for its crisis words (fits held_reason's 200): calm, no blame.
CRISIS_HELD = (
    "A moderator will read your comment soon. "
    "If you need to talk to someone now, you do not have to wait for us."
)
# A staff comment with crisis words and a block word: never rejected by a rule.
CRISIS_NOT_REJECTED = "A moderator will read your comment before it appears."


def current_settings() -> ModerationSettings:
    """The single settings row, created with the defaults the first time it is asked for."""
    settings = db.session.get(ModerationSettings, 1)
    if settings is None:
        settings = ModerationSettings(id=1)
        db.session.add(settings)
        db.session.flush()
    return settings


_SETTINGS_TABLE = ModerationSettings.__table__
# Built once, read as plain values: loading the row as an object cost a comment's write
# about four times as much, and decide() only reads it.
_SETTINGS_ROW = select(_SETTINGS_TABLE).where(_SETTINGS_TABLE.c.id == 1)


def _rules_now() -> Any:
    """The settings decide() applies: the row as this session holds it (changed, perhaps, and
    not yet flushed), else as stored, else created with the defaults."""
    held = db.session.identity_map.get(identity_key(ModerationSettings, 1))
    if held is not None:
        return held
    return db.session.execute(_SETTINGS_ROW).first() or current_settings()


def word_list(text: str) -> list[str]:
    """Words or phrases, one per line or separated by commas, lower-cased."""
    return [item.strip().casefold() for item in re.split(r"[\n,]", text or "") if item.strip()]


def first_match(text: str, words: list[str]) -> str | None:
    folded = text.casefold()
    for word in words:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded):
            return word
    return None


# Built once, with the author, the comment to leave out and how many to look for as bound
# values: a writer with hundreds of approved comments needs only the first few found.
_APPROVED_FEW = (
    select(Comment.id)
    .where(
        Comment.author_id == bindparam("author_id"),
        Comment.status == "approved",
        Comment.id != bindparam("ignoring_id"),
    )
    .limit(bindparam("enough"))
    .subquery()
)
_COUNT_APPROVED_FEW = select(func.count()).select_from(_APPROVED_FEW)


def approved_count(author: User, ignoring: Comment | None = None, *, up_to: int) -> int:
    """How many approved comments author has (leaving out ignoring), counting no further than
    up_to: the track record only asks whether there are enough."""
    if up_to <= 0:
        return 0
    ignoring_id = ignoring.id if ignoring is not None and ignoring.id is not None else 0
    found = db.session.scalar(
        _COUNT_APPROVED_FEW,
        {"author_id": author.id, "ignoring_id": ignoring_id, "enough": up_to},
    )
    return found or 0


def _has_links_over(source: str, html: str, most: int) -> bool:
    """Whether the comment renders to more than most links. html, when given, is source as
    rendered for storing (the Markdown and policy count_links renders with): with no anchor
    in it there is nothing to count, which is most comments, and rendering again is skipped."""
    if html and "<a" not in html:
        return False  # no link, so never over the limit (which is at least 0)
    return sanitize.count_links(source) > most


def decide(author: User, source: str, html: str, *, editing: Comment | None = None) -> Decision:
    """Apply the rules in order: crisis words, block words, trusted roles, links, watch words,
    track record.

    Crisis words come first, so a comment from someone in crisis is never rejected by a rule:
    it is held, urgent, whoever wrote it, except staff. Clinicians and admins quote those
    words when they answer someone in crisis; holding their replies would delay the help.
    When editing, the comment being edited does not count towards its author's track record.
    """
    settings = _rules_now()
    phrase = crisis.find_phrase(source, settings.crisis_phrases)
    if phrase is not None and not author.is_staff:
        return Decision("pending", CRISIS_HELD, urgent=True, crisis_phrase=phrase)
    if first_match(source, word_list(settings.block_words)):
        if phrase is not None:
            return Decision("pending", CRISIS_NOT_REJECTED, crisis_phrase=phrase)
        return Decision(
            "rejected",
            "Your comment contains words our community rules do not allow, so it was not posted.",
        )
    if allowed(author, "skip_premoderation"):
        return Decision("approved")
    if _has_links_over(source, html, settings.max_links):
        return Decision(
            "pending",
            f"Comments with more than {settings.max_links} links are checked by a moderator "
            "before they appear.",
        )
    if first_match(source, word_list(settings.watch_words)):
        return Decision(
            "pending", "Your comment mentions something our moderators check before it appears."
        )
    needed = settings.approved_before_trusted
    if approved_count(author, editing, up_to=needed) < needed:
        return Decision(
            "pending",
            "New members' first comments are read by a moderator before they appear. "
            "This usually takes less than a day.",
        )
    return Decision("approved")


# Shown to the author of a comment that readers' reports have hidden (fits held_reason's 200).
HIDDEN_AFTER_REPORTS = (
    "Hidden after several readers reported it. A moderator will look at it and decide "
    "whether it goes back up."
)


# A report from an account that has not yet shown it belongs here counts for this much, so that
# a handful of fresh accounts cannot take a comment down between them.
UNTRUSTED_REPORT_WEIGHT = 0.5
DEFAULT_REPORT_TRUST_DAYS = 7


def report_weight(reporter: User, approved_comments: int, now: datetime | None = None) -> float:
    """How much one reader's report counts toward hiding a comment.

    Staff count in full. A member counts in full once their account is REPORT_TRUST_DAYS old
    and has at least one approved comment; until then, UNTRUSTED_REPORT_WEIGHT.
    """
    if reporter.is_staff:
        return 1.0
    days = current_app.config.get("REPORT_TRUST_DAYS", DEFAULT_REPORT_TRUST_DAYS)
    young = reporter.created_at is None or reporter.created_at > (now or utcnow()) - timedelta(
        days=days
    )
    return UNTRUSTED_REPORT_WEIGHT if young or approved_comments == 0 else 1.0


def never_hidden_by_reports(author: User | None) -> bool:
    """A verified clinician's comments stay up whatever readers report: an admin decides.

    Reports against a clinician are most often disagreement with medical advice someone did
    not want to hear; a few accounts must not be able to silence it.
    """
    return author is not None and author.is_clinician and author.verified_at is not None


def hidden_by_reports(weighted_reports: float, settings: ModerationSettings | None = None) -> bool:
    """True when distinct, undecided reports, each weighed by report_weight, hide an approved
    comment (one not protected by never_hidden_by_reports)."""
    settings = settings or current_settings()
    return weighted_reports >= settings.reports_to_hide


# What admins may change on the settings page, with the bounds that keep the rules sensible.
SETTING_LIMITS: dict[str, tuple[int, int]] = {
    "approved_before_trusted": (0, 100),
    "max_links": (0, 50),
    "reports_to_hide": (1, 100),
}
MAX_WORD_LIST_LENGTH = 5000


def describe_changes(settings: ModerationSettings, new_values: dict[str, object]) -> list[str]:
    """Plain-words summary of what an update would change, for the audit log."""
    labels = {
        "approved_before_trusted": "approved comments before trusted",
        "max_links": "most links before holding",
        "reports_to_hide": "reports before hiding",
        "watch_words": "watch words",
        "block_words": "block words",
        "crisis_phrases": "crisis phrases",
    }
    changes = []
    for name, label in labels.items():
        old, new = getattr(settings, name), new_values.get(name, getattr(settings, name))
        if old == new:
            continue
        if name in SETTING_LIMITS:
            changes.append(f"{label}: {old} → {new}")
        else:
            changes.append(f"{label} changed")
    return changes


def update_settings(
    actor: User,
    *,
    approved_before_trusted: int,
    max_links: int,
    reports_to_hide: int,
    watch_words: str,
    block_words: str,
    crisis_phrases: str | None = None,
) -> list[str]:
    """Store new rules (admins' settings page) and log what changed; returns the changes.

    crisis_phrases None leaves them as they are; a list that says just the defaults is stored
    empty, so the portal's defaults keep applying (and improving) until moderators change them.
    """
    numbers = {
        "approved_before_trusted": approved_before_trusted,
        "max_links": max_links,
        "reports_to_hide": reports_to_hide,
    }
    for name, value in numbers.items():
        low, high = SETTING_LIMITS[name]
        if not low <= value <= high:
            raise ValueError(f"{name} must be between {low} and {high}")
    words = {
        "watch_words": "\n".join(word_list(watch_words)),
        "block_words": "\n".join(word_list(block_words)),
    }
    settings = current_settings()
    if crisis_phrases is not None:
        phrases = crisis.phrase_list(crisis_phrases)
        words["crisis_phrases"] = "" if crisis.is_default(crisis_phrases) else "\n".join(phrases)
    new_values = {**numbers, **words}
    changes = describe_changes(settings, new_values)
    if changes:
        for name, value in new_values.items():
            setattr(settings, name, value)
        settings.updated_at = utcnow()
        audit.record(actor, "change_settings", "settings", settings.id, reason="; ".join(changes))
    db.session.commit()
    return changes
