"""One-click unsubscribe links (RFC 8058) for notification emails.

A link names a member and a kind of notification ("reply", "digest", …). It never expires:
a mail program may offer "Unsubscribe" on a message read months later. It cannot be forged
(signed with the secret key, purpose "unsubscribe") and is useless for anything else.
The notifications blueprint answers it (notifications.unsubscribe): GET shows a confirmation
page, POST (the mail program's one-click request) turns that kind of email off.
"""

from __future__ import annotations

from ..links import absolute_url
from ..models import User
from ..tokens import make_token, read_token

PURPOSE = "unsubscribe"
ENDPOINT = "notifications.unsubscribe"


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A signed token naming user_id and the kind of email to stop."""
    return make_token(PURPOSE, [user_id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user_id, kind) from a genuine token, or None for anything forged or malformed."""
    payload = read_token(PURPOSE, token, max_age_seconds=None)
    if (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], int)
        and not isinstance(payload[0], bool)
        and isinstance(payload[1], str)
        and payload[1]
    ):
        return payload[0], payload[1]
    return None


def unsubscribe_url(user: User, kind: str) -> str:
    """The absolute one-click link that turns off kind for user."""
    return absolute_url(ENDPOINT, token=unsubscribe_token(user.id, kind))
