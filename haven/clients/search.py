"""What the staff client search matches, as text: each client's search terms, and what a typed word looks for.

A client is found by the beginning of any word of their first, last or preferred name or email, however it is
accented or capitalised, and by their exact date of birth. Each name and email is folded (case and accents
removed, ``ß`` to ``ss``, ``Ø`` to ``o``) and split into its words; the terms are the word sequences from each
word to the end with the separators dropped: "Smith-Jones" gives ``smithjones`` and ``jones``, and
"ana.maria@example.com" gives ``anamariaexamplecom``, ``mariaexamplecom``, ``examplecom`` and ``com``.
A typed word is folded and stripped of separators the same way ("O'Brien" looks for ``obrien``, "example.com"
for ``examplecom``) and matches every term it begins: an index range, ``key <= term < successor(key)``, which
SQLite and PostgreSQL both answer from a b-tree (see ``ClientSearchTerm``), so a search costs the same at ten
clients and at a hundred thousand.

This module is plain text and knows no models: the models keep the terms (``haven.clients.models``) and the
selectors query them (``haven.clients.selectors``).
"""

from __future__ import annotations

import datetime
import re
import unicodedata

TERM_LENGTH = 100  # a term longer than this is cut; a typed word is cut the same way, so it still matches

# Letters that carry their mark in the letter itself: NFKD leaves them whole.
_WHOLE_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ħ": "h", "\u0131": "i", "ł": "l", "ŧ": "t", "æ": "ae", "œ": "oe", "þ": "th"}
)
_WORD = re.compile(r"[^\W_]+")  # letters and digits; everything else separates words
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")  # as the search box's placeholder says, and the US order


def fold(text: str) -> str:
    """The text without case or accents: "Zoë Østergaard" → "zoe ostergaard", "Straße" → "strasse"."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_WHOLE_LETTERS)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def terms_for(*values: str) -> set[str]:
    """The search terms of these names and emails: from each word to the end, separators dropped."""
    terms: set[str] = set()
    for value in values:
        parts = words(value)
        for start in range(len(parts)):
            terms.add("".join(parts[start:])[:TERM_LENGTH])
    return terms


def key_for(word: str) -> str:
    """What a typed word looks for at the start of a term; empty when it holds no letter or digit."""
    return "".join(words(word))[:TERM_LENGTH]


def successor(key: str) -> str:
    """The first string after every string that begins with ``key`` (in code point order)."""
    following = ord(key[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates are not characters: the next one is U+E000
        following = 0xE000
    return key[:-1] + chr(following)


def parse_date(word: str) -> datetime.date | None:
    """A date of birth typed as YYYY-MM-DD or MM/DD/YYYY, else None."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(word, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def split_query(query: str) -> tuple[list[datetime.date], list[str]]:
    """The dates of birth and the term keys a search names; every one must match (words without letters or
    digits look for nothing)."""
    dates: list[datetime.date] = []
    keys: list[str] = []
    for word in query.split():
        birth = parse_date(word)
        if birth is not None:
            dates.append(birth)
        elif key := key_for(word):
            keys.append(key)
    return list(dict.fromkeys(dates)), list(dict.fromkeys(keys))  # a word typed twice is looked for once
