"""Issue 19, points 1 and 2: visitors get kept, compressed copies of the pages everyone sees
alike, and every change they could see makes those pages fresh at once — event by event,
through the portal's own services. Members never get a kept page, and never leave one.
"""

from __future__ import annotations

import gzip

import pytest
from sqlalchemy import select, text

from portal import create_app
from portal.accounts import service as accounts
from portal.comments import service as comments
from portal.extensions import db
from portal.models import Comment, ContentVersion, Post, User
from portal.moderation import decisions, members, redaction, reports
from portal.posts import editing
from portal.questions import helpful, lifecycle

from .gunicorn_support import free_port
from .helpers import TEST_PASSWORD, base_config, count_statements, login, select_one
from .redis_support import start_redis_server
from .trust import make_trusted

GZIP = {"Accept-Encoding": "gzip"}


def visitor_sees(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.fixture()
def thread(post, people, make_comment):
    question = make_comment(post, people["patient"], "Does the fatigue lift after infusions?")
    answer = make_comment(
        post, people["clinician"], "For most people it eases within weeks.", parent=question
    )
    return {"post": post, "question": question, "answer": answer}


def page_of(post: Post) -> str:
    return f"/posts/{post.slug}"


# --- kept copies ------------------------------------------------------------------------------


def test_a_second_visitor_gets_the_kept_copy_with_one_statement(app, client, thread):
    path = page_of(thread["post"])
    first = client.get(path, headers=GZIP)
    statements = count_statements(lambda: client.get(path, headers=GZIP))
    second = client.get(path, headers=GZIP)
    assert statements == 1  # the content version: nothing is rendered again
    assert first.data == second.data
    assert second.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in second.headers["Vary"]
    assert "Does the fatigue lift" in gzip.decompress(second.data).decode()


def test_a_client_without_gzip_gets_the_same_page_plain(client, thread):
    path = page_of(thread["post"])
    compressed = client.get(path, headers=GZIP)
    plain = client.get(path)
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(compressed.data) == plain.data


def test_a_kept_page_holds_nothing_of_one_person_and_sets_no_cookie(client, thread):
    for path in ("/", page_of(thread["post"]), "/feed.atom"):
        response = client.get(path)
        assert "Set-Cookie" not in response.headers, path
        assert 'name="csrf-token"' not in response.get_data(as_text=True), path
    assert client.get_cookie("session") is None


def test_a_revisit_with_the_etag_answers_304_without_a_body(client, thread):
    path = page_of(thread["post"])
    etag = client.get(path).headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert (again.status_code, again.data) == (304, b"")


def test_htmx_parts_and_whole_pages_are_kept_apart(client, thread):
    path = page_of(thread["post"])
    whole = client.get(path).get_data(as_text=True)
    part = client.get(
        path, headers={"HX-Request": "true", "HX-Target": "discussion-view"}
    ).get_data(as_text=True)
    assert "<html" in whole and "<html" not in part
    assert client.get(path).get_data(as_text=True) == whole


def test_a_member_never_gets_a_kept_page_and_never_leaves_one(client, people, log_in, thread):
    path = page_of(thread["post"])
    visitor_page = visitor_sees(client, path)
    log_in(people["patient"])
    member_page = visitor_sees(client, path)
    assert member_page != visitor_page
    assert 'name="csrf-token"' in member_page
    assert select_one(member_page, "#comment-form textarea") is not None
    client.post("/logout", data={"csrf_token": _token(member_page)})
    client.delete_cookie("session")
    after = visitor_sees(client, path)
    assert 'name="csrf-token"' not in after
    assert "Log out" not in after and "RiverWalker" not in select_one(after, ".site-header").text


def test_a_remembered_member_whose_session_ended_gets_their_own_page(client, people, thread):
    """Only a request with no cookie at all is taken for a visitor without asking who it is:
    "keep me logged in" leaves a cookie that logs the member back in."""
    path = page_of(thread["post"])
    visitor_page = visitor_sees(client, path)
    client.post(
        "/login",
        data={"email": people["patient"].email, "password": TEST_PASSWORD, "remember": "y"},
    )
    assert client.get_cookie("remember_token") is not None
    client.delete_cookie("session")  # the browser was closed: only the remembered login is left
    member_page = visitor_sees(client, path)
    assert member_page != visitor_page
    assert "Log out" in select_one(member_page, ".site-header").text
    assert select_one(member_page, "#comment-form textarea") is not None


def _token(page: str) -> str:
    meta = select_one(page, 'meta[name="csrf-token"]')
    return meta["content"] if meta else ""


def test_a_message_to_show_once_is_never_swallowed_by_a_kept_page(client, thread):
    path = page_of(thread["post"])
    visitor_sees(client, path)
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "You have been logged out.")]
    assert "You have been logged out." in visitor_sees(client, path)


