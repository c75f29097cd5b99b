"""Every page type, checked by axe-core with JavaScript on and off, for sideways scrolling at
200% zoom and on a phone, and photographed at desktop and phone sizes.

One live site serves the whole module: these checks only read (opening an inline form writes
nothing), so they can share it, and each signed-in person logs in once per browser context.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal import rendering
from portal.extensions import db
from portal.mail.unsubscribe import unsubscribe_token
from portal.models import Comment, Notification, OutgoingEmail, Post, utcnow
from portal.notifications.service import notify
from portal.tokens import make_token

from .browser import (
    AXE_SCRIPT,
    POST_PATH,
    POST_SLUG,
    axe_violations,
    describe_violations,
    screenshot,
    sideways_overflow,
)
from .helpers import DESKTOP, PHONE, LiveSite, log_in

# Without JavaScript, axe cannot run at all (its checks wait on timers that never fire), so
# the no-JS DOM is reproduced instead: JavaScript stays on for axe, but the page's own scripts
# (htmx and portal.js) are refused. That is exactly what a browser with scripting off builds:
# the server's HTML with nothing added or changed by script. The templates use no <noscript>,
# the one element that would differ.
PAGE_SCRIPTS = re.compile(r"/static/.*\.js(\?.*)?$")


def first_question_id(site: LiveSite) -> int:
    with site.database():
        return db.session.scalar(
            select(Comment.id)
            .join(Post)
            .where(Post.slug == POST_SLUG, Comment.parent_id.is_(None))
            .where(Comment.status == "approved")
            .order_by(Comment.created_at, Comment.id)
        )


def person_id(site: LiveSite, key: str) -> int:
    with site.database():
        return site.user(key).id


def notifications_of_every_look(site: LiveSite) -> str:
    """RiverWalker's notifications page, holding one of each look: a reply (unread), an account
    notice (read) and a comment not published, with its reason and the member's own text."""
    with site.database():
        member = site.user("riverwalker")
        if not db.session.scalar(select(Notification.id).where(Notification.user_id == member.id)):
            own = db.session.scalar(
                select(Comment).where(Comment.author_id == member.id).order_by(Comment.id)
            )
            notify(member, "reply", comment=own, delivery="in_app")
            notify(
                member, "account_action", detail="A notice already read.", delivery="in_app"
            ).read_at = utcnow()
            notify(
                member,
                "comment_not_published",
                comment=own,
                detail="Please ask your own team about doses.",
                delivery="in_app",
            )
            db.session.commit()
    return "/notifications"


def not_published_notice(site: LiveSite) -> str:
    """A notice of a rejected comment on its own page: the text, the reason, and the form to
    edit and post it again (issue 15)."""
    with site.database():
        member = site.user("riverwalker")
        found = db.session.scalar(
            select(Notification.id).where(
                Notification.user_id == member.id,
                Notification.kind == "comment_not_published",
                Notification.detail == "Please do not advise on doses.",
            )
        )
        if found is None:
            post = db.session.scalar(select(Post).where(Post.slug == POST_SLUG))
            rejected = Comment(post=post, author=member, status="rejected", kind="discussion")
            rendering.set_comment_body(rejected, "Double the dose, it worked for me.")
            rejected.moderation_reason = "Please do not advise on doses."
            db.session.add(rejected)
            db.session.flush()
            rejected.root_id = rejected.id
            found = notify(
                member,
                "comment_not_published",
                comment=rejected,
                detail=rejected.moderation_reason,
                delivery="in_app",
            )
            db.session.commit()
            found = found.id
    return f"/notifications/{found}"


def unsubscribe_path(site: LiveSite) -> str:
    with site.database():
        return f"/unsubscribe/{unsubscribe_token(site.user('riverwalker').id, 'reply')}"


def failed_mail(site: LiveSite) -> str:
    """The admins' failed-email list, holding one email the mail server refused to the end."""
    with site.database():
        if not db.session.scalar(select(OutgoingEmail.id).where(OutgoingEmail.status == "failed")):
            member = site.user("riverwalker")
            refusal = f"SMTPRecipientsRefused: {{'{member.email}': (550, b'5.1.1 No such user')}}"
            db.session.add(
                OutgoingEmail(
                    user=member,
                    to_address=member.email,
                    template="reply",
                    status="failed",
                    attempts=6,
                    last_error=refusal,
                )
            )
            db.session.commit()
    return "/moderation/mail"


