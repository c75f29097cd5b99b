"""A fresh, migrated database filled with a realistic load: one big discussion, many small ones.

Rows go in through SQLAlchemy Core in bulk, and each distinct body is sanitized once, so a run
seeds 20,000+ comments in seconds; the stored HTML is exactly what the write path would store.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import insert, update
from werkzeug.security import generate_password_hash

from portal import create_app, names, sanitize
from portal.extensions import db
from portal.models import Comment, ModerationSettings, Post, Tag, User, post_tags

from . import search_text

PASSWORD = "bench password, not a secret"
USERS = 2_000
CLINICIANS = 20
OTHER_POSTS = 200
OTHER_COMMENTS = 20_000
SMALL_POST_COMMENTS = 10  # the "10 comments" size for the statement-count comparison
BIG_THREADS = 100
BIG_REPLIES_PER_THREAD = 2
HELD_COMMENTS = 500
WRITERS = 4
BIG_SLUG = "ocrelizumab-three-hundred-questions"
SMALL_SLUG = "fatigue-ten-questions"
WRITE_SLUG = "bench-writes-go-here"
BIG_TAG = "ocrelizumab"  # a tag page's slug (every fifth post has it)
PROFILED_ID = 2  # the first clinician: a profile with answers
START = datetime(2024, 1, 1, tzinfo=UTC)

# Around 300 characters with a link: the shape of a real question.
_QUESTION = (
    "I started {drug} in {month} and the first infusion went fine, but I have had more "
    "fatigue since the second one. My neurologist said to keep a diary. Is this common, "
    "and does it usually settle? I read https://www.nhs.uk/conditions/multiple-sclerosis/ "
    "but it does not say much about **timing**. Thank you for any pointers. ({n})"
)
_ANSWER = (
    "Thank you for asking. Fatigue after an infusion is common and for most people it eases "
    "within a few weeks. Keep the diary: note sleep, heat and activity. If it gets worse, or "
    "you have new symptoms, contact your MS team. There is more at "
    "https://www.mstrust.org.uk/a-z/fatigue ({n})"
)
_DRUGS = ("ocrelizumab", "natalizumab", "alemtuzumab", "cladribine", "ofatumumab")
_MONTHS = ("March", "June", "September", "December")
_POST_BODY = """Ocrelizumab is given as an infusion every six months.

## Who it is for

People with *relapsing* or early *primary progressive* MS. Your team will check:

- your infection history
- vaccinations, which should be done first
- whether you plan a pregnancy

## What to expect

