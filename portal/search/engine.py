"""Finding posts and comments by their words, on SQLite (FTS5) or PostgreSQL (tsvector).

The one place that decides what a search may return: approved comments under published posts,
written by members who have not hidden their comment list, and published posts. The index
itself (schema.py) holds every text; a hidden one is never matched here, so nothing hidden can
reach a result, a snippet or a count.

Speed: ranking scores every match, which for a word in one comment of ten is most of the cost.
So matches are first counted up to RANKED_AT_MOST; a search with fewer is ranked best first and
counted exactly, one with more (a word like "infusion") is listed newest first, which the index
gives without scoring, and its count says "more than". The statements are written once per
shape, in each engine's own SQL, and only their parameters change.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal

from flask import current_app
from sqlalchemy import bindparam, text
from sqlalchemy.sql.elements import TextClause

from ..extensions import db
from ..models import UTCDateTime
from . import schema
from .terms import draft_words

Kind = Literal["posts", "answered", "discussion"]
KINDS: tuple[Kind, ...] = ("posts", "answered", "discussion")
# Typing "thyro" should already find "thyroid"; shorter stems would match half the index.
PREFIX_FROM = 3
RANKED_AT_MOST = 100
# "Has this been asked?": the draft's rarest words, and none that this share of answered
# questions hold (such a word tells the questions apart no better than "the").
SIMILAR_WORDS = 6
COMMON_SHARE = 0.1
# Scoring is most of the lookup's cost: rare words are added until about this many questions
# would be scored (always at least one word).
SIMILAR_MATCHES_AT_MOST = 400


@dataclass(frozen=True)
class Filters:
    tag: str | None = None  # a Tag slug: only posts with it, and comments under them
    since: datetime | None = None  # posts published, comments written, at or after this


@dataclass(frozen=True)
class Found:
    ids: list[int]  # best first (or newest first, when more): Post ids or Comment ids
    total: int
    more: bool = False  # more than total match; listed newest first


NOTHING = Found([], 0)


def search(
    words: list[str],
    kind: Kind,
    filters: Filters = Filters(),
    *,
    limit: int = 10,
    offset: int = 0,
) -> Found:
    """Every word must match; the last one also as the start of a word, for typing."""
    if not words:
        return NOTHING
    dialect = _dialect()
    params: dict[str, Any] = {"match": _every_word(words, dialect), "cap": RANKED_AT_MOST + 1}
    if filters.tag:
        params["tag"] = filters.tag
    if filters.since is not None:
        params["since"] = filters.since
    shape = (dialect, kind, bool(filters.tag), filters.since is not None)
    counted = db.session.execute(_statement(*shape, "count"), params).scalar() or 0
    if counted == 0:
        return NOTHING
    ranked = counted <= RANKED_AT_MOST
    params |= {"limit": limit, "offset": offset}
    order = "best" if ranked else "newest"
    ids = list(db.session.execute(_statement(*shape, order), params).scalars())
    return Found(ids, min(counted, RANKED_AT_MOST), more=not ranked)


def similar_answered(draft: str, *, limit: int = 5) -> list[int]:
    """Answered questions most like this draft, best first: any of its telling words."""
    words = draft_words(draft)
    dialect = _dialect()
    words = _rarest(words, dialect)
    if not words:
        return []
    statement = _statement(dialect, "similar", False, False, "best")
    params = {"match": _any_word(words, dialect), "limit": limit}
    return list(db.session.execute(statement, params).scalars())


def rebuild() -> None:
    """Make the index again from the text (flask --app portal reindex), triggers included."""
    with db.engine.begin() as connection:
        schema.install(connection)
        schema.fill(connection)


# --- the draft's telling words ----------------------------------------------------------------


def _rarest(words: list[str], dialect: str) -> list[str]:
    """The draft's words that the fewest answered questions hold, leaving out common ones."""
    if not words:
        return []
    counted, total = _held_counts(words, dialect), _answered_total()
    telling = [pair for pair in counted if pair[0] <= max(COMMON_SHARE * total, 1)]
    chosen: list[str] = []
    scored = 0
    for held, word in sorted(telling or counted)[:SIMILAR_WORDS]:
        if chosen and scored + held > SIMILAR_MATCHES_AT_MOST:
            break
        chosen.append(word)
        scored += held
    return chosen


