"""Names cannot impersonate: look-alike letters, staff words, clinicians' names, decorations.

The uniqueness key is Unicode's confusable skeleton (UTS #39) as ICU computes it, folded for
case, so two names that read the same are one name whatever script their letters come from.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from portal import create_app, names
from portal.accounts import service as accounts
from portal.extensions import db
from portal.models import User

from .helpers import base_config, select_one, text_of

CYRILLIC_A = "\u0410"  # А
CYRILLIC_O = "\u043e"  # о
CYRILLIC_I = "\u0456"  # і
CYRILLIC_E = "\u0435"  # е
GOOD = {
    "email": "new.person@example.org",
    "password": "a long enough passphrase",
    "confirm": "a long enough passphrase",
    "role": "patient",
    "agree_rules": "y",
    "agree_disclaimer": "y",
}


def register(client, display_name: str):
    return client.post("/register", data={**GOOD, "display_name": display_name})


def name_error(response) -> str:
    return text_of(response.get_data(as_text=True), "#display_name-error")


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


@pytest.mark.parametrize(
    "look_alike",
    [
        f"{CYRILLIC_A}dmin",  # Cyrillic capital A
        "ADMlN",  # a small L for the capital I
        "ADMIN",
        "adm1n",
        f"Adm{CYRILLIC_I}n",
    ],
)
def test_look_alikes_of_a_name_share_its_key(look_alike):
    assert names.name_key(look_alike) == names.name_key("Admin")


def test_the_key_is_icus_confusable_skeleton_not_a_table_of_our_own():
    # "rn" and "m" read alike in most fonts: only a confusables table knows that.
    assert names.name_key("Cornelius") == names.name_key("Comelius")
    assert names.name_key(f"R{CYRILLIC_O}sie") == names.name_key("Rosie")
    assert names.name_key("Anna Lee") != names.name_key("Ann Lee")


def test_a_look_alike_of_a_members_name_is_taken(client, make_user):
    make_user("patient", "Rosie Lane")
    response = register(client, f"R{CYRILLIC_O}sie Lane")  # Cyrillic о
    assert response.status_code == 422
    assert "taken" in name_error(response)
    assert f'value="R{CYRILLIC_O}sie Lane"' in response.get_data(as_text=True)
    assert user_count() == 1


@pytest.mark.parametrize(
    "staff_like",
    [
        f"{CYRILLIC_A}dmin",
        "ADMlN",
        f"C{CYRILLIC_O}mmunity team",
        "M0derat0r Sam",
        f"Site {CYRILLIC_A}dministrator",
        "Dr\u2024 Kindly",  # ONE DOT LEADER for the full stop
    ],
)
def test_staff_words_in_any_look_alike_form_are_refused_to_members(client, staff_like):
    response = register(client, staff_like)
    assert response.status_code == 422
    assert "kept for verified accounts" in name_error(response)
    assert user_count() == 0


def test_staff_may_carry_staff_words(app):
    admin = accounts.create_user(
        email="lead@example.org", display_name="Site Admin", password=GOOD["password"], role="admin"
    )
    assert admin.display_name_key == names.name_key("SITE ADMlN")


@pytest.mark.parametrize(
    "posing",
    [
        "Helen Marsh",
        f"H{CYRILLIC_E}len Marsh",
        "HelenMarsh",
        "helen.marsh",
        "Helen Marsh fan",
        "Real Helen Marsh",
    ],
)
def test_a_verified_clinicians_name_is_refused_to_members_in_any_look_alike_form(
    client, people, posing
):
    before = user_count()
    response = register(client, posing)
    assert response.status_code == 422
    assert name_error(response)  # taken, or "looks like one of our verified clinicians"
    assert user_count() == before


def test_the_clinician_message_names_the_reason(client, people):
    response = register(client, "Real Helen Marsh")
    assert "verified clinicians" in name_error(response)


def test_a_name_like_an_unverified_clinicians_is_not_refused_for_it(client, people):
    people["clinician"].verified_at = None
    db.session.commit()
    response = register(client, "Real Helen Marsh")
    assert response.status_code == 303


def test_a_member_can_rename_but_not_to_a_clinicians_name(app, people):
    member = people["patient"]
    with pytest.raises(accounts.AccountError) as problem:
        accounts.change_display_name(member, f"Helen M{CYRILLIC_A.lower()}rsh")
    assert problem.value.field == "display_name"
    accounts.change_display_name(member, "Helena Marshall")
    assert member.display_name == "Helena Marshall"


@pytest.mark.parametrize(
    "decorated",
    [
        "Helen Marsh \u2713",  # ✓
        "Sam Lee \u2714",  # ✔
        "Sam Lee \u2611",  # ☑
        "Sam Lee \u2605",  # ★
        "Sam Lee \U0001f600",  # an emoji
        "Sam Lee \u2714\ufe0f",  # ✔ drawn as an emoji
        "Sam Lee \u00ae",  # ®
        "Sam^Lee",  # a modifier symbol
    ],
)
def test_decorations_are_refused_in_names_with_a_clear_message(client, people, decorated):
    response = register(client, decorated)
    assert response.status_code == 422
    message = name_error(response)
    assert "letters, numbers, spaces and punctuation only" in message
    assert "ufe0f" not in message and "\ufe0f" not in message
    assert select_one(response.get_data(as_text=True), "#display_name")["value"] == decorated


def test_ordinary_names_with_accents_and_punctuation_are_welcome(client):
    for number, name in enumerate(["Zoë O'Neill", "José-María", "Ana (she/her)"]):
        response = client.post(
            "/register",
            data={**GOOD, "email": f"person{number}@example.org", "display_name": name},
        )
        assert response.status_code == 303, name_error(response)
    assert user_count() == 3


def _migration_0009():
    path = Path(__file__).parent.parent / "migrations" / "versions" / "0009_name_skeletons.py"
    spec = importlib.util.spec_from_file_location("migration_0009", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_upgrade_rekeys_every_account_and_look_alikes_keep_the_older_ones_key(
    tmp_path, databases
):
    url = databases.fresh(tmp_path, migrated=False)
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        upgrade(revision=_migration_0009().down_revision)
        rows = [
            (1, "Rosie Lane", "rosie lane", "2026-01-01 10:00:00"),
            (2, f"R{CYRILLIC_O}sie Lane", f"r{CYRILLIC_O}sie lane", "2026-02-01 10:00:00"),
            (3, "Comelius", "comelius", "2026-03-01 10:00:00"),
        ]
        for user_id, name, key, created in rows:
            db.session.execute(
                text(
                    "INSERT INTO users (id, email, display_name, display_name_key, "
                    "password_hash, role, title, specialty, bio, status, status_reason, "
                    "registration_body, registration_number, hide_comment_list, "
                    "session_token, created_at, reset_nonce, quote_in_email) VALUES "
                    "(:id, :email, :name, :key, 'x', 'patient', '', '', '', 'active', '', "
                    "'', '', false, :token, :created, :token, false)"
                ),
                {
                    "id": user_id,
                    "email": f"u{user_id}@example.org",
                    "name": name,
                    "key": key,
                    "token": f"t{user_id}",
                    "created": created,
                },
            )
        db.session.commit()
        upgrade()
        keys = dict(db.session.execute(text("SELECT id, display_name_key FROM users")).all())
        assert keys[1] == names.name_key("Rosie Lane")
        assert keys[2] == names.name_key("Rosie Lane") + "~2"
        assert keys[3] == names.name_key("Cornelius")
        db.session.remove()
        db.engine.dispose()
    databases.drop(url)