@dataclass(frozen=True)
class PageType:
    name: str
    path: Callable[[LiveSite], str]
    user: str | None = None  # demo account key; None for a visitor
    status: int = 200
    reply_open: bool = False  # open the inline reply form under the first question
    detail: str | None = None  # a part further down worth its own screenshot (CSS selector)

    def url(self, site: LiveSite, js: bool) -> str:
        path = self.path(site)
        if self.reply_open and not js:
            # Without JavaScript, Reply is a link to the post with the form in place.
            return f"{path}?replytocom={first_question_id(site)}"
        return path


def fixed(path: str) -> Callable[[LiveSite], str]:
    return lambda site: path


def reset_form(site: LiveSite) -> str:
    """A live password-reset link for a demo member (opening the form does not use it)."""
    with site.database():
        user = site.user("riverwalker")
        token = make_token("reset-password", {"user": user.id, "nonce": user.reset_nonce})
    return f"/password/reset/{token}"


def two_step_on(key: str, path: str) -> Callable[[LiveSite], str]:
    """path (with {id}: the member's id), once that member's two-step login is on, so that an
    admin's member page shows its reset form. Nobody here logs in as them."""

    def turn_on(site: LiveSite) -> str:
        import pyotp

        from portal.two_factor import sealing

        with site.database():
            member = site.user(key)
            if not member.has_two_factor:
                member.two_factor_secret = sealing.seal(pyotp.random_base32())
                member.two_factor_confirmed_at = utcnow()
                db.session.commit()
            return path.format(id=member.id)

    return turn_on


def unconfirmed(path: str) -> Callable[[LiveSite], str]:
    """path, for a member whose address is not confirmed yet (NewLeaf42 is made so first)."""

    def unconfirm(site: LiveSite) -> str:
        with site.database():
            site.user("newleaf").email_verified_at = None
            db.session.commit()
        return path

    return unconfirm


PAGE_TYPES = [
    PageType("home", fixed("/")),
    PageType("post-thread", fixed(POST_PATH), detail="#comments"),
    PageType("post-thread-member", fixed(POST_PATH), user="riverwalker"),
    PageType("post-answers", fixed(f"{POST_PATH}/answers"), detail="#comments"),
    PageType("inline-reply", fixed(POST_PATH), user="steadyhand", reply_open=True),
    PageType("login", fixed("/login")),
    PageType("register", fixed("/register")),
    PageType("check-email", fixed("/register/check-email")),
    PageType("forgot-password", fixed("/password/forgot")),
    PageType("reset-form", reset_form),
    PageType("link-no-longer-works", fixed("/password/reset/not-a-token"), status=400),
    PageType("post-thread-unconfirmed", unconfirmed(POST_PATH), user="newleaf", detail="#comments"),
    PageType("account", fixed("/account"), user="riverwalker"),
    PageType("notifications", notifications_of_every_look, user="riverwalker"),
    PageType("notification-not-published", not_published_notice, user="riverwalker"),
    PageType("notification-settings", fixed("/account/notifications"), user="neurologist"),
    PageType("unsubscribe", unsubscribe_path),
    PageType("moderation-queue", fixed("/moderation"), user="admin"),
    PageType("moderation-reported", fixed("/moderation?show=reported"), user="admin"),
    PageType("moderation-settings", fixed("/moderation/settings"), user="admin"),
    PageType(
        "redact-comment",
        lambda site: f"/moderation/comments/{first_question_id(site)}/redact",
        user="admin",
    ),
    PageType("audit-log", fixed("/moderation/log"), user="admin"),
    PageType("users", fixed("/moderation/users"), user="admin"),
    PageType("failed-mail", failed_mail, user="admin"),
    PageType(
        "user-admin",
        lambda site: f"/moderation/users/{person_id(site, 'newleaf')}",
        user="admin",
    ),
    PageType("user-admin-two-step", two_step_on("nurse", "/moderation/users/{id}"), user="admin"),
    # Two-step login: setting it up (QR code, typed key, code field) and its settings page.
    # The code after the password and the recovery codes are checked by axe in their journey
    # (test_two_factor_journey.py): they need a half-done login or a fresh setup.
    PageType("two-step-set-up", fixed("/account/two-step/set-up"), user="riverwalker"),
    PageType("two-step-settings", fixed("/account/two-step"), user="riverwalker"),
    PageType("clinic-questions", fixed("/clinic/questions"), user="neurologist"),
    PageType("my-posts", fixed("/clinic/posts"), user="neurologist"),
    PageType("post-editor", fixed("/clinic/posts/new"), user="neurologist"),
    PageType("profile-clinician", lambda site: f"/people/{person_id(site, 'neurologist')}"),
    PageType("profile-patient", lambda site: f"/people/{person_id(site, 'riverwalker')}"),
    PageType("author-posts", lambda site: f"/people/{person_id(site, 'neurologist')}/posts"),
    PageType("tag", fixed("/tags/alemtuzumab")),
    PageType("search", fixed("/search?q=thyroid"), detail="#search-results"),
    PageType("search-answered", fixed("/search?q=thyroid&kind=answered"), user="riverwalker"),
    PageType("rules", fixed("/rules")),
    PageType("not-found", fixed("/no-such-page"), status=404),
]
IDS = [page_type.name for page_type in PAGE_TYPES]


