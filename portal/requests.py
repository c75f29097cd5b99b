"""The request class: htmx-aware, and free of NUL characters in submitted text.

`wants_fragment` is the one answer to "page or fragment?" for every view.

NUL is not text; PostgreSQL refuses it and SQLite stores it silently. Replacing it once,
where forms and query strings are parsed, keeps every field and search box on every database
the same.
"""

from __future__ import annotations

from htmx_flask.requests import HtmxAwareRequest
from werkzeug.datastructures import MultiDict
from werkzeug.utils import cached_property

REPLACEMENT = "\ufffd"


def _without_nul(values: MultiDict) -> MultiDict:
    cleaned = MultiDict()
    for key, value in values.items(multi=True):
        if isinstance(value, str):
            key, value = key.replace("\x00", REPLACEMENT), value.replace("\x00", REPLACEMENT)
        cleaned.add(key, value)
    return cleaned


class PortalRequest(HtmxAwareRequest):
    @property
    def wants_fragment(self) -> bool:
        """htmx asked for a piece of a page; restoring history after a miss needs all of it."""
        return bool(self.htmx) and not self.htmx.history_restore_request

    def _load_form_data(self) -> None:
        super()._load_form_data()
        values = self.__dict__.get("form")
        if values is not None and any("\x00" in v for _, v in values.items(multi=True)):
            self.__dict__["form"] = _without_nul(values)

    @cached_property
    def args(self) -> MultiDict[str, str]:
        # Search boxes and filters send typed text in the query string and query with it.
        values = super().args
        if any("\x00" in key + value for key, value in values.items(multi=True)):
            return self.parameter_storage_class(_without_nul(values).items(multi=True))
        return values


def refuse_nul_in_path() -> None:
    """No page has NUL in its address; answer 404 before any lookup sees it."""
    from flask import abort, request

    if "\x00" in request.path:
        abort(404)