# Counting stops here: a word held by more questions than this is common whatever the total.
_COUNTED_AT_MOST = 2000


_TOTAL_KEPT_SECONDS = 300
_KEPT_TOTAL = "search_answered_total"  # (counted at, total), per app in this process
_KEPT_COUNTS = "search_word_counts"  # word: (counted at, questions holding it), per app
_KEPT_COUNTS_AT_MOST = 5000


def _held_counts(words: list[str], dialect: str) -> list[tuple[int, str]]:
    """(how many answered questions hold it, word) for each word some question holds.

    Kept per process for a few minutes, as the total is: a draft is sent again at each pause
    in typing, mostly the same words, and the counts only rank words against each other. A word
    no question holds is not kept, so the first question answered with it is offered at once."""
    now = time.monotonic()
    kept: dict[str, tuple[float, int]] = current_app.extensions.setdefault(_KEPT_COUNTS, {})
    fresh = {
        word: kept[word][1]
        for word in words
        if word in kept and now - kept[word][0] <= _TOTAL_KEPT_SECONDS
    }
    unknown = [word for word in words if word not in fresh]
    if unknown:
        count = _counted_in_postgres if dialect == "postgresql" else _counted_in_sqlite
        newly = {word: held for held, word in count(unknown)}
        if len(kept) + len(newly) > _KEPT_COUNTS_AT_MOST:
            kept.clear()  # a bound, not a policy: the next drafts fill it again
        kept.update((word, (now, held)) for word, held in newly.items())
        fresh |= newly
    return [(fresh[word], word) for word in words if fresh.get(word)]


def _counted_in_postgres(words: list[str]) -> list[tuple[int, str]]:
    statement = text(
        "SELECT word, (SELECT count(*) FROM (SELECT 1 FROM comments"
        " WHERE question_state = 'answered' AND search_vector @@ to_tsquery('english', word)"
        " LIMIT :most) AS held) FROM unnest(CAST(:words AS text[])) AS word"
    )
    rows = db.session.execute(statement, {"words": words, "most": _COUNTED_AT_MOST})
    return [(count, word) for word, count in rows if count]


def _answered_total() -> int:
    """How many questions are answered, counted at most every few minutes per process: it only
    sets where "common" begins, and counting costs PostgreSQL a pass over them all."""
    now = time.monotonic()
    kept = current_app.extensions.get(_KEPT_TOTAL)
    if kept is None or now - kept[0] > _TOTAL_KEPT_SECONDS:
        total = db.session.execute(
            text(
                "SELECT count(*) FROM (SELECT 1 FROM comments WHERE question_state = 'answered'"
                " LIMIT :most) AS answered"
            ),
            {"most": int(_COUNTED_AT_MOST / COMMON_SHARE)},
        ).scalar()
        kept = current_app.extensions[_KEPT_TOTAL] = (now, total or 0)
    return kept[1]


def _counted_in_sqlite(words: list[str]) -> list[tuple[int, str]]:
    """SQLite counts per stem ("infusions" is held as "infus"): a word's stem is the longest
    counted term it starts with (stems cut endings; "worry" is held as "worri")."""
    held: dict[str, list[tuple[str, int]]] = {word: [] for word in words}
    for word, term, count in db.session.execute(_vocabulary_ranges(len(words)), _ranges(words)):
        held[word].append((term, count))
    counted: list[tuple[int, str]] = []
    for word, terms_near in held.items():
        stems = [(len(term), count) for term, count in terms_near if _stem_of(term, word)]
        if stems:
            counted.append((max(stems)[1], word))  # the longest stem is the word's own
    return counted


@cache
def _vocabulary_ranges(how_many: int) -> TextClause:
    # The terms between a word's first three letters and the word itself hold its stem.
    return text(
        " UNION ALL ".join(
            f"SELECT :word{n}, term, doc FROM answered_vocab"
            f" WHERE term >= :start{n} AND term <= :word{n}"
            for n in range(how_many)
        )
    )


