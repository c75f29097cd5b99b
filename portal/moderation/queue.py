"""Reading the moderation queue: comments by filter, their authors' records and reports.

A page of the queue costs the same few queries whatever its length: comments with their
posts, parents and authors in one, then the authors' counts and the reports in one each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import Comment, Flag, ModerationEvent, Post, User
from ..permissions import CLINICIANS
from . import decisions, rules

# filter -> what the tab says
FILTERS: dict[str, str] = {
    "held": "Held",
    "reported": "Reported",
    "spam": "Spam",
    "rejected": "Rejected",
}
DEFAULT_FILTER = "held"
# Each row is a whole comment with its author's record and a decision form (about 4 KB):
# 25 is what a moderator reads before deciding, as mature queues page them (Discourse's
# review queue loads 10 at a time, Danbooru's moderation queue shows 25); 50 made the page
# 200 KB and twice the time to render.
PER_PAGE = 25


@dataclass(frozen=True)
class AuthorRecord:
    approved: int = 0
    rejected: int = 0  # rejected by a moderator or a rule, or removed after reports
    spam: int = 0


@dataclass
class QueueItem:
    comment: Comment
    record: AuthorRecord
    reports: list[Flag] = field(default_factory=list)

    @property
    def clinician_answer_kept_up(self) -> bool:
        """Reported, but by a verified clinician, so still visible until an admin decides."""
        return (
            bool(self.reports)
            and self.comment.status == "approved"
            and rules.never_hidden_by_reports(self.comment.author)
        )


@dataclass(frozen=True)
class QueueCounts:
    held: int
    reported: int


@dataclass(frozen=True)
class QueuePage:
    show: str
    items: list[QueueItem]
    page: int
    pages: int
    total: int
    counts: QueueCounts


# The statements below are built once per process and run with the page's numbers as
# parameters: building them (aliases, subqueries, their column collections) cost more than
# running them, about 8 ms of CPU a page.


@cache
def _open_report():
    # IN, not a correlated EXISTS: inside the held list's OR, EXISTS made SQLite test every
    # approved comment on the site for a report (60 ms at 20,000 comments, 300 ms at
    # 200,000); the open reports' ids are a short list it looks comments up by.
    return Comment.id.in_(select(Flag.comment_id).where(Flag.resolved_at.is_(None)))


@cache
def _reported_clinician_answer():
    """A verified clinician's approved comment with open reports: reports never hide it, so it
    waits for an admin at the top of the held and reported lists."""
    # Found from the open reports (few), each checked through its comment and author by their
    # keys: asked from the other side, SQLite read every clinician's approved comments, and
    # as the held list's OR it read every approved comment on the site (42 ms at 200,000).
    reported = aliased(Comment)
    author = aliased(User)
    is_clinician_answer = (
        select(reported.id)
        .join(author, author.id == reported.author_id)
        .where(
            reported.id == Flag.comment_id,
            reported.status == "approved",
            author.role.in_(CLINICIANS),
            author.verified_at.is_not(None),
        )
        .exists()
    )
    return Comment.id.in_(
        select(Flag.comment_id).where(Flag.resolved_at.is_(None), is_clinician_answer)
    )


@cache
def _filter_condition(show: str):
    if show == "reported":
        return _open_report()
    if show == "spam":
        return Comment.status == "spam"
    if show == "rejected":
        return Comment.status.in_(("rejected", "removed"))
    return or_(Comment.status == "pending", _reported_clinician_answer())


def _urgency_groups(show: str) -> list:
    """The filter cut into the order moderators read it, most urgent first: someone who may be
    in crisis, then a clinician's answer that readers reported (it stays up until an admin
    decides), then the rest. Spam and rejected comments are neither, so they are one group."""
    condition = _filter_condition(show)
    if show in ("spam", "rejected"):
        return [condition]
    urgent = and_(Comment.status == "pending", Comment.urgent.is_(True))
    clinician_answer = _reported_clinician_answer()
    if show == "held":
        # Each group on its own, so each is read in order from an index and stops at the
        # page's end instead of every held comment being sorted for the first page.
        rest = and_(Comment.status == "pending", Comment.urgent.is_(False))
        return [urgent, clinician_answer, rest]
    return [
        and_(condition, urgent),
        and_(condition, clinician_answer),
        and_(condition, ~urgent, ~clinician_answer),
    ]


# What a row shows, loaded with its comment (one statement).
_ROW_LOADING = (
    joinedload(Comment.post),
    joinedload(Comment.author),
    joinedload(Comment.parent).joinedload(Comment.author),
)


@cache
def _page_statement(show: str) -> Select:
    """One page's comments, with what a row shows, in reading order (params: page_offset,
    page_limit and page_end, their sum): the first page_end of each group, merged, so no
    group is read past the page's end."""
    end = bindparam("page_end", type_=Integer)
    firsts = [
        # The rank written into the statement: as a parameter, PostgreSQL cannot type it.
        select(Comment.id, literal_column(str(rank), Integer).label("rank"), Comment.created_at)
        .where(group)
        .order_by(Comment.created_at, Comment.id)
        .limit(end)
        .subquery()
        for rank, group in enumerate(_urgency_groups(show))
    ]
    merged = union_all(*(select(first.c.id, first.c.rank, first.c.created_at) for first in firsts))
    ordered = merged.subquery()
    on_page = (
        select(ordered.c.id, ordered.c.rank)
        .order_by(ordered.c.rank, ordered.c.created_at, ordered.c.id)
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
        .subquery()
    )
    return (
        select(Comment)
        .join(on_page, on_page.c.id == Comment.id)
        .options(*_ROW_LOADING)
        .order_by(on_page.c.rank, Comment.created_at, Comment.id)
    )


