"""The worker's part of telling people: fan-outs to followers, digests, and the staff notices.

expand_fan_out(id) tells the followers of a new comment's discussion and thread, writing their
notifications and emails in the worker, never in the request; a periodic sweep re-finds any
fan-out whose pointer was lost. Once a day (DIGEST_HOUR_UTC) clinicians get their notice of
new questions and every member with digest kinds one email; every ten minutes admins are told
when the moderation queue has waited longer than QUEUE_WAITING_MINUTES.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import and_, exists, func, or_, select, union, update

from ..clinic import service as clinic
from ..extensions import db
from ..mail import outbox
from ..models import (
    Comment,
    FanOut,
    Flag,
    Notification,
    NotificationPreference,
    OutgoingEmail,
    Post,
    User,
    utcnow,
)
from ..permissions import ADMIN
from ..tasks import hand_over, huey, in_app_context
from . import following, preferences
from .service import can_see, may_email, notify, notify_many

logger = logging.getLogger(__name__)

BATCH = 500  # followers written per transaction: a fan-out cut short resumes where it stopped
SWEEP_GRACE = timedelta(seconds=60)  # a fan-out younger than this is still on its way
DIGEST_WINDOW = timedelta(hours=36)  # a digest never reaches further back than this


def _chunks(items: list[int], size: int = BATCH) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- followers ---------------------------------------------------------------------------------


def _claim_fan_out(fan_out_id: int, now: datetime) -> bool:
    """Take the fan-out for this worker; False when it is done or another worker holds it."""
    lease = timedelta(seconds=current_app.config["FAN_OUT_LEASE_SECONDS"])
    result = db.session.execute(
        update(FanOut)
        .where(
            FanOut.id == fan_out_id,
            FanOut.done_at.is_(None),
            or_(FanOut.claimed_at.is_(None), FanOut.claimed_at < now - lease),
        )
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def tell_followers(comment: Comment) -> int:
    """Notify everyone following comment's discussion or thread who has not heard of it yet.

    Leaves out its writer, whoever was already told about it (the author of the comment it
    answers, the asker of the question), and anyone who may not read it. Commits every BATCH
    members, so a worker that dies part-way leaves the rest to whoever takes it next.
    """
    if comment.status != "approved" or not comment.post.is_published:
        return 0  # hidden again before its followers heard: nobody learns of it
    followers = following.followers_of(comment)
    followers.pop(comment.author_id or 0, None)
    told_of_it = select(Notification.user_id).where(Notification.comment_id == comment.id)
    already = set(db.session.scalars(told_of_it))
    waiting = [user_id for user_id in followers if user_id not in already]
    told = 0
    for chunk in _chunks(waiting):
        deliveries = preferences.deliveries_of(chunk, ("followed_post", "followed_thread"))
        users = db.session.scalars(select(User).where(User.id.in_(chunk)))
        recipients = [(user, followers[user.id]) for user in users if can_see(comment, user)]
        told += notify_many(recipients, comment=comment, deliveries=deliveries)
        db.session.commit()
    return told


def expand(fan_out_id: int) -> int:
    """Claim one fan-out, tell the followers, mark it done; how many were told."""
    if not _claim_fan_out(fan_out_id, utcnow()):
        return 0
    fan_out = db.session.get(FanOut, fan_out_id)
    comment = fan_out.comment if fan_out is not None else None
    told = tell_followers(comment) if comment is not None else 0
    db.session.execute(
        update(FanOut)
        .where(FanOut.id == fan_out_id)
        .values(done_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if told:
        logger.info("fan-out %s told %s followers", fan_out_id, told)
    return told


@huey.task()
@in_app_context
def expand_fan_out(fan_out_id: int) -> int:
    """The task: tell the followers of one new comment (a no-op when done or held elsewhere)."""
    return expand(fan_out_id)


def enqueue_fan_outs(fan_out_ids: Iterable[int]) -> None:
    """Hand committed fan-outs to the worker."""
    hand_over(expand_fan_out, fan_out_ids, "fan-out")


def unexpanded_fan_out_ids(now: datetime | None = None) -> list[int]:
    """Fan-outs not done: never taken after the grace period, or taken by a vanished worker."""
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config["FAN_OUT_LEASE_SECONDS"])
    return list(
        db.session.scalars(
            select(FanOut.id)
            .where(
                FanOut.done_at.is_(None),
                or_(
                    and_(FanOut.claimed_at.is_(None), FanOut.created_at < now - SWEEP_GRACE),
                    FanOut.claimed_at < now - lease,
                ),
            )
            .order_by(FanOut.id)
            .limit(BATCH)
        )
    )


@huey.periodic_task(crontab(minute="*"))
@in_app_context
def sweep_fan_outs() -> int:
    """Every minute: queue again the fan-outs whose pointer was lost or whose worker vanished."""
    ids = unexpanded_fan_out_ids()
    enqueue_fan_outs(ids)
    if ids:
        logger.info("the sweep queued %s fan-outs", len(ids))
    return len(ids)


# --- once a day: clinicians' new questions, then the digests ----------------------------------


def notify_new_questions(now: datetime | None = None) -> int:
    """Tell each clinician how many questions arrived on their posts in the last day and wait.

    One notice per clinician (naming the post when there is one); delivered by their
    preference, which is the digest unless they chose otherwise.
    """
    now = now or utcnow()
    per_author: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for author_id, post_id, count in clinic.new_waiting_by_post(now - timedelta(days=1)):
        per_author[author_id].append((post_id, count))
    if not per_author:
        return 0
    told = 0
    for author in db.session.scalars(select(User).where(User.id.in_(list(per_author)))):
        if not author.is_staff:
            continue
        posts = per_author[author.id]
        post = db.session.get(Post, posts[0][0]) if len(posts) == 1 else None
        notify(author, "questions_waiting", post=post, count=sum(count for _, count in posts))
        told += 1
    db.session.commit()
    return told


def send_digests(now: datetime | None = None) -> int:
    """One digest email per member holding notifications whose kind they want as a digest.

    The notifications it carries are marked with the email's own moment (emailed_at equals
    the email's created_at), which is how the digest's template finds them, and how a second
    run at the same time finds nothing left to send.
    """
    now = now or utcnow()
    preference = NotificationPreference
    rows = db.session.execute(
        select(Notification.user_id, Notification.id)
        .outerjoin(
            preference,
            and_(preference.user_id == Notification.user_id, preference.kind == Notification.kind),
        )
        .where(
            Notification.emailed_at.is_(None),
            Notification.created_at > now - DIGEST_WINDOW,
            Notification.created_at <= now,
            preferences.effective_delivery(Notification.kind, preference.delivery) == "digest",
            ~exists().where(OutgoingEmail.notification_id == Notification.id),
        )
    )
    per_user: dict[int, list[int]] = defaultdict(list)
    for user_id, notification_id in rows:
        per_user[user_id].append(notification_id)
    sent = 0
    for chunk in _chunks(list(per_user)):
        for user in db.session.scalars(select(User).where(User.id.in_(chunk))):
            if not may_email(user):
                continue
            claimed = db.session.execute(
                update(Notification)
                .where(Notification.id.in_(per_user[user.id]), Notification.emailed_at.is_(None))
                .values(emailed_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount:
                email = outbox.queue_email(user, "digest")
                email.created_at = now
                sent += 1
        db.session.commit()
    return sent


@huey.periodic_task(crontab(minute="0"))
@in_app_context
def daily_notices() -> int:
    """Every hour on the hour; at DIGEST_HOUR_UTC, the questions notice and then the digests."""
    now = utcnow()
    if now.hour != current_app.config["DIGEST_HOUR_UTC"]:
        return 0
    notify_new_questions(now)
    return send_digests(now)


# --- admins: the queue has waited too long ---------------------------------------------------


def comments_waiting_since(cutoff: datetime) -> int:
    """Queue items waiting since before cutoff: comments held since then, or reported then."""
    newer_report = exists().where(
        Flag.comment_id == Comment.id, Flag.resolved_at.is_(None), Flag.created_at > cutoff
    )
    held = select(Comment.id).where(
        Comment.status == "pending", Comment.created_at <= cutoff, ~newer_report
    )
    reported = select(Flag.comment_id).where(Flag.resolved_at.is_(None), Flag.created_at <= cutoff)
    waiting = union(held, reported).subquery()
    return db.session.scalar(select(func.count()).select_from(waiting)) or 0


def notify_queue_waiting(now: datetime | None = None) -> int:
    """Tell each active admin when the queue has items older than QUEUE_WAITING_MINUTES.

    An admin is not told again while their last such notice is unread, or younger than the
    threshold: a queue that stays full reminds them once per period, not every ten minutes.
    """
    now = now or utcnow()
    cutoff = now - timedelta(minutes=current_app.config["QUEUE_WAITING_MINUTES"])
    waiting = comments_waiting_since(cutoff)
    if not waiting:
        return 0
    recently_told = exists().where(
        Notification.user_id == User.id,
        Notification.kind == "queue_waiting",
        or_(Notification.read_at.is_(None), Notification.created_at > cutoff),
    )
    admins = db.session.scalars(
        select(User).where(User.role.in_(ADMIN), User.status == "active", ~recently_told)
    )
    told = 0
    for admin in admins:
        notify(admin, "queue_waiting", count=waiting)
        told += 1
    db.session.commit()
    return told


@huey.periodic_task(crontab(minute="*/10"))
@in_app_context
def check_queue_waiting() -> int:
    """Every ten minutes: has the moderation queue waited too long?"""
    return notify_queue_waiting()
