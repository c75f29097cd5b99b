"""A member's post page from a drawing kept for every member of their role (kept_threads.py).

The one promise: a member's page is exactly the page drawn for them alone, whoever came
before them, and never older than the data. Each test below compares with that, or checks
a way in which one member's page is theirs.
"""

from __future__ import annotations

import re

import pytest

from portal import rendering
from portal.comments import kept_threads, threads
from portal.extensions import db
from portal.notifications import following
from portal.questions import helpful, lifecycle
from tests.helpers import CSRF_META, login, select_all, select_one, texts_of


@pytest.fixture()
def discussion(post, people, make_user, make_comment):
    """Threads in which the patient (RiverWalker) asked, replied, follows and found an
    answer helpful, and threads that are none of theirs."""
    patient, caregiver, clinician = people["patient"], people["caregiver"], people["clinician"]
    fen = make_user("patient", "Fen Reader")
    asked = make_comment(post, patient, "Does fatigue settle after the first year?")
    answered = make_comment(post, clinician, "For most people it does.", parent=asked)
    lifecycle.mark_answer(answered, clinician)
    theirs_to_mark = make_comment(post, caregiver, "Is it safe with a thyroid problem?")
    answer = make_comment(post, clinician, "Yes, with blood tests.", parent=theirs_to_mark)
    lifecycle.mark_answer(answer, clinician)
    helpful.mark(answer, patient)
    make_comment(post, patient, "Mine was checked monthly.", parent=theirs_to_mark)
    followed = make_comment(post, fen, "Anyone tried swimming?")
    make_comment(post, caregiver, "My partner swims weekly.", parent=followed)
    following.set_following(patient, thread=followed, follow=True)
    open_question = make_comment(post, caregiver, "What about travel vaccines?")
    make_comment(post, clinician, "Talk to your team first.", parent=open_question)
    db.session.commit()
    return {"fen": fen, "asked": asked, "followed": followed, "open": open_question}


def _discussion_of(client, path: str) -> str:
    """The page's discussion region, tokens and spacing aside."""
    return _spaced(str(select_one(client.get(path).get_data(as_text=True), "#discussion-view")))


def _spaced(html: str) -> str:
    html = re.sub(r'(name="(?:csrf|form)_token"[^>]*? value=)"[^"]*"', r"\1", html)
    return re.sub(r"\s+", " ", html).replace("> <", "><")


def _drawn_whole(monkeypatch, client, path: str) -> str:
    with monkeypatch.context() as patched:
        patched.setattr(kept_threads, "draws_alike", lambda viewer: False)
        return _discussion_of(client, path)


