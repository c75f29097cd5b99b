"""Public profiles: clinicians are recognisable, with their most helpful answers; patients and
caregivers stay pseudonymous."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.models import Comment, User, utcnow

from .helpers import HTMX, count_statements, select_all, select_one, text_of, texts_of


def refreshed(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_a_clinicians_page_shows_who_they_are_their_posts_and_replies(
    client, people, make_post, make_comment
):
    clinician = people["clinician"]
    clinician.bio = "Runs the Tuesday MS clinic."
    clinician.verified_at = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    db.session.commit()
    post = make_post("Alemtuzumab: the long view")
    make_post("Secret draft", status="draft", published_at=None)
    question = make_comment(post, people["patient"], "Is the rash normal?")
    make_comment(post, clinician, "Yes, in the first month.", parent=question)
    make_comment(post, clinician, "Held answer", parent=question, status="pending")
    make_comment(post, clinician, "A top-level note")  # not an answer
    response = client.get(f"/people/{clinician.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Helen Marsh</h1>" in html
    assert text_of(html, "header .badge--clinician") == "✓ Verified clinician since November 2026"
    assert "Consultant Neurologist, MS" in html and "Runs the Tuesday MS clinic." in html
    assert "Alemtuzumab: the long view" in html and "Secret draft" not in html
    # Every reply of theirs is listed, but only a marked answer is called one.
    assert "Recent replies" in html and "Yes, in the first month." in html
    assert not select_all(html, "#profile-activity .label--answer")
    assert "Held answer" not in html and "A top-level note" not in html
    assert clinician.email not in html


def test_a_patients_page_shows_only_name_role_and_approved_comments(
    client, people, make_post, make_comment
):
    patient = people["patient"]
    patient.title, patient.bio = "Secret title", "Secret bio"
    db.session.commit()
    post = make_post()
    draft = make_post("A draft", status="draft", published_at=None)
    make_comment(post, patient, "My approved question")
    make_comment(post, patient, "Still held", status="pending")
    make_comment(post, patient, "Turned down", status="rejected")
    make_comment(draft, patient, "On a draft")
    html = client.get(f"/people/{patient.id}").get_data(as_text=True)
    assert "<h1>RiverWalker</h1>" in html and "badge--patient" in html
    assert "My approved question" in html
    for hidden in ("Still held", "Turned down", "On a draft", "Secret title", "Secret bio"):
        assert hidden not in html
    assert patient.email not in html and "Posts</h2>" not in html
    assert "Most helpful answers" not in html


def test_the_activity_list_pages_with_and_without_htmx(client, people, post, make_comment):
    caregiver = people["caregiver"]
    for n in range(25):
        make_comment(
            post,
            caregiver,
            f"Comment number {n:02d}",
            created_at=utcnow() - timedelta(minutes=100 - n),
        )
    first = client.get(f"/people/{caregiver.id}").get_data(as_text=True)
    assert "Comment number 24" in first and "Comment number 04" not in first
    assert "Page 1 of 2" in first and f'href="/people/{caregiver.id}?page=2"' in first
    fragment = client.get(f"/people/{caregiver.id}?page=2", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "<h1>" not in fragment
    assert "Comment number 04" in fragment and "Comment number 24" not in fragment


def test_comments_on_drafts_and_held_ones_add_no_page(
    client, people, post, make_post, make_comment
):
    # The count behind "Page 1 of N" leaves out what the list leaves out.
    caregiver = people["caregiver"]
    draft = make_post("A draft", status="draft", published_at=None)
    for n in range(20):
        make_comment(post, caregiver, f"Comment number {n:02d}")
    for n in range(5):
        make_comment(draft, caregiver, f"On a draft {n}")
        make_comment(post, caregiver, f"Still held {n}", status="pending")
    html = client.get(f"/people/{caregiver.id}").get_data(as_text=True)
    assert "Comment number 00" in html and "Comment number 19" in html
    assert "Page 1 of" not in html and "On a draft" not in html


def test_a_hidden_comment_list_is_hidden_from_others_but_not_from_its_owner(
    client, people, post, make_comment, log_in
):
    patient = people["patient"]
    patient.hide_comment_list = True
    db.session.commit()
    make_comment(post, patient, "Something personal")
    visitor_view = client.get(f"/people/{patient.id}").get_data(as_text=True)
    assert "Something personal" not in visitor_view
    assert "RiverWalker keeps their comments off this page." in visitor_view
    log_in(patient)
    own_view = client.get(f"/people/{patient.id}").get_data(as_text=True)
    assert "Something personal" in own_view and "Only you can see this list" in own_view


def test_missing_people_are_404(client):
    assert client.get("/people/999").status_code == 404
    assert client.get("/people/not-a-number").status_code == 404


# --- the account setting -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["patient", "caregiver"])
def test_patients_and_caregivers_can_hide_their_list_from_the_account_page(
    client, people, log_in, role
):
    member = people[role]
    log_in(member)
    account = client.get("/account").get_data(as_text=True)
    assert 'id="profile-settings"' in account
    assert 'action="/account/comment-list"' in account and 'name="hide_comment_list"' in account
    assert f'href="/people/{member.id}"' in account
    response = client.post("/account/comment-list", data={"hide_comment_list": "y"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/account#profile-settings"
    assert refreshed(member).hide_comment_list is True
    page = client.get("/account").get_data(as_text=True)
    assert "Your comments are now hidden from your profile page." in page
    assert (
        'name="hide_comment_list" value="y" aria-describedby="hide_comment_list-hint" checked'
        in page
    )


def test_the_setting_with_htmx_swaps_just_its_section(client, people, log_in):
    patient = people["patient"]
    patient.hide_comment_list = True
    db.session.commit()
    log_in(patient)
    response = client.post("/account/comment-list", data={}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section class="panel" id="profile-settings"')
    assert "Your comments are now listed on your profile page." in html
    assert refreshed(patient).hide_comment_list is False


def test_a_suspended_member_may_still_hide_their_list(client, people, log_in):
    suspended = people["suspended"]
    log_in(suspended)
    response = client.post("/account/comment-list", data={"hide_comment_list": "y"})
    assert response.status_code == 303 and refreshed(suspended).hide_comment_list is True


def test_clinicians_have_no_such_setting(client, people, log_in):
    log_in(people["clinician"])
    account = client.get("/account").get_data(as_text=True)
    assert 'name="hide_comment_list"' not in account
    assert f'href="/people/{people["clinician"].id}"' in account
    response = client.post("/account/comment-list", data={"hide_comment_list": "y"})
    assert response.status_code == 403
    htmx = client.post("/account/comment-list", data={"hide_comment_list": "y"}, headers=HTMX)
    assert htmx.status_code == 403
    assert refreshed(people["clinician"]).hide_comment_list is False


def test_visitors_and_forged_requests_are_refused(client, people, log_in):
    response = client.post("/account/comment-list", data={"hide_comment_list": "y"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    log_in(people["patient"])
    forged = client.post("/account/comment-list", data={"hide_comment_list": "y"}, csrf=False)
    assert forged.status_code == 400 and refreshed(people["patient"]).hide_comment_list is False


# --- names link to profiles ----------------------------------------------------------------


def test_author_names_link_to_their_profiles(client, people, post, make_comment):
    clinician_link = f'href="/people/{people["clinician"].id}"'
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    header = html[
        html.index('<header class="post-header">') : html.index(
            "</header>", html.index("post-header")
        )
    ]
    about = html[
        html.index('id="about-author"') : html.index("</aside>", html.index('id="about-author"'))
    ]
    assert f"By <a {clinician_link}>Helen Marsh</a>" in header
    assert f"<a {clinician_link}>Helen Marsh</a>" in about
    home = client.get("/").get_data(as_text=True)
    assert f"By <a {clinician_link}>Helen Marsh</a>" in home


# --- a clinician's most helpful answers ------------------------------------------------------


def answered(make_comment, post, asker, clinician, question: str, answer: str, **fields):
    """A question and the clinician's reply marked as its answer; returns the answer."""
    asked = make_comment(post, asker, question)
    reply = make_comment(post, clinician, answer, parent=asked, kind="answer", **fields)
    if reply.status == "approved":
        asked.question_state, asked.answer_id = "answered", reply.id
        db.session.commit()
    return reply


