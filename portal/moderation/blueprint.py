"""The moderation area's blueprint, shared by its view modules."""

from __future__ import annotations

from flask import Blueprint, request

bp = Blueprint("moderation", __name__)


def wants_fragment() -> bool:
    """htmx asked for a piece of the page (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def page_arg(source=None) -> int:
    """The page number from a query string or form, never less than 1."""
    value = (source if source is not None else request.args).get("page", "1")
    return int(value) if str(value).isdigit() and int(value) > 0 else 1