class Browsers:
    """One browser context per person and mode, each logged in once, reused across pages."""

    def __init__(self, visitor) -> None:
        self.visitor = visitor
        self.pages: dict[tuple, object] = {}

    def page(self, user: str | None, mode: str):
        key = (user, mode)
        if key not in self.pages:
            scale = 2 if mode == "zoom" else 1
            # A 1280 px window at 200% zoom lays pages out in 640 CSS pixels.
            viewport = {"width": 640, "height": 400} if mode == "zoom" else DESKTOP
            page = self.visitor.page(viewport=viewport, scale=scale)
            if mode == "no-js":
                page.route(PAGE_SCRIPTS, lambda route: route.abort())
            if user:
                log_in(page, user)
            self.pages[key] = page
        return self.pages[key]


@pytest.fixture(scope="module")
def browsers(shared_visitor) -> Browsers:
    return Browsers(shared_visitor)


def photograph(page, page_type: PageType) -> None:
    """The window as loaded, and scrolled to the page type's detail when it has one."""
    screenshot(page, page_type.name)
    if page_type.detail:
        page.locator(page_type.detail).evaluate(
            "element => element.scrollIntoView({behavior: 'instant', block: 'start'})"
        )
        screenshot(page, f"{page_type.name}-detail")


def load(browsers: Browsers, site: LiveSite, page_type: PageType, mode: str):
    page = browsers.page(page_type.user, mode)
    js = mode != "no-js"
    response = page.goto(page_type.url(site, js))
    assert response is not None
    assert response.status == page_type.status, (
        f"{page_type.name}: {page_type.url(site, js)} answered {response.status}, "
        f"expected {page_type.status}"
    )
    if page_type.reply_open and js:
        question = first_question_id(site)
        page.locator(f"#comment-card-{question}").get_by_role(
            "link", name=re.compile(r"^Reply to ")
        ).click()
        expect(page.locator(f"#reply-slot-{question} form")).to_be_visible()
    return page


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=IDS)
def test_page_has_no_wcag_violations_with_javascript(browsers, shared_site, page_type):
    page = load(browsers, shared_site, page_type, "js")
    if page.viewport_size != DESKTOP:
        page.set_viewport_size(DESKTOP)
    violations = axe_violations(page)
    photograph(page, page_type)
    assert violations == [], f"{page_type.name}:\n{describe_violations(violations)}"


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=IDS)
def test_page_has_no_wcag_violations_without_javascript(browsers, shared_site, page_type):
    page = load(browsers, shared_site, page_type, "no-js")
    assert page.evaluate("() => typeof window.htmx") == "undefined", "htmx was not held back"
    violations = axe_violations(page)
    assert violations == [], f"{page_type.name} (no JS):\n{describe_violations(violations)}"


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=IDS)
def test_landmarks_have_names_that_tell_them_apart(browsers, shared_site, page_type):
    """axe's landmark rules are "best practice", outside the WCAG tags above; screen-reader
    users jump by landmark, so two called the same (members, log: issue 15) are a fault here."""
    page = load(browsers, shared_site, page_type, "js")
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        """rules => axe.run(document, {
            runOnly: {type: "rule", values: rules}, resultTypes: ["violations"]})""",
        ["landmark-unique", "landmark-no-duplicate-main", "landmark-one-main"],
    )
    violations = result["violations"]
    assert violations == [], f"{page_type.name}:\n{describe_violations(violations)}"


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=IDS)
def test_page_does_not_scroll_sideways_zoomed_or_on_a_phone(browsers, shared_site, page_type):
    page = load(browsers, shared_site, page_type, "zoom")
    assert page.evaluate("() => window.innerWidth") == 640
    overflow = sideways_overflow(page)
    assert overflow == [], f"{page_type.name} at 200% zoom:\n" + "\n".join(overflow)

    page = browsers.page(page_type.user, "js")
    page.set_viewport_size(PHONE)
    page = load(browsers, shared_site, page_type, "js")
    overflow = sideways_overflow(page)
    photograph(page, page_type)
    page.set_viewport_size(DESKTOP)
    assert overflow == [], f"{page_type.name} at 390 px:\n" + "\n".join(overflow)
