"""`f_unaccent(text)` for SQLite: the accent folding Immich's searches apply to file names,
paths and descriptions (PostgreSQL's `unaccent` dictionary, wrapped as an immutable
`f_unaccent` by migration 0025), so that "cafe" finds "Café.jpg" on both databases.

Registered on every SQLite connection the server opens (`db.engine`): the search index's
triggers (migration 0023) call it, so a connection without it cannot write assets. It also
folds case, since SQLite's own `lower()` and `LIKE` fold only ASCII; every caller compares
case-insensitively anyway. Changing what it folds means re-running migration 0023's backfill.
"""

from __future__ import annotations

import unicodedata

_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "\u0131": "i",  # dotless i
    }
)
"""Letters that carry their accent in the letter itself, so no decomposition removes it
(PostgreSQL's unaccent rules map them the same way)."""


def fold(text: str) -> str:
    """`text` without accents or case: compatibility-decomposed, combining marks dropped."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def f_unaccent(text: str | None) -> str | None:
    """The SQL function (NULL in, NULL out, as PostgreSQL's strict one)."""
    return None if text is None else fold(text)
