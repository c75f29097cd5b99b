"""Personal details in what members write: phone numbers, email addresses, NHS numbers,
postcodes, dates of birth and street addresses.

Before a comment is posted the writer is shown what was found, marked in their text, and chooses
to edit it out or post anyway (then a moderator reads it first). Every detector runs in time
linear in the text: patterns have bounded repeats and no nested choices that could backtrack,
and the phone library is only asked about short runs of digits (see _phone_spans).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers
from flask import current_app, has_app_context
from markupsafe import Markup, escape

DEFAULT_REGION = "GB"

# kind -> how the writer reads it ("We found a phone number")
KINDS: dict[str, str] = {
    "phone": "a phone number",
    "email": "an email address",
    "nhs_number": "an NHS number",
    "postcode": "a postcode",
    "date_of_birth": "a date of birth",
    "address": "a street address",
}
# When two detectors claim the same characters, the more specific kind names them.
_PRECEDENCE = ("nhs_number", "date_of_birth", "email", "address", "postcode", "phone")


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    kind: str

    @property
    def label(self) -> str:
        return KINDS[self.kind]


# --- email addresses -------------------------------------------------------------------------
# Bounded parts (RFC 5321 limits): a long run of letters costs at most 64 steps per position.
_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,24}(?![\w-])"
)


def email_spans(text: str) -> list[Span]:
    if "@" not in text:
        return []
    return [Span(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]


# --- NHS numbers -----------------------------------------------------------------------------
_NHS = re.compile(r"(?<![0-9-])([0-9]{3})([ -]?)([0-9]{3})\2([0-9]{4})(?![0-9-])")


def nhs_check_digit_ok(digits: str) -> bool:
    """The NHS number's modulus 11 check: weights 10 to 2 on the first nine digits."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def nhs_number_spans(text: str) -> list[Span]:
    return [
        Span(m.start(), m.end(), "nhs_number")
        for m in _NHS.finditer(text)
        if nhs_check_digit_ok(m.group(1) + m.group(3) + m.group(4))
    ]


# --- UK postcodes ----------------------------------------------------------------------------
# The letters real postcodes use (no Q, V, X first; no I, J, Z second; no C, I, K, M, O, V in
# the last two), so that ordinary words rarely look like one.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-PR-UWYZ][A-HK-Y]?[0-9][A-HJKMNPR-Y0-9]?)"
    r"[ ]{0,2}([0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Written in lower case, "b12 3rd" is a vitamin and a dose, not a postcode.
_ORDINAL = re.compile(r"[0-9](st|nd|rd|th)", re.IGNORECASE)


def _plausible_postcode(match: re.Match[str]) -> bool:
    """Capitals are a postcode as written; lower case needs its space ("a12abd" is a code of
    some other kind) and must not be an ordinal ("3rd")."""
    if match.group(0).isupper():
        return True
    spaced = match.end(1) < match.start(2)
    return spaced and not _ORDINAL.fullmatch(match.group(2))


def postcode_spans(text: str) -> list[Span]:
    spans = []
    for m in _POSTCODE.finditer(text):
        if not _plausible_postcode(m):
            continue
        spans.append(Span(m.start(), m.end(), "postcode"))
    return spans


# --- dates of birth --------------------------------------------------------------------------
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:[0-3]?[0-9])(?:st|nd|rd|th)?"
_DATE = (
    r"(?:[0-3]?[0-9][/.-][01]?[0-9][/.-](?:[0-9]{4}|[0-9]{2})"  # 03/05/1961, 3.5.61
    rf"|{_DAY}[ ]{{1,3}}(?:of[ ]{{1,3}})?{_MONTHS}\.?,?[ ]{{1,3}}[0-9]{{4}}"  # 3rd of May 1961
    rf"|{_MONTHS}\.?[ ]{{1,3}}{_DAY},?[ ]{{1,3}}[0-9]{{4}})"  # May 3, 1961
)
_DATE_OF_BIRTH = re.compile(
    r"(?<![\w])(?:born(?:[ ]{1,3}on)?|d\.?[ ]?o\.?[ ]?b\.?|date[ ]{1,3}of[ ]{1,3}birth)"
    r"(?:[ ]{0,3}(?:is|was|[:=-]))?[ ]{0,3}"
    rf"({_DATE})(?![\w])",
    re.IGNORECASE,
)


def date_of_birth_spans(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "date_of_birth") for m in _DATE_OF_BIRTH.finditer(text)]


