"""The clinicians' waiting list: questions patients and caregivers asked that still wait,
and answering or holding them from there.

A question is an approved top-level comment a patient or caregiver asked as one (kind
"question"), on a published post that is open for comments. Its state lives on the comment and
only questions.lifecycle moves it: it waits (perhaps claimed, perhaps with a holding reply)
until a clinician's reply is marked as its answer or a clinician closes it.

Every function here runs a fixed number of statements, however long the list. The counts the
page shows (in all, per post, per treatment, for the filter) come from one count per post:
a post's questions are counted once, and the treatments' counts are sums of their posts'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property

from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, bindparam, exists, func, select
from sqlalchemy.orm import aliased, contains_eager, load_only

from ..comments import service as comments
from ..extensions import db
from ..models import Comment, Post, Tag, User, post_tags, utcnow
from ..questions import lifecycle
from . import recent_counts

QUESTIONS_PER_PAGE = 25
# The post filter offers the posts with most questions waiting, this many (and the post
# asked for); the treatment filter reaches the rest.
POST_CHOICES = 30
FOLLOW_UP_LENGTH = 160


WAITING = (Comment.question_state == "waiting", Comment.status == "approved")


def _open_posts(post: type[Post] = Post) -> tuple:
    """Conditions on post: published and open for comments, so its questions are listed."""
    return (post.status == "published", post.comments_open.is_(True))


def _waiting() -> Select:
    """Waiting questions joined to their post; narrow and shape it further."""
    return select(Comment).join(Post, Comment.post_id == Post.id).where(*WAITING, *_open_posts())


def _on_open_post() -> ColumnElement[bool]:
    # Tested per question rather than joined: the list then walks the questions oldest first
    # and stops at the page's end, instead of sorting every waiting question.
    post = aliased(Post)
    return exists().where(post.id == Comment.post_id, *_open_posts(post))


@dataclass(frozen=True)
class QuestionFilter:
    """Narrowing the list to one post and/or one treatment tag, by slug."""

    post_slug: str = ""
    tag_slug: str = ""

    @property
    def active(self) -> bool:
        return bool(self.post_slug or self.tag_slug)

    def as_args(self) -> dict[str, str]:
        """The filter as URL query arguments, leaving out what is not set."""
        args = {"post": self.post_slug, "tag": self.tag_slug}
        return {name: value for name, value in args.items() if value}


@dataclass(frozen=True)
class FilterChoice:
    slug: str
    label: str
    waiting: int


@dataclass(frozen=True)
class FollowUp:
    """The asker's most recent approved reply in their question's thread, shortened."""

    comment_id: int
    created_at: datetime
    text: str


@dataclass(frozen=True)
class WaitingQuestion:
    """One question on the list with what the list says about it."""

    question: Comment
    follow_up: FollowUp | None = None
    # The clinician whose claim has not lapsed, and when it lapses.
    claimant: User | None = None
    claimed_until: datetime | None = None

    @property
    def id(self) -> int:
        return self.question.id

    @property
    def someone_is_looking(self) -> bool:
        """A clinician's holding reply told the asker someone is looking."""
        return self.question.holding_at is not None


@dataclass(frozen=True)
class QuestionPage:
    questions: list[WaitingQuestion]
    total: int
    page: int
    pages: int
    filter: QuestionFilter
    post_choices: list[FilterChoice]
    tag_choices: list[FilterChoice]
    # The counts behind the choices, and what was made from them while they are kept.
    counted: recent_counts.Kept


@dataclass
class _Counts:
    """Waiting questions per post, and each post's treatments: every count the page shows."""

    posts: list[tuple[int, str, str, int]] = field(default_factory=list)  # id, slug, title, n
    tags_of_post: dict[int, list[tuple[str, str]]] = field(default_factory=dict)

    @cached_property
    def total(self) -> int:
        return sum(count for *_, count in self.posts)

    @cached_property
    def post_choices(self) -> list[FilterChoice]:
        """The posts with most questions waiting (POST_CHOICES of them), by title: a menu of
        every post would grow with the site, past what anyone can scroll through."""
        busiest = sorted(self.posts, key=lambda row: (-row[3], row[0]))[:POST_CHOICES]
        chosen = {post_id for post_id, *_ in busiest}
        return [FilterChoice(slug, title, n) for key, slug, title, n in self.posts if key in chosen]

    def post_choices_with(self, post_slug: str | None) -> list[FilterChoice]:
        """post_choices, and the post asked for when it has questions waiting but fewer."""
        choices = self.post_choices
        if not post_slug or any(choice.slug == post_slug for choice in choices):
            return choices
        return choices + [
            FilterChoice(slug, title, n) for _, slug, title, n in self.posts if slug == post_slug
        ]

    @cached_property
    def tag_choices(self) -> list[FilterChoice]:
        waiting: dict[str, int] = {}
        names: dict[str, str] = {}
        for post_id, *_, count in self.posts:
            for slug, name in self.tags_of_post.get(post_id, []):
                waiting[slug] = waiting.get(slug, 0) + count
                names[slug] = name
        ordered = sorted(waiting, key=lambda slug: (names[slug], slug))
        return [FilterChoice(slug, names[slug], waiting[slug]) for slug in ordered]

    def for_filter(self, chosen: QuestionFilter) -> int:
        total = 0
        for post_id, slug, _, count in self.posts:
            if chosen.post_slug and slug != chosen.post_slug:
                continue
            tags = {tag_slug for tag_slug, _ in self.tags_of_post.get(post_id, [])}
            if chosen.tag_slug and chosen.tag_slug not in tags:
                continue
            total += count
        return total


