"""The search page: GET /search?q=…, a plain form first, results in place with htmx.

Everything comes from the query string, so a search is a link anyone can share or bookmark.
A parameter this page does not know, or cannot read, falls back to its default: a search
never answers an error for what someone typed or pasted.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, current_app, request
from werkzeug.wrappers import Response

from .. import content_version
from ..models import utcnow
from ..paging import page_arg
from ..posts import queries
from ..responding import page_or_fragment
from . import engine, results, terms

bp = Blueprint("search", __name__)

KINDS = ("all", *engine.KINDS)
# "when" as the form words it, and how far back each reaches.
WHENS = {"any": "Any time", "month": "In the past month", "year": "In the past year"}
_REACH = {"month": timedelta(days=31), "year": timedelta(days=366)}


@dataclass(frozen=True)
class Asked:
    """A search as the query string asks for it, each part already a value the page knows."""

    query: str
    kind: str
    tag: str | None
    when: str
    page: int

    def as_args(self, **changes: object) -> dict[str, object]:
        """Query-string arguments that ask for this search again (changes applied); defaults
        are left out, so links stay short."""
        values = {
            "q": self.query or None,
            "kind": self.kind if self.kind != "all" else None,
            "tag": self.tag,
            "when": self.when if self.when != "any" else None,
        }
        values.update(changes)
        return values

    def since(self, now: datetime) -> datetime | None:
        reach = _REACH.get(self.when)
        return now - reach if reach else None

    @property
    def filtered(self) -> bool:
        return self.kind != "all" or self.tag is not None or self.when != "any"


def _shown_query(raw: str) -> str:
    """What someone typed, as the form and headings show it back: cut to the form's length,
    control characters gone, runs of space made one."""
    cut = raw[: terms.MAX_QUERY_CHARACTERS]
    readable = "".join(" " if unicodedata.category(char) == "Cc" else char for char in cut)
    return " ".join(readable.split())


def _choice(name: str, allowed: Container[str], default: str) -> str:
    value = request.args.get(name, default)
    return value if value in allowed else default


def _asked(tag_slugs: set[str]) -> Asked:
    tag = request.args.get("tag") or None
    return Asked(
        query=_shown_query(request.args.get("q", "")),
        kind=_choice("kind", KINDS, "all"),
        tag=tag if tag in tag_slugs else None,
        when=_choice("when", WHENS, "any"),
        page=page_arg(),
    )


_KEPT_TAGS = "search_filter_tags"


def _filter_tags() -> list[queries.TagCount]:
    """The tags the filter offers, worked out again only when content changes: their count
    across every published post was a tenth of a search's time, and is the same for every
    search between two changes."""
    version = content_version.current()
    kept = current_app.extensions.get(_KEPT_TAGS)
    if kept is None or kept[0] != version:
        kept = current_app.extensions[_KEPT_TAGS] = (version, queries.tags_in_use())
    return kept[1]


@bp.get("/search")
def search() -> Response:
    tags = _filter_tags()
    asked = _asked({tag.slug for tag in tags})
    words = terms.words(asked.query)
    found = None
    if words:
        filters = engine.Filters(tag=asked.tag, since=asked.since(utcnow()))
        if asked.kind == "all":
            found = results.everything(words, filters)
        else:
            found = results.one_kind(words, asked.kind, filters, asked.page)
    return page_or_fragment(
        "search/page.html",
        "search/_results_swap.html",
        asked=asked,
        words=words,
        found=found,
        tags=tags,
        whens=WHENS,
        group_names=results.GROUP_NAMES,
        announcement=_announcement(asked, found),
        # A page of results fetched in place (Next, Previous) takes focus to its heading; the
        # form's own updates leave focus in the search box, where the person is typing.
        focus_heading=request.wants_fragment and request.htmx.trigger != "search-form",
    )


def _announcement(asked: Asked, found: results.Results | None) -> str:
    """What a screen reader hears when results change in place (the heading, in short)."""
    if not asked.query:
        return ""
    if found is None:
        return "Nothing to search for: try a word."
    total = found.total
    said = f"{total} result{'' if total == 1 else 's'} for “{asked.query}”"
    if found.more:
        said = "More than " + said
    if found.pages > 1:
        said += f", page {found.page} of {found.pages}"
    return said
