"""Writing posts: drafts, edits, publishing, tags and readable slugs that never break links.

Every change a clinician makes to a post goes through this module, so the field limits, the
slug rules and the "Updated" date are the same whichever view asks.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from .. import rendering, tags
from ..extensions import db
from ..models import Post, SlugRedirect, Tag, User, utcnow
from ..permissions import allowed
from ..slugs import slugify

TITLE_MAX = 200
SUMMARY_MAX = 500
BODY_MAX = 100_000
REFERENCES_MAX = 20_000
TAGS_MAX = 10
TAG_NAME_MAX = 60
# Room for a "-NNN" suffix inside the 120-character slug column.
SLUG_BASE_MAX = 100


class PostInvalid(ValueError):
    """Problems the writer can fix, as {field name: message}, each shown beside its field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class PostFields:
    """What the editor sends, as typed."""

    title: str = ""
    summary: str = ""
    body: str = ""
    references: str = ""
    tags: str = ""
    comments_open: bool = True


@dataclass(frozen=True)
class CleanPost:
    """PostFields after checking: line endings normalised, tag names parsed."""

    title: str
    summary: str
    body: str
    references: str
    tag_names: list[str]
    comments_open: bool


def _one_line(text: str | None) -> str:
    # Titles and summaries are plain text on one line; control characters have no place there.
    kept = "".join(ch for ch in text or "" if unicodedata.category(ch) != "Cc" or ch in "\n\t")
    return " ".join(kept.split())