def _ranges(words: list[str]) -> dict[str, str]:
    params = {}
    for n, word in enumerate(words):
        params[f"word{n}"] = word
        params[f"start{n}"] = word[:3]
    return params


def _stem_of(term: str, word: str) -> bool:
    """Whether the index's term may be word's stem: a start of it, or "-y" kept as "-i"."""
    return word.startswith(term) or (word.endswith("y") and term == word[:-1] + "i")


# --- the statements, one per shape ------------------------------------------------------------


def _dialect() -> str:
    return "postgresql" if db.session.get_bind().dialect.name == "postgresql" else "sqlite"


def _every_word(words: list[str], dialect: str) -> str:
    last = words[-1]
    prefix = len(last) >= PREFIX_FROM
    if dialect == "postgresql":
        return " & ".join([*words[:-1], f"{last}:*" if prefix else last])
    # Each word quoted: FTS5 reads nothing inside quotes as syntax (words hold no quotes).
    quoted = [f'"{word}"' for word in words]
    if prefix:
        quoted[-1] += "*"
    return " ".join(quoted)


def _any_word(words: list[str], dialect: str) -> str:
    if dialect == "postgresql":
        return " | ".join(words)
    return " OR ".join(f'"{word}"' for word in words)


def _readable(alias: str) -> str:
    """SQL: a comment anyone may read in a listing of its author's words."""
    return (
        f"{alias}.status = 'approved' AND EXISTS (SELECT 1 FROM users AS author"
        f" WHERE author.id = {alias}.author_id AND NOT author.hide_comment_list)"
    )


def _under_published_post(alias: str, tag: bool, since: bool) -> str:
    tagged = (
        " AND EXISTS (SELECT 1 FROM post_tags JOIN tags ON tags.id = post_tags.tag_id"
        " WHERE post_tags.post_id = post.id AND tags.slug = :tag)"
        if tag
        else ""
    )
    written = f" AND {alias}.created_at >= :since" if since else ""
    return (
        f"EXISTS (SELECT 1 FROM posts AS post WHERE post.id = {alias}.post_id"
        f" AND post.status = 'published'{tagged}){written}"
    )


def _answered(question: str, answer: str) -> str:
    return (
        f"{question}.kind = 'question' AND {question}.question_state = 'answered'"
        f" AND {_readable(question)} AND {_readable(answer)}"
    )


def _not_shown_as_answered(alias: str) -> str:
    """Not an answered question, nor the answer shown beneath one: they have their group.
    Two plain NOT EXISTS, which both engines answer by index for each row."""
    return (
        f"NOT EXISTS (SELECT 1 FROM comments AS shown WHERE shown.id = {alias}.answer_id"
        f" AND {alias}.kind = 'question' AND {alias}.question_state = 'answered'"
        f" AND {_readable('shown')})"
        f" AND NOT EXISTS (SELECT 1 FROM comments AS asked WHERE asked.answer_id = {alias}.id"
        f" AND asked.kind = 'question' AND asked.question_state = 'answered'"
        f" AND {_readable('asked')})"
    )


# Per engine and kind: where the matches come from (a row id, and for ranking a score where
# higher is better), and what they must be to be listed.
_SQLITE_SOURCES = {
    "posts": (
        "posts_fts AS hit JOIN posts AS found ON found.id = hit.rowid",
        "posts_fts MATCH :match",
        "-bm25(posts_fts, 10.0, 4.0, 1.0, 0.5)",
    ),
    "discussion": (
        "comments_fts AS hit JOIN comments AS found ON found.id = hit.rowid",
        "comments_fts MATCH :match",
        "-bm25(comments_fts)",
    ),
    "answered": (
        "answered_fts AS hit JOIN comments AS found ON found.id = hit.rowid"
        " JOIN comments AS answer ON answer.id = found.answer_id",
        "answered_fts MATCH :match",
        "-bm25(answered_fts, 1.0, 0.8)",
    ),
}
_SQLITE_SOURCES["similar"] = _SQLITE_SOURCES["answered"]

