"""The accounts service on its own: the rules an account keeps, whichever view or command asks."""

from __future__ import annotations

import pytest

from portal.accounts import service as accounts
from portal.extensions import db
from portal.models import User

PASSWORD = "a long enough passphrase"


def new_member(**changes) -> User:
    fields = {"email": "  Sam.Lee@Example.org ", "display_name": "Sam Lee", "password": PASSWORD}
    return accounts.create_user(**{**fields, **changes})


def test_a_new_account_is_stored_under_its_normalised_email_and_can_log_in(app):
    member = new_member()
    assert member.email == "sam.lee@example.org" and member.role == "patient"
    assert accounts.find_by_email("SAM.LEE@example.org") is member
    assert accounts.authenticate(" sam.lee@EXAMPLE.org", PASSWORD) is member
    assert accounts.authenticate("sam.lee@example.org", "not the passphrase") is None
    assert accounts.authenticate("nobody@example.org", PASSWORD) is None
    assert accounts.count_users() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "wizard"}, "role"),
        ({"password": "short"}, "password"),
        ({"email": "sam.lee@example.org", "display_name": "Someone Else"}, "email"),
        ({"email": "other@example.org", "display_name": "SAM LEE"}, "display_name"),
    ],
)
def test_creating_an_account_names_the_field_a_problem_belongs_to(app, changes, field):
    new_member()
    with pytest.raises(accounts.AccountError) as problem:
        new_member(**changes)
    assert problem.value.field == field
    assert accounts.count_users() == 1


def test_changing_the_password_checks_the_old_one_and_retires_other_sessions(app):
    member = new_member()
    old_token = member.session_token
    with pytest.raises(accounts.AccountError) as problem:
        accounts.change_password(member, "wrong", "another long passphrase")
    assert problem.value.field == "current_password"
    accounts.change_password(member, PASSWORD, "another long passphrase")
    assert member.session_token != old_token
    assert accounts.authenticate(member.email, "another long passphrase") is member


def test_a_display_name_may_change_but_not_to_one_already_taken(app, people):
    member = new_member()
    with pytest.raises(accounts.AccountError) as problem:
        accounts.change_display_name(member, people["caregiver"].display_name.upper())
    assert problem.value.field == "display_name"
    accounts.change_display_name(member, "  Sam   Lee-Jones ")
    assert member.display_name == "Sam Lee-Jones"
    assert accounts.find_by_display_name("sam lee-jones") is member


def test_the_comment_list_setting_and_the_export_agree(app):
    member = new_member()
    accounts.set_comment_list_hidden(member, True)
    db.session.expire_all()
    assert db.session.get(User, member.id).hide_comment_list is True
    assert accounts.export_for(member)["account"]["hide_comment_list"] is True


def test_deleting_needs_the_password_and_no_posts_of_ones_own(app, post):
    member = new_member()
    with pytest.raises(accounts.AccountError) as problem:
        accounts.delete_account(member, "wrong")
    assert problem.value.field == "password"
    author = post.author
    author.password_hash = accounts.hash_password(PASSWORD)
    with pytest.raises(accounts.AccountError) as problem:
        accounts.delete_account(author, PASSWORD)
    assert "hand them over" in problem.value.message
    accounts.delete_account(member, PASSWORD)
    assert accounts.find_by_email("sam.lee@example.org") is None