# --- street addresses ------------------------------------------------------------------------
# Words that only name streets may be written in lower case; words with everyday meanings
# ("close", "way", "park") count only capitalised.
_STREET_WORDS = (
    "(?i:road|rd|street|avenue|ave|lane|drive|crescent|terrace|gardens|grove|mews|boulevard)"
    "|St|Close|Way|Place|Court|Square|Hill|Park|Row|Walk|Rise|View|Parade|Green"
)
# A house number, then one to three capitalised name words, then a street word: "12 Acacia
# Avenue", "4a Church Road". Name words must be capitalised so that "5 miles up the hill" is
# not an address.
_ADDRESS = re.compile(
    r"(?<![\w])[0-9]{1,4}[A-Za-z]?,?[ ]{1,3}"
    r"(?:[A-Z][a-z'’-]{1,24}[ ]{1,3}){1,3}"
    rf"(?:{_STREET_WORDS})\.?(?![\w])"
)


def address_spans(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "address") for m in _ADDRESS.finditer(text)]


# --- phone numbers ---------------------------------------------------------------------------
# Runs of digits and the marks people put between them, at most 24 digits long: only these go
# to the phone library, which is far slower per character than a regular expression.
_DIGIT_RUN = re.compile(r"(?<![\w+])[+(]?[0-9](?:[ ().-]{0,3}[0-9]){5,23}")
# A text full of digit runs (a table of numbers, or an attack) could ask the library thousands
# of times. Past this many runs, a run is called a phone number on its digit count alone:
# flagging too much is safe (the writer may post anyway), too little is not.
MAX_LIBRARY_RUNS = 30
# Fewer digits is a local number without its area code, or a code ("&#0000106"): it reaches
# nobody on its own. The shortest numbers that do (a UK 9-digit one, "+45 3212 3456") have 9.
MIN_PHONE_DIGITS = 9


def _digit_count(text: str) -> int:
    return sum(character.isdigit() for character in text)


def _region() -> str:
    if has_app_context():
        return current_app.config.get("PERSONAL_DATA_REGION", DEFAULT_REGION)
    return DEFAULT_REGION


def _dialled_like_a_phone(run: str, national_prefix: str | None) -> bool:
    """A run that starts as people write a number: + or 00 from abroad; at home, where the
    trunk prefix is 0 (the UK, most of Europe) people write it, so a run without it is some
    other number. Elsewhere (North America's optional 1) any run may be a phone number."""
    digits_start = run.lstrip("(")
    if run.startswith("+") or digits_start.startswith("00"):
        return True
    return national_prefix != "0" or digits_start.startswith("0")


def phone_spans(text: str, region: str | None = None) -> list[Span]:
    region = region or _region()
    national_prefix = phonenumbers.ndd_prefix_for_region(region, True)
    spans: list[Span] = []
    asked = 0
    for run in _DIGIT_RUN.finditer(text):
        if not _dialled_like_a_phone(run.group(0), national_prefix):
            continue
        asked += 1
        if asked > MAX_LIBRARY_RUNS:
            if MIN_PHONE_DIGITS <= _digit_count(run.group(0)) <= 15:
                spans.append(Span(run.start(), run.end(), "phone"))
            continue
        matcher = phonenumbers.PhoneNumberMatcher(
            run.group(0), region, leniency=phonenumbers.Leniency.POSSIBLE, max_tries=20
        )
        spans.extend(
            Span(run.start() + match.start, run.start() + match.end, "phone")
            for match in matcher
            if _digit_count(match.raw_string) >= MIN_PHONE_DIGITS
        )
    return spans


# --- all together ----------------------------------------------------------------------------
DETECTORS: dict[str, Callable[[str], list[Span]]] = {
    "phone": phone_spans,
    "email": email_spans,
    "nhs_number": nhs_number_spans,
    "postcode": postcode_spans,
    "date_of_birth": date_of_birth_spans,
    "address": address_spans,
}


def find(text: str | None) -> list[Span]:
    """Every personal detail found in text, in order, overlaps resolved to the specific kind."""
    if not text:
        return []
    by_kind = {kind: detect(text) for kind, detect in DETECTORS.items()}
    kept: list[Span] = []  # sorted by start, never overlapping
    for kind in _PRECEDENCE:
        for span in by_kind[kind]:
            at = bisect.bisect_left(kept, span)
            overlaps_before = at > 0 and kept[at - 1].end > span.start
            overlaps_after = at < len(kept) and kept[at].start < span.end
            if not (overlaps_before or overlaps_after):
                kept.insert(at, span)
    return kept


def kinds_found(spans: Iterable[Span]) -> list[str]:
    """The kinds found, each once, in the order the writer meets them in the text."""
    return list(dict.fromkeys(span.kind for span in spans))


def marked(text: str, spans: Iterable[Span]) -> Markup:
    """text, escaped, with each found part in <mark> and its kind said for screen readers."""
    pieces: list[Markup] = []
    position = 0
    for span in sorted(spans):
        if span.start < position:
            continue
        pieces.append(escape(text[position : span.start]))
        pieces.append(
            Markup(
                '<mark class="personal-data__found">{}</mark>'
                '<span class="visually-hidden"> ({})</span>'
            ).format(text[span.start : span.end], span.label)
        )
        position = span.end
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)
