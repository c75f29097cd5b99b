"""A post whose discussion is every hostile input, opened in Chromium with JavaScript on.

Nothing may run: no dialog opens, no injected script executes, and the browser reports no
Content-Security-Policy violation — the sanitizer, Jinja's escaping and the CSP together.
"""

from __future__ import annotations

from sqlalchemy import select

from portal import rendering
from portal.extensions import db
from portal.models import Comment, Post, User, utcnow
from tests.hostile import all_hostile_cases

# Set before any page script: traps for what injected code usually does, and a record of
# every CSP violation the page raises.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
window.__ran = [];
["alert", "confirm", "prompt", "print"].forEach(function (name) {
  var original = window[name];
  window[name] = function () { window.__ran.push(name); return original.apply(window, arguments); };
});
"""
REPLIES_PER_THREAD = 100


def build_hostile_post(site) -> tuple[str, int]:
    # NUL becomes U+FFFD where forms are parsed (portal/requests.py); stored here directly,
    # the cases take the same form.
    cases = [
        case.replace("\x00", "\ufffd")
        for case in all_hostile_cases()
        if case.strip() and len(case) <= 5000
    ]
    with site.database():
        author = site.user("neurologist")
        writers = [site.user(key) for key in ("riverwalker", "bluefinch", "steadyhand")]
        # Names straight into the database, past the form's rules: escaping must hold anyway.
        for writer, case in zip(writers, [c for c in cases if len(c) <= 40][:3], strict=False):
            writer.display_name = case
        post = Post(
            slug="hostile-wall",
            title=cases[0][:200] or "Hostile wall",
            summary=cases[1][:500],
            author=author,
            status="published",
            published_at=utcnow(),
        )
        rendering.set_post_body(post, "\n\n".join(cases[:200]), "\n".join(cases[200:260]))
        db.session.add(post)
        db.session.flush()
        root = None
        for index, case in enumerate(cases):
            # A new thread every hundred cases keeps every comment on the first page.
            parent = None if index % REPLIES_PER_THREAD == 0 else root
            comment = Comment(
                post=post, author=writers[index % 3], parent=parent, status="approved"
            )
            rendering.set_comment_body(comment, case)
            db.session.add(comment)
            db.session.flush()
            comment.root_id = parent.id if parent is not None else comment.id
            if parent is None:
                root = comment
        db.session.commit()
        count = db.session.scalar(
            select(db.func.count()).select_from(Comment).where(Comment.post_id == post.id)
        )
        assert db.session.scalar(select(User.display_name).where(User.id == writers[0].id))
    return post.slug, count


def test_a_wall_of_hostile_comments_runs_nothing(site, visit):
    slug, count = build_hostile_post(site)
    dialogs: list[str] = []
    page = visit()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(WATCH)
    page.goto(f"/posts/{slug}")
    page.wait_for_load_state("networkidle")
    rendered = page.locator(".comment__body").count()
    assert rendered == count, (rendered, count)
    # Hover and focus everything a handler might have been hung on, then look again.
    page.mouse.move(10, 10)
    page.keyboard.press("Tab")
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate("window.__ran") == []
    assert page.evaluate("window.__csp") == []
    assert page.problems == []
    # htmx still works on this page: the scripts that are ours did run.
    assert page.evaluate("typeof window.htmx") == "object"
