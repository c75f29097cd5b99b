"""Safe-speaking checks on the longest comments: crisis phrases and personal details.

A comment may be 20,000 characters, and both checks read all of it before it is stored. The
shapes below are the ones most likely to make a matcher backtrack or rescan; the budget
(`make bench`, ≤ 50 ms for the worst) holds the checks to linear time with room to spare. The
tests (tests/test_personal_data.py, tests/test_crisis.py) use the same shapes with a bound of a
second, which only a matcher that backtracks would miss.
"""

from __future__ import annotations

import time

from portal import personal_data
from portal.moderation import crisis

LENGTH = 20_000

PERSONAL_DATA_SHAPES = {
    "digits": "1" * 20_000,
    "zeros": "0" * 20_000,
    "spaced digits": "0 " * 10_000,
    "dashed digits": "0-" * 10_000,
    "brackets": "(0)" * 6_667,
    "plus": "+0" * 10_000,
    "letters": "a" * 20_000,
    "spaces": " " * 20_000,
    "at signs": "@" * 20_000,
    "local parts": ("x" * 100 + "@") * 198,
    "domain labels": "a@" + "b." * 9_999,
    "domain dashes": "a@" + "b-" * 9_999,
    "phones": "call 07700 900123 or +44 20 7946 0958 today. " * 450,
    "nhs numbers": "943 476 5919 " * 1_540,
    "emails": "a@b.co " * 2_857,
    "dob triggers": "born on " * 2_500,
    "dob dates": "DOB 1/1/" * 2_500,
    "address words": "12 Aa Bb Cc " * 1_700,
    "capitals": "Aaaa " * 4_000,
    "postcode halves": "SW1A " * 4_000,
    "mixed": "0 a 1 B, " * 2_250,
}

CRISIS_SHAPES = [
    "a" * 20_000,
    "a " * 10_000,
    "end it " * 2_857,  # every word starts a phrase, none ends one
    "want to " * 2_500,
    ("phrase number 1 of many " * 1_000)[:20_000],
    "’" * 20_000,
    "\u200b" * 20_000,
    "x-" * 10_000,
]
# A moderators' list of 400 phrases, as well as the defaults.
MANY_PHRASES = "\n".join(f"phrase number {n} of many words" for n in range(400))


def padded(text: str) -> str:
    return text[:LENGTH].ljust(LENGTH, "x")


def best_of_three_ms(check, text: str) -> float:
    check(text[:200])  # anything done once per process is not the text's cost
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        check(text)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def worst_ms() -> tuple[float, str]:
    """The slowest check over every shape, and which it was."""
    timings = [
        (best_of_three_ms(personal_data.find, padded(text)), f"personal data: {name}")
        for name, text in PERSONAL_DATA_SHAPES.items()
    ]
    for stored in ("", MANY_PHRASES):
        crisis.compile_phrases(stored)
        for text in CRISIS_SHAPES:
            label = f"crisis phrases ({'400' if stored else 'default'}): {text[:12]!r}"
            timings.append(
                (best_of_three_ms(lambda t, s=stored: crisis.find_phrase(t, s), text), label)
            )
    return max(timings)
