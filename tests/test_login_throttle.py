"""Guessing passwords is slowed by counting failures, and no stranger can lock the owner out.

Failures count per (account, address), per address and per account; each brings a growing
wait, and a stranger's failures never keep the owner's right password out for longer than a
minute (portal/auth/throttle.py). Time passes here by moving the failures into the past.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.auth import throttle
from portal.extensions import db
from portal.models import LoginFailure

from .helpers import HTMX, TEST_PASSWORD, select_one, text_of

pytestmark = pytest.mark.rate_limits

STRANGER = "203.0.113.66"
OWNER = "198.51.100.7"


def attempt(client, email: str, password: str, address: str, **kwargs):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **kwargs,
    )


def time_passes(seconds: float) -> None:
    """Move every counted failure into the past, as if seconds had gone by."""
    for failure in db.session.scalars(select(LoginFailure)):
        failure.last_failure_at -= timedelta(seconds=seconds)
    db.session.commit()


def wait_of(response) -> int:
    """The wait the page states (Retry-After may be longer: the limiter's own flood guard)."""
    assert int(response.headers["Retry-After"]) >= 1
    return int(select_one(response.get_data(as_text=True), "[data-slow-down]")["data-wait-seconds"])


def test_the_waits_grow_and_stop_at_a_ceiling():
    pair = throttle.ACCOUNT_FROM_ADDRESS
    assert [pair.wait_after(n) for n in range(1, 10)] == [0, 0, 30, 60, 120, 240, 480, 900, 900]
    account = throttle.ACCOUNT
    assert [account.wait_after(n) for n in (9, 10, 11, 12, 13, 14, 100)] == [
        0,
        5,
        10,
        20,
        40,
        60,
        60,
    ]
    assert throttle.FROM_ADDRESS.wait_after(10) == 60
    assert throttle.FROM_ADDRESS.wait_after(1000) == 3600


def test_a_few_strangers_failures_do_not_touch_the_owners_login(client, people):
    # Before: five wrong guesses from anywhere refused the owner's right password.
    patient = people["patient"]
    for n in range(9):
        assert attempt(client, patient.email, "a guess", f"10.9.0.{n}").status_code == 422
    assert attempt(client, patient.email, TEST_PASSWORD, OWNER).status_code == 303


def test_a_run_of_strangers_failures_slows_the_account_for_a_minute_at_most(app, people):
    patient = people["patient"]
    for n in range(40):
        attempt(app.test_client(), patient.email, f"guess {n}", f"10.8.{n // 200}.{n % 200}")
    owner = app.test_client()
    slowed = attempt(owner, patient.email, TEST_PASSWORD, OWNER)
    assert slowed.status_code == 429
    assert 0 < wait_of(slowed) <= 60
    page = slowed.get_data(as_text=True)
    notice = select_one(page, "[data-slow-down]")
    assert "must wait" in notice.get_text() and "not checked" in notice.get_text()
    # The way in that needs no wait: a reset link by email.
    assert select_one(notice, "a")["href"] == "/password/forgot"
    assert select_one(page, "input[name=email]")["value"] == patient.email

    time_passes(60)
    assert attempt(owner, patient.email, TEST_PASSWORD, OWNER).status_code == 303


def test_failures_from_one_address_get_that_address_limited(app, people):
    guesser = app.test_client()
    for n in range(10):
        response = attempt(guesser, f"someone{n}@example.org", "a guess", STRANGER)
        assert response.status_code == 422
    assert "must wait 1 minute" not in response.get_data(as_text=True)  # "60 seconds"
    assert "must wait 60 seconds" in response.get_data(as_text=True)
    refused = attempt(guesser, people["caregiver"].email, TEST_PASSWORD, STRANGER)
    assert refused.status_code == 429 and wait_of(refused) == 60
    # Only that address: the account it tried last is open to anyone else.
    assert (
        attempt(app.test_client(), people["caregiver"].email, TEST_PASSWORD, OWNER).status_code
        == 303
    )


def test_a_right_password_from_a_client_that_failed_works_once_its_wait_is_over(app, people):
    patient = people["patient"]
    member = app.test_client()
    for _ in range(2):
        assert attempt(member, patient.email, "typo", OWNER).status_code == 422
    third = attempt(member, patient.email, "typo", OWNER)
    assert third.status_code == 422
    html = third.get_data(as_text=True)
    assert "do not match an account" in html and "must wait 30 seconds" in html

    refused = attempt(member, patient.email, TEST_PASSWORD, OWNER)
    assert refused.status_code == 429 and wait_of(refused) == 30
    time_passes(29)
    assert attempt(member, patient.email, TEST_PASSWORD, OWNER).status_code == 429
    time_passes(1)
    assert attempt(member, patient.email, TEST_PASSWORD, OWNER).status_code == 303
    # Success forgets this account's failures from here: a typo costs nothing again.
    other = app.test_client()
    assert attempt(other, patient.email, "typo", OWNER).status_code == 422
    assert "must wait" not in attempt(other, patient.email, "typo", OWNER).get_data(as_text=True)


def test_the_waits_grow_with_each_failure_after_the_wait(app, people):
    patient = people["patient"]
    guesser = app.test_client()
    waits = []
    for _ in range(3):
        attempt(guesser, patient.email, "a guess", STRANGER)
    for _ in range(6):
        refused = attempt(guesser, patient.email, "a guess", STRANGER)
        assert refused.status_code == 429
        waits.append(wait_of(refused))
        time_passes(waits[-1])
        assert attempt(guesser, patient.email, "a guess", STRANGER).status_code == 422
    assert waits == [30, 60, 120, 240, 480, 900]
    # The owner, elsewhere, is slowed by these seven failures not at all.
    assert attempt(app.test_client(), patient.email, TEST_PASSWORD, OWNER).status_code == 303


def test_while_the_wait_runs_the_password_is_not_looked_at(app, people):
    patient = people["patient"]
    guesser = app.test_client()
    for _ in range(3):
        attempt(guesser, patient.email, "a guess", STRANGER)
    right = attempt(guesser, patient.email, TEST_PASSWORD, STRANGER)
    wrong = attempt(guesser, patient.email, "another guess", STRANGER)
    assert right.status_code == wrong.status_code == 429
    assert text_of(right, "[data-slow-down]") == text_of(wrong, "[data-slow-down]")
    assert "Log out" not in guesser.get("/").get_data(as_text=True)


def test_htmx_gets_the_wait_as_a_fragment(app, people):
    guesser = app.test_client()
    for _ in range(3):
        attempt(guesser, people["patient"].email, "a guess", STRANGER)
    response = attempt(guesser, people["patient"].email, "a guess", STRANGER, headers=HTMX)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "<html" not in html and "must wait 30 seconds" in html


def test_no_address_or_email_is_kept_in_the_count(app, people):
    attempt(app.test_client(), people["patient"].email, "a guess", STRANGER)
    keys = list(db.session.scalars(select(LoginFailure.key_hash)))
    assert len(keys) == 3
    assert all(len(key) == 64 and STRANGER not in key and "@" not in key for key in keys)


def test_old_failures_are_forgotten(app, people):
    guesser = app.test_client()
    for _ in range(3):
        attempt(guesser, people["patient"].email, "a guess", STRANGER)
    time_passes(throttle.FORGET_AFTER.total_seconds() + 1)
    assert attempt(guesser, people["patient"].email, "a guess", STRANGER).status_code == 422
    # Counting began again: one failure, and the old rows were cleared away.
    assert set(db.session.scalars(select(LoginFailure.failures))) == {1}


def test_a_slowed_login_from_the_session_ended_page_keeps_the_text(app, post, people):
    patient = people["patient"]
    member = app.test_client()
    for _ in range(3):
        attempt(member, patient.email, "typo", OWNER)
    response = member.post(
        "/login",
        data={
            "email": patient.email,
            "password": TEST_PASSWORD,
            "kept_body": "My long story",
            "kept_post": post.slug,
        },
        environ_base={"REMOTE_ADDR": OWNER},
    )
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert text_of(page, "textarea[name=kept_body]") == "My long story"
    assert "must wait 30 seconds" in text_of(page, ".form-errors")


def test_on_a_device_it_logged_in_from_before_the_owner_is_not_slowed_by_strangers(app, people):
    patient = people["patient"]
    laptop = app.test_client()
    assert attempt(laptop, patient.email, TEST_PASSWORD, OWNER).status_code == 303
    known = laptop.get_cookie("known_device")
    assert known is not None and patient.email not in known.value
    laptop.post("/logout")
    for n in range(40):
        attempt(app.test_client(), patient.email, f"guess {n}", f"10.7.0.{n}")
    # A fresh client waits for the account-wide rule; the owner's own laptop does not.
    assert attempt(app.test_client(), patient.email, TEST_PASSWORD, OWNER).status_code == 429
    assert attempt(laptop, patient.email, TEST_PASSWORD, OWNER).status_code == 303


def test_a_known_device_cookie_counts_only_for_its_own_account_and_only_signed(app, people):
    patient, caregiver = people["patient"], people["caregiver"]
    laptop = app.test_client()
    attempt(laptop, caregiver.email, TEST_PASSWORD, OWNER)
    laptop.post("/logout")
    for n in range(40):
        attempt(app.test_client(), patient.email, f"guess {n}", f"10.6.0.{n}")
    assert attempt(laptop, patient.email, TEST_PASSWORD, OWNER).status_code == 429
    forged = app.test_client()
    forged.set_cookie("known_device", laptop.get_cookie("known_device").value + "x")
    assert attempt(forged, patient.email, TEST_PASSWORD, OWNER).status_code == 429


def test_a_known_device_still_waits_for_its_own_failures(app, people):
    patient = people["patient"]
    laptop = app.test_client()
    attempt(laptop, patient.email, TEST_PASSWORD, OWNER)
    laptop.post("/logout")
    for _ in range(3):
        attempt(laptop, patient.email, "a guess", OWNER)
    assert attempt(laptop, patient.email, TEST_PASSWORD, OWNER).status_code == 429


def test_failures_at_the_same_moment_are_each_counted(app, people):
    from concurrent.futures import ThreadPoolExecutor

    email = people["patient"].email

    def fail(n: int) -> int:
        with app.app_context():
            return attempt(app.test_client(), email, "a guess", f"10.5.0.{n}").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(fail, range(8))) == [422] * 8
    db.session.expire_all()
    counts = sorted(db.session.scalars(select(LoginFailure.failures)))
    assert counts == [1] * 16 + [
        8
    ]  # each address twice (alone and with the account); the account 8