def _multi_line(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def _too_long(what: str, limit: int, actual: int) -> str:
    return f"{what} can be at most {limit:,} characters; this has {actual:,}. Please shorten it."


def _check_tags(text: str, errors: dict[str, str]) -> list[str]:
    raw_names = [" ".join(part.split()) for part in (text or "").split(",") if part.strip()]
    for name in raw_names:
        if len(name) > TAG_NAME_MAX:
            errors["tags"] = (
                f"Each treatment name can be at most {TAG_NAME_MAX} characters; "
                f"“{name[:30]}…” has {len(name)}."
            )
            return []
        if not any(ch.isascii() and ch.isalnum() for ch in unicodedata.normalize("NFKD", name)):
            errors["tags"] = f"“{name}” needs at least one letter or digit (A–Z, 0–9)."
            return []
    # Spellings that slug alike ("beta-interferon", "Beta Interferon") name one treatment.
    by_slug: dict[str, str] = {}
    for name in tags.parse_tag_list(text):
        by_slug.setdefault(slugify(name), name)
    names = list(by_slug.values())
    if len(names) > TAGS_MAX:
        errors["tags"] = f"Use at most {TAGS_MAX} treatment names; this has {len(names)}."
        return []
    return names


def check(fields: PostFields, *, publishing: bool) -> CleanPost:
    """Check every field at once; raises PostInvalid naming each field that needs a change.

    A draft needs only a title; a post being published needs its text too.
    """
    errors: dict[str, str] = {}
    title = _one_line(fields.title)
    summary = _one_line(fields.summary)
    body = _multi_line(fields.body)
    references = _multi_line(fields.references).strip()
    if not title:
        errors["title"] = "Give the post a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = _too_long("Titles", TITLE_MAX, len(title))
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = _too_long("Summaries", SUMMARY_MAX, len(summary))
    if len(body) > BODY_MAX:
        errors["body"] = _too_long("Posts", BODY_MAX, len(body))
    elif publishing and not body.strip():
        errors["body"] = "Write the post before publishing it."
    if len(references) > REFERENCES_MAX:
        errors["references"] = _too_long("References", REFERENCES_MAX, len(references))
    tag_names = _check_tags(fields.tags, errors)
    if errors:
        raise PostInvalid(errors)
    return CleanPost(title, summary, body, references, tag_names, fields.comments_open)


def can_edit(post: Post, user: User) -> bool:
    """Authors edit their own posts; admins edit anyone's."""
    return post.author_id == user.id or allowed(user, "edit_any_post")


def preview(fields: PostFields) -> Post:
    """A post that is never stored, rendered by the same policy as a saved one."""
    body = _multi_line(fields.body)[:BODY_MAX]
    references = _multi_line(fields.references).strip()[:REFERENCES_MAX]
    unsaved = Post(title=_one_line(fields.title)[:TITLE_MAX])
    rendering.set_post_body(unsaved, body, references)
    return unsaved


def _slug_taken(candidates: set[str], post: Post | None) -> set[str]:
    """Which candidates another post uses, now or as an old address that still redirects."""
    others = Post.id != post.id if post is not None and post.id is not None else True
    used = set(db.session.scalars(select(Post.slug).where(Post.slug.in_(candidates), others)))
    redirect_others = (
        SlugRedirect.post_id != post.id if post is not None and post.id is not None else True
    )
    used.update(
        db.session.scalars(
            select(SlugRedirect.old_slug).where(
                SlugRedirect.old_slug.in_(candidates), redirect_others
            )
        )
    )
    return used


def unique_slug(title: str, post: Post | None = None) -> str:
    """A readable slug for title that no other post holds: "title", then "title-2", "-3"…"""
    base = slugify(title, max_length=SLUG_BASE_MAX)
    batch = 0
    while True:
        numbers = range(batch * 50 + 1, batch * 50 + 51)
        candidates = [base if n == 1 else f"{base}-{n}" for n in numbers]
        taken = _slug_taken(set(candidates), post)
        for candidate in candidates:
            if candidate not in taken:
                return candidate
        batch += 1


def _tag_for(name: str) -> Tag:
    # Two spellings that slug alike ("beta-interferon", "beta interferon") are one treatment.
    existing = db.session.scalar(select(Tag).where(Tag.slug == slugify(name)))
    return existing if existing is not None else tags.get_or_create(name)


def _rename(post: Post, title: str) -> None:
    """Give a retitled post a new slug; once public, its old address redirects here."""
    if post.slug and slugify(title, max_length=SLUG_BASE_MAX) == slugify(
        post.title, max_length=SLUG_BASE_MAX
    ):
        post.title = title
        return
    old_slug = post.slug
    post.slug = unique_slug(title, post)
    post.title = title
    # Taking back one of its own old slugs: that address is the post again, not a redirect.
    db.session.execute(
        delete(SlugRedirect).where(
            SlugRedirect.post_id == post.id, SlugRedirect.old_slug == post.slug
        )
    )
    if old_slug and old_slug != post.slug and post.published_at is not None:
        # merge: an address another post once held but no longer uses is simply reassigned.
        db.session.merge(SlugRedirect(old_slug=old_slug, post_id=post.id))


def _apply(post: Post, clean: CleanPost) -> bool:
    """Copy clean fields onto post; True when what readers see has changed."""
    tag_list = [_tag_for(name) for name in clean.tag_names]
    changed = (
        clean.title != post.title
        or clean.summary != post.summary
        or clean.body != post.body_source
        or clean.references != post.references_source
        or sorted(tag.id for tag in tag_list) != sorted(tag.id for tag in post.tags)
    )
    if clean.title != post.title:
        _rename(post, clean.title)
    post.summary = clean.summary
    rendering.set_post_body(post, clean.body, clean.references)
    post.tags = sorted(tag_list, key=lambda tag: tag.name)
    post.comments_open = clean.comments_open
    return changed


def create_post(author: User, fields: PostFields, *, publish: bool = False) -> Post:
    """Store a new post as a draft, or publish it at once; raises PostInvalid."""
    clean = check(fields, publishing=publish)
    post = Post(author=author, title=clean.title, slug=unique_slug(clean.title), status="draft")
    db.session.add(post)
    _apply(post, clean)
    if publish:
        post.status = "published"
        post.published_at = utcnow()
    db.session.commit()
    return post


def update_post(post: Post, fields: PostFields, *, publish: bool = False) -> Post:
    """Save an edit; a published post edited in substance shows "Updated" with today's date."""
    clean = check(fields, publishing=publish or post.is_published)
    was_published = post.is_published
    changed = _apply(post, clean)
    if was_published and changed:
        post.updated_at = utcnow()
    if publish and not was_published:
        _mark_published(post)
    db.session.commit()
    return post


def _mark_published(post: Post) -> None:
    post.status = "published"
    # A post taken down and put back keeps its first publication date.
    if post.published_at is None:
        post.published_at = utcnow()


def publish(post: Post) -> Post:
    """Publish a draft as it stands; raises PostInvalid when it is not ready."""
    check(
        PostFields(
            title=post.title,
            summary=post.summary,
            body=post.body_source,
            references=post.references_source,
            tags=", ".join(tag.name for tag in post.tags),
            comments_open=post.comments_open,
        ),
        publishing=True,
    )
    _mark_published(post)
    db.session.commit()
    return post


def unpublish(post: Post) -> Post:
    """Take a post back to draft: only its author and admins can see it until it is published."""
    post.status = "draft"
    db.session.commit()
    return post


def posts_by(author: User) -> list[Post]:
    """An author's posts, drafts and published, most recently changed first."""
    changed = func.coalesce(Post.updated_at, Post.published_at, Post.created_at)
    return list(
        db.session.scalars(
            select(Post).where(Post.author_id == author.id).order_by(changed.desc(), Post.id.desc())
        )
    )


def tag_text(post: Post) -> str:
    """The tags as the editor shows them: comma-separated names."""
    return ", ".join(tag.name for tag in post.tags)