def helpful_items(html: str) -> list[str]:
    return [text_of(item) for item in select_all(html, ".helpful-answers li")]


def test_a_clinicians_page_lists_their_five_most_helpful_answers(
    client, people, make_post, make_comment
):
    clinician, patient = people["clinician"], people["patient"]
    post = make_post("Alemtuzumab: the long view")
    draft = make_post("Unpublished thoughts", status="draft", published_at=None)
    start = utcnow() - timedelta(days=30)

    def answer(n: int, helpful: int, **fields) -> Comment:
        return answered(
            make_comment,
            fields.pop("on", post),
            patient,
            clinician,
            f"Question number {n} about infusions?",
            f"Answer number {n}.",
            helpful_count=helpful,
            created_at=start + timedelta(days=n),
            **fields,
        )

    top = answer(1, 9)
    newer_tie = answer(3, 4)
    older_tie = answer(2, 4)
    answer(4, 2)
    single = answer(5, 1)
    answer(6, 0)  # a sixth: not shown
    answer(7, 50, status="pending")  # not public
    answer(8, 40, on=draft)  # on a post readers cannot see
    question = make_comment(post, patient, "Question number 9 about infusions?")
    make_comment(post, clinician, "Just a reply.", parent=question, helpful_count=30)  # unmarked

    html = client.get(f"/people/{clinician.id}").get_data(as_text=True)
    section = select_one(html, "section.helpful-answers")
    assert text_of(section, "h2") == "Most helpful answers"
    items = helpful_items(html)
    # Most found helpful first; of two equally helpful, the newer.
    assert [item[: item.index("?")] for item in items] == [
        f"Question: “Question number {n} about infusions" for n in (1, 3, 2, 4, 5)
    ]
    assert items[0].endswith("9 people found this helpful")
    assert items[4].endswith("1 person found this helpful")
    links = [a["href"] for a in select_all(section, "a.helpful-answer__link")]
    assert len(links) == 5
    assert [links[0], links[1], links[2], links[4]] == [
        f"/comments/{answer.id}" for answer in (top, newer_tie, older_tie, single)
    ]
    assert texts_of(section, "p.meta a:first-child") == ["Alemtuzumab: the long view"] * 5
    for hidden in ("Question number 6", "Question number 7", "Question number 8", "number 9"):
        assert hidden not in text_of(section)
    # The link is the answer's permalink, on the page of threads that shows it.
    permalink = client.get(links[0])
    assert permalink.status_code == 302
    assert permalink.headers["Location"].endswith(f"#comment-{top.id}")


