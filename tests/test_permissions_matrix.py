"""Who may use which route: every route of the app, requested as each kind of person.

The matrix below lists every route (method and rule) with the status each role must get.
A route the matrix does not list fails test_every_route_is_in_the_matrix, so a new route
needs one new line here. Requests are plain (no htmx) and POSTs send an empty form, so an
allowed POST usually answers 422 (the form's errors), a refused one 403, and a visitor is
sent to log in (302). Each case runs in a fresh database, the roles one after another.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from portal.extensions import db
from portal.mail.unsubscribe import unsubscribe_token
from portal.models import Follow, LoginSession
from portal.moderation import audit
from portal.notifications.service import notify

from .helpers import login

ROLES = ("visitor", "patient", "caregiver", "clinician", "admin", "suspended")
LOGIN = 302  # a visitor asking for a member's page is sent to log in
NO = 403


@dataclass(frozen=True)
class Expect:
    """The status each role must get.

    path: the path to request when the rule's placeholder names are not enough ("{tag_slug}");
    data: the form a POST sends (empty unless an empty form would not show the permission).
    """

    statuses: dict[str, int]
    path: str | None = None
    data: dict = field(default_factory=dict)

    def at(self, path: str) -> Expect:
        return replace(self, path=path)

    def but(self, **statuses: int) -> Expect:
        return replace(self, statuses={**self.statuses, **statuses})


def everyone(status: int) -> Expect:
    return Expect({role: status for role in ROLES})


def members(status: int, *, restricted: int | None = None) -> Expect:
    """Any logged-in member; restricted (suspended) accounts get their own status."""
    statuses = {role: status for role in ROLES}
    statuses["visitor"] = LOGIN
    statuses["suspended"] = status if restricted is None else restricted
    return Expect(statuses)


def only(status: int, *roles: str) -> Expect:
    """These active roles get status; other members 403; visitors log in first."""
    statuses = {role: (status if role in roles else NO) for role in ROLES}
    statuses["visitor"] = LOGIN
    return Expect(statuses)


def clinical(status: int) -> Expect:
    return only(status, "clinician", "admin")


def admins(status: int) -> Expect:
    return only(status, "admin")


# "METHOD /rule": what each role gets. Paths use the world's ids by placeholder name.
MATRIX: dict[str, Expect] = {
    # Reading: open to all.
    "GET /": everyone(200),
    "GET /posts/<slug>": everyone(200),
    "GET /posts/<slug>/threads": everyone(302),  # without htmx, back to the post page
    "GET /posts/<slug>/answers": everyone(200),  # clinicians' answers on a post
    "GET /search": everyone(200).at("/search?q=thyroid"),  # search: visitors and members alike
    "GET /posts/<slug>/comments.atom": everyone(200),
    "GET /feed.atom": everyone(200),
    "GET /tags/<slug>": everyone(200).at("/tags/{tag_slug}"),
    "GET /people/<int:user_id>": everyone(200),
    "GET /people/<int:user_id>/posts": everyone(200).at("/people/{author_id}/posts"),
    "GET /rules": everyone(200),
    "GET /privacy": everyone(200),
    "GET /favicon.ico": everyone(200),
    "GET /healthz": everyone(200),
    "GET /static/<path:filename>": everyone(200).at("/static/css/portal.css"),
    "GET /comments/<int:comment_id>": everyone(302),  # without htmx, the permalink
    "GET /comments/<int:comment_id>/reply": everyone(302),  # without htmx, the post page
    "GET /comments/<int:comment_id>/reply/cancel": everyone(302),
    # Accounts.
    "GET /login": members(302).but(visitor=200),  # logged in: straight on
    "POST /login": everyone(422),
    "GET /register": members(302).but(visitor=200),
    "POST /register": members(302).but(visitor=422),
    "GET /register/check-email": everyone(200),
    "GET /password/forgot": everyone(200),
    "POST /password/forgot": everyone(422),
    "GET /password/forgot/sent": everyone(200),
    # Links from emails: a token that is not one gets the "link no longer works" page.
    "GET /password/reset/<token>": everyone(400).at("/password/reset/not-a-token"),
    "POST /password/reset/<token>": everyone(400).at("/password/reset/not-a-token"),
    "GET /account/verify/<token>": everyone(400).at("/account/verify/not-a-token"),
    "GET /account/email/confirm/<token>": everyone(400).at("/account/email/confirm/not-a-token"),
    "POST /account/email/confirm/<token>": everyone(400).at("/account/email/confirm/not-a-token"),
    "POST /logout": everyone(303),
    "GET /account": members(200),
    "POST /account/name": members(422),
    "POST /account/password": members(422),
    "GET /account/export": members(200),
    "GET /account/delete": members(200),
    "POST /account/delete": members(422),
    "POST /account/logins/end-others": members(303),
    "POST /account/logins/<int:login_id>/end": members(404),  # the bystander's login
    "POST /account/comment-list": only(303, "patient", "caregiver", "suspended"),
    "POST /account/verify/resend": members(303),  # already confirmed: said so, and back
    "POST /account/email": members(422),
    "POST /account/email/cancel": members(303),
    # Writing: members; suspended accounts are told why (403).
    "POST /posts/<slug>/comments": members(422, restricted=NO),
    # Has this been asked? Offered to those who ask (an empty draft: the page, nothing found).
    "POST /posts/<slug>/similar-questions": only(200, "patient", "caregiver"),
    "GET /comments/<int:comment_id>/edit": members(NO),  # someone else's comment
    "POST /comments/<int:comment_id>/edit": members(NO),
    "GET /comments/<int:comment_id>/delete": members(NO),
    "POST /comments/<int:comment_id>/delete": members(NO),
    "GET /comments/<int:comment_id>/report": members(200, restricted=NO),
    "POST /comments/<int:comment_id>/report": members(422, restricted=NO),
    # Questions on the post page: only the reply's clinician or the asker marks (the
    # bystander's question is neither's); clinicians and moderators change a thread's kind.
    "POST /comments/<int:comment_id>/mark-answer": members(NO),
    "POST /comments/<int:comment_id>/unmark-answer": members(NO),
    "POST /comments/<int:comment_id>/kind": clinical(422),  # an empty form chooses no kind
    "POST /comments/<int:comment_id>/helpful": members(422, restricted=NO),
    # Notifications and following: members, restricted ones too (reading is not posting).
    "GET /notifications": members(200),
    "GET /notifications/<int:notification_id>": members(404),  # the bystander's own
    "POST /notifications/<int:notification_id>/read": members(404),
    "POST /notifications/<int:notification_id>/post-again": members(404),  # not theirs
    "POST /notifications/read": members(303),
    "POST /posts/<slug>/follow": members(422),  # an empty form says neither follow nor stop
    "POST /comments/<int:comment_id>/follow": members(422),
    "POST /account/following/<int:follow_id>/stop": members(404),  # the bystander's follow
    "GET /account/notifications": members(200),
    "POST /account/notifications": members(303),
    # An email's one-click link works for anyone holding it, logged in or not.
    "GET /unsubscribe/<token>": everyone(200),
    "POST /unsubscribe/<token>": everyone(200),
    # The clinic: clinicians and admins.
    "GET /clinic/posts": clinical(200),
    "GET /clinic/posts/new": clinical(200),
    "POST /clinic/posts/new": clinical(422),
    "GET /clinic/posts/<int:post_id>/edit": clinical(200),
    "POST /clinic/posts/<int:post_id>/edit": clinical(422),
    "POST /clinic/posts/<int:post_id>/publish": clinical(303),
    "POST /clinic/posts/<int:post_id>/unpublish": clinical(303),
    "GET /clinic/questions": clinical(200),
    # Handling a question: verified clinicians only; admins see the list, not the actions.
    "GET /clinic/questions/<int:comment_id>/answer": only(200, "clinician"),
    "POST /clinic/questions/<int:comment_id>/answer": only(422, "clinician"),
    "GET /clinic/questions/<int:comment_id>/holding": only(200, "clinician"),
    "POST /clinic/questions/<int:comment_id>/holding": only(422, "clinician"),
    "POST /clinic/questions/<int:comment_id>/claim": only(303, "clinician"),
    "POST /clinic/questions/<int:comment_id>/release": only(422, "clinician"),  # not theirs
    "GET /clinic/questions/<int:comment_id>/close": only(200, "clinician"),
    "POST /clinic/questions/<int:comment_id>/close": only(422, "clinician"),
    # Moderation: admins.
    "GET /moderation": admins(200),
    "POST /moderation/comments/<int:comment_id>": admins(422),
    "GET /moderation/comments/<int:comment_id>/redact": admins(200),
    "POST /moderation/comments/<int:comment_id>/redact": admins(422),
    "POST /moderation/bulk": admins(422),
    "POST /moderation/decisions/<int:event_id>/undo": admins(303),
    "GET /moderation/settings": admins(200),
    "POST /moderation/settings": admins(422),
    "GET /moderation/users": admins(200),
    "GET /moderation/users/<int:user_id>": admins(200),
    "POST /moderation/users/<int:user_id>/suspend": admins(422),
    "POST /moderation/users/<int:user_id>/ban": admins(422),
    "POST /moderation/users/<int:user_id>/lift": admins(422),
    "POST /moderation/users/<int:user_id>/verify": admins(422),
    "POST /moderation/users/<int:user_id>/author": admins(422),
    "POST /moderation/users/<int:user_id>/revoke": admins(422),
    "POST /moderation/users/<int:user_id>/password-reset": admins(303),
    # Two-step login: the step after the password needs a half-done login (none here: back
    # to the login page); the account's own pages are any member's; an admin resets a
    # member's (the bystander has none to reset: said beside the form).
    "GET /login/two-step": everyone(303),
    "POST /login/two-step": everyone(303),
    "GET /login/two-step/recovery": everyone(303),
    "POST /login/two-step/recovery": everyone(303),
    "GET /account/two-step": members(200),
    "GET /account/two-step/set-up": members(200),
    "POST /account/two-step/set-up": members(422),
    "POST /account/two-step/recovery-codes": members(303),  # not on: back to the settings
    "POST /account/two-step/turn-off": members(303),
    "POST /moderation/users/<int:user_id>/two-step-reset": admins(422),
    "GET /moderation/log": admins(200),
    "GET /moderation/mail": admins(200),
    "POST /moderation/mail/<int:email_id>/retry": admins(404).at("/moderation/mail/999999/retry"),
}

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def app_routes(app) -> dict[str, str]:
    """Every "METHOD /rule" of the app, with its rule."""
    routes = {}
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            routes[f"{method} {rule.rule}"] = rule.rule
    return routes


def test_every_route_is_in_the_matrix(app):
    routes = set(app_routes(app))
    missing = sorted(routes - set(MATRIX))
    stale = sorted(set(MATRIX) - routes)
    assert not missing, f"add a line to MATRIX for each new route: {missing}"
    assert not stale, f"these MATRIX lines name routes that no longer exist: {stale}"


def test_an_unlisted_route_is_caught(app):
    app.add_url_rule("/an-unlisted-example", "an_unlisted_example", lambda: "")
    assert set(app_routes(app)) - set(MATRIX) == {"GET /an-unlisted-example"}


@pytest.fixture()
def placeholders(people, make_post, make_user, make_comment) -> dict[str, object]:
    """What the rules' placeholders (and the paths' {names}) point at."""
    from portal import tags

    post = make_post(author=people["clinician"])
    post.tags = [tags.get_or_create("alemtuzumab")]
    bystander = make_user("patient", "Bystander")
    question = make_comment(post, bystander, "A question from someone else.")
    # A reply an admin approved: the decision undo can take back.
    reply = make_comment(post, bystander, "A reply.", parent=question)
    event = audit.record(
        people["admin"], "approve", "comment", reply.id, from_status="pending", to_status="approved"
    )
    # The bystander's own notification and follow, and their unsubscribe link.
    notification = notify(bystander, "reply", comment=reply, delivery="in_app")
    follow = Follow(user_id=bystander.id, post_id=post.id)
    db.session.add(follow)
    # The bystander's login on a device of theirs: no one else can log it out.
    bystanders_login = LoginSession(user_id=bystander.id, key_hash="0" * 64, device="Firefox")
    db.session.add(bystanders_login)
    db.session.commit()
    return {
        "notification_id": notification.id,
        "follow_id": follow.id,
        "login_id": bystanders_login.id,
        "token": unsubscribe_token(bystander.id, "reply"),
        "slug": post.slug,
        "tag_slug": post.tags[0].slug,
        "post_id": post.id,
        "comment_id": question.id,  # someone else's question: not the roles' own
        "user_id": bystander.id,
        "author_id": post.author_id,  # who wrote the post: their posts have a page
        "event_id": event.id,
    }


def path_for(rule: str, expect: Expect, placeholders: dict[str, object]) -> str:
    template = expect.path or rule.replace("<int:", "<").replace("<path:", "<")
    template = template.replace("<", "{").replace(">", "}")
    return template.format(**placeholders)


# Clinicians and admins, who may change most (publish, undo), go last.
ORDER = ("visitor", "patient", "caregiver", "suspended", "clinician", "admin")


@pytest.mark.parametrize("key", list(MATRIX))
def test_each_role_gets_the_status_the_matrix_says(client, people, placeholders, key):
    method, rule = key.split(" ", 1)
    expect = MATRIX[key]
    path = path_for(rule, expect, placeholders)
    got = {}
    for role in ORDER:
        if role != "visitor":
            assert login(client, people[role]).status_code == 303
        got[role] = client.open(path, method=method, data=expect.data).status_code
        client.post("/logout")
    wrong = {
        role: f"got {got[role]}, expected {expect.statuses[role]}"
        for role in ORDER
        if got[role] != expect.statuses[role]
    }
    assert not wrong, f"{key} ({path}): {wrong}"
