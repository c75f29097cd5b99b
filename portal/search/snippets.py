"""Snippets for search results: the words around the first match, with the matches marked.

Every piece of what someone wrote is escaped on its own, and only then are the matched pieces
put between our own <mark> tags; a match is found in plain text, never in escaped text, so
highlighting can neither split an entity ("&#39;" when someone searches "39") nor become markup.

The engines stem words ("treatments" finds "treatment"); the marking here copes with that by
comparing crude stems, which may mark a word or two more than the engine matched but never
misses the ones it did.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from ..sanitize import joins_previous, plain_text

SNIPPET_CHARACTERS = 240
# How much of the window comes before the first match: enough to read it in its sentence.
_LEAD_CHARACTERS = 60
# Words shorter than this match only whole (as stems), or typing "a" would mark every word.
_SHORTEST_PREFIX = 3
# Ending and what stands in for it; longest first, so "treatments" loses "ments", not "s".
_ENDINGS = (
    ("ational", ""), ("ations", ""), ("ation", ""), ("ments", ""), ("ment", ""),
    ("ingly", ""), ("ings", ""), ("ing", ""), ("edly", ""), ("ies", "i"), ("ied", "i"),
    ("sses", "ss"), ("ss", "ss"), ("es", ""), ("ed", ""), ("ly", ""), ("s", ""),
)  # fmt: skip
_SHORTEST_STEM = 3
# A word: letters and digits (any script), with the accents and joiners that belong to them.
_WORD_RE = re.compile(
    r"[^\W_](?:[^\W_]|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u200d])*"
)
_ELLIPSIS = "…"
_TRAILING_PUNCTUATION = " ,;:-\u2013\u2014"


def fold(word: str) -> str:
    """A word as matching compares it: accents dropped, case folded, compatibility forms
    unified ("Ｔｈｙｒｏｉｄ" and "thyroid", "Café" and "cafe" are the same word)."""
    decomposed = unicodedata.normalize("NFKD", word)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.replace("\u200d", "").casefold()


def crude_stem(word: str) -> str:
    """A folded word without one common English ending: "infusions" and "infusion" agree,
    as do "treatments", "treatment" and "treated", "relapse" and "relapses"; a final "y"
    reads as "i" ("therapy", "therapies")."""
    return _stem_of_folded(fold(word))


@lru_cache(maxsize=16384)
def _compared(token: str) -> tuple[str, str]:
    """(folded, crude stem) of a token of text: words repeat, so each is worked out once."""
    folded = fold(token)
    return folded, _stem_of_folded(folded)


# A page shows about a dozen hits of up to three texts each; a few hundred texts cover the
# searches people are making now, and bound the memory (a comment is at most 20,000 characters).
@lru_cache(maxsize=256)
def _readable(html: str) -> str:
    """plain_text, kept for the texts results show again and again: parsing a long post's HTML
    was the largest part of building its snippet. Keyed by the HTML itself, so an edit is a new
    entry, never a stale one."""
    return plain_text(html)


def _stem_of_folded(stem: str) -> str:
    for ending, replacement in _ENDINGS:
        if stem.endswith(ending) and len(stem) - len(ending) >= _SHORTEST_STEM:
            stem = stem[: -len(ending)] + replacement
            break
    if stem.endswith("e") and len(stem) > _SHORTEST_STEM:
        stem = stem[:-1]  # "relapse" and "relapses", "fatigue" and "fatigued"
    if stem.endswith("y") and len(stem) > _SHORTEST_STEM:
        stem = stem[:-1] + "i"
    return stem


@dataclass(frozen=True)
class _Matcher:
    stems: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, words: Sequence[str]) -> _Matcher:
        folded = [fold(word) for word in words if word]
        return cls(
            stems=frozenset(crude_stem(word) for word in folded if word),
            # Typing "thyr" already finds "thyroid" (the engine takes the last word as a
            # prefix), so it is marked too.
            prefixes=tuple(word for word in folded if len(word) >= _SHORTEST_PREFIX),
        )

    def matches(self, token: str) -> bool:
        folded, stem = _compared(token)
        return stem in self.stems or folded.startswith(self.prefixes)


def _spans(
    text: str, matcher: _Matcher, start: int = 0, end: int | None = None
) -> Iterator[tuple[int, int]]:
    """Where the words that match are in text[start:end], in order (lazily: a snippet needs
    the first one, then only those inside its window)."""
    if not matcher.stems:
        return
    for found in _WORD_RE.finditer(text, start, len(text) if end is None else end):
        if matcher.matches(found.group()):
            yield found.span()


def _start_at(text: str, wanted: int) -> int:
    """Where a window wanting to start at wanted starts: after a space, or inside one very
    long word but never inside a grapheme."""
    if wanted <= 0:
        return 0
    space = text.find(" ", wanted - 1)
    if 0 <= space < wanted + _LEAD_CHARACTERS:
        return space + 1
    while wanted < len(text) and joins_previous(text[wanted]):
        wanted += 1
    return wanted


def _end_at(text: str, start: int, wanted: int) -> int:
    """Where a window wanting to end at wanted ends: before a space, else before a grapheme."""
    if wanted >= len(text):
        return len(text)
    space = text.rfind(" ", start, wanted + 1)
    if space > start:
        return space
    while wanted > start + 1 and joins_previous(text[wanted]):
        wanted -= 1
    return wanted


def _window(text: str, first: int, width: int) -> tuple[int, int]:
    if len(text) <= width:
        return 0, len(text)
    start = _start_at(text, min(first - _LEAD_CHARACTERS, len(text) - width))
    return start, _end_at(text, start, start + width)


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> Markup:
    """text[start:end] escaped piece by piece, the pieces inside spans between <mark> tags."""
    parts: list[str] = []
    at = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(text[at:span_start]))
        parts.append(Markup("<mark>%s</mark>") % text[span_start:span_end])
        at = span_end
    parts.append(escape(text[at:end]))
    return Markup("").join(parts)


def snippet(html_or_text: str, words: Sequence[str], width: int = SNIPPET_CHARACTERS) -> Markup:
    """About width characters of what readers see in html_or_text, around the first word
    that matches words, those words marked; its beginning when nothing matches.

    html_or_text is stored body HTML, or plain text passed through markupsafe.escape first
    (so that a "<" someone typed stays text). The result is safe to put in a page as it is.
    """
    return best_snippet([html_or_text], words, width)


def best_snippet(
    sources: Sequence[str], words: Sequence[str], width: int = SNIPPET_CHARACTERS
) -> Markup:
    """snippet() of the first of sources (HTML, or escaped text) in which a word matches;
    of the first that is not empty when none does. Each source is read once."""
    matcher = _Matcher.of(words)
    fallback = None
    for source in sources:
        text = _readable(str(source))
        first = next(_spans(text, matcher), None)
        if first is not None:
            return _windowed(text, matcher, first[0], width)
        if fallback is None and text:
            fallback = text
    return _windowed(fallback or "", matcher, 0, width)


def _windowed(text: str, matcher: _Matcher, first: int, width: int) -> Markup:
    start, end = _window(text, first, width)
    after = ""
    if end < len(text):
        after = _ELLIPSIS
        # Trimmed as text, before escaping: trimming escaped text could cut "&amp;" short.
        while end > start + 1 and text[end - 1] in _TRAILING_PUNCTUATION:
            end -= 1
    before = _ELLIPSIS if start > 0 else ""
    spans = list(_spans(text, matcher, start, end))
    return Markup("").join([before, _marked(text, spans, start, end), after])


def highlight(text: str, words: Sequence[str]) -> Markup:
    """All of a short plain text (a title), escaped, with the words that match marked."""
    return _marked(text, list(_spans(text, _Matcher.of(words))), 0, len(text))


def matches(html_or_text: str, words: Sequence[str]) -> bool:
    """Whether any word of what readers see in html_or_text matches words."""
    return next(_spans(_readable(str(html_or_text)), _Matcher.of(words)), None) is not None
