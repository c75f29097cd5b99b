"""Readers see at once which threads a clinician has answered, and which words are a clinician's."""

from __future__ import annotations

from sqlalchemy import event

from portal.comments import threads
from portal.extensions import db

from .helpers import HTMX, select_one, texts_of

MARKER = "Answered by a clinician"


def card(html: str, comment_id: int) -> str:
    """The card of one comment (its header, body and actions, not its replies)."""
    return str(select_one(html, f"article#comment-card-{comment_id}"))


def test_a_thread_with_a_clinicians_reply_is_marked_answered(client, post, people, make_comment):
    answered = make_comment(post, people["patient"], "Does it hurt?")
    follow_up = make_comment(post, people["caregiver"], "Same question", parent=answered)
    make_comment(post, people["clinician"], "Only a little.", parent=follow_up)
    waiting = make_comment(post, people["caregiver"], "Any diet advice?")
    make_comment(post, people["patient"], "Following", parent=waiting)
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert MARKER in card(html, answered.id)
    assert MARKER not in card(html, waiting.id)
    assert html.count(MARKER) == 1
    # Text, not only colour: a tick hidden from screen readers and words for everyone.
    tick = select_one(card(html, answered.id), '.label--answered > span[aria-hidden="true"]')
    assert tick.get_text() == "✓ " and tick.next_sibling == "Answered by a clinician"


def test_only_approved_clinician_replies_count(client, post, people, make_comment, log_in):
    by_admin = make_comment(post, people["patient"], "Admin answered")
    make_comment(post, people["admin"], "Moderator note", parent=by_admin)
    held = make_comment(post, people["patient"], "Held answer")
    make_comment(post, people["clinician"], "Not yet", parent=held, status="pending")
    removed = make_comment(post, people["patient"], "Removed answer")
    make_comment(post, people["clinician"], "Gone", parent=removed, status="removed")
    log_in(people["clinician"])  # even the author of the held reply sees no marker
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert MARKER not in html


def test_the_marker_is_worked_out_without_another_query(post, people, make_comment):
    question = make_comment(post, people["patient"], "Q")
    reply = make_comment(post, people["clinician"], "A", parent=question)
    db.session.expire_all()
    page = threads.load_page(post, None)  # loads authors with the comments
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        nodes = threads.build_threads(
            [node.comment for node in page.threads],
            [child.comment for child in page.threads[0].children],
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert statements == []
    assert nodes[0].answered_by_clinician is True
    assert nodes[0].children[0].comment.id == reply.id
    assert nodes[0].children[0].answered_by_clinician is False  # a top-level field only


def test_the_post_page_costs_the_same_with_answered_threads(
    app, client, make_post, people, make_comment
):
    def discussion(post, answer_role: str):
        for n in range(6):
            question = make_comment(post, people["patient"], f"Question {n}")
            make_comment(post, people[answer_role], f"Answer {n}", parent=question)

    plain, answered = make_post("Plain"), make_post("Answered")
    discussion(plain, "caregiver")
    discussion(answered, "clinician")
    client.get("/")

    def count(url: str) -> int:
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            client.get(url)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    assert count(f"/posts/{plain.slug}") == count(f"/posts/{answered.slug}")
    assert client.get(f"/posts/{answered.slug}").get_data(as_text=True).count(MARKER) == 6


def test_a_clinicians_reply_stands_out_by_badge_label_and_border(
    client, post, people, make_comment
):
    question = make_comment(post, people["patient"], "Is fatigue normal?")
    answer = make_comment(post, people["clinician"], "Yes, very common.", parent=question)
    peer = make_comment(post, people["caregiver"], "We found naps help.", parent=question)
    note = make_comment(post, people["clinician"], "A general note for everyone.")
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)

    answer_card = card(html, answer.id)
    classes = select_one(answer_card, "article")["class"]
    assert classes == ["comment", "comment--clinician"]  # the border
    verified = select_one(answer_card, ".badge span.visually-hidden")  # the badge
    assert verified.get_text() == " (verified)" and verified.previous_sibling == "Clinician"
    assert "Clinician's answer" in texts_of(answer_card, "span.label.label--answer")

    peer_card = card(html, peer.id)
    assert "comment--clinician" not in peer_card and "Clinician's answer" not in peer_card
    assert "badge--caregiver" in peer_card

    # A clinician's top-level note is a clinician's words, but not an answer to anyone.
    note_card = card(html, note.id)
    assert "comment--clinician" in note_card and "badge--clinician" in note_card
    assert "Clinician's answer" not in note_card


def test_a_single_card_fragment_keeps_the_clinician_marks(client, post, people, make_comment):
    question = make_comment(post, people["patient"], "Q")
    answer = make_comment(post, people["clinician"], "A", parent=question)
    html = client.get(f"/comments/{answer.id}", headers=HTMX).get_data(as_text=True)
    assert "comment--clinician" in html and "Clinician's answer" in html


def test_author_names_link_to_profiles(client, post, people, make_comment):
    comment = make_comment(post, people["patient"], "Q")
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    patient_id = people["patient"].id
    assert "RiverWalker" in texts_of(card(html, comment.id), f'a[href="/people/{patient_id}"]')
