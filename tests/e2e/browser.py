"""What journeys check in the browser: swaps without a page load, axe, reflow, screenshots."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from axe_playwright_python.base import AXE_SCRIPT  # axe-core, bundled inside the wheel
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment

from .helpers import ARTIFACTS

POST_SLUG = "alemtuzumab-long-term-evidence"
POST_PATH = f"/posts/{POST_SLUG}"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, as axe-core tags its rules.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = ARTIFACTS / "screenshots"


@contextmanager
def without_page_load(page) -> Iterator[None]:
    """Fail unless everything in the block happens in place: a page load drops the marker."""
    token = secrets.token_hex(8)
    page.evaluate("token => { window.e2eMarker = token; }", token)
    yield
    assert page.evaluate("() => window.e2eMarker") == token, "the page was loaded again"


@contextmanager
def settled(page) -> Iterator[None]:
    """Wait after the block until htmx has settled what it swapped in.

    htmx wires up new links and forms while settling, a moment after they appear; a test
    acting faster than any person could would otherwise click a link htmx has not taken yet.
    """
    before = page.evaluate(
        """() => {
            if (window.e2eSettles === undefined) {
                window.e2eSettles = 0;
                document.addEventListener("htmx:afterSettle", () => { window.e2eSettles += 1; });
            }
            return window.e2eSettles;
        }"""
    )
    yield
    page.wait_for_function("count => window.e2eSettles > count", arg=before)


def focused_id(page) -> str:
    """The id of the element that has keyboard focus ("" for none)."""
    return page.evaluate("() => document.activeElement ? document.activeElement.id : ''")


def saved_comment(site, body: str, wait_seconds: float = 5) -> Comment:
    """The comment stored with this exact text, waiting briefly for the request to finish."""
    deadline = time.monotonic() + wait_seconds
    while True:
        with site.database():
            comment = db.session.scalar(select(Comment).where(Comment.body_source == body))
        if comment is not None:
            return comment
        assert time.monotonic() < deadline, f"no comment was saved with the text {body!r}"
        time.sleep(0.05)


def comment_status(site, comment_id: int) -> str:
    with site.database():
        return db.session.get(Comment, comment_id).status


def assert_no_problems(page) -> None:
    """No script error, CSP violation or server error happened on this page."""
    assert page.problems == [], "\n".join(page.problems)


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG A/AA violations on the page as it is now."""
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        WCAG_TAGS,
    )
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']!r}")
            lines.append(f"        {node['html'][:200]}")
    return "\n".join(lines)


def sideways_overflow(page) -> list[str]:
    """Elements wider than the window, when the page scrolls sideways; empty when it does not."""
    return page.evaluate(
        """() => {
            const width = window.innerWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            const culprits = [];
            // Content inside a box that scrolls on its own does not widen the page, unless it
            // is positioned and escapes that box (a scroller is not its containing block).
            const clipped = element => {
                if (["absolute", "fixed"].includes(getComputedStyle(element).position)) {
                    return false;
                }
                for (let up = element.parentElement; up && up !== document.body;
                     up = up.parentElement) {
                    if (getComputedStyle(up).overflowX !== "visible") return true;
                }
                return false;
            };
            for (const element of document.querySelectorAll("body *")) {
                const box = element.getBoundingClientRect();
                if (box.right > width + 0.5 && box.width > 0 && !clipped(element)) {
                    const name = element.tagName.toLowerCase()
                        + (element.id ? "#" + element.id : "")
                        + (element.className && typeof element.className === "string"
                            ? "." + element.className.trim().split(/\\s+/).join(".") : "");
                    culprits.push(name + " right=" + Math.round(box.right));
                }
            }
            return [
                "scrollWidth " + document.documentElement.scrollWidth + " > " + width,
                ...culprits.slice(0, 12),
            ];
        }"""
    )


def screenshot(page, name: str) -> Path:
    """Save what the window shows, named by page and window size, under test-artifacts/."""
    size = page.viewport_size
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    assert path.stat().st_size > 0
    return path
