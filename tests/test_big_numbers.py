"""Numbers too large for any id, anywhere a request carries them, answer 404 or 400, never 500.

The walk reads the app's own route map, the query parameters the code reads and the fields
its forms and templates name, so a new route, parameter or field is covered without being
listed here. It runs as a visitor, a member, a clinician and an admin.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter
from wtforms.fields.core import UnboundField

from portal.numbers import LARGEST_ID, database_id, optional_id

from .helpers import HTMX

ROOT = Path(__file__).parent.parent
HUGE = str(2**64)
NUMBERS = (HUGE, f"-{HUGE}", "9" * 400)
ALLOWED = {200, 302, 303, 400, 401, 403, 404, 405, 409, 413, 422, 429}
# The walk must not end the session it walks with.
SKIPPED_PATHS = {"/logout"}
SKIPPED_ENDPOINT_WORDS = ("log_out", "logout", "end_sessions", "sign_out")
TEXT_DEFAULTS = {"body": "A comment", "reason": "other", "note": "", "title": "A title"}


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def query_names() -> set[str]:
    """Every query parameter the code reads by name (and page, which paging reads)."""
    names = {"page"}
    for source in (ROOT / "portal").rglob("*.py"):
        names |= set(re.findall(r"args\.get(?:list)?\(\s*\"(\w+)\"", source.read_text()))
    return names


def form_names(app) -> set[str]:
    """Every field a form class declares, a template names or a view reads from the form."""
    with app.app_context():
        names: set[str] = set()
        for form in _subclasses(FlaskForm):
            names |= {
                name
                for name in dir(form)
                if not name.startswith("_") and isinstance(getattr(form, name), UnboundField)
            }
    for template in (ROOT / "templates").rglob("*.html"):
        names |= set(re.findall(r"\bname=\"(\w+)\"", template.read_text()))
    for source in (ROOT / "portal").rglob("*.py"):
        names |= set(re.findall(r"form\.get(?:list)?\(\s*\"(\w+)\"", source.read_text()))
    return names - {"csrf_token"}


def _paths(app, number: str) -> list[tuple[str, str]]:
    """(method, path) for every route, with number in every <int:…> and a word elsewhere."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or any(w in rule.endpoint for w in SKIPPED_ENDPOINT_WORDS):
            continue
        path = rule.rule
        for name, converter in rule._converters.items():
            value = number if isinstance(converter, IntegerConverter) else "x"
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, path)
        if path in SKIPPED_PATHS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def test_the_walk_finds_the_numbers_the_code_reads(app):
    assert {"page", "replytocom", "target_id"} <= query_names()
    assert {"parent_id", "comment_ids", "reports_to_hide", "max_links"} <= form_names(app)


@pytest.mark.parametrize("who", ["visitor", "patient", "clinician", "admin"])
def test_huge_numbers_in_paths_query_strings_and_forms_never_fail(app, client, people, log_in, who):
    if who != "visitor":
        log_in(people[who])
    queries, fields = sorted(query_names()), sorted(form_names(app))
    checked = 0
    for number in NUMBERS:
        query = "&".join(f"{name}={number}" for name in queries)
        # Once with every field a number, once with only the number-like ones and sensible
        # words elsewhere, so a number is not hidden behind another field's refusal.
        every_field = {name: number for name in fields}
        numbers_only = TEXT_DEFAULTS | {
            name: number
            for name in fields
            if name.endswith(("id", "ids", "page")) or name in {"page", "show"}
        }
        for method, path in _paths(app, number):
            forms = [every_field, numbers_only] if method != "GET" else [{}]
            for form in forms:
                for headers in ({}, HTMX):
                    response = client.open(
                        f"{path}?{query}", method=method, data=form, headers=headers
                    )
                    assert response.status_code in ALLOWED, (
                        who,
                        method,
                        path,
                        number[:25],
                        response.status_code,
                    )
                    checked += 1
    assert checked > 400  # the walk really covered the app
    if who != "visitor":  # and it was logged in all the way
        assert client.get("/account").status_code == 200


def test_an_int_route_past_the_largest_id_is_not_found(client, post):
    assert client.get(f"/comments/{2**63}").status_code == 404
    assert client.get(f"/people/{HUGE}").status_code == 404
    page = client.get(f"/people/{HUGE}").get_data(as_text=True)
    assert "Traceback" not in page and "<h1" in page  # the usual page


def test_huge_page_and_reply_numbers_are_read_as_absent(client, post):
    assert client.get(f"/?page={HUGE}").status_code == 200
    assert client.get(f"/posts/{post.slug}?replytocom={HUGE}").status_code == 200


def test_id_parsers_refuse_what_is_not_an_id():
    assert database_id(str(LARGEST_ID)) == LARGEST_ID
    for bad in (str(LARGEST_ID + 1), "0", "-3"):
        with pytest.raises(ValueError):
            database_id(bad)
    assert optional_id(" 42 ") == 42
    for bad in (HUGE, "", "4 2", "٣", "-1", None):
        assert optional_id(bad) is None
