"""What browser journeys share: the demo password, window sizes, the live site, visitors and
logging in. Fixtures live in conftest.py, which builds them from these; journeys import from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from portal.demo.loader import people
from portal.extensions import db
from portal.models import User

# Every demo account's password, set by the site fixtures so a journey can log in as anyone.
PASSWORD = "e2e correct horse battery"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# demo key -> login email, e.g. "admin" -> "admin@example.org"
EMAILS = {spec.key: spec.email for spec in people()}


@dataclass
class LiveSite:
    """A running portal: its address, and its app for looking into the database."""

    url: str
    app: Flask

    def at(self, path: str) -> str:
        return self.url + path

    @contextmanager
    def database(self) -> Iterator[None]:
        """An app context in which the test may query or change the site's database."""
        with self.app.app_context():
            try:
                yield
            finally:
                db.session.remove()

    def user(self, key: str) -> User:
        """A demo account by its demo key ("admin", "neurologist", "riverwalker", ...)."""
        user = db.session.scalar(select(User).where(User.email == EMAILS[key]))
        assert user is not None, f"demo account {key!r} is missing"
        return user


@dataclass
class Visitor:
    """Opens browser pages as someone: JavaScript on or off, at a given window size."""

    browser: object
    site: LiveSite
    contexts: list = field(default_factory=list)

    def page(
        self,
        as_user: str | None = None,
        *,
        js: bool = True,
        viewport: dict | None = None,
        scale: float = 1,
    ):
        context = self.browser.new_context(
            base_url=self.site.url,
            java_script_enabled=js,
            viewport=viewport or DESKTOP,
            device_scale_factor=scale,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.problems = []  # what the browser complained about: script errors, CSP, 5xx
        page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
        page.on("console", lambda message: _note_console_error(page, message))
        page.on(
            "response",
            lambda response: (
                page.problems.append(f"{response.status} from {response.url}")
                if response.status >= 500
                else None
            ),
        )
        if as_user:
            log_in(page, as_user)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


def _note_console_error(page, message) -> None:
    # Failed loads are judged by status in the response listener: a 404 or a 422 is often
    # the point of a step, a 5xx never is. Everything else logged as an error counts
    # (script errors, Content-Security-Policy violations, htmx errors).
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        page.problems.append(f"console error: {message.text}")


def log_in(page, key: str) -> None:
    """Log in through the form, as a person would; key is a demo account key."""
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(EMAILS[key])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
