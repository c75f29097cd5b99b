"""Command-line tasks: create-user, reset-password, seed-demo, resanitize; the worker's in
worker.py."""

from __future__ import annotations

import os
import time

import click
from flask import Flask

from .accounts import service as accounts
from .models import ROLES


@click.command("create-user")
@click.option("--email", required=True, help="Login email (kept private).")
@click.option("--name", "display_name", required=True, help="Public display name.")
@click.option("--role", type=click.Choice(ROLES), default="patient", show_default=True)
@click.option("--title", default="", help="Clinicians: job title; authors: what they do.")
@click.option("--specialty", default="", help="Clinicians: specialty.")
def create_user_command(email: str, display_name: str, role: str, title: str, specialty: str):
    """Create an account. The password is read from PORTAL_USER_PASSWORD or prompted."""
    password = os.environ.get("PORTAL_USER_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        user = accounts.create_user(
            email=email,
            display_name=display_name,
            password=password,
            role=role,
            title=title,
            specialty=specialty,
            email_verified=True,  # the site owner vouches for the address
        )
    except accounts.AccountError as error:
        raise click.ClickException(f"{error.field}: {error.message}") from error
    click.echo(f"Created {user.role} {user.display_name} <{user.email}> (id {user.id}).")


@click.command("reset-password")
@click.option("--email", required=True, help="The login email of the account.")
def reset_password_command(email: str):
    """Set an account's password and log it out everywhere (no web login needed).

    For when no admin can log in. The password is read from PORTAL_USER_PASSWORD or prompted.
    """
    from .accounts import resets

    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses the email {email.strip()}.")
    password = os.environ.get("PORTAL_USER_PASSWORD") or click.prompt(
        "New password", hide_input=True, confirmation_prompt=True
    )
    try:
        resets.set_password_from_console(user, password)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from error
    click.echo(
        f"Set a new password for {user.display_name} <{user.email}> (id {user.id}); "
        "every session and reset link of the account has ended."
    )


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Seed only a database without any accounts.")
@click.option("--print-logins", is_flag=True, help="Then print the demo logins (make run).")
def seed_demo_command(if_empty: bool, print_logins: bool):
    """Fill the database with demo accounts, posts and a discussion (safe to run twice)."""
    from .demo import has_accounts, logins_path, seed_demo

    if not (if_empty and has_accounts()):
        click.echo(seed_demo().summary())
    if not print_logins:
        return
    path = logins_path()
    if path.exists():
        click.echo(f"\nDemo logins (from {path}):\n{path.read_text().rstrip()}")
        click.echo(two_step_login_note())
    else:
        click.echo("\nThis database was not seeded by the demo; use your own accounts.")


def two_step_login_note() -> str:
    """Whether the demo's staff need a code from an app as well as the password."""
    from .two_factor.service import requirement_on

    if requirement_on():
        return (
            "Two-step login is required for admins and clinicians: at their first login they "
            "set it up with an authenticator app before they reach the staff pages."
        )
    return (
        "Two-step login for admins and clinicians is OFF in this demo "
        "(PORTAL_STAFF_TWO_FACTOR=0), so these passwords are enough; deployments require it. "
        "Any account can still turn it on from its account page."
    )


@click.command("resanitize")
def resanitize_command():
    """Re-render every stored post and comment from its source under the current policy."""
    from .rendering import resanitize_all

    posts, comments = resanitize_all()
    click.echo(f"Re-rendered {posts} posts and {comments} comments.")


@click.command("reindex")
def reindex_command():
    """Build the search index again from every post and comment (and repair what keeps it)."""
    from .search.engine import rebuild

    started = time.perf_counter()
    rebuild()
    click.echo(f"Search index rebuilt in {time.perf_counter() - started:.1f} s.")


def register(app: Flask) -> None:
    from .backup import COMMANDS as BACKUP_COMMANDS
    from .worker import COMMANDS as WORKER_COMMANDS

    for command in (
        create_user_command,
        reset_password_command,
        seed_demo_command,
        resanitize_command,
        reindex_command,
        *WORKER_COMMANDS,
        *BACKUP_COMMANDS,
    ):
        app.cli.add_command(command)
