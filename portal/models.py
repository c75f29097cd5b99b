"""The portal's data, as typed SQLAlchemy 2.0 models with their rules in the schema too."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .extensions import db

# Every role there is (the schema refuses others); groups of them live in permissions.py.
# "author": a non-clinical writer of posts (a researcher, charity staff), never badged clinician.
ROLES = ("patient", "caregiver", "author", "clinician", "admin")
ACCOUNT_STATUSES = ("active", "suspended", "banned")
POST_STATUSES = ("draft", "published")
COMMENT_STATUSES = ("pending", "approved", "rejected", "spam", "removed", "deleted")
FLAG_REASONS = ("misinformation", "abusive", "spam", "private_information", "other")
# What a comment is for. A top-level comment is a question for a clinician or a discussion;
# a reply is plain, a clinician's holding reply, or the reply marked as a question's answer.
COMMENT_KINDS = ("question", "discussion", "reply", "holding", "answer")
# Where a question stands (questions only); questions.lifecycle is the one thing that moves it.
QUESTION_STATES = ("waiting", "answered", "closed")
# Why a clinician closed a question without an answer.
CLOSE_REASONS = ("no_answer_needed", "signposted")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on the way in and out; SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role_known"),
        CheckConstraint(_in("status", ACCOUNT_STATUSES), name="status_known"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("length(display_name) BETWEEN 1 AND 40", name="display_name_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    # display_name's look-alike skeleton (portal/names.py name_key); its unique index makes
    # "Anna", "anna" and "Аnna" with a Cyrillic А one name.
    display_name_key: Mapped[str] = mapped_column(String(160), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="patient")
    title: Mapped[str] = mapped_column(String(120), default="")
    specialty: Mapped[str] = mapped_column(String(120), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who verified a clinician, and the professional registration they gave (admins only see it).
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    registration_body: Mapped[str] = mapped_column(String(120), default="")
    registration_number: Mapped[str] = mapped_column(String(60), default="")
    hide_comment_list: Mapped[bool] = mapped_column(Boolean, default=False)
    # Part of the login cookie's id: changing it signs the account out everywhere.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the member proved the address is theirs (the link in the verification email).
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A new address waiting for its confirmation link; the old one stays in use until then.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Rotated whenever a password-reset link is sent or used, so older links die with it.
    reset_nonce: Mapped[str] = mapped_column(String(32), default=new_session_token)
    # Notification emails quote the comment's words only when asked: health details stay
    # out of inboxes by default.
    quote_in_email: Mapped[bool] = mapped_column(Boolean, default=False)
    # Two-step login (portal/two_factor/): the TOTP secret, encrypted with a key derived from
    # SECRET_KEY so that a copy of the database alone cannot make codes; it counts only once
    # confirmed with a code. The last time step used refuses a code seen twice.
    two_factor_secret: Mapped[str | None] = mapped_column(String(255))
    two_factor_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    two_factor_last_step: Mapped[int | None] = mapped_column(Integer)

    posts: Mapped[list[Post]] = relationship(back_populates="author")
    verified_by: Mapped[User | None] = relationship(remote_side=[id], foreign_keys=[verified_by_id])

    # The login this object was loaded or logged in with (portal/login_sessions.py); not a
    # column: each request's cookie says which of the member's logins it belongs to.
    login_key = ""

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}:{self.login_key}"

    # Readable names for the role groups of permissions.py (imported late: it imports models).
    @property
    def is_staff(self) -> bool:
        """Clinicians and admins: named professionals whose words skip pre-moderation."""
        from .permissions import CLINICAL

        return self.role in CLINICAL

    @property
    def is_clinician(self) -> bool:
        from .permissions import CLINICIANS

        return self.role in CLINICIANS

    @property
    def is_author(self) -> bool:
        """A non-clinical writer of posts (researcher, charity staff): badged "Author"."""
        from .permissions import AUTHORS

        return self.role in AUTHORS

    @property
    def is_admin(self) -> bool:
        from .permissions import ADMIN

        return self.role in ADMIN

    @property
    def is_caregiver(self) -> bool:
        from .permissions import CAREGIVERS

        return self.role in CAREGIVERS

    @property
    def asks_questions(self) -> bool:
        """Patients and caregivers: the people whose questions wait for a clinician."""
        from .permissions import ASKERS

        return self.role in ASKERS

    @property
    def has_two_factor(self) -> bool:
        """Two-step login is on: a confirmed one-time-password secret."""
        return self.two_factor_confirmed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class RecoveryCode(db.Model):
    """A single-use code for logging in without the authenticator app, stored hashed."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash", name="uq_recovery_codes_user_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


