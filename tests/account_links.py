"""What the account tests share: the emails in the outbox, the links they carry, old links.

Not a test module. Account emails are rows in outgoing_emails (the worker sends them); a test
reads the row, follows its link as the member would, and renders it as the worker would.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from urllib.parse import urlsplit

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from portal import tokens
from portal.extensions import db
from portal.mail.render import RenderedEmail, render_parts
from portal.models import OutgoingEmail, User


def emails(template: str, to: str | None = None) -> list[OutgoingEmail]:
    """The queued emails made from template (to one address, if given), oldest first."""
    query = select(OutgoingEmail).where(OutgoingEmail.template == template)
    if to is not None:
        query = query.where(OutgoingEmail.to_address == to)
    db.session.expire_all()
    return list(db.session.scalars(query.order_by(OutgoingEmail.id)))


def only_email(template: str, to: str | None = None) -> OutgoingEmail:
    found = emails(template, to)
    assert len(found) == 1, f"expected one {template} email, found {len(found)}"
    return found[0]


def link_path(email: OutgoingEmail, base_url: str) -> str:
    """The path of the email's link, after checking it points at the configured site."""
    assert email.link.startswith(base_url + "/"), email.link
    return urlsplit(email.link).path


def rendered(email: OutgoingEmail) -> RenderedEmail:
    """The email as the worker renders it."""
    return render_parts(email)


def fresh(user: User) -> User:
    """The member as the database holds it now."""
    db.session.expire_all()
    return db.session.get(User, user.id)


@contextmanager
def links_made_ago(seconds: int):
    """Links emailed inside this block are dated seconds ago (an old link, without waiting).

    Only the tokens of portal/tokens.py are back-dated; session cookies and CSRF tokens are not.
    """

    class SignerOfThePast(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds

    class SerializerOfThePast(URLSafeTimedSerializer):
        default_signer = SignerOfThePast

    original = tokens.URLSafeTimedSerializer
    tokens.URLSafeTimedSerializer = SerializerOfThePast
    try:
        yield
    finally:
        tokens.URLSafeTimedSerializer = original
