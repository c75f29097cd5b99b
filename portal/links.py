"""Links: absolute ones, and many of one kind on one page.

Emails are rendered by the worker, outside any request, and a link must never point at a
host an attacker put in a header; so every absolute URL is made here, from PORTAL_BASE_URL
rather than from whoever sent the request.

A page with many rows (a thread's comments, the moderation queue) builds each kind of link
once and splices each row's id in: url_for per row was most of such a page's time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, url_for

# Stands in for an id while a link is built once; no id, slug or page number is this long.
_PLACEHOLDER = 987_654_321_012_345


def absolute_url(endpoint: str, **values: Any) -> str:
    """The full address of endpoint (with values), under the configured base URL."""
    return current_app.config["PORTAL_BASE_URL"] + url_for(endpoint, **values)


class IdLink:
    """A link whose only varying part is an id (or a slug), from one url_for: calling it
    gives exactly what url_for would have built for that value."""

    def __init__(self, build: Callable[[Any], str], occurrences: int = 1) -> None:
        pieces = build(_PLACEHOLDER).split(str(_PLACEHOLDER))
        # Found elsewhere too (in a slug, say), so splicing would be wrong: ask url_for each time.
        self._pieces = pieces if len(pieces) == occurrences + 1 else None
        self._build = build

    def __call__(self, value: Any) -> str:
        if self._pieces is None:
            return self._build(value)
        return str(value).join(self._pieces)


def id_link(endpoint: str, name: str, **values: Any) -> IdLink:
    """For templates: the links to endpoint for each value of the argument name, with values
    the same for every row (id_link("moderation.decide", "comment_id")(7))."""
    return IdLink(lambda value: url_for(endpoint, **values, **{name: value}))