def test_pages_are_shared_between_processes_of_one_machine(tmp_path, app, client, thread):
    """A second app on the same instance folder (another gunicorn worker) serves the copy the
    first one kept, without rendering it."""
    path = page_of(thread["post"])
    client.get(path)
    other = create_app(
        base_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
        | {"INSTANCE_PATH": app.instance_path}
    )
    with other.app_context():
        statements = count_statements(lambda: other.test_client().get(path))
        assert statements == 1
        db.session.remove()
        db.engine.dispose()


def test_an_unreachable_cache_store_costs_speed_never_the_page(tmp_path, app, thread):
    broken = create_app(
        base_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
        | {"PAGE_CACHE_URL": "redis://127.0.0.1:9/0"}
    )
    with broken.app_context():
        visitor = broken.test_client()
        for _ in range(2):
            response = visitor.get(page_of(thread["post"]))
            assert response.status_code == 200
            assert "Does the fatigue lift" in response.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_the_cache_can_be_turned_off(tmp_path, app, thread):
    off = create_app(
        base_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) | {"PAGE_CACHE_ENABLED": False}
    )
    with off.app_context():
        visitor = off.test_client()
        visitor.get(page_of(thread["post"]))
        assert count_statements(lambda: visitor.get(page_of(thread["post"]))) > 1
        db.session.remove()
        db.engine.dispose()


# --- every change a visitor could see makes the pages fresh at once ---------------------------


def version() -> int:
    return db.session.scalar(select(ContentVersion.number))


def test_a_database_restored_from_a_backup_never_meets_the_lost_hours_kept_pages(
    client, thread, people, make_comment
):
    path = page_of(thread["post"])
    visitor_sees(client, path)
    backed_up = version()  # the backup is taken here
    lost = make_comment(thread["post"], people["caregiver"], "Words the restore takes away")
    assert "Words the restore takes away" in visitor_sees(client, path)  # kept, newer number
    # The restore: the rows and the number as they were at the backup, written as a restore
    # writes them (no session of the portal's sees it happen).
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM comments WHERE id = :id"), {"id": lost.id})
        connection.execute(text("UPDATE content_version SET number = :n"), {"n": backed_up})
    db.session.expire_all()
    assert "Words the restore takes away" not in visitor_sees(client, path)
    make_comment(thread["post"], people["patient"], "Written after the restore")
    page = visitor_sees(client, path)
    assert "Written after the restore" in page
    assert "Words the restore takes away" not in page


def test_a_held_comment_approved_appears(client, thread, people, make_comment):
    held = make_comment(
        thread["post"], people["caregiver"], "Pacing saved my week", status="pending"
    )
    assert "Pacing saved my week" not in visitor_sees(client, page_of(thread["post"]))
    decisions.moderate(db.session.get(Comment, held.id), people["admin"], "approve")
    db.session.commit()
    assert "Pacing saved my week" in visitor_sees(client, page_of(thread["post"]))


def test_a_held_comment_changes_no_version(client, thread, people, make_comment):
    before = version()
    make_comment(thread["post"], people["caregiver"], "Waiting for a moderator", status="pending")
    assert version() == before


def test_an_edited_comment_shows_its_new_words(client, thread, people):
    make_trusted(people["patient"], thread["post"])  # so the edit is published, not held
    visitor_sees(client, page_of(thread["post"]))
    comments.edit(
        db.session.get(Comment, thread["question"].id),
        people["patient"],
        "Does the tiredness lift after infusions?",
    )
    db.session.commit()
    page = visitor_sees(client, page_of(thread["post"]))
    assert "tiredness lift" in page and "fatigue lift" not in page


def test_a_comment_deleted_by_its_writer_goes(client, thread, people, make_comment):
    tip = make_comment(thread["post"], people["caregiver"], "Cold packs help", kind="discussion")
    assert "Cold packs help" in visitor_sees(client, page_of(thread["post"]))
    comments.delete(db.session.get(Comment, tip.id), people["caregiver"])
    db.session.commit()
    assert "Cold packs help" not in visitor_sees(client, page_of(thread["post"]))