@cache
def _count_statement(show: str) -> Select:
    return select(func.count()).select_from(Comment).where(_filter_condition(show))


@cache
def _counts_statement() -> Select:
    reported = select(func.count(func.distinct(Flag.comment_id))).where(Flag.resolved_at.is_(None))
    return select(_count_statement("held").scalar_subquery(), reported.scalar_subquery())


def counts() -> QueueCounts:
    """Held comments and comments with open reports, in one statement (for the navigation)."""
    row = db.session.execute(_counts_statement()).one()
    return QueueCounts(held=row[0] or 0, reported=row[1] or 0)


@cache
def _author_records_statement() -> Select:
    return (
        select(Comment.author_id, Comment.status, func.count())
        .where(
            Comment.author_id.in_(bindparam("author_ids", expanding=True)),
            Comment.status.in_(("approved", "rejected", "removed", "spam")),
        )
        .group_by(Comment.author_id, Comment.status)
    )


@cache
def _open_reports_statement() -> Select:
    return (
        select(Flag)
        .where(
            Flag.comment_id.in_(bindparam("comment_ids", expanding=True)),
            Flag.resolved_at.is_(None),
        )
        .options(joinedload(Flag.reporter))
        .order_by(Flag.created_at, Flag.id)
    )


def author_records(author_ids: set[int]) -> dict[int, AuthorRecord]:
    """Approved and rejected comment counts per author, in one grouped query."""
    if not author_ids:
        return {}
    rows = db.session.execute(_author_records_statement(), {"author_ids": sorted(author_ids)})
    tallies: dict[int, dict[str, int]] = defaultdict(dict)
    for author_id, status, count in rows:
        tallies[author_id][status] = count
    return {
        author_id: AuthorRecord(
            approved=tally.get("approved", 0),
            rejected=tally.get("rejected", 0) + tally.get("removed", 0),
            spam=tally.get("spam", 0),
        )
        for author_id, tally in tallies.items()
    }


def open_reports(comment_ids: list[int]) -> dict[int, list[Flag]]:
    """Each comment's undecided reports, oldest first, with their reporters (one query)."""
    if not comment_ids:
        return {}
    flags = db.session.scalars(_open_reports_statement(), {"comment_ids": comment_ids})
    grouped: dict[int, list[Flag]] = defaultdict(list)
    for flag in flags:
        grouped[flag.comment_id].append(flag)
    return grouped


def load(show: str, page: int = 1, per_page: int = PER_PAGE) -> QueuePage:
    """One page of the queue under a filter, urgent first, then oldest first, ready to render,
    with the navigation's counts (the held list's total is one of them)."""
    show = show if show in FILTERS else DEFAULT_FILTER
    queue_counts = counts()
    if show == DEFAULT_FILTER:
        total = queue_counts.held
    else:
        total = db.session.scalar(_count_statement(show)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    offset = (page - 1) * per_page
    comments = list(
        db.session.scalars(
            _page_statement(show),
            {"page_offset": offset, "page_limit": per_page, "page_end": offset + per_page},
        )
    )
    records = author_records({c.author_id for c in comments if c.author_id is not None})
    reports = open_reports([c.id for c in comments])
    items = [
        QueueItem(
            comment=comment,
            record=records.get(comment.author_id or 0, AuthorRecord()),
            reports=reports.get(comment.id, []),
        )
        for comment in comments
    ]
    return QueuePage(
        show=show, items=items, page=page, pages=pages, total=total, counts=queue_counts
    )


def load_items(comment_ids: list[int]) -> list[QueueItem]:
    """Queue rows for particular comments (a row re-rendered with its form's errors)."""
    comments = list(
        db.session.scalars(
            select(Comment).where(Comment.id.in_(comment_ids)).options(*_ROW_LOADING)
        )
    )
    records = author_records({c.author_id for c in comments if c.author_id is not None})
    reports = open_reports([c.id for c in comments])
    return [
        QueueItem(c, records.get(c.author_id or 0, AuthorRecord()), reports.get(c.id, []))
        for c in comments
    ]


@dataclass(frozen=True)
class RecentDecision:
    event: ModerationEvent
    author_name: str
    post_title: str
    undoable: bool


@cache
def _recent_decisions_statement() -> Select:
    author = aliased(User)
    return (
        select(ModerationEvent, Comment, author.display_name, Post.title)
        .outerjoin(
            Comment,
            and_(
                ModerationEvent.target_type == "comment",
                Comment.id == ModerationEvent.target_id,
            ),
        )
        .outerjoin(author, author.id == Comment.author_id)
        .outerjoin(Post, Post.id == Comment.post_id)
        .where(
            ModerationEvent.target_type == "comment",
            ModerationEvent.action.in_(decisions.UNDOABLE_ACTIONS),
        )
        .order_by(ModerationEvent.id.desc())
        .limit(bindparam("recent_limit", type_=Integer))
    )


def recent_decisions(limit: int = 8) -> list[RecentDecision]:
    """The latest decisions on comments, each marked undoable or not (two queries)."""
    rows = list(db.session.execute(_recent_decisions_statement(), {"recent_limit": limit}))
    latest = decisions.latest_event_ids(sorted({event.target_id for event, *_ in rows}))
    return [
        RecentDecision(
            event=event,
            author_name=name or "[deleted account]",
            post_title=title or "a deleted post",
            undoable=decisions.can_undo(event, comment, latest.get(event.target_id)),
        )
        for event, comment, name, title in rows
    ]