def test_a_long_question_shows_its_opening_words_and_a_gone_one_says_so(
    client, people, post, make_comment
):
    clinician, patient = people["clinician"], people["patient"]
    words = "My neurologist mentioned **rebound** activity " + "after stopping treatment " * 12
    answered(make_comment, post, patient, clinician, words, "Kept.", helpful_count=2)
    gone = answered(make_comment, post, patient, clinician, "Removed question", "Gone.")
    gone.parent.status = "removed"
    db.session.commit()
    items = helpful_items(client.get(f"/people/{clinician.id}").get_data(as_text=True))
    assert items[0].startswith("Question: “My neurologist mentioned rebound activity after")
    assert "…”" in items[0] and "**" not in items[0] and len(items[0].split("”")[0]) < 140
    assert items[1].startswith("A question that is no longer shown")
    assert "Removed question" not in " ".join(items)


def test_the_helpful_answers_cost_the_same_statements_however_many_there_are(
    client, log_in, people, make_post, make_comment
):
    clinician, patient = people["clinician"], people["patient"]
    first = make_post("First post")
    answered(make_comment, first, patient, clinician, "One?", "One.", helpful_count=1)
    log_in(people["caregiver"])  # a member's page is made for each request; a visitor's is kept
    url = f"/people/{clinician.id}"
    client.get(url)  # warm up what the first request of a process does once
    one = count_statements(lambda: client.get(url))
    for n in range(6):
        other = make_post(f"Post number {n}")
        answered(make_comment, other, patient, clinician, f"Q{n}?", f"A{n}.", helpful_count=n)
    many = count_statements(lambda: client.get(url))
    assert len(helpful_items(client.get(url).get_data(as_text=True))) == 5
    assert many == one


