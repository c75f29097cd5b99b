"""Two-step login for one account: setting it up, checking codes, recovery codes, turning it off.

A code from the app counts once: the time step it belongs to is claimed in one conditional
UPDATE, so the same code sent twice (or by two requests at once) is refused the second time.
Recovery codes are kept as hashes and used up in the same way, one UPDATE each.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
from datetime import datetime

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from ..extensions import db
from ..models import RecoveryCode, User, new_session_token, utcnow
from ..moderation import audit
from ..notifications.service import notify
from . import sealing

ISSUER = "Treatment Talk"
CODE_DIGITS = 6
# One step either side of now: a phone's clock a little out, or a code typed as it changed.
STEPS_EITHER_SIDE = 1
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: the codes are read off paper. 31 symbols, 12 of them: about 59 bits each.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 12

WRONG_CODE = "That code is not right. Enter the 6 digits your app shows now."
NOT_A_CODE = "Enter the 6 digits your authenticator app shows, with no letters."
WRONG_RECOVERY_CODE = (
    "That recovery code is not right, or it has been used. Each one works only once."
)


def required_for(user: User) -> bool:
    """Whether this member must use two-step login: admins and clinicians, unless the
    deployment has turned the requirement off (PORTAL_STAFF_TWO_FACTOR=0)."""
    return requirement_on() and user.is_staff


def requirement_on() -> bool:
    setting = current_app.config.get("PORTAL_STAFF_TWO_FACTOR", True)
    if isinstance(setting, str):  # given as text, it reads as the environment variable does
        return setting.strip().lower() in {"1", "true", "yes", "on"}
    return bool(setting)


def must_set_up(user: User) -> bool:
    return required_for(user) and not user.has_two_factor


def normalise_code(code: str | None) -> str:
    """What people type: spaces and dashes are allowed between the digits."""
    return re.sub(r"[\s-]", "", code or "")


def is_code_shaped(code: str) -> bool:
    return len(code) == CODE_DIGITS and code.isascii() and code.isdigit()


# --- setting up -------------------------------------------------------------------------


def pending_secret(user: User) -> str:
    """The secret being set up (made on first asking, kept until confirmed or replaced), so
    that reloading the page shows the same QR code."""
    secret = sealing.unseal(user.two_factor_secret) if not user.has_two_factor else None
    if secret is None:
        secret = pyotp.random_base32()
        user.two_factor_secret = sealing.seal(secret)
        user.two_factor_confirmed_at = None
        user.two_factor_last_step = None
        db.session.commit()
    return secret


def grouped(secret: str) -> str:
    """The secret in groups of four, as people copy it by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// link apps read; it names the site and the account, never the email."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.display_name, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The link as a QR code, inline SVG: no style attributes and no script, so the page's
    Content-Security-Policy holds; dark on a white square so dark themes still scan."""
    qr = segno.make(uri, error="m")
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        scale=5,
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=False,
        svgns=True,
        nl=False,
        svgclass="qr-code",
        lineclass=None,
        title="QR code for your authenticator app",
    )
    # segno's own output: no user text reaches it except inside the link it encodes.
    svg = out.getvalue().decode()
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code" ', 1))


def confirm_setup(user: User, code: str) -> list[str] | None:
    """Turn two-step login on if code matches the secret being set up; then every other
    login of the account ends. Returns the new recovery codes (shown once), or None."""
    secret = sealing.unseal(user.two_factor_secret)
    if secret is None or user.has_two_factor:
        return None
    step = _matching_step(secret, code)
    if step is None or not _claim_step(user, step):
        return None
    user.two_factor_confirmed_at = utcnow()
    # A session opened with the password alone, elsewhere, must not outlive this.
    user.session_token = new_session_token()
    codes = _replace_recovery_codes(user)
    db.session.commit()
    return codes


# --- checking codes -----------------------------------------------------------------------


def check_code(user: User, code: str) -> bool:
    """A code from the app, right now, never used before. Commits the claimed step."""
    if not user.has_two_factor:
        return False
    secret = sealing.unseal(user.two_factor_secret)
    if secret is None:
        return False
    step = _matching_step(secret, normalise_code(code))
    if step is None or not _claim_step(user, step):
        return False
    db.session.commit()
    return True


def use_recovery_code(user: User, code: str) -> bool:
    """A recovery code of this member's, not used yet: it is used up now. Commits."""
    if not user.has_two_factor:
        return False
    normalised = normalise_recovery_code(code)
    if len(normalised) != RECOVERY_CODE_LENGTH:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(user, normalised),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        db.session.rollback()
        return False
    db.session.commit()
    return True


def check_code_or_recovery_code(user: User, code: str) -> bool:
    if is_code_shaped(normalise_code(code)):
        return check_code(user, code)
    return use_recovery_code(user, code)


def _matching_step(secret: str, code: str, at: datetime | None = None) -> int | None:
    if not is_code_shaped(code):
        return None
    totp = pyotp.TOTP(secret, digits=CODE_DIGITS)
    now_step = totp.timecode(at or utcnow())
    for step in range(now_step - STEPS_EITHER_SIDE, now_step + STEPS_EITHER_SIDE + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Record step as used unless it (or a later one) was: one statement, so two requests
    with the same code cannot both pass."""
    claimed = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.two_factor_last_step.is_(None), User.two_factor_last_step < step),
        )
        .values(two_factor_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    user.two_factor_last_step = step
    return True


# --- recovery codes -----------------------------------------------------------------------


def normalise_recovery_code(code: str | None) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _recovery_hash(user: User, normalised: str) -> str:
    # Salted with the member's id: one table of guesses cannot test every account at once.
    # The codes carry ~59 bits each, so a fast hash is enough (and lets the lookup be exact).
    return hashlib.sha256(f"{user.id}:{normalised}".encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user, normalise_recovery_code(c)))
        for c in codes
    )
    return codes


def new_recovery_codes(user: User, code: str) -> list[str] | None:
    """Fresh recovery codes for a right code from the app (the old ones stop working)."""
    if not check_code(user, code):
        return None
    codes = _replace_recovery_codes(user)
    db.session.commit()
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


# --- turning it off -----------------------------------------------------------------------


def _clear(user: User) -> None:
    user.two_factor_secret = None
    user.two_factor_confirmed_at = None
    user.two_factor_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(user: User) -> None:
    """The member turned their own two-step login off (their password and a code checked):
    the audit log records it, and they are told, in case it was not them."""
    _clear(user)
    audit.record(user, "two_factor_off", "user", user.id, reason="Turned off by the member")
    notify(
        user,
        "account_action",
        detail="Two-step login is now off for your account. If that was not you, change "
        "your password and set two-step login up again.",
    )
    db.session.commit()


def reset(user: User, admin: User, reason: str = "") -> None:
    """An admin reset a member's two-step login (a lost phone): recorded, and they are told.
    A member who must use it is walked through setting it up again at their next login."""
    _clear(user)
    audit.record(admin, "two_factor_reset", "user", user.id, reason=reason)
    because = f" Reason: {reason}" if reason else ""
    notify(
        user,
        "account_action",
        detail=f"An admin reset your two-step login; set it up again from your account page."
        f"{because}",
        actor=admin,
    )
    db.session.commit()
