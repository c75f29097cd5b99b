"""The audit log: every moderation and account action appends one event, written by one
function; admins read and filter it; nothing edits or deletes an event."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Flag, ModerationEvent, utcnow
from portal.moderation import audit

from .helpers import HTMX, first_element, select_all, text_of
from .trust import make_trusted

PORTAL = Path(__file__).resolve().parent.parent / "portal"


def events() -> list[ModerationEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(ModerationEvent).order_by(ModerationEvent.id)))


def test_every_moderation_and_account_action_appends_an_event(
    client, people, post, make_comment, make_user, log_in
):
    held = [make_comment(post, people["patient"], f"Held {n}", status="pending") for n in range(5)]
    reported = make_comment(post, people["caregiver"], "Reported")
    rules_row = {
        "approved_before_trusted": "2",
        "max_links": "2",
        "reports_to_hide": "1",
        "watch_words": "",
        "block_words": "",
    }
    log_in(people["admin"])
    client.post(f"/moderation/comments/{held[0].id}", data={"decision": "approve"})
    client.post(
        f"/moderation/comments/{held[1].id}", data={"decision": "reject", "reason": "abusive"}
    )
    client.post(f"/moderation/comments/{held[2].id}", data={"decision": "spam"})
    client.post(
        "/moderation/bulk", data={"comment_ids": [held[3].id, held[4].id], "decision": "approve"}
    )
    client.post(f"/moderation/decisions/{events()[0].id}/undo")
    client.post("/moderation/settings", data=rules_row)
    target = people["caregiver"]
    until = (utcnow() + timedelta(days=2)).date().isoformat()
    client.post(
        f"/moderation/users/{target.id}/suspend",
        data={"suspend-until": until, "suspend-reason": "Calm down"},
    )
    client.post(f"/moderation/users/{target.id}/lift")
    client.post(f"/moderation/users/{target.id}/ban", data={"ban-reason": "Spam"})
    client.post(
        f"/moderation/users/{people['patient'].id}/verify",
        data={
            "verify-title": "Nurse",
            "verify-specialty": "MS",
            "verify-registration_body": "NMC",
            "verify-registration_number": "12A3456E",
        },
    )
    client.post("/logout")
    log_in(make_trusted(make_user("patient"), post))
    client.post(f"/comments/{reported.id}/report", data={"reason": "spam"})  # hides it (limit 1)

    logged = [(e.action, e.actor_name, e.target_type) for e in events()]
    assert logged == [
        ("approve", "Community team", "comment"),
        ("reject", "Community team", "comment"),
        ("spam", "Community team", "comment"),
        ("approve", "Community team", "comment"),
        ("approve", "Community team", "comment"),
        ("undo", "Community team", "comment"),
        ("change_settings", "Community team", "settings"),
        ("suspend", "Community team", "user"),
        ("lift", "Community team", "user"),
        ("ban", "Community team", "user"),
        ("verify_clinician", "Community team", "user"),
        ("hide_after_reports", "system", "comment"),
    ]
    rejection = events()[1]
    assert (rejection.target_id, rejection.reason) == (held[1].id, "Unkind or abusive")
    assert (rejection.from_status, rejection.to_status) == ("pending", "rejected")
    assert all(e.created_at is not None for e in events())
    settings_change = events()[6]
    assert "approved comments before trusted: 1 → 2" in settings_change.reason
    assert "reports before hiding: 3 → 1" in settings_change.reason


def sources_matching(pattern: str) -> list[str]:
    return sorted(
        path.relative_to(PORTAL).as_posix()
        for path in PORTAL.rglob("*.py")
        if re.search(pattern, path.read_text())
    )


def test_only_the_audit_module_writes_events():
    """One service function builds events; no code updates or deletes them, even in raw SQL."""
    assert sources_matching(r"(?<!class )ModerationEvent\(") == ["moderation/audit.py"]
    assert sources_matching(r"(update|delete)\(\s*ModerationEvent") == []
    assert sources_matching(r"moderation_events") == ["models.py"]  # only its table name


def test_no_route_edits_or_deletes_an_event(app):
    """The log has one route, GET; no route takes an event's id except undo, which appends."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/moderation/log"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
        if "event_id" in rule.arguments:
            assert rule.endpoint == "moderation.undo", rule


