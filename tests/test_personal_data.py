"""Personal details in what members write: found, shown to the writer, edited out or posted
anyway (then held for a moderator unless the writer is staff), and redacted by moderators."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench import long_comments
from portal import personal_data
from portal.extensions import db
from portal.models import Comment, ModerationEvent, Notification, User

from .helpers import HTMX, select_all, select_one, text_of, value_of
from .hostile import all_hostile_cases, load_cases

SHARED_CORPUS = Path("/work/shared/corpus")


def kinds(text: str) -> list[tuple[str, str]]:
    return [(text[span.start : span.end], span.kind) for span in personal_data.find(text)]


def comments_in_db() -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Comment).order_by(Comment.id)))


@pytest.fixture()
def trusted_patient(people, post, make_comment):
    """A patient whose comments are published at once (an approved one already)."""
    make_comment(post, people["patient"], "An earlier approved question")
    return people["patient"]


# --- the detectors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, found",
    [
        ("My phone is 07700 900123", "07700 900123"),
        ("ring 07700900123 after six", "07700900123"),
        ("my mobile is +44 7700 900461", "+44 7700 900461"),
        ("the clinic is on (020) 7946 0958", "(020) 7946 0958"),
        ("call 0161 496 0000.", "0161 496 0000"),
        ("from abroad: +44 (0)20 7946 0958", "+44 (0)20 7946 0958"),
    ],
)
def test_phone_numbers_are_found(text, found):
    assert kinds(text) == [(found, "phone")]


@pytest.mark.parametrize(
    "text",
    [
        "I took 400 mg 3 times a day in 2019 and 2020",
        "ref 1234567890",
        "my EDSS went from 3.5 to 4.0 over 12 months",
        "vitamin b12 3rd dose",
        "I walked 5 miles up the hill",
        "the trial had 1,204 people",
    ],
)
def test_ordinary_numbers_and_words_are_not_personal_details(text):
    assert kinds(text) == []


def test_email_addresses_are_found():
    assert kinds("email me at jane.doe@example.org please") == [("jane.doe@example.org", "email")]
    assert kinds("x+tag@mail.example.co.uk") == [("x+tag@mail.example.co.uk", "email")]
    assert kinds("@someone on twitter, a @ b, me@localhost") == []


def test_nhs_numbers_need_a_valid_check_digit():
    assert personal_data.nhs_check_digit_ok("9434765919")
    assert not personal_data.nhs_check_digit_ok("9434765918")
    # A remainder of 1 would need the check digit 10: no valid number has it.
    assert not personal_data.nhs_check_digit_ok("1000000010")
    assert kinds("NHS number 943 476 5919") == [("943 476 5919", "nhs_number")]
    assert kinds("NHS number 9434765919") == [("9434765919", "nhs_number")]
    assert kinds("NHS number 943-476-5919") == [("943-476-5919", "nhs_number")]
    assert kinds("NHS number 943 476 5918") == []
    assert kinds("NHS number 943 4765919") == []  # spaced one way but not the other
    assert kinds("code 19434765919") == []  # part of a longer number


def test_postcodes_are_found_but_not_doses():
    assert kinds("we moved to SW1A 1AA last year") == [("SW1A 1AA", "postcode")]
    assert kinds("near M1 1AE") == [("M1 1AE", "postcode")]
    assert kinds("near sw1a 1aa") == [("sw1a 1aa", "postcode")]
    assert kinds("SW1A1AA") == [("SW1A1AA", "postcode")]
    assert kinds("vitamin b12 3rd dose") == []
    assert kinds("Q1 1AA is no area") == []
    assert kinds("build a12abd failed") == []


@pytest.mark.parametrize(
    "text, found",
    [
        ("I was born on 3 May 1961", "born on 3 May 1961"),
        ("born 3rd of May 1961", "born 3rd of May 1961"),
        ("born May 3, 1961", "born May 3, 1961"),
        ("DOB 03/05/1961", "DOB 03/05/1961"),
        ("d.o.b. 3.5.61", "d.o.b. 3.5.61"),
        ("date of birth: 3 May 1961", "date of birth: 3 May 1961"),
        ("Date of birth is 03-05-1961", "Date of birth is 03-05-1961"),
    ],
)
def test_dates_of_birth_are_found(text, found):
    assert kinds(text) == [(found, "date_of_birth")]


def test_other_dates_are_not_dates_of_birth():
    assert kinds("diagnosed on 3 May 2019") == []
    assert kinds("my son was born in 1990") == []


def test_street_addresses_are_found():
    assert kinds("I live at 12 Acacia Avenue, London") == [("12 Acacia Avenue", "address")]
    assert kinds("Flat 2, 4a Church road") == [("4a Church road", "address")]
    assert kinds("at 221B Baker Street") == [("221B Baker Street", "address")]
    assert kinds("I walked 5 miles up the hill and 2 more to the close") == []


def test_the_more_specific_kind_names_what_two_detectors_found():
    # An NHS number is also a possible phone number; the writer is told what it is.
    assert kinds("NHS no 943 476 5919") == [("943 476 5919", "nhs_number")]


def test_everything_in_one_text_in_order():
    text = (
        "Ring 07700 900123 or jane@example.org. NHS 943 476 5919, DOB 03/05/1961, "
        "12 Acacia Avenue, SW1A 1AA."
    )
    assert [kind for _, kind in kinds(text)] == [
        "phone",
        "email",
        "nhs_number",
        "date_of_birth",
        "address",
        "postcode",
    ]


def test_marked_copy_escapes_the_text_around_and_inside_the_marks():
    text = '<script>alert(1)</script> 07700 900123 <b onclick="x">jane@example.org</b>'
    html = str(personal_data.marked(text, personal_data.find(text)))
    assert "<script>" not in html and "<b " not in html
    assert [mark.get_text() for mark in select_all(html, "mark")] == [
        "07700 900123",
        "jane@example.org",
    ]
    assert texts_of_hidden(html) == ["(a phone number)", "(an email address)"]


def texts_of_hidden(html: str) -> list[str]:
    return [" ".join(s.get_text().split()) for s in select_all(html, ".visually-hidden")]


def test_the_region_comes_from_configuration(app):
    assert personal_data.phone_spans("call 202-555-0143", region="US")
    assert kinds("call 202-555-0143") == []  # in the UK this is not how a number is dialled
    app.config["PERSONAL_DATA_REGION"] = "US"
    assert kinds("call 202-555-0143") == [("202-555-0143", "phone")]


# --- hostile input: no crash, no catastrophic backtracking -------------------------------------

LONG_INPUTS = long_comments.PERSONAL_DATA_SHAPES


@pytest.mark.parametrize("name", LONG_INPUTS)
def test_a_20000_character_input_is_checked_without_backtracking(name):
    """The 50 ms target is `make bench`'s (bench/long_comments.py); a second is far beyond
    any linear detector on any machine, and far below a backtracking one."""
    text = long_comments.padded(LONG_INPUTS[name])
    assert long_comments.best_of_three_ms(personal_data.find, text) < 1000, name


def shared_corpus_cases() -> list[str]:
    if not SHARED_CORPUS.is_dir():
        return []
    return [case for path in sorted(SHARED_CORPUS.glob("*.txt")) for case in load_cases(path)]


def test_every_hostile_case_through_the_detectors():
    cases = all_hostile_cases() + shared_corpus_cases()
    assert len(cases) > 100
    for case in cases:
        spans = personal_data.find(case)
        for span in spans:
            assert 0 <= span.start < span.end <= len(case), case
        html = str(personal_data.marked(case, spans))
        assert "<script" not in html.lower(), case


def test_the_shared_corpus_privacy_cases_are_found():
    assert kinds("My phone is 07700 900123") == [("07700 900123", "phone")]
    assert kinds("NHS number 943 476 5919") == [("943 476 5919", "nhs_number")]
    assert kinds("user@example.org") == [("user@example.org", "email")]


# --- the comment form: found, shown, edited out or posted anyway -------------------------------

PHONE_TEXT = "Happy to talk it over: ring me on 07700 900123 <any evening>."


def post_comment(client, post, body: str, *, htmx: bool = False, **data):
    fields = {"body": body, "kind": "discussion", **data}
    return client.post(f"/posts/{post.slug}/comments", data=fields, headers=HTMX if htmx else {})


def test_without_javascript_the_page_comes_back_with_the_text_and_what_was_found(
    client, post, trusted_patient, log_in
):
    log_in(trusted_patient)
    response = post_comment(client, post, PHONE_TEXT)
    assert response.status_code == 422
    assert len(comments_in_db()) == 1  # only the earlier one: nothing stored
    html = response.get_data(as_text=True)
    assert value_of(html, "form#comment-form textarea[name=body]") == PHONE_TEXT
    assert select_one(html, "form#comment-form textarea[name=body]").has_attr("autofocus")
    assert "This seems to include a phone number." in text_of(html, "#comment-form-body-error")
    panel = select_one(html, "form#comment-form section.personal-data")
    assert [li.get_text() for li in select_all(panel, ".personal-data__kinds li")] == [
        "a phone number"
    ]
    assert [mark.get_text() for mark in select_all(panel, "mark")] == ["07700 900123"]
    assert "&lt;any evening&gt;" in str(select_one(panel, ".personal-data__copy"))
    button = select_one(panel, "button[name=personal_data_confirmed]")
    assert button.get_text() == "Post anyway" and button["type"] == "submit"
    assert "a moderator then reads it" in text_of(panel)
    # The form's own button comes first, so Enter in a field never posts anyway.
    buttons = select_all(html, "form#comment-form button[type=submit]")
    assert buttons[-1] is button and buttons[0].get_text() == "Post comment"


def test_with_htmx_the_form_comes_back_in_place(client, post, trusted_patient, log_in):
    log_in(trusted_patient)
    text = "mail jane.doe@example.org or 12 Acacia Avenue"
    response = post_comment(client, post, text, htmx=True)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#comment-form"
    assert response.headers["HX-Reswap"] == "outerHTML"
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert value_of(html, "textarea[name=body]") == text
    assert [li.get_text() for li in select_all(html, ".personal-data__kinds li")] == [
        "an email address",
        "a street address",
    ]
    assert select_one(html, "a[href='#comment-form-body']").get_text() == "edit your text"
    assert len(comments_in_db()) == 1


def test_a_reply_form_comes_back_in_place_with_its_panel(
    client, post, trusted_patient, people, make_comment, log_in
):
    parent = make_comment(post, people["caregiver"], "Anyone tried this?")
    log_in(trusted_patient)
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "DOB 03/05/1961 here", "parent_id": parent.id},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#reply-form-{parent.id}"
    assert select_one(response.get_data(as_text=True), f"#reply-form-{parent.id}-personal-data")


def test_editing_the_details_out_posts_as_usual(client, post, trusted_patient, log_in):
    log_in(trusted_patient)
    assert post_comment(client, post, PHONE_TEXT).status_code == 422
    response = post_comment(client, post, "Happy to talk it over here instead.")
    assert response.status_code == 303
    latest = comments_in_db()[-1]
    assert latest.status == "approved" and not latest.personal_data


@pytest.mark.parametrize("role", ["patient", "caregiver"])
def test_posting_anyway_holds_it_for_a_moderator(client, post, people, make_comment, log_in, role):
    writer = people[role]
    make_comment(post, writer, "An earlier approved comment")  # trusted: else held anyway
    log_in(writer)
    response = post_comment(client, post, PHONE_TEXT, personal_data_confirmed="y", htmx=True)
    assert response.status_code == 201
    comment = comments_in_db()[-1]
    assert comment.body_source == PHONE_TEXT
    assert comment.status == "pending" and comment.personal_data
    assert "moderator checks it before it appears" in comment.held_reason
    assert "awaiting moderation" in response.get_data(as_text=True)
    # Visitors do not see it.
    client.post("/logout")
    assert "07700 900123" not in client.get(f"/posts/{post.slug}").get_data(as_text=True)


def test_posting_anyway_without_javascript_redirects_to_the_held_comment(
    client, post, trusted_patient, log_in
):
    log_in(trusted_patient)
    response = post_comment(client, post, PHONE_TEXT, personal_data_confirmed="y")
    assert response.status_code == 303
    comment = comments_in_db()[-1]
    assert comment.status == "pending" and comment.personal_data


@pytest.mark.parametrize("role", ["clinician", "admin"])
def test_staff_are_warned_and_then_publish(client, post, people, log_in, role):
    log_in(people[role])
    warned = post_comment(client, post, "Our clinic line is 020 7946 0958.")
    assert warned.status_code == 422
    assert "it appears at once" in text_of(warned.get_data(as_text=True), ".personal-data")
    response = post_comment(
        client, post, "Our clinic line is 020 7946 0958.", personal_data_confirmed="y"
    )
    assert response.status_code == 303
    comment = comments_in_db()[-1]
    assert comment.status == "approved" and not comment.personal_data


def test_a_new_member_posting_anyway_is_held_for_the_personal_details(client, post, people, log_in):
    log_in(people["patient"])  # no approved comment yet: held as a first comment too
    post_comment(client, post, PHONE_TEXT, personal_data_confirmed="y")
    comment = comments_in_db()[-1]
    assert comment.status == "pending" and comment.personal_data
    assert "personal details" in comment.held_reason


# --- the edit form -----------------------------------------------------------------------------


def test_an_edit_with_personal_details_is_not_saved_until_confirmed(
    client, post, trusted_patient, make_comment, log_in
):
    comment = make_comment(post, trusted_patient, "Feeling better this week.")
    log_in(trusted_patient)
    new_text = "Feeling better. Write to me at 12 Acacia Avenue, SW1A 1AA."
    plain = client.post(f"/comments/{comment.id}/edit", data={"body": new_text})
    assert plain.status_code == 422
    html = plain.get_data(as_text=True)
    assert value_of(html, f"#edit-{comment.id}-body") == new_text
    assert [mark.get_text() for mark in select_all(html, ".personal-data mark")] == [
        "12 Acacia Avenue",
        "SW1A 1AA",
    ]
    partial = client.post(f"/comments/{comment.id}/edit", data={"body": new_text}, headers=HTMX)
    assert partial.status_code == 422
    assert select_one(partial.get_data(as_text=True), f"#comment-card-{comment.id}-personal-data")
    db.session.refresh(comment)
    assert comment.body_source == "Feeling better this week." and comment.status == "approved"

    saved = client.post(
        f"/comments/{comment.id}/edit",
        data={"body": new_text, "personal_data_confirmed": "y"},
        headers=HTMX,
    )
    assert saved.status_code == 200
    db.session.refresh(comment)
    assert comment.body_source == new_text
    assert comment.status == "pending" and comment.personal_data
    assert "awaiting moderation" in saved.get_data(as_text=True)


def test_a_clinicians_edit_posted_anyway_stays_published(
    client, post, people, make_comment, log_in
):
    comment = make_comment(post, people["clinician"], "Ask the team.")
    log_in(people["clinician"])
    response = client.post(
        f"/comments/{comment.id}/edit",
        data={"body": "Ask the team on 020 7946 0958.", "personal_data_confirmed": "y"},
    )
    assert response.status_code == 303
    db.session.refresh(comment)
    assert comment.status == "approved" and not comment.personal_data


# --- hostile input through the form ------------------------------------------------------------


def test_every_hostile_case_through_the_comment_form_without_a_500(
    client, post, trusted_patient, log_in
):
    log_in(trusted_patient)
    token = client.csrf_token()
    cases = all_hostile_cases() + shared_corpus_cases()
    for index, case in enumerate(cases):
        headers = {"X-CSRFToken": token, **(HTMX if index % 2 else {})}
        response = client.post(
            f"/posts/{post.slug}/comments",
            data={"body": case, "kind": "discussion"},
            headers=headers,
        )
        assert response.status_code in (201, 303, 422), (index, case)
        if response.status_code == 422 and personal_data.find(case.replace("\r\n", "\n")):
            html = response.get_data(as_text=True)
            assert select_all(html, ".personal-data mark"), case
            assert "<script" not in str(select_one(html, ".personal-data__copy")).lower()
    held = db.session.scalar(
        select(func.count()).select_from(Comment).where(Comment.personal_data.is_(True))
    )
    assert held == 0  # nothing was posted anyway without the writer's say


# --- moderators redact part of a comment -------------------------------------------------------

HELD_TEXT = "Ring me on 07700 900123 and I will tell you how the infusion went."


@pytest.fixture()
def held(post, people, make_comment):
    return make_comment(
        post,
        people["patient"],
        HELD_TEXT,
        status="pending",
        personal_data=True,
        held_reason="It includes personal details",
    )


def redact_url(comment: Comment) -> str:
    return f"/moderation/comments/{comment.id}/redact"


def test_the_queue_offers_redaction_and_the_form_marks_what_was_found(client, held, people, log_in):
    log_in(people["admin"])
    queue = client.get("/moderation").get_data(as_text=True)
    row = select_one(queue, f"#queue-item-{held.id}")
    assert "Posted anyway with personal details" in text_of(row)
    assert select_one(row, f"a[href='{redact_url(held)}']")
    page = client.get(redact_url(held))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert value_of(html, "#redact-form textarea[name=body]") == HELD_TEXT
    assert [mark.get_text() for mark in select_all(html, "#redact-form mark")] == ["07700 900123"]
    assert select_one(html, "#redact-form input[name=approve]")
    fragment = client.get(redact_url(held), headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and select_one(fragment, "form#redact-form")


def test_redacting_rerenders_logs_the_removed_words_tells_the_author_and_approves(
    client, held, people, log_in
):
    log_in(people["admin"])
    response = client.post(
        redact_url(held),
        data={
            "body": "Ring me on [removed] and I will tell you how the <b>infusion</b> went.",
            "reason": "We removed your phone number: please keep contact details private.",
            "approve": "y",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation"
    db.session.expire_all()
    comment = db.session.get(Comment, held.id)
    assert "07700" not in comment.body_source and "07700" not in comment.body_html
    assert "<b>" not in comment.body_html  # through the one Markdown and Bleach policy
    assert comment.redacted_at is not None
    assert comment.status == "approved"
    events = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.target_id == held.id)
    ).all()
    assert [event.action for event in events] == ["redact", "approve"]
    assert "“07700 900123”" in events[0].reason
    assert "please keep contact details private" in events[0].reason
    notice = db.session.scalar(
        select(Notification).where(
            Notification.user_id == people["patient"].id, Notification.kind == "redacted"
        )
    )
    assert notice.detail == "We removed your phone number: please keep contact details private."
    # The public page shows the redacted text; the audit log shows admins what went.
    assert "[removed]" in client.get(f"/posts/{comment.post.slug}").get_data(as_text=True)
    log = client.get("/moderation/log").get_data(as_text=True)
    assert "Removed part of a comment" in log and "07700 900123" in log


def test_redacting_with_htmx_returns_to_the_queue_and_can_leave_it_held(
    client, held, people, log_in
):
    log_in(people["admin"])
    response = client.post(
        redact_url(held),
        data={"body": "Ring me and I will tell you.", "reason": "Phone number removed."},
        headers=HTMX,
    )
    assert response.headers["HX-Redirect"] == "/moderation"
    db.session.refresh(held)
    assert held.status == "pending" and held.body_source == "Ring me and I will tell you."


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"body": HELD_TEXT, "reason": "x"}, "body", "Nothing was removed"),
        ({"body": "  ", "reason": "x"}, "body", "reject it instead"),
        ({"body": "Ring me."}, "reason", "Write the reason"),
        ({"body": "Ring me.", "reason": "x" * 301}, "reason", "at most 300"),
    ],
)
def test_a_redaction_that_cannot_be_saved_says_why_and_keeps_the_text(
    client, held, people, log_in, data, field, message
):
    log_in(people["admin"])
    for headers in ({}, HTMX):
        response = client.post(redact_url(held), data=data, headers=headers)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert message in text_of(html, f"#{field}-error")
        assert value_of(html, "textarea[name=body]") == data["body"]
    db.session.refresh(held)
    assert held.body_source == HELD_TEXT and held.redacted_at is None


@pytest.mark.parametrize("role", ["patient", "caregiver", "clinician"])
def test_only_admins_may_redact(client, held, people, log_in, role):
    log_in(people[role])
    assert client.get(redact_url(held)).status_code == 403
    response = client.post(redact_url(held), data={"body": "Ring me.", "reason": "Removed."})
    assert response.status_code == 403
    db.session.refresh(held)
    assert held.body_source == HELD_TEXT


def test_a_missing_or_rejected_comment_cannot_be_redacted(
    client, post, people, make_comment, log_in
):
    rejected = make_comment(post, people["patient"], "Gone", status="rejected")
    log_in(people["admin"])
    assert client.get(redact_url(rejected)).status_code == 404
    assert client.get("/moderation/comments/999999/redact").status_code == 404


def test_whom_a_question_is_asked_for_never_holds_contact_details(
    client, post, trusted_patient, log_in
):
    log_in(trusted_patient)
    response = client.post(
        f"/posts/{post.slug}/comments",
        data={"body": "Is this safe?", "kind": "question", "asked_for": "my mum, 07700 900123"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "without phone numbers" in text_of(html, "#comment-form-asked-for-error")
    assert value_of(html, "#comment-form-body") == "Is this safe?"
    assert len(comments_in_db()) == 1


def test_the_rules_page_says_what_the_portal_does_with_personal_details(client):
    html = client.get("/rules").get_data(as_text=True)
    assert text_of(html, "h2#personal-details") == "What the portal does with personal details"
    page = text_of(html)
    for promise in (
        "NHS numbers (checked with their check digit), UK postcodes, dates of birth",
        "edit it out and post again, or post anyway",
        "a moderator reads it before anyone else can see it",
        "remove just the personal details",
        "audit log, which only the community team’s administrators can read",
    ):
        assert promise in page, promise


def test_short_codes_are_not_phone_numbers():
    assert kinds('<a href="&#0000106avascript:alert(1)">x</a>') == []
    assert kinds("extension 0123 4567") == []


# --- profile text: a member's only public words of their own are their name -------------------


def test_a_name_with_contact_details_is_refused_at_registration_and_on_the_account_page(
    client, people, log_in
):
    registering = client.post(
        "/register",
        data={
            "email": "new.person@example.org",
            "display_name": "Jane 07700900123",
            "password": "a long enough passphrase",
            "confirm": "a long enough passphrase",
            "role": "patient",
            "agree_rules": "y",
            "agree_disclaimer": "y",
        },
    )
    assert registering.status_code == 422
    assert "Everyone can read your name: take out a phone number." in registering.get_data(
        as_text=True
    )
    log_in(people["patient"])
    renaming = client.post("/account/name", data={"display_name": "river@example.org"})
    assert renaming.status_code == 422
    html = renaming.get_data(as_text=True)
    assert "take out an email address" in html and 'value="river@example.org"' in html
    db.session.expire_all()
    assert db.session.get(User, people["patient"].id).display_name == "RiverWalker"