The first dose is split in two, two weeks apart. See
[the product information](https://www.medicines.org.uk/emc) for details.
"""


@dataclass
class Seeded:
    """What the benchmark needs to know about the data it made."""

    database_url: str
    big_slug: str = BIG_SLUG
    small_slug: str = SMALL_SLUG
    write_slug: str = WRITE_SLUG
    password: str = PASSWORD
    admin_email: str = ""
    clinician_email: str = ""
    writer_emails: list[str] = field(default_factory=list)
    member_email: str = ""  # a member who reads but does not write: the member's page rows
    scale: int = 1
    counts: dict[str, int] = field(default_factory=dict)


class _Bodies:
    """Rendered HTML per distinct source: sanitizing is the slow part, so do it once each."""

    def __init__(self) -> None:
        self._html: dict[str, str] = {}

    def html(self, source: str) -> str:
        if source not in self._html:
            self._html[source] = sanitize.render_markdown(source)
        return self._html[source]

    def question(self, n: int) -> tuple[str, str]:
        source = _QUESTION.format(drug=_DRUGS[n % 5], month=_MONTHS[n % 4], n=n % 20)
        return source, self.html(source)

    def answer(self, n: int) -> tuple[str, str]:
        source = _ANSWER.format(n=n % 20)
        return source, self.html(source)

    def varied(self, rng: random.Random, *, answer: bool = False) -> tuple[str, str]:
        """A comment on one or more everyday topics, each word at a realistic rate (search
        measures nothing if every comment holds "fatigue"); plain text, so no sanitizing."""
        source = search_text.comment(rng, answer=answer)
        return source, search_text.html_of(source)


def bench_app(database_path: Path, instance: Path) -> Flask:
    return app_for(f"sqlite:///{database_path}", instance)


def app_for(database_url: str, instance: Path) -> Flask:
    """The portal on any database (bench.search seeds PostgreSQL too)."""
    return create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench-only-secret",
            "RATELIMIT_ENABLED": False,
            # Staff log in with a password alone here; the two-step gate costs no statement.
            "PORTAL_STAFF_TWO_FACTOR": False,
        }
    )


def build(folder: Path, scale: int = 1) -> Seeded:
    """Migrate a new database in folder and fill it; returns where things are.

    scale multiplies what grows with the site (members, posts, the other comments, the held
    ones, so the waiting questions too); the big post keeps its 300 and the small one its 10.
    """
    from flask_migrate import upgrade

    database_path = folder / "bench.sqlite3"
    app = bench_app(database_path, folder)
    with app.app_context():
        upgrade()
        seeded = _fill(Seeded(database_url=f"sqlite:///{database_path}", scale=scale))
        db.session.remove()
        db.engine.dispose()
    return seeded


def fill(seeded: Seeded) -> Seeded:
    """Fill the (migrated, empty) database of the app in context."""
    return _fill(seeded)


def _fill(seeded: Seeded) -> Seeded:
    rng = random.Random(8)
    scale = seeded.scale
    bodies = _Bodies()
    password_hash = generate_password_hash(PASSWORD)  # one hash: every account shares it

    users = []
    for n in range(1, USERS * scale + 1):
        role = "admin" if n == 1 else "clinician" if n <= 1 + CLINICIANS else "patient"
        if role == "patient" and n % 3 == 0:
            role = "caregiver"
        display_name = f"Reader {n}" if role in ("patient", "caregiver") else f"Staff {n}"
        users.append(
            {
                "id": n,
                "email": f"user{n}@bench.example",
                "display_name": display_name,
                "display_name_key": names.name_key(display_name),
                "password_hash": password_hash,
                "role": role,
                "title": "Consultant Neurologist" if role == "clinician" else "",
                "specialty": "Multiple sclerosis" if role == "clinician" else "",
                "bio": "",
                "status": "active",
                "status_reason": "",
                "verified_at": START if role == "clinician" else None,
                "email_verified_at": START,  # writers post; an unproven address could not
                "hide_comment_list": False,
                "session_token": f"{n:032x}",
                "created_at": START,
            }
        )
    db.session.execute(insert(User), users)
    clinician_ids = list(range(2, 2 + CLINICIANS))
    member_ids = list(range(2 + CLINICIANS, USERS * scale + 1))
    seeded.admin_email = "user1@bench.example"
    seeded.clinician_email = "user2@bench.example"
    seeded.writer_emails = [f"user{n}@bench.example" for n in member_ids[:WRITERS]]
    seeded.member_email = f"user{member_ids[WRITERS]}@bench.example"

    post_html = sanitize.render_post_markdown(_POST_BODY)
    slugs = [BIG_SLUG, SMALL_SLUG, WRITE_SLUG] + [
        f"treatment-notes-{n}" for n in range(OTHER_POSTS * scale - 2)
    ]
    posts = []
    for n, slug in enumerate(slugs, start=1):
        posts.append(
            {
                "id": n,
                "slug": slug,
                "title": f"{_DRUGS[n % 5].title()}: what to expect ({n})",
                "summary": "How the treatment is given, who it suits and what to ask your team.",
                "body_source": _POST_BODY,
                "body_html": post_html,
                "references_source": "",
                "references_html": "",
                "author_id": clinician_ids[n % CLINICIANS],
                "status": "published",
                "comments_open": True,
                "created_at": START + timedelta(hours=n),
                "published_at": START + timedelta(hours=n),
            }
        )
    db.session.execute(insert(Post), posts)
    db.session.execute(
        insert(Tag), [{"id": n, "name": drug, "slug": drug} for n, drug in enumerate(_DRUGS, 1)]
    )
    db.session.execute(
        insert(post_tags),
        [{"post_id": post["id"], "tag_id": 1 + post["id"] % 5} for post in posts],
    )

    comments: list[dict] = []
    clock = [START + timedelta(days=30)]

    def add(
        post_id: int,
        author_id: int,
        body: tuple[str, str],
        parent: dict | None,
        status: str,
        **question: object,
    ):
        clock[0] += timedelta(seconds=37)
        row = {
            "id": len(comments) + 1,
            "post_id": post_id,
            "author_id": author_id,
            "parent_id": parent["id"] if parent else None,
            "root_id": parent["root_id"] if parent else len(comments) + 1,
            "body_source": body[0],
            "body_html": body[1],
            "status": status,
            "held_reason": "First comments from new members are checked first."
            if status == "pending"
            else "",
            "created_at": clock[0],
            "moderation_reason": "",
            # Members' threads are questions asked on purpose; clinicians' replies plain ones
            # until one is marked as the answer (questions.lifecycle's states, set directly).
            "kind": "reply" if parent else "question",
            "question_state": None if parent else "waiting",
            "asked_for": "",
            "answer_id": None,
            "claimed_by_id": None,
            "claimed_at": None,
            "holding_at": None,
            "close_note": "",
            "state_changed_at": None,
            "helpful_count": 0,
            **question,
        }
        comments.append(row)
        return row

    answers: list[dict] = []  # set once both rows exist: an answer comes after its question

    def mark_answered(top: dict, answer: dict) -> None:
        answer["kind"] = "answer"
        top.update(question_state="answered", state_changed_at=answer["created_at"])
        answers.append({"id": top["id"], "answer_id": answer["id"]})

    # The big one: 100 questions, each answered by a clinician and followed up by the asker.
    for n in range(BIG_THREADS):
        asker = member_ids[n * 7 % len(member_ids)]
        top = add(1, asker, bodies.question(n), None, "approved")
        answer = add(1, clinician_ids[n % CLINICIANS], bodies.answer(n), top, "approved")
        mark_answered(top, answer)
        if BIG_REPLIES_PER_THREAD > 1:
            add(1, asker, bodies.question(n + 1), answer, "approved")
    for n in range(SMALL_POST_COMMENTS // 2):
        top = add(2, member_ids[n], bodies.question(n), None, "approved")
        mark_answered(top, add(2, clinician_ids[n], bodies.answer(n), top, "approved"))
    # The rest spread over the other posts, a third of them replies.
    other_post_ids = [post["id"] for post in posts[3:]]
    recent_tops: dict[int, dict] = {}
    # They are the waiting list (about 13,000 questions): some replies are the asker's
    # follow-ups, some a clinician's holding reply, and a few questions are claimed now.
    claimed_now = datetime.now(UTC)
    words = random.Random(18)  # the texts' own chances, so the rows' shape stays as it was
    search_text.check_html(random.Random(19))
    for n in range(OTHER_COMMENTS * scale - SMALL_POST_COMMENTS):
        post_id = other_post_ids[rng.randrange(len(other_post_ids))]
        parent = recent_tops.get(post_id) if n % 3 == 2 else None
        author = member_ids[rng.randrange(len(member_ids))]
        if parent is not None and n % 9 == 8:
            clinician = clinician_ids[n % CLINICIANS]
            reply = bodies.varied(words, answer=True)
            row = add(post_id, clinician, reply, parent, "approved", kind="holding")
            parent["holding_at"] = row["created_at"]
            continue
        if parent is not None and n % 9 == 5:
            author = parent["author_id"]
        row = add(post_id, author, bodies.varied(words), parent, "approved")
        if parent is None:
            recent_tops[post_id] = row
            if n % 20 == 0:
                row.update(claimed_by_id=clinician_ids[n % CLINICIANS], claimed_at=claimed_now)
    # The moderation queue: new members' first comments, held.
    for n in range(HELD_COMMENTS * scale):
        post_id = other_post_ids[n % len(other_post_ids)]
        add(post_id, member_ids[-1 - n], bodies.question(n), None, "pending")
    for start in range(0, len(comments), 5_000):
        db.session.execute(insert(Comment), comments[start : start + 5_000])
    db.session.execute(update(Comment), answers)

    # Members need an approved comment before theirs skip the queue; keep the default rules.
    if db.session.get(ModerationSettings, 1) is None:
        db.session.add(ModerationSettings(id=1))
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()
    seeded.counts = {
        "users": len(users),
        "waiting": sum(
            row["question_state"] == "waiting" and row["status"] == "approved" for row in comments
        ),
        "posts": len(posts),
        "comments": len(comments),
        "held": HELD_COMMENTS * scale,
        "distinct_bodies": len(bodies._html),
    }
    return seeded