# The list's statements are built once and reused with new values: building a select with
# its joins and loader options costs more than running it. Select objects are immutable.


@cache
def _counts_statement() -> Select:
    # Each open post's waiting questions are counted from the (question_state, status,
    # post_id) index alone, never from the comments' rows.
    per_post = (
        _waiting()
        .with_only_columns(Post.id, Post.slug, Post.title, func.count().label("waiting"))
        .group_by(Post.id)
        .subquery()
    )
    return (
        select(per_post, Tag.slug, Tag.name)
        .outerjoin(post_tags, post_tags.c.post_id == per_post.c.id)
        .outerjoin(Tag, Tag.id == post_tags.c.tag_id)
        .order_by(per_post.c.title, per_post.c.id)
    )


def _counts() -> _Counts:
    """One statement: waiting questions per post (one pass over an index), with its tags."""
    counts = _Counts()
    for post_id, slug, title, waiting, tag_slug, tag_name in db.session.execute(
        _counts_statement()
    ):
        if not counts.posts or counts.posts[-1][0] != post_id:
            counts.posts.append((post_id, slug, title, waiting))
        if tag_slug is not None:
            counts.tags_of_post.setdefault(post_id, []).append((tag_slug, tag_name))
    return counts


def waiting_count() -> int:
    """How many questions wait in all, for the navigation (recent_counts says how recent)."""
    return recent_counts.counts(_counts).counts.total


_NAMED = (User.id, User.display_name, User.role, User.title, User.verified_at)


@cache
def _shown() -> Select:
    """Waiting questions with their post, asker and claimant loaded in the same statement."""
    claimant = aliased(User)
    return (
        select(Comment)
        .where(*WAITING, _on_open_post())
        .outerjoin(Post, Comment.post_id == Post.id)
        .outerjoin(User, Comment.author_id == User.id)
        .outerjoin(claimant, Comment.claimed_by_id == claimant.id)
        .options(
            # What the list shows: the question's stored HTML and state, its post's title.
            load_only(
                Comment.post_id,
                Comment.author_id,
                Comment.root_id,
                Comment.kind,
                Comment.status,
                Comment.question_state,
                Comment.body_html,
                Comment.created_at,
                Comment.asked_for,
                Comment.holding_at,
                Comment.claimed_by_id,
                Comment.claimed_at,
            ),
            contains_eager(Comment.post).load_only(Post.id, Post.slug, Post.title),
            # Of people, what their names and badges need.
            contains_eager(Comment.author).load_only(*_NAMED),
            contains_eager(Comment.claimed_by.of_type(claimant)).load_only(
                claimant.id,
                claimant.display_name,
                claimant.role,
                claimant.title,
                claimant.verified_at,
            ),
        )
    )


