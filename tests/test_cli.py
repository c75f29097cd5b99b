"""The command line: create-user, seed-demo (idempotent) and resanitize."""

from __future__ import annotations

import stat

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Comment, ModerationEvent, Post, User

from .helpers import TEST_PASSWORD, login


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_user_reads_the_password_from_the_environment(app, monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "a scripted passphrase")
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "Boss@Example.org",
            "--name",
            "Site Lead",
            "--role",
            "admin",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert user.role == "admin" and user.display_name == "Site Lead"
    assert "a scripted passphrase" not in result.output


def test_create_user_prompts_for_the_password_twice(app, monkeypatch):
    monkeypatch.delenv("PORTAL_USER_PASSWORD", raising=False)
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "n@example.org",
            "--name",
            "Nurse Sam",
            "--role",
            "clinician",
        ],
        input="typed at the prompt\ntyped at the prompt\n",
    )
    assert result.exit_code == 0, result.output
    assert "typed at the prompt" not in result.output  # hidden input is not echoed
    user = db.session.scalar(select(User).where(User.email == "n@example.org"))
    assert user.role == "clinician" and user.verified_at is not None


def test_create_user_explains_bad_input(app, monkeypatch, make_user):
    make_user("patient", "Taken Name", email="taken@example.org")
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "short")
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["create-user", "--email", "a@example.org", "--name", "Anna"])
    assert weak.exit_code != 0 and "at least 12 characters" in weak.output
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "long enough password")
    taken = runner.invoke(args=["create-user", "--email", "TAKEN@example.org", "--name", "Bo"])
    assert taken.exit_code != 0 and "already exists" in taken.output
    role = runner.invoke(
        args=["create-user", "--email", "c@example.org", "--name", "C", "--role", "root"]
    )
    assert role.exit_code != 0
    assert count(User) == 1


def test_seed_demo_builds_the_demo_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    users, posts, comments = count(User), count(Post), count(Comment)
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {"admin", "clinician", "author", "patient", "caregiver"}
    assert posts >= 2 and comments >= 20

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert (count(User), count(Post), count(Comment)) == (users, posts, comments)


