"""The database itself enforces the data rules, whatever code writes to it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Comment, Flag, Post, User


def insert_user(**overrides) -> None:
    values = {
        "email": "someone@example.org",
        "display_name": "Someone",
        "display_name_key": "someone",
        "password_hash": "x",
        "role": "patient",
        "status": "active",
        **overrides,
    }
    columns = ", ".join(values) + ", title, specialty, bio, status_reason, hide_comment_list"
    params = ", ".join(f":{key}" for key in values) + ", '', '', '', '', false"
    db.session.execute(
        text(
            f"INSERT INTO users ({columns}, session_token, created_at) "
            f"VALUES ({params}, 'tok', CURRENT_TIMESTAMP)"
        ),
        values,
    )
    db.session.commit()


def rejects(**overrides) -> None:
    with pytest.raises(IntegrityError):
        insert_user(**overrides)
    db.session.rollback()


def test_the_database_rejects_a_duplicate_email(app):
    insert_user()
    rejects(display_name="Other", display_name_key="other")


def test_the_database_rejects_an_email_not_in_lower_case(app):
    rejects(email="Someone@Example.org")


def test_the_database_rejects_display_names_differing_only_in_case(app, make_user):
    make_user("patient", "Anna Lee")
    with pytest.raises(IntegrityError):
        db.session.add(
            User(
                email="other@example.org",
                display_name="ANNA LEE",
                display_name_key="anna lee",
                password_hash="x",
            )
        )
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("field,value", [("role", "superuser"), ("status", "frozen")])
def test_the_database_rejects_unknown_roles_and_statuses(app, field, value):
    rejects(**{field: value})


def test_the_database_rejects_unknown_comment_and_post_statuses(app, post, people):
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE posts SET status = 'secret' WHERE id = :id"), {"id": post.id}
        )
        db.session.commit()
    db.session.rollback()
    comment = Comment(post=post, author=people["patient"], body_source="a", body_html="<p>a</p>")
    db.session.add(comment)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE comments SET status = 'hidden' WHERE id = :id"), {"id": comment.id}
        )
        db.session.commit()
    db.session.rollback()


def test_deleting_a_post_deletes_its_comments_and_reports(app, post, people, make_comment):
    question = make_comment(post, people["patient"])
    make_comment(post, people["clinician"], parent=question)
    db.session.add(Flag(comment=question, reporter=people["caregiver"], reason="spam"))
    db.session.commit()
    db.session.execute(text("DELETE FROM posts WHERE id = :id"), {"id": post.id})
    db.session.commit()
    assert db.session.execute(text("SELECT count(*) FROM comments")).scalar() == 0
    assert db.session.execute(text("SELECT count(*) FROM flags")).scalar() == 0


def test_deleting_an_account_keeps_its_comments_without_an_author(
    app, post, make_user, make_comment
):
    writer = make_user("patient", "Leaving Soon")
    comment = make_comment(post, writer)
    db.session.execute(text("DELETE FROM users WHERE id = :id"), {"id": writer.id})
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Comment, comment.id)
    assert kept is not None and kept.author_id is None


def test_an_author_with_posts_cannot_be_deleted_by_accident(app, post, people):
    with pytest.raises(IntegrityError):
        db.session.execute(text("DELETE FROM users WHERE id = :id"), {"id": people["clinician"].id})
        db.session.commit()
    db.session.rollback()
    assert db.session.get(Post, post.id) is not None


def test_one_report_per_reader_per_comment(app, post, people, make_comment):
    comment = make_comment(post, people["patient"])
    db.session.add(Flag(comment=comment, reporter=people["caregiver"], reason="spam"))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.add(Flag(comment=comment, reporter=people["caregiver"], reason="abusive"))
        db.session.commit()
    db.session.rollback()


def test_connections_are_tuned_for_their_database(app):
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    else:
        # PostgreSQL enforces foreign keys itself and waits on locks; it stores UTC times.
        assert connection.dialect.name == "postgresql"
        assert db.engine.pool._pre_ping is True


def test_timestamps_come_back_timezone_aware(app, post):
    db.session.expire_all()
    assert db.session.get(Post, post.id).published_at.tzinfo is not None
