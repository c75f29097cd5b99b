"""The moderation rules, one by one, and the settings page where admins change them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Comment, ModerationEvent
from portal.moderation import rules

from .helpers import HTMX, text_of, value_of


def set_rules(**values) -> None:
    settings = rules.current_settings()
    for name, value in values.items():
        setattr(settings, name, value)
    db.session.commit()


def decide(author, text: str, editing: Comment | None = None) -> rules.Decision:
    return rules.decide(author, text, "", editing=editing)


# The rules themselves ---------------------------------------------------------------------


def test_defaults_are_one_approved_comment_two_links_three_reports(app):
    settings = rules.current_settings()
    assert (settings.approved_before_trusted, settings.max_links, settings.reports_to_hide) == (
        1,
        2,
        3,
    )
    assert settings.watch_words == settings.block_words == ""


@pytest.mark.parametrize("role", ["patient", "caregiver"])
def test_a_new_patient_or_caregiver_is_held_until_they_have_an_approved_comment(
    people, post, make_comment, role
):
    author = people[role]
    first = decide(author, "My first question.")
    assert first.status == "pending"
    assert "New members' first comments are read by a moderator" in first.reason
    make_comment(post, author, "An earlier comment, approved.")
    assert decide(author, "My second question.") == rules.Decision("approved")


def test_the_trust_threshold_counts_only_approved_comments(people, post, make_comment):
    set_rules(approved_before_trusted=2)
    author = people["patient"]
    make_comment(post, author, "Approved", status="approved")
    make_comment(post, author, "Rejected", status="rejected")
    make_comment(post, author, "Still held", status="pending")
    assert decide(author, "Next").status == "pending"
    make_comment(post, author, "Approved again", status="approved")
    assert decide(author, "Next").status == "approved"


def test_a_threshold_of_zero_trusts_members_from_the_start(people):
    set_rules(approved_before_trusted=0)
    assert decide(people["patient"], "Hello").status == "approved"


def test_editing_does_not_count_the_comment_being_edited(people, post, make_comment):
    only = make_comment(post, people["patient"], "My only approved comment.")
    assert decide(people["patient"], "Edited words", editing=only).status == "pending"


@pytest.mark.parametrize("role", ["clinician", "admin"])
def test_clinicians_and_admins_are_approved_on_write(people, role):
    links = " ".join(f"https://example.org/{n}" for n in range(5))
    set_rules(watch_words="dose")
    assert decide(people[role], f"About the dose: {links}") == rules.Decision("approved")


def test_more_links_than_the_limit_are_held_even_from_trusted_members(people, post, make_comment):
    author = people["patient"]
    make_comment(post, author, "Approved before.")
    two = "See https://example.org/a and https://example.org/b"
    three = two + " and https://example.org/c"
    assert decide(author, two).status == "approved"
    held = decide(author, three)
    assert held.status == "pending"
    assert held.reason == (
        "Comments with more than 2 links are checked by a moderator before they appear."
    )
    set_rules(max_links=0)
    assert decide(author, "Just https://example.org").status == "pending"


def test_a_watch_word_holds_the_comment(people, post, make_comment):
    author = people["caregiver"]
    make_comment(post, author, "Approved before.")
    set_rules(watch_words="stem cells\ndose")
    held = decide(author, "Has anyone tried STEM CELLS abroad?")
    assert held.status == "pending"
    assert held.reason == "Your comment mentions something our moderators check before it appears."
    # Whole words only: "dosette" is not "dose".
    assert decide(author, "My dosette box helps.").status == "approved"


def test_a_block_word_rejects_the_comment_whoever_writes_it(people):
    set_rules(block_words="miracle cure, buy now")
    for role in ("patient", "clinician", "admin"):
        refused = decide(people[role], "A Miracle Cure for MS!")
        assert refused.status == "rejected"
        assert refused.reason == (
            "Your comment contains words our community rules do not allow, so it was not posted."
        )


def test_word_lists_take_lines_or_commas_in_any_case():
    assert rules.word_list(" Dose,\nSTEM cells\n\n, ,x ") == ["dose", "stem cells", "x"]


def test_reports_hide_a_comment_at_the_limit(app):
    settings = rules.current_settings()
    assert not rules.hidden_by_reports(2, settings)
    assert rules.hidden_by_reports(3, settings)
    set_rules(reports_to_hide=1)
    assert rules.hidden_by_reports(1)


# What authors see ------------------------------------------------------------------------


def test_a_held_comment_tells_its_author_why_in_plain_words(client, people, post, log_in):
    log_in(people["patient"])
    response = client.post(
        f"/posts/{post.slug}/comments", data={"body": "My first question", "kind": "question"}
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Awaiting moderation — only you can see this." in page
    assert "New members&#39; first comments are read by a moderator" in page


def test_a_blocked_comment_is_refused_beside_the_field_with_the_text_kept(
    client, people, post, log_in
):
    set_rules(block_words="miracle cure")
    log_in(people["patient"])
    response = client.post(
        f"/posts/{post.slug}/comments", data={"body": "A miracle cure!", "kind": "question"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "words our community rules do not allow" in html
    assert value_of(html, "#comment-form textarea[name=body]") == "A miracle cure!"


# The settings page -----------------------------------------------------------------------

GOOD_SETTINGS = {
    "approved_before_trusted": "2",
    "max_links": "1",
    "reports_to_hide": "4",
    "watch_words": "Stem Cells\nHSCT",
    "block_words": "miracle cure",
}


def test_the_settings_page_shows_the_current_rules(client, people, log_in):
    set_rules(watch_words="dose")
    log_in(people["admin"])
    response = client.get("/moderation/settings")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert text_of(html, "h1") == "Moderation rules"
    assert value_of(html, "#approved_before_trusted") == "1"
    assert value_of(html, "#max_links") == "2"
    assert value_of(html, "#reports_to_hide") == "3"
    assert value_of(html, "textarea#watch_words") == "dose"
    fragment = client.get("/moderation/settings", headers=HTMX).get_data(as_text=True)
    assert fragment.lstrip().startswith("<form") and "<html" not in fragment


def test_an_admin_changes_the_rules_and_they_apply_at_once(client, people, post, log_in):
    log_in(people["admin"])
    response = client.post("/moderation/settings", data=GOOD_SETTINGS)
    assert response.status_code == 303
    assert "The rules are saved." in client.get("/moderation/settings").get_data(as_text=True)
    db.session.expire_all()
    settings = rules.current_settings()
    assert (settings.approved_before_trusted, settings.max_links, settings.reports_to_hide) == (
        2,
        1,
        4,
    )
    assert settings.watch_words == "stem cells\nhsct"
    event = db.session.scalar(select(ModerationEvent))
    assert (event.action, event.target_type, event.actor_name) == (
        "change_settings",
        "settings",
        "Community team",
    )
    assert "most links before holding: 2 → 1" in event.reason
    client.post("/logout")
    log_in(people["clinician"])
    refused = client.post(
        f"/posts/{post.slug}/comments", data={"body": "Not a miracle cure.", "kind": "question"}
    )
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.scalar(select(Comment.status)) is None  # refused, so nothing stored


def test_saving_with_htmx_answers_with_the_form_and_a_notice(client, people, log_in):
    log_in(people["admin"])
    response = client.post("/moderation/settings", data=GOOD_SETTINGS, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith("<form")
    assert "The rules are saved." in html
    again = client.post("/moderation/settings", data=GOOD_SETTINGS, headers=HTMX)
    assert "Nothing changed." in again.get_data(as_text=True)
    assert len(db.session.scalars(select(ModerationEvent)).all()) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("approved_before_trusted", "-1", "Enter a whole number from 0 to 100."),
        ("max_links", "many", "Enter a whole number from 0 to 50."),
        ("reports_to_hide", "0", "Enter a whole number from 1 to 100."),
        ("reports_to_hide", "", "Enter a whole number from 1 to 100."),
        ("block_words", "x" * 5001, "Use at most 5,000 characters."),
    ],
)
def test_the_settings_page_explains_bad_values_and_keeps_the_rest(
    client, people, log_in, field, value, message
):
    log_in(people["admin"])
    response = client.post("/moderation/settings", data={**GOOD_SETTINGS, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in text_of(html, f"#{field}-error")
    assert value_of(html, "textarea#watch_words") == "Stem Cells\nHSCT"
    assert rules.current_settings().max_links == 2  # nothing saved


@pytest.mark.parametrize("role", ["patient", "caregiver", "clinician", "suspended"])
def test_only_admins_change_the_rules(client, people, log_in, role):
    log_in(people[role])
    assert client.get("/moderation/settings").status_code == 403
    assert client.post("/moderation/settings", data=GOOD_SETTINGS).status_code == 403
    db.session.expire_all()
    assert rules.current_settings().max_links == 2
