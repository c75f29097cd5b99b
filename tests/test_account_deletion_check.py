"""Deleting one's account asks for the password: that check is slowed like logging in, and its
answer never tells a right password from a wrong one until the account is really gone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import LoginFailure, User

from .helpers import TEST_PASSWORD, login, select_all, select_one, text_of


def delete(client, password: str):
    return client.post("/account/delete", data={"password": password, "understood": "y"})


def still_there(user_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(User, user_id) is not None


def test_an_author_of_posts_gets_one_answer_whatever_the_password(client, post, people, log_in):
    author = people["clinician"]
    log_in(author)
    page = client.get("/account/delete")
    assert page.status_code == 200
    assert "ask an admin to hand them over" in text_of(page, "[role=alert]")
    assert not select_all(page, "input[name=password]")  # no password is asked for

    right, wrong = delete(client, TEST_PASSWORD), delete(client, "not the password")
    assert right.status_code == wrong.status_code == 422
    assert text_of(right, "main") == text_of(wrong, "main")
    assert "not your password" not in right.get_data(as_text=True)
    assert still_there(author.id)


@pytest.mark.rate_limits
def test_wrong_passwords_bring_a_wait_and_the_wait_answers_alike(app, client, people, log_in):
    patient = people["patient"]
    patient_id = patient.id
    log_in(patient)
    for _ in range(3):
        wrong = delete(client, "a guess")
        assert wrong.status_code == 422
        assert "That is not your password." in text_of(wrong, "#password-error")

    right, guess = delete(client, TEST_PASSWORD), delete(client, "another guess")
    assert right.status_code == guess.status_code == 429
    assert text_of(right, "#password-error") == text_of(guess, "#password-error")
    assert "must wait 30 seconds" in text_of(right, "#password-error")
    assert "not checked" in text_of(right, "#password-error")
    assert select_one(right, "input[name=password]")  # the form stays, to try again later
    assert still_there(patient_id)

    # Another member's check is their own.
    other = app.test_client()
    login(other, people["caregiver"])
    assert (
        other.post("/account/delete", data={"password": "a guess", "understood": "y"}).status_code
        == 422
    )

    for failure in db.session.scalars(select(LoginFailure)):
        failure.last_failure_at -= timedelta(seconds=30)
    db.session.commit()
    assert delete(client, TEST_PASSWORD).status_code == 303
    assert not still_there(patient_id)


def test_without_rate_limits_a_wrong_password_is_just_wrong(client, people, log_in):
    log_in(people["patient"])
    for _ in range(5):
        assert delete(client, "a guess").status_code == 422
    assert delete(client, TEST_PASSWORD).status_code == 303
