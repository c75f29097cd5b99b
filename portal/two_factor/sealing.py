"""The one-time-password secret at rest: encrypted with a key derived from SECRET_KEY.

The password hashes sit in the same table, so a copy of the database (a leaked backup) would
otherwise give an attacker both factors: crack a password offline, then make codes at will.
Sealed, the secret needs the deployment's SECRET_KEY as well. The price: changing SECRET_KEY
makes every sealed secret unreadable, and those members log in with a recovery code (or an
admin resets their two-step login) and set it up again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# A purpose of its own, so that this key is never the same as any other made from SECRET_KEY.
PURPOSE = b"treatment-talk: two-step login secret"


def _fernet() -> Fernet:
    secret_key = str(current_app.config["SECRET_KEY"]).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret_key)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str | None) -> str | None:
    """The secret, or None when there is none or SECRET_KEY has changed since it was sealed."""
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        current_app.logger.warning("a two-step login secret could not be unsealed")
        return None