def test_seed_demo_writes_the_alemtuzumab_post_with_a_real_discussion(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    post = db.session.scalar(select(Post).where(Post.slug == "alemtuzumab-long-term-evidence"))
    assert post.is_published and post.author.role == "clinician"
    assert "Ziemssen T, Thomas K" in post.references_source
    assert "Ther Adv Neurol Disord" in post.references_source
    for topic in ("thyroid", "monitoring", "infection", "relapse", "brain"):
        assert topic in post.body_source.lower(), topic
    comments = list(db.session.scalars(select(Comment).where(Comment.post_id == post.id)))
    statuses = {comment.status for comment in comments}
    assert {"approved", "pending"} <= statuses
    assert any(c.parent_id is None and c.author.role in ("patient", "caregiver") for c in comments)
    assert any(c.parent_id is not None and c.author.role == "clinician" for c in comments)
    assert all(c.root_id is not None for c in comments)


def test_seed_demo_keeps_passwords_out_of_the_code_and_in_a_private_file(app):
    from portal.demo import logins_path

    app.test_cli_runner().invoke(args=["seed-demo"])
    path = logins_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = path.read_text().splitlines()
    assert len(lines) == count(User)
    role, email, password = lines[0].split()
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 303


def test_a_demo_seeded_again_into_a_fresh_database_leaves_one_working_login_each(app):
    """A file kept from an earlier database (deleted since) has its lines replaced by the new
    passwords, not followed by them; lines for anyone else stay."""
    from portal.demo import logins_path, people

    path = logins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    earlier = [f"patient    {spec.email:<32} old-old-password" for spec in people()]
    path.write_text("\n".join([*earlier, "admin      own.admin@example.org   kept-kept"]) + "\n")
    app.test_cli_runner().invoke(args=["seed-demo"])
    lines = path.read_text().splitlines()
    emails = [line.split()[1] for line in lines]
    assert len(emails) == len(set(emails)) == count(User) + 1
    assert "old-old-password" not in path.read_text()
    assert "admin      own.admin@example.org   kept-kept" in lines
    role, email, password = lines[0].split()
    response = app.test_client().post("/login", data={"email": email, "password": password})
    assert response.status_code == 303


def test_make_run_seeds_an_empty_database_and_prints_the_same_logins_every_time(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--if-empty", "--print-logins"])
    assert first.exit_code == 0, first.output
    assert "Demo:" in first.output and "Demo logins (from" in first.output
    emails = set(db.session.scalars(select(User.email)))
    assert emails and all(email in first.output for email in emails)

    again = runner.invoke(args=["seed-demo", "--if-empty", "--print-logins"])
    assert again.exit_code == 0, again.output
    assert "Demo:" not in again.output  # seeded once only
    logins = first.output.split("Demo logins")[1]
    assert logins == again.output.split("Demo logins")[1]  # same passwords, shown again


def test_make_run_leaves_a_database_with_its_own_accounts_alone(app, make_user):
    make_user("admin", "Site Lead")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty", "--print-logins"])
    assert result.exit_code == 0, result.output
    assert "not seeded by the demo; use your own accounts" in result.output
    assert (count(User), count(Post)) == (1, 0)


def test_the_demo_discussion_is_seeded_as_its_thread_file_lists_it(app):
    from portal.demo.loader import people, posts

    app.test_cli_runner().invoke(args=["seed-demo"])
    emails = {person.key: person.email for person in people()}
    spec = posts()[0]
    post = db.session.scalar(select(Post).where(Post.slug == spec.slug))
    stored = db.session.scalars(
        select(Comment).where(Comment.post_id == post.id).order_by(Comment.created_at)
    ).all()
    assert [c.body_source for c in stored] == [c.body for c in spec.comments]
    texts = {c.id: c.body for c in spec.comments}
    for written, comment in zip(spec.comments, stored, strict=True):
        assert comment.author.email == emails[written.author]
        assert comment.status == written.status
        parent_text = comment.parent.body_source if comment.parent else None
        assert parent_text == texts.get(written.reply_to)


def test_resanitize_rerenders_every_stored_body(app, post, people, make_comment):
    comment = make_comment(post, people["patient"], body="Read https://example.org now")
    comment.body_html = "<p>stale</p>"
    post.body_html = "<p>stale</p>"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["resanitize"])
    assert result.exit_code == 0, result.output
    assert "1 posts and 1 comments" in result.output
    db.session.expire_all()
    refreshed = db.session.get(Comment, comment.id)
    assert 'href="https://example.org"' in refreshed.body_html
    assert "stale" not in db.session.get(Post, post.id).body_html


# --- reset-password: the site owner's way in when no admin can log in -------------------------


def test_reset_password_sets_it_and_logs_out_everywhere(app, make_user, monkeypatch):
    admin = make_user("admin", "Locked Out Lead", email="lead@example.org")
    laptop = app.test_client()
    login(laptop, admin)
    assert "Log out" in laptop.get("/").get_data(as_text=True)
    token_before, nonce_before = admin.session_token, admin.reset_nonce

    monkeypatch.setenv("PORTAL_USER_PASSWORD", "a recovered passphrase")
    result = app.test_cli_runner().invoke(args=["reset-password", "--email", "LEAD@example.org"])
    assert result.exit_code == 0, result.output
    assert "Locked Out Lead" in result.output
    assert "a recovered passphrase" not in result.output

    db.session.expire_all()
    stored = db.session.get(User, admin.id)
    assert stored.session_token != token_before and stored.reset_nonce != nonce_before
    assert "Log out" not in laptop.get("/").get_data(as_text=True)
    assert login(app.test_client(), stored, TEST_PASSWORD).status_code == 422
    assert login(app.test_client(), stored, "a recovered passphrase").status_code == 303
    event = db.session.scalar(select(ModerationEvent))
    assert (event.action, event.target_id, event.actor_id) == (
        "reset_password_console",
        admin.id,
        None,
    )


def test_reset_password_prompts_without_echo(app, make_user, monkeypatch):
    member = make_user("patient", "Prompted Person")
    monkeypatch.delenv("PORTAL_USER_PASSWORD", raising=False)
    result = app.test_cli_runner().invoke(
        args=["reset-password", "--email", member.email],
        input="typed at the prompt\ntyped at the prompt\n",
    )
    assert result.exit_code == 0, result.output
    assert "typed at the prompt" not in result.output
    db.session.expire_all()
    assert login(app.test_client(), member, "typed at the prompt").status_code == 303


def test_reset_password_explains_bad_input(app, make_user, monkeypatch):
    member = make_user("patient", "Careful Person")
    hash_before = member.password_hash
    runner = app.test_cli_runner()
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "a recovered passphrase")
    unknown = runner.invoke(args=["reset-password", "--email", "nobody@example.org"])
    assert unknown.exit_code != 0 and "No account uses the email" in unknown.output
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "short")
    weak = runner.invoke(args=["reset-password", "--email", member.email])
    assert weak.exit_code != 0 and "at least 12 characters" in weak.output
    db.session.expire_all()
    assert db.session.get(User, member.id).password_hash == hash_before


def test_create_user_and_the_demo_make_verified_accounts(app, monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "a scripted passphrase")
    runner = app.test_cli_runner()
    made = runner.invoke(args=["create-user", "--email", "c@example.org", "--name", "Clin"])
    assert made.exit_code == 0, made.output
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).where(User.email_verified_at.is_(None))) == 0
