"""The demo's people, posts and discussions, read from the files in content/.

    content/people.toml              the accounts
    content/posts.toml               the posts, in the order they are seeded
    content/<slug>/post.md           a post's body, Markdown as its author typed it
    content/<slug>/references.md     its references, a Markdown list
    content/<slug>/thread.toml       who says what under it, in order, and to whom
    content/<slug>/comments.md       what they say: one "## <id>" section per comment

Pure data: nothing here touches the database or the app. All names are invented, every email
address uses the reserved example.org domain, and the medical text is general information
written for this demo in plain language.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

CONTENT = files(__package__) / "content"
STATUSES = ("approved", "pending")
_SECTION = re.compile(r"^## ([a-z0-9-]+)\s*$")


class DemoContentError(ValueError):
    """A content file does not say what the demo needs; the message names the file."""


@dataclass(frozen=True)
class DemoUser:
    key: str  # internal handle, e.g. "admin"
    email: str  # always @example.org
    display_name: str  # pseudonym for patients and caregivers; real-looking names for staff
    role: str  # "admin" | "clinician" | "patient" | "caregiver"
    title: str = ""  # clinicians only, e.g. "Consultant Neurologist"
    specialty: str = ""  # clinicians only
    bio: str = ""  # clinicians only: two or three sentences


@dataclass(frozen=True)
class DemoComment:
    id: str  # names the comment in thread.toml and comments.md
    author: str  # DemoUser.key
    body: str  # Markdown, as a user would type it
    status: str = "approved"  # "approved" | "pending"
    reply_to: str | None = None  # the id of the comment it answers; None at the top
    # Top level: "discussion" when a patient or caregiver shares rather than asks a clinician.
    kind: str = ""
    asked_for: str = ""  # whom a caregiver asks for, e.g. "for my wife"
    claimed_by: str | None = None  # DemoUser.key of the clinician who claimed the question
    closed: str | None = None  # "no_answer_needed" | "signposted"
    close_note: str = ""
    closed_by: str | None = None  # DemoUser.key of the clinician who closed it
    holding: bool = False  # a clinician's holding reply: someone is looking
    marked_by: str | None = None  # who marked this reply as the answer (clinician or asker)
    helpful: tuple[str, ...] = ()  # who said "This helped me" of this answer


@dataclass(frozen=True)
class DemoPost:
    slug: str
    title: str
    author: str  # DemoUser.key of a clinician
    summary: str  # one or two sentences
    body: str  # Markdown: headings, lists, emphasis and links; no images, no raw HTML
    references: str  # Markdown list
    tags: tuple[str, ...]  # treatment names, lower case
    days_ago: int  # how long ago the post was published
    comments: tuple[DemoComment, ...] = ()  # in the order they were written


@cache
def people() -> tuple[DemoUser, ...]:
    """The demo's accounts, from people.toml."""
    return tuple(DemoUser(**spec) for spec in _toml(CONTENT / "people.toml")["person"])


@cache
def posts() -> tuple[DemoPost, ...]:
    """The demo's posts with their discussions, in the order they are seeded."""
    keys = {person.key for person in people()}
    loaded = []
    for spec in _toml(CONTENT / "posts.toml")["post"]:
        folder = CONTENT / spec["slug"]
        if spec["author"] not in keys:
            raise DemoContentError(f"posts.toml: {spec['slug']} has an unknown author")
        loaded.append(
            DemoPost(
                **spec | {"tags": tuple(spec["tags"])},
                body=_text(folder / "post.md"),
                references=_text(folder / "references.md"),
                comments=_thread(folder, keys),
            )
        )
    return tuple(loaded)


def _thread(folder: Traversable, keys: set[str]) -> tuple[DemoComment, ...]:
    where = f"{folder.name}/thread.toml"
    texts = _sections(folder)
    comments: list[DemoComment] = []
    for spec in _toml(folder / "thread.toml")["comments"]:
        spec["helpful"] = tuple(spec.get("helpful", ()))
        comment = DemoComment(**spec, body=texts.pop(spec["id"], ""))
        if not comment.body:
            raise DemoContentError(f"{where}: {comment.id} has no text in comments.md")
        named = {comment.author, comment.claimed_by, comment.closed_by, comment.marked_by}
        if not (named - {None}) <= keys or not set(comment.helpful) <= keys:
            raise DemoContentError(f"{where}: {comment.id} names an unknown person")
        if comment.status not in STATUSES:
            raise DemoContentError(f"{where}: {comment.id} has an unknown status")
        # Replies come after what they answer, so that seeding can create them in order.
        if comment.reply_to is not None and comment.reply_to not in {c.id for c in comments}:
            raise DemoContentError(f"{where}: {comment.id} replies to no earlier comment")
        comments.append(comment)
    if texts:
        raise DemoContentError(f"{folder.name}/comments.md: {', '.join(texts)} not in the thread")
    return tuple(comments)


def _sections(folder: Traversable) -> dict[str, str]:
    """The "## <id>" sections of a post's comments.md, by id."""
    where = f"{folder.name}/comments.md"
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in _text(folder / "comments.md").splitlines():
        heading = _SECTION.match(line)
        if heading:
            if heading.group(1) in sections:
                raise DemoContentError(f"{where}: two sections for {heading.group(1)}")
            current = sections[heading.group(1)] = []
        elif current is not None:
            current.append(line)
        elif line.strip():
            raise DemoContentError(f"{where}: text before the first '## <id>' heading")
    return {key: "\n".join(lines).strip() for key, lines in sections.items()}


def _toml(path: Traversable) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _text(path: Traversable) -> str:
    return path.read_text(encoding="utf-8").strip()
