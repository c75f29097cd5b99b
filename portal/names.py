"""The display-name policy: pseudonyms that are readable, unique and cannot pose as staff."""

from __future__ import annotations

import re
import unicodedata

from . import personal_data

MIN_LENGTH = 2
MAX_LENGTH = 40

# Words only verified staff accounts may carry in their names.
RESERVED_STEMS = ("admin", "moderator", "clinician", "official")
RESERVED_PHRASES = ("mod team", "site team", "community team", "staff member", "support team")
STAFF_TITLES = frozenset({"dr", "doctor", "prof", "professor", "nurse"})
STAFF_PREFIX = re.compile(r"^(dr|doctor|prof|professor|nurse)\b\.?", re.IGNORECASE)

# Zero-width, bidirectional controls and other invisible formatting characters.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def normalise(raw: str) -> str:
    """NFKC-normalise and collapse runs of spaces; invisible characters are kept for checking."""
    text = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"[ \t]+", " ", text).strip()


def name_key(display_name: str) -> str:
    """The comparison key that makes two names the same name: NFKC, case-folded."""
    return unicodedata.normalize("NFKC", normalise(display_name).casefold())


def _words(name: str) -> list[str]:
    """Letter-only words, camelCase split, digits read as look-alike letters ("m0d" is "mod")."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    folded = spaced.casefold().translate(str.maketrans("013457", "oieast"))
    letters = re.sub(r"[^a-z]+", " ", folded)
    return letters.split()


def _poses_as_staff(display_name: str) -> bool:
    words = _words(display_name)
    if STAFF_PREFIX.match(display_name) or (words and words[0] in STAFF_TITLES):
        return True
    spaced = " ".join(words)
    # "A.d.m.i.n": letters spelled out one by one still spell the word.
    if len(words) > 2 and max(map(len, words)) <= 2 and "".join(words).startswith(RESERVED_STEMS):
        return True
    return any(word.startswith(RESERVED_STEMS) for word in words) or any(
        phrase in spaced for phrase in RESERVED_PHRASES
    )


def problems(display_name: str, *, staff: bool = False) -> list[str]:
    """Everything wrong with a normalised display name, as messages for the form."""
    messages: list[str] = []
    if len(display_name) < MIN_LENGTH:
        messages.append(f"Use at least {MIN_LENGTH} characters.")
    if len(display_name) > MAX_LENGTH:
        messages.append(f"Use at most {MAX_LENGTH} characters.")
    elif len(name_key(display_name)) > MAX_LENGTH:
        # Some letters grow when case-folded ("ß" becomes "ss"); the key must fit too.
        messages.append(f"Use a shorter name: at most {MAX_LENGTH} letters once spelled out.")
    if any(unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in display_name):
        messages.append("Remove invisible or control characters (such as zero-width spaces).")
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
    return messages