def test_a_clinician_without_marked_answers_says_so(client, people):
    html = client.get(f"/people/{people['clinician'].id}").get_data(as_text=True)
    assert text_of(html, "section.helpful-answers p") == "No marked answers yet."


@pytest.mark.parametrize("role", ["patient", "caregiver", "admin", "author"])
def test_only_clinicians_pages_list_helpful_answers(
    client, people, make_user, make_post, make_comment, role
):
    member = people.get(role) or make_user(role, "Priya Raman", title="Neuroscientist")
    post = make_post("Some post", author=member if role in ("admin", "author") else None)
    if role in ("admin", "author"):
        question = make_comment(post, people["patient"], "A question?")
        make_comment(post, member, "A reply.", parent=question, kind="answer", helpful_count=3)
    html = client.get(f"/people/{member.id}").get_data(as_text=True)
    assert not select_all(html, ".helpful-answers") and "Most helpful answers" not in html


# --- an author's posts ------------------------------------------------------------------------


def test_a_profile_lists_the_newest_posts_and_leads_to_the_rest(client, people, make_post):
    from portal.profiles import service

    clinician = people["clinician"]
    start = utcnow() - timedelta(days=100)
    for n in range(service.POSTS_SHOWN + 3):
        make_post(f"Post number {n}", published_at=start + timedelta(days=n))
    make_post("Secret draft", status="draft", published_at=None)
    html = client.get(f"/people/{clinician.id}").get_data(as_text=True)
    listed = texts_of(html, "section[aria-labelledby=profile-posts-heading] li a")
    newest = [f"Post number {n}" for n in range(service.POSTS_SHOWN + 2, 2, -1)]
    assert listed == newest
    link = select_one(html, "a[href$='/posts']")
    assert text_of(link) == "All posts by Helen Marsh"
    # Every page of them, newest first, ten to a page; drafts never.
    client.application.config["POSTS_PER_PAGE"] = 10
    first = client.get(link["href"]).get_data(as_text=True)
    assert text_of(first, "h1") == "Posts by Helen Marsh (13)"
    listing = "section.content ul.plain-list li a"
    assert texts_of(first, listing) == newest
    second = client.get(f"{link['href']}?page=2").get_data(as_text=True)
    assert texts_of(second, listing) == [f"Post number {n}" for n in (2, 1, 0)]
    assert "Secret draft" not in first + second
    assert text_of(second, "nav.pagination [aria-current=page]") == "Page 2 of 2"


def test_a_profile_with_few_posts_has_no_link_to_more(client, people, post):
    html = client.get(f"/people/{people['clinician'].id}").get_data(as_text=True)
    assert texts_of(html, "section[aria-labelledby=profile-posts-heading] li a") == [post.title]
    assert not select_all(html, "a[href$='/posts']")


def test_a_profile_costs_the_same_statements_however_many_posts(client, log_in, people, make_post):
    log_in(people["caregiver"])
    url = f"/people/{people['clinician'].id}"
    make_post("The only post")
    client.get(url)
    one = count_statements(lambda: client.get(url))
    for n in range(15):
        make_post(f"More {n}")
    assert count_statements(lambda: client.get(url)) == one


def test_only_authors_have_a_posts_page(client, people):
    assert client.get(f"/people/{people['patient'].id}/posts").status_code == 404
    assert client.get("/people/999999/posts").status_code == 404
    assert client.get(f"/people/{people['clinician'].id}/posts").status_code == 200