@cache
def _page_statement(by_post: bool, by_tag: bool) -> Select:
    """A page of the list, narrowed to a post (post_slug) and/or a treatment (tag_slug)."""
    query = _shown()
    if by_post:
        chosen_post = select(Post.id).where(Post.slug == bindparam("post_slug")).scalar_subquery()
        query = query.where(Comment.post_id == chosen_post)
    if by_tag:
        tagged = exists().where(
            post_tags.c.post_id == Comment.post_id,
            post_tags.c.tag_id == Tag.id,
            Tag.slug == bindparam("tag_slug"),
        )
        query = query.where(tagged)
    return (
        query.order_by(Comment.created_at, Comment.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def _page_rows(chosen: QuestionFilter, page: int, per_page: int) -> list[Comment]:
    statement = _page_statement(bool(chosen.post_slug), bool(chosen.tag_slug))
    values = {
        "post_slug": chosen.post_slug,
        "tag_slug": chosen.tag_slug,
        "limit": per_page,
        "offset": (page - 1) * per_page,
    }
    return list(db.session.scalars(statement, values))


def waiting_questions(
    question_filter: QuestionFilter, page: int = 1, per_page: int = QUESTIONS_PER_PAGE
) -> QuestionPage:
    """One page of waiting questions, oldest first, with all the list shows of each.

    Three statements at any size: the counts per post with their tags, the page's questions,
    and the askers' latest follow-ups.
    """
    counted = recent_counts.counts(_counts)
    counts: _Counts = counted.counts
    total = counts.for_filter(question_filter) if question_filter.active else counts.total
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    return QuestionPage(
        questions=_describe(_page_rows(question_filter, page, per_page)),
        total=total,
        page=page,
        pages=pages,
        filter=question_filter,
        post_choices=counts.post_choices_with(question_filter.post_slug),
        tag_choices=counts.tag_choices,
        counted=counted,
    )


def _describe(questions: list[Comment]) -> list[WaitingQuestion]:
    follow_ups = _latest_follow_ups([question.id for question in questions])
    now = utcnow()
    described = []
    for question in questions:
        claimant = lifecycle.live_claimant(question, now)
        described.append(
            WaitingQuestion(
                question=question,
                follow_up=follow_ups.get(question.id),
                claimant=claimant,
                claimed_until=lifecycle.claim_expires_at(question) if claimant else None,
            )
        )
    return described


def _latest_follow_ups(question_ids: list[int]) -> dict[int, FollowUp]:
    """Each question's latest approved reply by its asker, anywhere in its thread (one query)."""
    if not question_ids:
        return {}
    rows = db.session.execute(_follow_ups_statement(), {"question_ids": question_ids})
    return {
        root_id: FollowUp(comment_id, created_at, shorten(Markup(html).striptags()))
        for comment_id, root_id, created_at, html in rows
    }


@cache
def _follow_ups_statement() -> Select:
    question = aliased(Comment)
    newest_first = (
        func.row_number()
        .over(
            partition_by=Comment.root_id,
            order_by=(Comment.created_at.desc(), Comment.id.desc()),
        )
        .label("newest_first")
    )
    replies = (
        select(Comment.id, Comment.root_id, Comment.created_at, Comment.body_html, newest_first)
        .join(question, question.id == Comment.root_id)
        .where(
            Comment.root_id.in_(bindparam("question_ids", expanding=True)),
            Comment.id != Comment.root_id,
            Comment.author_id == question.author_id,
            Comment.status == "approved",
        )
        .subquery()
    )
    return select(replies.c.id, replies.c.root_id, replies.c.created_at, replies.c.body_html).where(
        replies.c.newest_first == 1
    )


def shorten(text: str, length: int = FOLLOW_UP_LENGTH) -> str:
    """text cut at a word before length characters, marked with an ellipsis when cut."""
    words = " ".join(text.split())
    if len(words) <= length:
        return words
    cut = words[: length - 1].rsplit(" ", 1)[0].rstrip(" ,.;:")
    return f"{cut}…"


def waiting_question(comment_id: int) -> WaitingQuestion | None:
    """One question with what the list shows of it, while it still waits; else None."""
    # populate_existing: the question may be in the session already, loaded before a change.
    question = db.session.scalar(
        _shown().where(Comment.id == comment_id).execution_options(populate_existing=True)
    )
    return _describe([question])[0] if question is not None else None


def new_waiting_by_post(since: datetime) -> list[tuple[int, int, int]]:
    """(post author id, post id, how many) for questions public since since and still waiting.

    A held question counts from its approval, so none is missed for having waited in the
    moderation queue. For the clinicians' new-questions notice (notifications.tasks).
    """
    public_since = func.coalesce(Comment.moderated_at, Comment.created_at) >= since
    rows = db.session.execute(
        _waiting()
        .where(public_since)
        .with_only_columns(Post.author_id, Post.id, func.count(Comment.id))
        .group_by(Post.author_id, Post.id)
    )
    return [(author_id, post_id, count) for author_id, post_id, count in rows]


# --- handling a question from the list ---------------------------------------------------------


def _check_still_waiting(question: Comment) -> None:
    if question.question_state != "waiting" or not question.is_question:
        raise lifecycle.QuestionError(
            "body",
            "This question is no longer waiting: another clinician answered or closed it. "
            "Your text is still here to copy.",
        )


def _sent_before_to(question: Comment, clinician: User, form_token: str | None) -> Comment | None:
    """The reply to question this clinician already sent from this very form, if any."""
    if not form_token:
        return None
    stored = comments.sent_before(clinician, form_token)
    return stored if stored is not None and stored.parent_id == question.id else None


def answer(
    question: Comment, clinician: User, text: str | None, form_token: str | None = None
) -> Comment:
    """A clinician's answer from the list: their reply, marked as the answer on purpose.

    Returns the reply. A reply the moderation rules hold is stored but not marked (only a
    public reply can answer); the question keeps waiting. Raises a FieldError when nothing
    is stored. The caller commits, once its answer is built; form_token: as comments.submit.
    The same form sent again (a double press, a retry after a dropped answer) returns the
    reply it stored the first time: the question is answered, by that very reply.
    """
    again = _sent_before_to(question, clinician, form_token)
    if again is not None:
        return again
    _check_still_waiting(question)
    reply = comments.submit(
        question.post, clinician, text, question.id, commit=False, form_token=form_token
    )
    if lifecycle.can_mark_answer(reply, clinician):
        lifecycle.mark_answer(reply, clinician)
    return reply


def hold(
    question: Comment, clinician: User, text: str | None, form_token: str | None = None
) -> Comment:
    """A clinician's holding reply: the asker hears someone is looking; the question waits.
    The caller commits, as for answer (and a form sent again returns its first reply)."""
    again = _sent_before_to(question, clinician, form_token)
    if again is not None:
        return again
    _check_still_waiting(question)
    return comments.submit(
        question.post,
        clinician,
        text,
        question.id,
        holding=True,
        commit=False,
        form_token=form_token,
    )
