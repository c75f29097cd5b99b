"""What someone typed into a search box, made into words a search engine may safely be given.

Nothing of the query language of either engine survives: only runs of letters and digits are
kept, so quotes, NEAR, *, column filters, AND/OR/NOT and brackets are words or nothing. The
engines then quote each word themselves.
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY_CHARACTERS = 200
MAX_WORDS = 12
# A word longer than this is not a word anyone searches for; it only makes the index work.
MAX_WORD_LENGTH = 40

_WORD = re.compile(r"[^\W_]+")

# Words so common that matching them finds everything and ranks nothing. PostgreSQL's English
# configuration drops its own list; dropping them here too keeps both engines alike.
_STOP_WORD_TEXT = """
a about after again all also am an and any are as at be because been before being but by can
could did do does doing for from had has have having he her here hers him his how i if in into
is it its just me my no nor not of off on once only or our ours out over own same she should so
some such than that the their them then there these they this those through to too under until
up very was we were what when where which while who whom why will with would you your yours
"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())


def words(query: str | None) -> list[str]:
    """The searchable words of a query: letters and digits only, lower-cased, at most 12.

    Common words are left out unless nothing else was typed ("the who" still searches).
    """
    text = unicodedata.normalize("NFKC", (query or "")[:MAX_QUERY_CHARACTERS])
    found: list[str] = []
    for match in _WORD.finditer(text.casefold()):
        word = match.group()[:MAX_WORD_LENGTH]
        if word not in found:
            found.append(word)
    meaningful = [word for word in found if word not in STOP_WORDS]
    return (meaningful or found)[:MAX_WORDS]


def draft_words(text: str | None, limit: int = MAX_WORDS) -> list[str]:
    """The words of a draft that say what it is about, for finding similar questions.

    A draft is long and chatty: its common words are left out, and of the rest the longest
    are kept (long words are the rare ones: "alemtuzumab", "thyroid", not "feel").
    """
    source = unicodedata.normalize("NFKC", (text or "")[:5000]).casefold()
    seen: dict[str, int] = {}
    for position, match in enumerate(_WORD.finditer(source)):
        word = match.group()[:MAX_WORD_LENGTH]
        if len(word) > 2 and word not in STOP_WORDS and not word.isdigit():
            seen.setdefault(word, position)
    chosen = sorted(seen, key=lambda word: (-len(word), seen[word]))[:limit]
    return sorted(chosen, key=seen.__getitem__)
