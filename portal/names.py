"""The display-name policy: pseudonyms that are readable, unique and cannot pose as staff.

Two names are the same name when they look alike: the uniqueness key is Unicode's confusable
skeleton (UTS #39, computed by ICU's SpoofChecker) of the name, so "Аdmin" with a Cyrillic А
and "ADMlN" with a small L both collide with "Admin".
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import icu
from flask import has_app_context

from . import personal_data

MIN_LENGTH = 2
MAX_LENGTH = 40
# The key (users.display_name_key) is longer than the name: a skeleton spells "m" as "rn".
KEY_MAX_LENGTH = 160

# Words only verified staff accounts may carry in their names.
RESERVED_STEMS = ("admin", "moderator", "clinician", "official")
RESERVED_PHRASES = ("mod team", "site team", "community team", "staff member", "support team")
STAFF_TITLES = frozenset({"dr", "doctor", "prof", "professor", "nurse"})
STAFF_PREFIX = re.compile(r"^(dr|doctor|prof|professor|nurse)\b\.?", re.IGNORECASE)

# Zero-width, bidirectional controls and other invisible formatting characters.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
# Symbols (ticks, stars, emoji, arrows, currency, maths, modifier symbols) and enclosing marks
# (a keycap, a circle round a letter): a name made to look verified or official.
_DECORATION_CATEGORIES = {"So", "Sk", "Sm", "Sc", "Me"}
# Variation selectors turn a plain character into its emoji picture ("✓" + U+FE0F).
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def normalise(raw: str) -> str:
    """NFKC-normalise and collapse runs of spaces; invisible characters are kept for checking."""
    text = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"[ \t]+", " ", text).strip()


@cache
def _spoof_checker() -> icu.SpoofChecker:
    return icu.SpoofChecker()


def _skeleton(text: str) -> str:
    # The type argument is unused by ICU since 58 (one table for every script).
    return _spoof_checker().getSkeleton(0, text)


def name_key(display_name: str) -> str:
    """The comparison key that makes two names the same name: look-alikes in either case.

    A skeleton alone keeps case ("ADMlN" is not "Admin") and a case-folded skeleton misses
    capitals that look like small letters (a capital I is a small L). So the small letters
    are folded first, then the capitals of the result, then the small letters once more:
    "Аdmin", "ADMIN" and "ADMlN" all end as the same key. The price is that i and l count as
    one letter ("Bili" is taken once "Bill" is), which errs on the side of no impersonation.
    """
    lower = _skeleton(normalise(display_name).casefold())
    upper = _skeleton(lower.upper())
    return _skeleton(upper.casefold())


def is_decoration(ch: str) -> bool:
    """A symbol rather than a letter, digit, space or punctuation mark (✓, ★, emoji, ™...)."""
    return unicodedata.category(ch) in _DECORATION_CATEGORIES or bool(
        _VARIATION_SELECTORS.match(ch)
    )


def _invisible(text: str) -> list[str]:
    return _VARIATION_SELECTORS.findall(text)


# Digits read as the letters they stand in for ("m0d" is "mod", "4dmin" is "admin").
_DIGITS_AS_LETTERS = str.maketrans("013457", "oieast")


def _words(name: str, *, camel_case: bool = True) -> list[str]:
    """Words of the name as keys, digits read as look-alike letters; camelCase split unless
    camel_case is False (in "ADMlN" the small L is a capital I, not a new word)."""
    if camel_case:
        name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return re.findall(r"[^\W\d_]+", name_key(name.translate(_DIGITS_AS_LETTERS)))


@cache
def _reserved() -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    """The staff words as keys, so that they are compared look-alike to look-alike."""
    stems = tuple(name_key(stem) for stem in RESERVED_STEMS)
    phrases = tuple(" ".join(_words(phrase)) for phrase in RESERVED_PHRASES)
    titles = frozenset(name_key(title) for title in STAFF_TITLES)
    return stems, phrases, titles


def _poses_as_staff(display_name: str) -> bool:
    return any(
        _words_pose_as_staff(display_name, _words(display_name, camel_case=camel_case))
        for camel_case in (True, False)
    )


def _words_pose_as_staff(display_name: str, words: list[str]) -> bool:
    stems, phrases, titles = _reserved()
    if STAFF_PREFIX.match(display_name) or (words and words[0] in titles):
        return True
    spaced = " ".join(words)
    # "A.d.m.i.n": letters spelled out one by one still spell the word (a skeleton spells
    # one letter as up to two: "m" is "rn").
    if len(words) > 2 and max(map(len, words)) <= 2 and "".join(words).startswith(stems):
        return True
    return any(word.startswith(stems) for word in words) or any(
        phrase in spaced for phrase in phrases
    )


def _verified_clinician_names() -> list[str]:
    from sqlalchemy import select

    from .extensions import db
    from .models import User
    from .permissions import CLINICIANS

    return list(
        db.session.scalars(
            select(User.display_name).where(
                User.role.in_(CLINICIANS), User.verified_at.is_not(None)
            )
        )
    )


def _poses_as_clinician(display_name: str) -> bool:
    """True when the name holds a verified clinician's name, in any look-alike form."""
    if not has_app_context():
        return False
    words = _words(display_name)
    spaced, squashed = f" {' '.join(words)} ", "".join(words)
    for clinician in _verified_clinician_names():
        theirs = _words(clinician)
        if theirs and (f" {' '.join(theirs)} " in spaced or "".join(theirs) == squashed):
            return True
    return False


def problems(display_name: str, *, staff: bool = False) -> list[str]:
    """Everything wrong with a normalised display name, as messages for the form."""
    messages: list[str] = []
    if len(display_name) < MIN_LENGTH:
        messages.append(f"Use at least {MIN_LENGTH} characters.")
    if len(display_name) > MAX_LENGTH:
        messages.append(f"Use at most {MAX_LENGTH} characters.")
    elif len(display_name.casefold()) > MAX_LENGTH or len(name_key(display_name)) > KEY_MAX_LENGTH:
        # Some letters grow when folded ("ß" becomes "ss", "m" becomes "rn"); the key must fit.
        messages.append(f"Use a shorter name: at most {MAX_LENGTH} letters once spelled out.")
    if any(unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in display_name):
        messages.append("Remove invisible or control characters (such as zero-width spaces).")
    if any(is_decoration(ch) for ch in display_name):
        # A variation selector is invisible on its own: name the symbols that can be seen.
        seen = sorted(
            {ch for ch in display_name if is_decoration(ch)} - set(_invisible(display_name))
        )
        messages.append(
            f"Names are letters, numbers, spaces and punctuation only: take out "
            f"{' '.join(seen) or 'the emoji'} (symbols such as ticks, stars and emoji can "
            "make a name look verified)."
        )
    if display_name and not any(ch.isalnum() for ch in display_name):
        messages.append("Include at least one letter or number.")
    found = personal_data.find(display_name)
    if found:
        # A name is shown beside everything its owner writes, to everyone, and is never held.
        kinds = " and ".join(personal_data.KINDS[kind] for kind in personal_data.kinds_found(found))
        messages.append(f"Everyone can read your name: take out {kinds}.")
    if not staff and _poses_as_staff(display_name):
        messages.append(
            "Names that suggest staff (like “admin”, “moderator” or a “Dr” title) are "
            "kept for verified accounts. Please choose another."
        )
    elif not staff and _poses_as_clinician(display_name):
        messages.append(
            "This name looks like the name of one of our verified clinicians. "
            "Please choose another."
        )
    return messages