def test_a_comment_removed_by_a_moderator_goes(client, thread, people, make_comment):
    tip = make_comment(thread["post"], people["caregiver"], "Buy my supplement", kind="discussion")
    assert "Buy my supplement" in visitor_sees(client, page_of(thread["post"]))
    decisions.moderate(db.session.get(Comment, tip.id), people["admin"], "reject", "advertising")
    db.session.commit()
    assert "Buy my supplement" not in visitor_sees(client, page_of(thread["post"]))


def test_a_redacted_comment_shows_only_what_is_left(client, thread, people, make_comment):
    tip = make_comment(
        thread["post"],
        people["caregiver"],
        "Ask Dr Ahmed at St Elsewhere, it helped",
        kind="discussion",
    )
    assert "Dr Ahmed" in visitor_sees(client, page_of(thread["post"]))
    redaction.redact(
        db.session.get(Comment, tip.id),
        people["admin"],
        "Ask your neurologist, it helped",
        "Names of staff are removed",
        approve=False,
    )
    db.session.commit()
    page = visitor_sees(client, page_of(thread["post"]))
    assert "Dr Ahmed" not in page and "Ask your neurologist" in page


def test_a_comment_reported_into_hiding_goes(client, thread, people, make_comment, make_user):
    tip = make_comment(
        thread["post"], people["caregiver"], "Stop your meds, I did", kind="discussion"
    )
    assert "Stop your meds" in visitor_sees(client, page_of(thread["post"]))
    for number in range(3):
        reader = make_trusted(make_user("patient", f"Reader {number}"), thread["post"])
        reports.report(db.session.get(Comment, tip.id), reader, "misinformation", None)
        db.session.commit()
    assert db.session.get(Comment, tip.id).status != "approved"
    assert "Stop your meds" not in visitor_sees(client, page_of(thread["post"]))


def test_a_post_edited_retitled_unpublished_and_published_again(client, thread):
    post = thread["post"]
    visitor_sees(client, "/")
    visitor_sees(client, page_of(post))
    editing.update_post(
        db.session.get(Post, post.id),
        editing.PostFields(
            title="Alemtuzumab: twelve years on", summary="The long view.", body="New evidence."
        ),
    )
    db.session.commit()
    assert "twelve years on" in visitor_sees(client, "/")
    assert "New evidence." in visitor_sees(client, page_of(post))
    editing.unpublish(db.session.get(Post, post.id))
    db.session.commit()
    assert "twelve years on" not in visitor_sees(client, "/")
    assert client.get(page_of(post)).status_code == 404
    editing.publish(db.session.get(Post, post.id))
    db.session.commit()
    assert "twelve years on" in visitor_sees(client, "/")


def test_an_authors_new_name_and_lost_badge_show_at_once(client, thread, people):
    post = thread["post"]
    page = visitor_sees(client, page_of(post))
    assert "Helen Marsh" in page and "Verified clinician" in page
    accounts.change_display_name(db.session.get(User, people["clinician"].id), "Dr H Marsh")
    db.session.commit()
    assert "Dr H Marsh" in visitor_sees(client, page_of(post))
    members.revoke_clinician(
        db.session.get(User, people["clinician"].id),
        people["admin"],
        "Registration lapsed",
        "author",
        "Medical writer",
    )
    db.session.commit()
    assert "Verified clinician" not in visitor_sees(client, page_of(post))


def test_a_deleted_member_s_words_go(client, thread, people):
    assert "Does the fatigue lift" in visitor_sees(client, page_of(thread["post"]))
    accounts.delete_account(db.session.get(User, people["patient"].id), TEST_PASSWORD)
    db.session.commit()
    assert "Does the fatigue lift" not in visitor_sees(client, page_of(thread["post"]))


def test_an_answer_marked_and_found_helpful_show_at_once(client, thread, people):
    post = thread["post"]
    visitor_sees(client, page_of(post))
    lifecycle.mark_answer(db.session.get(Comment, thread["answer"].id), people["clinician"])
    db.session.commit()
    page = visitor_sees(client, page_of(post))
    assert "Clinician's answer" in page
    helpful.mark(db.session.get(Comment, thread["answer"].id), people["caregiver"])
    db.session.commit()
    card = select_one(visitor_sees(client, page_of(post)), f"#comment-{thread['answer'].id}")
    assert "1" in card.get_text() and "helped" in card.get_text()


