"""Treatment tags: finding or creating them by name."""

from __future__ import annotations

from sqlalchemy import select

from .extensions import db
from .models import Tag
from .slugs import slugify


def normalise_tag(name: str) -> str:
    return " ".join(name.strip().lower().split())[:60]


def get_or_create(name: str) -> Tag:
    name = normalise_tag(name)
    tag = db.session.scalar(select(Tag).where(Tag.name == name))
    if tag is None:
        tag = Tag(name=name, slug=slugify(name))
        db.session.add(tag)
        db.session.flush()
    return tag


def parse_tag_list(text: str) -> list[str]:
    """Comma-separated tag names, normalised, without duplicates, in the order given."""
    seen: dict[str, None] = {}
    for part in (text or "").split(","):
        name = normalise_tag(part)
        if name:
            seen.setdefault(name, None)
    return list(seen)
