"""Words of someone who may be in crisis: the default phrases, and finding them in a comment.

A match never rejects a comment: rules.decide() holds it, urgent, and its writer is shown where
to find help at once. A missed phrase costs more than a false alarm (a moderator reads it and
approves), so text is compared loosely: case, curly apostrophes, hyphens, punctuation and line
breaks between the words do not matter.

Matching is linear in the text whatever the phrase list: the text is cut into words once, and
each run of words of a phrase's length is looked up in a set. No regular expression is built
from the phrases, so no phrase an admin types can make a comment slow to check.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Kept short and specific: each is said by someone about themselves, and rarely otherwise.
# "suicide" alone is not here: posts about treatments discuss warnings about it every day.
DEFAULT_PHRASES: tuple[str, ...] = (
    "end it all",
    "end my life",
    "take my own life",
    "kill myself",
    "killing myself",
    "want to die",
    "wanna die",
    "wish I was dead",
    "wish I were dead",
    "better off dead",
    "better off without me",
    "suicidal",
    "can't go on",
    "cannot go on",
    "can't cope any more",
    "can't cope anymore",
    "cannot cope any more",
    "no reason to live",
    "nothing to live for",
    "don't want to be here anymore",
    "don't want to be here any more",
    "hurt myself",
    "harm myself",
    "self-harm",
    "self-harming",
    "overdose on purpose",
)

# Longer phrases are ignored: nobody's words of distress are a paragraph long.
MAX_PHRASE_WORDS = 12
# Characters that join or hide inside words and must not split or hide a phrase.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_APOSTROPHES = dict.fromkeys(map(ord, "'\u2018\u2019\u201b\u02bc\u02b9\u2032\u0060\u00b4"), None)
_WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    """The words of text, compared loosely: "Can’t", "can't" and "CANT" are all "cant"."""
    folded = unicodedata.normalize("NFKC", text or "").translate(_INVISIBLE)
    folded = folded.translate(_APOSTROPHES).casefold()
    # [^\W_]+ matches letter and digit runs only, one pass, no backtracking.
    return _WORD.findall(folded)


@dataclass(frozen=True)
class PhraseSet:
    """Phrases ready to look up: each as a tuple of words, by how many words it has."""

    by_words: dict[tuple[str, ...], str]
    lengths: tuple[int, ...]
    first_words: frozenset[str]  # most words start no phrase: skipped after one lookup

    def first_in(self, text: str) -> str | None:
        """The phrase (as written in the list) that occurs first in text, or None."""
        if not self.by_words:
            return None
        words = words_of(text)
        for start, word in enumerate(words):
            if word not in self.first_words:
                continue
            for length in self.lengths:
                found = self.by_words.get(tuple(words[start : start + length]))
                if found is not None:
                    return found
        return None


def phrase_list(stored: str | None) -> list[str]:
    """The phrases moderators keep (one a line), or the defaults when they keep none."""
    phrases = [line.strip() for line in (stored or "").splitlines() if line.strip()]
    return phrases or list(DEFAULT_PHRASES)


@lru_cache(maxsize=8)
def compile_phrases(stored: str | None) -> PhraseSet:
    """The stored list (or the defaults) as a PhraseSet; cached, as the list rarely changes."""
    by_words: dict[tuple[str, ...], str] = {}
    for phrase in phrase_list(stored):
        words = tuple(words_of(phrase))
        if words and len(words) <= MAX_PHRASE_WORDS:
            by_words.setdefault(words, phrase)
    return PhraseSet(
        by_words,
        tuple(sorted({len(words) for words in by_words})),
        frozenset(words[0] for words in by_words),
    )


def find_phrase(text: str, stored: str | None = "") -> str | None:
    """The crisis phrase text contains, from the stored list or the defaults, or None."""
    return compile_phrases(stored or "").first_in(text)


def is_default(text: str) -> bool:
    """Whether a submitted list says just what the defaults say (so it is stored as "")."""
    return [tuple(words_of(p)) for p in phrase_list(text)] == [
        tuple(words_of(p)) for p in DEFAULT_PHRASES
    ]
