"""Readers see where each question stands, and which words are a clinician's answer.

A question is answered only when an answer is marked on purpose (questions.lifecycle); a
clinician's reply alone is a clinician's words, badged, and nothing more.
"""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.models import utcnow
from portal.questions import lifecycle

from .helpers import HTMX, count_statements, select_all, select_one, text_of, texts_of

MARKER = "Answered by a clinician"


def card(html: str, comment_id: int) -> str:
    """The card of one comment (its header, body and actions, not its replies)."""
    return str(select_one(html, f"article#comment-card-{comment_id}"))


def status_of(html: str, question_id: int) -> str:
    return text_of(card(html, question_id), f"#question-status-{question_id}")


def marked(reply, by):
    question = lifecycle.mark_answer(reply, by)
    db.session.commit()
    return question


def test_a_clinicians_reply_alone_does_not_answer_a_question(client, post, people, make_comment):
    question = make_comment(post, people["patient"], "Does it hurt?")
    make_comment(post, people["clinician"], "I'll check with the infusion unit.", parent=question)
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert MARKER not in html
    assert "Waiting for a clinician" in status_of(html, question.id)
    assert "Clinician's answer" not in html


def test_a_marked_answer_makes_the_question_answered_with_a_link_to_it(
    client, post, people, make_comment
):
    answered = make_comment(post, people["patient"], "Does it hurt?")
    follow_up = make_comment(post, people["caregiver"], "Same question", parent=answered)
    reply = make_comment(post, people["clinician"], "Only a little.", parent=follow_up)
    waiting = make_comment(post, people["caregiver"], "Any diet advice?")
    make_comment(post, people["patient"], "Following", parent=waiting)
    marked(reply, people["clinician"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    link = select_one(card(html, answered.id), "a.label--answered")
    assert link["href"] == f"/posts/{post.slug}#comment-{reply.id}"
    assert MARKER not in card(html, waiting.id)
    assert html.count(MARKER) == 1
    # Text, not only colour: a tick hidden from screen readers and words for everyone.
    tick = select_one(card(html, answered.id), '.label--answered > span[aria-hidden="true"]')
    assert tick.get_text() == "✓ " and tick.next_sibling.strip() == MARKER


def test_every_state_reads_in_words(client, post, people, make_comment):
    waiting = make_comment(post, people["patient"], "Waiting one")
    held = make_comment(post, people["patient"], "Held one", holding_at=utcnow())
    closed = make_comment(
        post,
        people["caregiver"],
        "Closed one",
        question_state="closed",
        close_reason="signposted",
        close_note="Please ask your MS nurse: this needs your records.",
    )
    thanks = make_comment(
        post, people["patient"], "Thanks!", question_state="closed", close_reason="no_answer_needed"
    )
    chat = make_comment(post, people["patient"], "A tip: cool showers.", kind="discussion")
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert status_of(html, waiting.id) == "Question for a clinician Waiting for a clinician"
    assert status_of(html, held.id) == "Question for a clinician A clinician is looking into this"
    assert status_of(html, closed.id) == (
        "Question for a clinician Closed: Signposted elsewhere — "
        "Please ask your MS nurse: this needs your records."
    )
    assert status_of(html, thanks.id) == "Question for a clinician Closed: No answer needed"
    # A discussion carries no question label and no state.
    assert select_all(card(html, chat.id), ".question-status") == []
    assert "Question for a clinician" not in card(html, chat.id)


def test_whom_a_caregiver_asks_for_is_shown_beside_the_question(client, post, people, make_comment):
    question = make_comment(post, people["caregiver"], "Can he drive?", asked_for="my partner")
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert text_of(card(html, question.id), ".asked-for") == "asked for my partner"


def test_only_clinicians_see_who_has_claimed_a_question(
    client, post, people, make_comment, log_in, make_user
):
    other = make_user("clinician", "Ravi Shah")
    question = make_comment(post, people["patient"], "Claimed")
    lapsed = make_comment(post, people["patient"], "Claimed long ago")
    lifecycle.claim(question, other)
    lapsed.claimed_by_id, lapsed.claimed_at = other.id, utcnow() - timedelta(days=3)
    db.session.commit()
    visitor_view = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "Claimed by" not in visitor_view
    log_in(people["patient"])
    assert "Claimed by" not in client.get(f"/posts/{post.slug}").get_data(as_text=True)
    client.post("/logout")
    log_in(people["clinician"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert text_of(card(html, question.id), ".claimed") == "Claimed by Ravi Shah"
    assert "Claimed by" not in card(html, lapsed.id)  # a lapsed claim is no claim


def test_held_and_removed_clinician_replies_cannot_be_marked(
    client, post, people, make_comment, log_in
):
    held_question = make_comment(post, people["patient"], "Held answer")
    make_comment(post, people["clinician"], "Not yet", parent=held_question, status="pending")
    removed_question = make_comment(post, people["patient"], "Removed answer")
    make_comment(post, people["clinician"], "Gone", parent=removed_question, status="removed")
    log_in(people["clinician"])  # even the author of the held reply is offered nothing
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "Mark as the answer" not in html and MARKER not in html


def test_a_clinicians_answer_stands_out_by_badge_label_and_border(
    client, post, people, make_comment
):
    question = make_comment(post, people["patient"], "Is fatigue normal?")
    answer = make_comment(post, people["clinician"], "Yes, very common.", parent=question)
    aside = make_comment(post, people["clinician"], "See also the fatigue post.", parent=question)
    peer = make_comment(post, people["caregiver"], "We found naps help.", parent=question)
    note = make_comment(post, people["clinician"], "A general note for everyone.")
    marked(answer, people["clinician"])
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)

    answer_card = card(html, answer.id)
    classes = select_one(answer_card, "article")["class"]
    assert classes == ["comment", "comment--clinician"]  # the border
    assert "badge--clinician" in answer_card  # the badge
    assert "Clinician's answer" in texts_of(answer_card, "span.label.label--answer")

    # Another reply by the same clinician: their words, badged, but not the answer.
    aside_card = card(html, aside.id)
    assert "badge--clinician" in aside_card and "Clinician's answer" not in aside_card

    peer_card = card(html, peer.id)
    assert "comment--clinician" not in peer_card and "Clinician's answer" not in peer_card
    assert "badge--caregiver" in peer_card

    # A clinician's top-level note is a clinician's words, but not an answer to anyone.
    note_card = card(html, note.id)
    assert "comment--clinician" in note_card and "badge--clinician" in note_card
    assert "Clinician's answer" not in note_card


def test_a_clinicians_reply_to_a_thank_you_carries_no_answer_label(
    client, post, people, make_comment
):
    thanks = make_comment(
        post, people["patient"], "Thank you, this was so clear!", kind="discussion"
    )
    reply = make_comment(post, people["clinician"], "You're welcome.", parent=thanks)
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    reply_card = card(html, reply.id)
    assert "badge--clinician" in reply_card
    assert "Clinician's answer" not in reply_card and MARKER not in html
    assert not lifecycle.can_mark_answer(reply, people["clinician"])


def test_a_holding_reply_is_noted_and_the_question_keeps_waiting(
    client, post, people, make_comment
):
    question = make_comment(post, people["patient"], "Can I travel after my infusion?")
    holding = make_comment(
        post, people["clinician"], "I'll ask the infusion unit.", parent=question, kind="holding"
    )
    question.holding_at = utcnow()
    db.session.commit()
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert texts_of(card(html, holding.id), ".label--holding-reply") == ["Holding reply"]
    assert "Clinician's answer" not in card(html, holding.id)
    assert "A clinician is looking into this" in status_of(html, question.id)
    assert question.question_state == "waiting"


def test_a_single_card_fragment_keeps_the_clinician_marks(client, post, people, make_comment):
    question = make_comment(post, people["patient"], "Q")
    answer = make_comment(post, people["clinician"], "A", parent=question)
    marked(answer, people["clinician"])
    html = client.get(f"/comments/{answer.id}", headers=HTMX).get_data(as_text=True)
    assert "comment--clinician" in html and "Clinician's answer" in html


def test_the_post_page_costs_the_same_with_answered_claimed_and_held_threads(
    app, client, make_post, people, make_comment, log_in, make_user
):
    colleague = make_user("clinician", "Ravi Shah")

    def discussion(post, states: int):
        """Six answered-to questions; the first `states` of them answered, claimed or held."""
        for n in range(6):
            question = make_comment(post, people["patient"], f"Question {n}")
            reply = make_comment(post, people["clinician"], f"Answer {n}", parent=question)
            if n >= states:
                continue
            if n % 3 == 0:
                marked(reply, people["clinician"])
            elif n % 3 == 1:
                lifecycle.claim(question, colleague)
                db.session.commit()
            else:
                question.holding_at = utcnow()
                db.session.commit()

    # One answer on each page: a member's "This helped me" marks are read once per page, when
    # it shows any answer at all (threads.load_page).
    few, many = make_post("Few"), make_post("Many")
    discussion(few, states=1)
    discussion(many, states=6)
    for member in (None, people["clinician"], people["patient"]):
        if member is not None:
            log_in(member)
        client.get("/")
        counts = [count_statements(lambda p=p: client.get(f"/posts/{p.slug}")) for p in (few, many)]
        assert counts[0] == counts[1], member
        client.post("/logout")
    html = client.get(f"/posts/{many.slug}").get_data(as_text=True)
    assert html.count(MARKER) == 2 and html.count("A clinician is looking into this") == 2


def test_author_names_link_to_profiles(client, post, people, make_comment):
    comment = make_comment(post, people["patient"], "Q")
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    patient_id = people["patient"].id
    assert "RiverWalker" in texts_of(card(html, comment.id), f'a[href="/people/{patient_id}"]')