_TSQUERY = "to_tsquery('english', :match)"
_POSTGRES_SOURCES = {
    "posts": (
        "posts AS found",
        f"found.search_vector @@ {_TSQUERY}",
        f"ts_rank(found.search_vector, {_TSQUERY})",
    ),
    "discussion": (
        "comments AS found",
        f"found.search_vector @@ {_TSQUERY}",
        f"ts_rank(found.search_vector, {_TSQUERY})",
    ),
    # The question's words or its answer's: two lookups in small partial indexes (answered
    # questions, marked answers), not a pass over every comment.
    "answered": (
        "comments AS found JOIN comments AS answer ON answer.id = found.answer_id",
        f"(found.id IN (SELECT id FROM comments WHERE question_state = 'answered'"
        f" AND search_vector @@ {_TSQUERY}) OR found.answer_id IN (SELECT id FROM comments"
        f" WHERE kind = 'answer' AND search_vector @@ {_TSQUERY}))",
        f"greatest(ts_rank(found.search_vector, {_TSQUERY}),"
        f" ts_rank(answer.search_vector, {_TSQUERY}))",
    ),
    "similar": (
        "comments AS found JOIN comments AS answer ON answer.id = found.answer_id",
        f"found.question_state = 'answered' AND found.search_vector @@ {_TSQUERY}",
        f"ts_rank(found.search_vector, {_TSQUERY})",
    ),
}


def _listed(kind: str, tag: bool, since: bool) -> str:
    if kind == "posts":
        tagged = (
            " AND EXISTS (SELECT 1 FROM post_tags JOIN tags ON tags.id = post_tags.tag_id"
            " WHERE post_tags.post_id = found.id AND tags.slug = :tag)"
            if tag
            else ""
        )
        published = " AND found.published_at >= :since" if since else ""
        return f"found.status = 'published'{tagged}{published}"
    conditions = _under_published_post("found", tag, since)
    if kind in ("answered", "similar"):
        return f"{_answered('found', 'answer')} AND {conditions}"
    return f"{_readable('found')} AND {conditions} AND {_not_shown_as_answered('found')}"


@cache
def _statement(dialect: str, kind: str, tag: bool, since: bool, what: str) -> TextClause:
    """what: "count" (up to :cap), "best" (ranked), or "newest"; built once per shape."""
    sources = _POSTGRES_SOURCES if dialect == "postgresql" else _SQLITE_SOURCES
    tables, match, score = sources[kind]
    # FTS5 gives its matches newest first without a sort when asked by its own row id.
    newest = "found.id" if dialect == "postgresql" else "hit.rowid"
    where = f"{match} AND {_listed(kind, tag, since)}"
    if kind == "similar" and dialect == "sqlite":
        # Scored inside FTS5 alone, and only its best fifty are looked up and checked.
        return text(
            f"SELECT found.id FROM (SELECT rowid AS id, rank FROM answered_fts"
            f" WHERE answered_fts MATCH :match ORDER BY rank LIMIT 50) AS hit"
            f" JOIN comments AS found ON found.id = hit.id"
            f" JOIN comments AS answer ON answer.id = found.answer_id"
            f" WHERE {_listed(kind, tag, since)} ORDER BY hit.rank, found.id DESC LIMIT :limit"
        )
    page = " LIMIT :limit" if kind == "similar" else " LIMIT :limit OFFSET :offset"
    if what == "count":
        sql = f"SELECT count(*) FROM (SELECT 1 FROM {tables} WHERE {where} LIMIT :cap) AS capped"
    elif what == "best":
        sql = f"SELECT found.id FROM {tables} WHERE {where} ORDER BY {score} DESC, {newest} DESC"
        sql += page
    else:
        sql = f"SELECT found.id FROM {tables} WHERE {where} ORDER BY {newest} DESC{page}"
    statement = text(sql)
    if since:
        statement = statement.bindparams(bindparam("since", type_=UTCDateTime()))
    return statement