def test_a_profile_shows_its_members_new_profile_answers_and_privacy_at_once(
    client, thread, people, make_comment
):
    clinician = f"/people/{people['clinician'].id}"
    patient = f"/people/{people['patient'].id}"
    assert "Fans help at night" not in visitor_sees(client, clinician)
    assert count_statements(lambda: client.get(clinician)) == 1  # kept
    members.verify_clinician(
        db.session.get(User, people["clinician"].id),
        people["admin"],
        "Consultant Neurologist",
        "Multiple sclerosis",
        "Fans help at night, in my experience.",
        "GMC",
        "7654321",
    )
    db.session.commit()
    assert "Fans help at night" in visitor_sees(client, clinician)
    make_comment(
        thread["post"],
        people["clinician"],
        "Cooling vests are worth a try.",
        parent=thread["question"],
    )
    assert "Cooling vests" in visitor_sees(client, clinician)
    assert "Does the fatigue lift" in visitor_sees(client, patient)
    accounts.set_comment_list_hidden(db.session.get(User, people["patient"].id), True)
    db.session.commit()
    assert "Does the fatigue lift" not in visitor_sees(client, patient)


def test_the_feeds_and_the_front_page_see_a_new_comment(client, thread, people, make_comment):
    feed = f"/posts/{thread['post'].slug}/comments.atom"
    visitor_sees(client, feed)
    visitor_sees(client, "/feed.atom")
    make_comment(thread["post"], people["caregiver"], "Swimming helps my legs", kind="discussion")
    assert "Swimming helps my legs" in visitor_sees(client, feed)


def test_a_comment_posted_through_the_site_shows_to_visitors(app, client, thread, people):
    visitor = app.test_client()
    visitor_sees(visitor, page_of(thread["post"]))
    member = login(client, make_trusted(people["caregiver"], thread["post"]))
    assert member.status_code == 303
    page = visitor_sees(client, page_of(thread["post"]))
    posted = client.post(
        f"/posts/{thread['post'].slug}/comments",
        data={"body": "Cooling vests work", "kind": "discussion", "csrf_token": _token(page)},
    )
    assert posted.status_code == 303
    assert "Cooling vests work" in visitor_sees(visitor, page_of(thread["post"]))


def test_pages_that_are_not_everyones_are_never_kept(client, people, log_in, thread):
    for path in ("/login", "/register"):
        response = client.get(path)
        assert 'name="csrf-token"' in response.get_data(as_text=True), path
        assert "ETag" not in response.headers, path
    log_in(people["patient"])
    for path in ("/account", "/notifications", page_of(thread["post"])):
        assert "ETag" not in client.get(path).headers, path


def test_made_up_addresses_are_answered_but_never_kept(client, thread):
    path = page_of(thread["post"]) + "?utm_source=x1"
    client.get(path)
    assert count_statements(lambda: client.get(path)) > 1
    kept = page_of(thread["post"]) + "?page=1&order=newest"
    client.get(kept)
    assert count_statements(lambda: client.get(kept)) == 1


# --- several machines: one Redis ---------------------------------------------------------------


@pytest.mark.multiprocess
def test_machines_share_kept_pages_through_redis_and_survive_its_loss(
    tmp_path, app, thread, people, make_comment
):
    port = free_port()
    redis = start_redis_server(port)
    url = f"redis://127.0.0.1:{port}/0"
    path = page_of(thread["post"])
    machines = [
        create_app(
            base_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / name)
            | {"PAGE_CACHE_URL": url}
        )
        for name in ("one", "two")
    ]
    try:
        one, two = (machine.test_client() for machine in machines)
        assert "Does the fatigue lift" in visitor_sees(one, path)
        with machines[1].app_context():
            assert count_statements(lambda: two.get(path)) == 1  # kept by the other machine
        make_comment(thread["post"], people["caregiver"], "Fans at night", kind="discussion")
        assert "Fans at night" in visitor_sees(two, path)
        assert "Fans at night" in visitor_sees(one, path)
        redis.terminate()
        redis.wait(timeout=10)
        make_comment(thread["post"], people["caregiver"], "Cool showers", kind="discussion")
        for client in (one, two):
            assert "Cool showers" in visitor_sees(client, path)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
        for machine in machines:
            with machine.app_context():
                db.session.remove()
                db.engine.dispose()


def test_a_setting_pages_show_gives_them_new_copies(tmp_path, app, thread):
    path = page_of(thread["post"])
    app.test_client().get(path)
    other = create_app(
        base_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
        | {"INSTANCE_PATH": app.instance_path, "THREADS_PER_PAGE": 1}
    )
    with other.app_context():
        assert count_statements(lambda: other.test_client().get(path)) > 1
        db.session.remove()
        db.engine.dispose()
