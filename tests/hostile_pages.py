"""Checks for pages that show hostile text: what every answer to a hostile request must hold.

Not a test module: tests/test_hostile_fields.py imports from here. The rules:

- no answer is a server error (2xx, 3xx or 4xx only);
- a refused value is explained beside the form and comes back in it, escaped;
- plain text (names, titles, reasons, notes) is shown HTML-escaped: the raw text, when it holds
  markup characters, appears nowhere, and the only ``<script`` tags are the page's own;
- user HTML (comment and post bodies, references) holds nothing executable.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from markupsafe import escape
from werkzeug.test import TestResponse

from .hostile import assert_no_executable

# Containers of sanitized user HTML: <div class="… prose …" hx-disable>. The sanitizer never
# lets a <div> through, so the first </div> after the opening tag closes the container.
USER_HTML_RE = re.compile(r'<div class="([^"]*\bprose\b[^"]*)" hx-disable>(.*?)</div>', re.S)
SCRIPT_TAG_RE = re.compile(r"<script", re.IGNORECASE)
OUR_SCRIPT_TAG = '<script src="/static/'
# The ways our forms say what is wrong: beside a field, above the form, or in a summary.
ERROR_MARKERS = ('class="error-message"', 'class="form-errors"', 'class="error-summary"')
MARKUP_CHARACTERS = ("<", '"', "&")
NUL, REPLACEMENT = "\x00", "\ufffd"


def submitted(case: str) -> str:
    """What the application receives for case: form parsing turns NUL into U+FFFD."""
    return case.replace(NUL, REPLACEMENT)


def escaped(text: str) -> str:
    """text as Jinja and WTForms write it into a page."""
    return str(escape(text))


def page_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def assert_answered(response: TestResponse, case: str, allowed: tuple[int, ...] = ()) -> str:
    """Fail on a server error (or on a status outside allowed, when given); return the page."""
    status = response.status_code
    assert status < 500, f"{status} for {case!r}"
    if allowed:
        assert status in allowed, f"{status} (expected one of {allowed}) for {case!r}"
    return page_of(response)


def assert_only_our_scripts(page: str, expected: int) -> None:
    """Every <script in the page is one of our own static files, as many as on a clean page."""
    found = len(SCRIPT_TAG_RE.findall(page))
    ours = page.count(OUR_SCRIPT_TAG)
    assert found == ours == expected, f"{found} <script tags, {ours} ours, expected {expected}"


def user_html(page: str, css_class: str | None = None) -> list[str]:
    """The user-HTML containers of page (only those whose class list holds css_class)."""
    return [
        inner
        for classes, inner in USER_HTML_RE.findall(page)
        if css_class is None or css_class in classes.split()
    ]


def assert_user_html_safe(page: str, css_class: str | None = None) -> list[str]:
    """Run the executable-content checker over each user-HTML container; return them."""
    containers = user_html(page, css_class)
    for inner in containers:
        assert_no_executable(inner)
    return containers


def outside_user_html(page: str) -> str:
    """page without its user-HTML containers, which hold sanitized HTML rather than text."""
    return USER_HTML_RE.sub("", page)


def assert_shown_escaped(
    page: str, shown: Iterable[str] | str, raw_forms: Iterable[str] = (), *, clean_page: str = ""
) -> None:
    """Plain text shown on a page: present HTML-escaped, and never raw outside user HTML.

    shown holds the texts as stored (normalised, stripped, ...), which must all appear escaped;
    raw_forms are further spellings that must not appear unescaped (the cases as typed). A raw
    form that a clean page of the same kind already holds, as our own markup, may appear as
    often as it does there. Script tags are checked separately (assert_only_our_scripts).
    """
    shown = [shown] if isinstance(shown, str) else list(shown)
    text = outside_user_html(page)
    for value in shown:
        if value:
            assert escaped(value) in text, f"{value!r} is not shown escaped"
    # The escaped text itself may hold a raw form ("&lt;b" inside "&amp;lt;b"): look past it.
    rest = text
    for value in sorted({escaped(value) for value in shown if value}, key=len, reverse=True):
        rest = rest.replace(value, "\ue000")
    clean_text = outside_user_html(clean_page)
    for raw in {*shown, *raw_forms}:
        if len(raw) > 3 and any(ch in raw for ch in MARKUP_CHARACTERS):
            assert rest.count(raw) <= clean_text.count(raw), f"{raw!r} appears unescaped"


def form_value(page: str, name: str) -> str:
    """The text in the first input or textarea called name, unescaped."""
    attribute = rf'<input [^>]*\bname="{re.escape(name)}"[^>]*\bvalue="([^"]*)"'
    element = rf'<textarea [^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</textarea>'
    found = re.search(attribute, page) or re.search(element, page, re.S)
    assert found, f"no field {name!r} on the page"
    value = found.group(1)
    if found.re.pattern == element:
        # A browser drops one line end right after <textarea>; WTForms writes one for that.
        value = value.removeprefix("\r\n") if value.startswith("\r\n") else value.removeprefix("\n")
    return html.unescape(value)


def assert_refused(response: TestResponse, case: str, *kept: str) -> str:
    """A refusal: 4xx with a message, and each kept text given back in the form, escaped."""
    page = assert_answered(response, case)
    assert 400 <= response.status_code < 500, f"{response.status_code} for {case!r}"
    assert any(marker in page for marker in ERROR_MARKERS), f"no message for {case!r}"
    for text in kept:
        if text:
            assert escaped(text) in page, f"{text!r} was not given back for {case!r}"
    return page
