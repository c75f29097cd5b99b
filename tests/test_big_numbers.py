"""Numbers too large for any id, anywhere a request carries them, answer 404 or 400, never 500.

The test walks the app's own route map, so a new route is covered without being listed.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from portal.numbers import LARGEST_ID, database_id, optional_id

HUGE = str(2**64)
NUMBER_FIELDS = ("page", "replytocom", "target_id", "parent_id", "comment_ids", "event_id")
ALLOWED = {200, 302, 303, 400, 401, 403, 404, 405, 409, 413, 422, 429}


def _paths(app, number: str) -> list[tuple[str, str]]:
    """(method, path) for every route, with number in every <int:…> and a word elsewhere."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {
            name: number if isinstance(converter, IntegerConverter) else "x"
            for name, converter in rule._converters.items()
        }
        path = rule.rule
        for name, value in values.items():
            path = path.replace(f"<int:{name}>", value).replace(f"<{name}>", value)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


@pytest.mark.parametrize("who", ["visitor", "admin"])
def test_huge_numbers_in_paths_query_strings_and_forms_never_fail(app, client, people, log_in, who):
    if who == "admin":
        log_in(people["admin"])
    query = "&".join(f"{name}={HUGE}" for name in NUMBER_FIELDS)
    form = {name: HUGE for name in NUMBER_FIELDS} | {"body": "A comment", "reason": "other"}
    checked = 0
    for method, path in _paths(app, HUGE):
        if path == "/logout":
            continue  # would end the admin's session halfway through the walk
        response = client.open(f"{path}?{query}", method=method, data=form)
        assert response.status_code in ALLOWED, (method, path, response.status_code)
        checked += 1
    assert checked > 40  # the walk really covered the app


def test_an_int_route_past_the_largest_id_is_not_found(client, post):
    assert client.get(f"/comments/{2**63}").status_code == 404
    assert client.get(f"/people/{HUGE}").status_code == 404


def test_id_parsers_refuse_what_is_not_an_id():
    assert database_id(str(LARGEST_ID)) == LARGEST_ID
    for bad in (str(LARGEST_ID + 1), "0", "-3"):
        with pytest.raises(ValueError):
            database_id(bad)
    assert optional_id(" 42 ") == 42
    for bad in (HUGE, "", "4 2", "٣", "-1", None):
        assert optional_id(bad) is None
