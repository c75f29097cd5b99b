"""Public profiles: clinicians are recognisable; patients and caregivers stay pseudonymous."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import User, utcnow

from .helpers import HTMX


def refreshed(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_a_clinicians_page_shows_who_they_are_their_posts_and_answers(
    client, people, make_post, make_comment
):
    clinician = people["clinician"]
    clinician.bio = "Runs the Tuesday MS clinic."
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
    assert "<h1>Helen Marsh</h1>" in html and "badge--clinician" in html
    assert "Consultant Neurologist, MS" in html and "Runs the Tuesday MS clinic." in html
    assert "Alemtuzumab: the long view" in html and "Secret draft" not in html
    assert "Recent answers" in html and "Yes, in the first month." in html
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