def _client_for(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 303
    return client


def test_every_members_page_is_the_page_drawn_for_them_alone(
    app, monkeypatch, post, people, discussion
):
    path = f"/posts/{post.slug}"
    # A reader with no part in any thread comes first, so the others get the kept drawing.
    viewers = [discussion["fen"], people["patient"], people["caregiver"], people["clinician"]]
    for viewer in viewers:
        client = _client_for(app, viewer)
        for address in (path, f"{path}?order=newest"):
            kept = _discussion_of(client, address)
            assert kept == _drawn_whole(monkeypatch, client, address), viewer.display_name


def test_later_pages_and_show_more_are_the_pages_drawn_for_them_alone(
    app, monkeypatch, post, people, discussion
):
    app.config["THREADS_PER_PAGE"] = 2
    path = f"/posts/{post.slug}"
    more = f"{path}/threads?page=2"
    htmx = {"HX-Request": "true", "HX-Target": "show-more"}
    _client_for(app, discussion["fen"]).get(f"{path}?page=2")
    for viewer in (people["patient"], people["caregiver"]):
        client = _client_for(app, viewer)
        assert _discussion_of(client, f"{path}?page=2") == _drawn_whole(
            monkeypatch, client, f"{path}?page=2"
        )
        kept = client.get(more, headers=htmx).get_data(as_text=True)
        with monkeypatch.context() as patched:
            patched.setattr(kept_threads, "draws_alike", lambda viewer: False)
            whole = client.get(more, headers=htmx).get_data(as_text=True)
        assert _spaced(kept) == _spaced(whole)
        assert "Anyone tried swimming?" in kept


def test_a_kept_drawing_serves_the_next_member_without_drawing_again(
    app, monkeypatch, post, people, discussion
):
    path = f"/posts/{post.slug}"
    _client_for(app, discussion["fen"]).get(path)
    drawn: list[object] = []
    real = threads.load_page
    monkeypatch.setattr(threads, "load_page", lambda *a, **k: drawn.append(a) or real(*a, **k))
    page = _client_for(app, people["patient"]).get(path)
    assert page.status_code == 200
    assert drawn == []
    assert "Anyone tried swimming?" in page.get_data(as_text=True)


def test_a_members_own_links_never_reach_another_member(app, post, people, discussion):
    path = f"/posts/{post.slug}"
    asked = discussion["asked"].id
    mine = _client_for(app, people["patient"]).get(path).get_data(as_text=True)
    theirs = _client_for(app, discussion["fen"]).get(path).get_data(as_text=True)
    own_card = f"#comment-card-{asked} .comment__actions"
    assert "Edit your comment" in " ".join(texts_of(mine, own_card))
    assert not any("Report" in text for text in texts_of(mine, own_card))
    assert "Edit your comment" not in " ".join(texts_of(theirs, own_card))
    assert any("Report" in text for text in texts_of(theirs, own_card))
    followed = discussion["followed"].id
    assert texts_of(mine, f"#follow-thread-{followed} button") == ["Stop following this thread"]
    assert texts_of(theirs, f"#follow-thread-{followed} button") == ["Follow this thread"]


def test_new_words_show_to_members_at_once(app, post, people, discussion, make_comment):
    path = f"/posts/{post.slug}"
    reader = _client_for(app, discussion["fen"])
    assert "Fresh question" not in reader.get(path).get_data(as_text=True)
    fresh = make_comment(post, people["caregiver"], "Fresh question about MRI timing")
    assert "Fresh question about MRI timing" in reader.get(path).get_data(as_text=True)
    rendering.set_comment_body(fresh, "Edited question about MRI timing")
    db.session.commit()
    page = reader.get(path).get_data(as_text=True)
    assert "Edited question about MRI timing" in page
    assert "Fresh question" not in page


def test_a_members_held_comments_are_in_their_page_and_no_one_elses(
    app, post, people, discussion, make_comment
):
    path = f"/posts/{post.slug}"
    reader = _client_for(app, discussion["fen"])
    reader.get(path)  # the drawing is kept before anything is held
    # A held question is a thread only its writer has; a held reply sits in others' thread.
    patient, open_question = people["patient"], discussion["open"]
    make_comment(post, patient, "Held question of mine", status="pending")
    make_comment(post, patient, "Held reply", parent=open_question, status="pending")
    mine = _client_for(app, patient).get(path).get_data(as_text=True)
    assert "Held question of mine" in mine
    assert "Held reply" in mine
    assert len(texts_of(mine, ".status-note")) == 2
    others = reader.get(path).get_data(as_text=True)
    assert "Held question of mine" not in others
    assert "Held reply" not in others


def test_a_suspended_member_sees_why_beside_every_reply(app, post, people, discussion):
    path = f"/posts/{post.slug}"
    _client_for(app, discussion["fen"]).get(path)
    page = _client_for(app, people["suspended"]).get(path).get_data(as_text=True)
    told = texts_of(page, "#thread-list .action--off")
    assert told and all(text == "No replies while your account is suspended" for text in told)
    assert not select_all(page, "#thread-list [data-reply-link]")


def test_clinicians_see_claims_that_members_do_not(app, post, people, discussion):
    path = f"/posts/{post.slug}"
    question = discussion["open"]
    lifecycle.claim(question, people["clinician"])
    db.session.commit()
    member = _client_for(app, discussion["fen"]).get(path).get_data(as_text=True)
    clinician = _client_for(app, people["clinician"]).get(path).get_data(as_text=True)
    assert texts_of(clinician, f"#question-status-{question.id} .claimed") == [
        "Claimed by Helen Marsh"
    ]
    assert texts_of(member, f"#question-status-{question.id} .claimed") == []


def test_forms_in_a_kept_drawing_carry_the_members_own_token(app, post, people, discussion):
    path = f"/posts/{post.slug}"
    _client_for(app, discussion["fen"]).get(path)
    client = _client_for(app, people["caregiver"])
    html = client.get(path).get_data(as_text=True)
    assert "\x00" not in html
    token = CSRF_META.search(html).group(1)
    tokens = {tag["value"] for tag in select_all(html, "#thread-list input[name=csrf_token]")}
    assert tokens == {token}
    followed = discussion["followed"].id
    answer = client.post(
        f"/comments/{followed}/follow", data={"csrf_token": token, "follow": "yes"}, csrf=False
    )
    assert answer.status_code in (200, 303)
    assert following.follows_thread(people["caregiver"], discussion["followed"])


def test_each_role_has_a_drawing_of_its_own(app, post, people, discussion):
    path = f"/posts/{post.slug}"
    _client_for(app, discussion["fen"]).get(path)
    _client_for(app, people["patient"]).get(path)
    assert kept_threads.kept_count() == 1
    _client_for(app, people["caregiver"]).get(path)
    assert kept_threads.kept_count() == 2


def test_who_gets_the_kept_drawing(people):
    assert kept_threads.draws_alike(people["patient"])
    assert kept_threads.draws_alike(people["caregiver"])
    assert not kept_threads.draws_alike(people["suspended"])
    assert not kept_threads.draws_alike(people["clinician"])
    assert not kept_threads.draws_alike(people["admin"])
