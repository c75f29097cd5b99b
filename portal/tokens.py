"""Signed, time-limited tokens for links in emails (verification, reset, unsubscribe).

Each purpose has its own salt, so a token made for one purpose is refused by every other.
Single use is the caller's part: put something in the payload that the use changes (the
user's reset nonce, say), and compare it when the token comes back.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

PURPOSES = frozenset({"verify-email", "reset-password", "change-email", "unsubscribe"})


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal:{purpose}")


def make_token(purpose: str, payload: Any) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age_seconds: int | None) -> Any | None:
    """The payload of a valid token, or None when it is forged, for another purpose or old."""
    try:
        return _serializer(purpose).loads(token or "", max_age=max_age_seconds)
    except (BadSignature, SignatureExpired):
        return None