post_tags = Table(
    "post_tags",
    db.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)

    posts: Mapped[list[Post]] = relationship(secondary=post_tags, back_populates="tags")


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint(_in("status", POST_STATUSES), name="status_known"),
        Index("ix_posts_status_published_at", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    references_source: Mapped[str] = mapped_column(Text, default="")
    references_html: Mapped[str] = mapped_column(Text, default="")
    # A post outlives nothing of its author's: accounts with posts are not hard-deleted.
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    comments_open: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(back_populates="posts")
    tags: Mapped[list[Tag]] = relationship(
        secondary=post_tags, back_populates="posts", order_by="Tag.name"
    )

    @property
    def is_published(self) -> bool:
        return self.status == "published"


class SlugRedirect(db.Model):
    """An old slug of a renamed post, so that shared links keep working."""

    __tablename__ = "slug_redirects"

    old_slug: Mapped[str] = mapped_column(String(120), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(_in("status", COMMENT_STATUSES), name="status_known"),
        Index("ix_comments_post_status_created", "post_id", "status", "created_at"),
        Index("ix_comments_status_created", "status", "created_at"),
        CheckConstraint(_in("kind", COMMENT_KINDS), name="kind_known"),
        CheckConstraint(
            f"question_state IS NULL OR {_in('question_state', QUESTION_STATES)}",
            name="question_state_known",
        ),
        CheckConstraint(
            f"close_reason IS NULL OR {_in('close_reason', CLOSE_REASONS)}",
            name="close_reason_known",
        ),
        # A state exactly when the comment is a question.
        CheckConstraint(
            "(kind = 'question') = (question_state IS NOT NULL)", name="questions_have_a_state"
        ),
        # The clinicians' waiting list reads questions by state, oldest first.
        Index("ix_comments_question_state_created", "question_state", "created_at"),
        # ... and counts them per post (and so per treatment) from this index alone.
        Index("ix_comments_waiting_by_post", "question_state", "status", "post_id"),
        # One comment per form sent: a retry or a double click finds the first one.
        Index("ix_comments_author_form_token", "author_id", "form_token", unique=True),
        # A member's comments newest first, and counted by status, without a pass over all of
        # them: profiles (their replies counted from the index alone, with parent and post),
        # and the same-words check of every comment written.
        Index(
            "ix_comments_author_status_created",
            "author_id",
            "status",
            "created_at",
            "parent_id",
            "post_id",
        ),
        # The moderation queue reads crisis holds first, each group oldest first, to its page.
        Index("ix_comments_status_urgent_created", "status", "urgent", "created_at"),
        # A clinician's most helpful answers, read in order to the few a profile shows.
        Index(
            "ix_comments_author_kind_helpful",
            "author_id",
            "kind",
            "status",
            "helpful_count",
            "created_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    # Deleting an account keeps others' threads whole: the comment stays, authorless.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # The top-level comment of the thread (itself for a top-level one): threads page by it.
    root_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    held_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderation_reason: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[str] = mapped_column(String(16), default="discussion")
    # Questions only, all set by questions.lifecycle: where it stands and who holds it.
    question_state: Mapped[str | None] = mapped_column(String(16))
    # Whom a caregiver asks for ("for my partner"), shown beside the question.
    asked_for: Mapped[str] = mapped_column(String(80), default="")
    # Indexed: a search that matches an answer finds its question through it.
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a clinician last replied to say someone is looking (a holding reply).
    holding_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(20))
    close_note: Mapped[str] = mapped_column(String(300), default="")
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Members who said "This helped me" (answers only), kept with the marks by questions.helpful.
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    # Held because its words suggest someone in crisis: first in the moderation queue.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Held because its writer posted it with personal details the portal found in it.
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    # When a moderator last removed part of it (the audit log keeps what was removed).
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one-time token of the form it was sent from (comments.service.submit).
    form_token: Mapped[str | None] = mapped_column(String(32))

    post: Mapped[Post] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    answer: Mapped[Comment | None] = relationship(
        remote_side=[id], foreign_keys=[answer_id], post_update=True
    )
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    parent: Mapped[Comment | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    moderated_by: Mapped[User | None] = relationship(foreign_keys=[moderated_by_id])

    @property
    def is_top_level(self) -> bool:
        return self.parent_id is None

    @property
    def is_question(self) -> bool:
        return self.kind == "question"

    @property
    def is_marked_answer(self) -> bool:
        return self.kind == "answer"


class HelpfulMark(db.Model):
    """One member saying "This helped me" of one answer; there are no down-votes."""

    __tablename__ = "helpful_marks"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Flag(db.Model):
    """One reader's report of one comment."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("comment_id", "reporter_id", name="uq_flags_comment_reporter"),
        CheckConstraint(_in("reason", FLAG_REASONS), name="reason_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    comment: Mapped[Comment] = relationship()
    reporter: Mapped[User] = relationship()


class ModerationEvent(db.Model):
    """Append-only audit log: who did what to which thing, when and why."""

    __tablename__ = "moderation_events"
    __table_args__ = (Index("ix_moderation_events_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The log must outlive the people in it, so actors are kept by id and by name.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(40), default="system")
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500), default="")
    # For status changes: what it was and what it became, so an action can be undone.
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class ModerationSettings(db.Model):
    """The single row of moderation rules that admins edit."""

    __tablename__ = "moderation_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    approved_before_trusted: Mapped[int] = mapped_column(Integer, default=1)
    max_links: Mapped[int] = mapped_column(Integer, default=2)
    watch_words: Mapped[str] = mapped_column(Text, default="")
    block_words: Mapped[str] = mapped_column(Text, default="")
    reports_to_hide: Mapped[int] = mapped_column(Integer, default=3)
    # Words of someone in crisis (one phrase a line): held, urgent, and its writer sees help.
    # Empty means the portal's defaults (moderation.crisis.DEFAULT_PHRASES).
    crisis_phrases: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# --- telling people: notifications, follows, preferences and the outgoing mail -------------

# What a member can be told about; each kind has its own delivery preference.
NOTIFICATION_KINDS = (
    "reply",  # a direct reply to my comment
    "answer",  # a clinician's answer to my question
    "comment_approved",  # my held comment is published
    "comment_not_published",  # my held comment was not published, with the reason
    "report_handled",  # a report I made has been dealt with
    "account_action",  # a moderator suspended, banned or lifted my account
    "followed_post",  # a new comment in a discussion I follow
    "followed_thread",  # a new reply in a thread I follow
    "question_closed",  # a clinician closed my question without an answer here, and why
    "redacted",  # a moderator removed part of my comment, and why
    "crisis_held",  # admins: a comment that may come from someone in crisis is waiting
    "questions_waiting",  # clinicians: new questions on posts they wrote
    "queue_waiting",  # admins: the moderation queue has waited too long
)
DELIVERIES = ("immediate", "digest", "in_app")
EMAIL_STATUSES = ("queued", "sending", "sent", "failed")


class Notification(db.Model):
    """One thing one member is told, in the portal and (by preference) by email."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(_in("kind", NOTIFICATION_KINDS), name="kind_known"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    # What it is about; a comment deleted later leaves the notification saying so.
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    # Words that belong to the event itself: a rejection reason, a suspension's end.
    detail: Mapped[str] = mapped_column(String(500), default="")
    # How many things a digest-style notification stands for (new questions, waiting items).
    count: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once the notification has gone out by email, alone or in a digest.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    comment: Mapped[Comment | None] = relationship()
    post: Mapped[Post | None] = relationship()


class Follow(db.Model):
    """A member following a whole discussion (post_id) or one thread (thread_id)."""

    __tablename__ = "follows"
    __table_args__ = (
        CheckConstraint(
            "(post_id IS NULL) <> (thread_id IS NULL)", name="follows_exactly_one_thing"
        ),
        UniqueConstraint("user_id", "post_id", name="uq_follows_user_post"),
        UniqueConstraint("user_id", "thread_id", name="uq_follows_user_thread"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    post: Mapped[Post | None] = relationship()
    thread: Mapped[Comment | None] = relationship()


class NotificationPreference(db.Model):
    """How one member wants one kind of notification; no row means the kind's default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        CheckConstraint(_in("kind", NOTIFICATION_KINDS), name="kind_known"),
        CheckConstraint(_in("delivery", DELIVERIES), name="delivery_known"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(16))


class FanOut(db.Model):
    """A new comment still to be announced to the followers of its discussion and thread.

    Written with the comment (or its approval), expanded by the worker: a discussion with a
    thousand followers costs the request one row.
    """

    __tablename__ = "fan_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    comment: Mapped[Comment] = relationship()


class OutgoingEmail(db.Model):
    """One email to send: written with its cause, sent by the worker, never by a request.

    The message is rendered when it is sent, from its notification (or kind and token), so
    that it reflects the member's preferences and what is still visible at that moment.
    """

    __tablename__ = "outgoing_emails"
    __table_args__ = (
        CheckConstraint(_in("status", EMAIL_STATUSES), name="status_known"),
        Index("ix_outgoing_emails_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    # Which template renders it: a notification kind, "digest", or an account message.
    template: Mapped[str] = mapped_column(String(40))
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL")
    )
    # A signed link the message carries (verification, reset), made when it was asked for.
    link: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker owns a "sending" row until claimed_at + the lease; then another may retry it.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    message_id: Mapped[str] = mapped_column(String(255), default="")
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()
    notification: Mapped[Notification | None] = relationship()


class LoginSession(db.Model):
    """One login on one device. Its key rides in the session and remember cookies; ending the
    row (logging out, "log out of all other devices") makes copies of both worthless."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only a hash of the key is kept, so that a copy of the database cannot be made into cookies.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(80), default="")
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written at most every few minutes (login_sessions.SEEN_EVERY), never on every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginFailure(db.Model):
    """Failed password checks counted under one key (an address, an account, or both): what
    portal/auth/throttle.py turns into growing delays. The key is hashed: no address is kept."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ContentVersion(db.Model):
    """The one number that changes with anything a visitor can see (content_version.py)."""

    __tablename__ = "content_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    number: Mapped[int] = mapped_column(BigInteger, default=0)