def test_undo_appends_and_leaves_the_original_event_alone(
    client, people, post, make_comment, log_in
):
    comment = make_comment(post, people["patient"], "Held", status="pending")
    log_in(people["admin"])
    client.post(f"/moderation/comments/{comment.id}", data={"decision": "spam"})
    original = events()[0]
    snapshot = (original.action, original.reason, original.from_status, original.to_status)
    client.post(f"/moderation/decisions/{original.id}/undo")
    after = events()
    assert len(after) == 2
    assert (after[0].action, after[0].reason, after[0].from_status, after[0].to_status) == snapshot


def test_the_log_lists_events_newest_first(client, people, log_in):
    audit.record(people["admin"], "ban", "user", people["patient"].id, reason="First")
    audit.record(people["admin"], "lift", "user", people["patient"].id, reason="Second")
    db.session.commit()
    log_in(people["admin"])
    response = client.get("/moderation/log")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert text_of(html, "h1") == "Audit log"
    assert html.index("Second") < html.index("First")
    words = text_of(html)
    assert "2 entries" in words
    assert "Community team" in words and "Banned" in words and "Lifted a restriction" in words


def test_the_log_filters_by_action_actor_and_target(
    client, people, post, make_comment, make_user, log_in
):
    other_admin = make_user("admin", "Night Shift")
    comment = make_comment(post, people["patient"], "Words")
    audit.record(people["admin"], "approve", "comment", comment.id, reason="alpha")
    audit.record(other_admin, "reject", "comment", comment.id, reason="bravo")
    audit.record(other_admin, "ban", "user", people["patient"].id, reason="charlie")
    db.session.commit()
    log_in(people["admin"])

    def reasons(**filters) -> set[str]:
        html = client.get("/moderation/log", query_string=filters).get_data(as_text=True)
        return {word for word in ("alpha", "bravo", "charlie") if word in html}

    assert reasons() == {"alpha", "bravo", "charlie"}
    assert reasons(action="reject") == {"bravo"}
    assert reasons(actor="night shift") == {"bravo", "charlie"}
    assert reasons(target_type="comment", target_id=comment.id) == {"alpha", "bravo"}
    assert reasons(target_type="user") == {"charlie"}
    assert reasons(action="approve", actor="Night Shift") == set()
    assert reasons(action="not-an-action") == {"alpha", "bravo", "charlie"}


def test_the_log_for_htmx_is_the_results_alone(client, people, log_in):
    audit.record(people["admin"], "ban", "user", people["patient"].id, reason="Only")
    db.session.commit()
    log_in(people["admin"])
    response = client.get("/moderation/log?action=ban", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    results = first_element(html)
    assert results.name == "section" and results["id"] == "log-results"
    assert "Only" in html and "1 entry matching the filters" in text_of(html)


def test_the_log_pages_through_many_events(client, people, log_in):
    for n in range(55):
        audit.record(people["admin"], "lift", "user", people["patient"].id, reason=f"n{n}")
    db.session.commit()
    log_in(people["admin"])
    first = client.get("/moderation/log").get_data(as_text=True)
    assert "Page 1 of 2" in first and select_all(first, '[rel="next"]')
    second = text_of(client.get("/moderation/log?page=2")).split()
    assert "n0" in second and "n54" not in second


def test_posting_to_the_log_is_not_allowed(client, people, log_in):
    log_in(people["admin"])
    assert client.post("/moderation/log").status_code == 405


def test_only_admins_read_the_log(client, people, log_in):
    assert client.get("/moderation/log").status_code == 302
    for role in ("patient", "caregiver", "clinician", "suspended"):
        log_in(people[role])
        assert client.get("/moderation/log").status_code == 403, role
        assert client.get("/moderation/log", headers=HTMX).status_code == 403, role
        client.post("/logout")


def test_a_report_is_stored_not_logged_until_it_hides_a_comment(
    client, people, post, make_comment, log_in
):
    comment = make_comment(post, people["caregiver"], "Words")
    log_in(people["patient"])
    client.post(f"/comments/{comment.id}/report", data={"reason": "spam"})
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 1
    assert events() == []
