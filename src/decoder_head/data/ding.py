"""Ding's German-English dictionary (Debian `trans-de-en`): ~200k lines of `de :: en`.

A line pairs German and English sides entry by entry; `|` separates aligned sub-entries
(the word, then its inflections or phrases), `;` separates synonyms inside one:

    gehen {vi} | gehend | gegangen | er/sie geht :: to go {went; gone} | going | gone | he/she goes

so sub-entry i of the left side translates sub-entry i of the right side. Curly, square,
round and angle brackets hold grammar, domain and usage notes; English verbs carry "to".
The single-word pairs of every aligned sub-entry are BLI gold (inflections included:
"gegangen gone" is a pair a lexicon should find).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import DecoderHeadError
from .dictionary import strip_annotations
from .tokenizer import Tokenizer

DING_PATH = "/usr/share/trans/de-en"
INSTALL = "apt-get install -y trans-de-en"
_ABBREVIATION = re.compile(r"(?:^|\s)/[^/]+/(?=\s|;|\||$)")  # "und {conj} /u./"


def _word(text: str, tokenizer: Tokenizer, english: bool) -> str | None:
    """The single lowercase word an alternative is, else None ("to go" -> "go")."""
    text = text.strip()
    if english and text.startswith("to "):
        text = text[3:]
    tokens = tokenizer(text)
    return tokens[0] if len(tokens) == 1 and tokens[0] == text.lower() else None


def parse_ding_line(line: str, tokenizer: Tokenizer = Tokenizer()) -> list[tuple[str, str]]:
    """(german, english) single-word pairs of one `de :: en` line; [] for comments and lines
    whose sides do not have as many `|` sub-entries (their alignment is unknown)."""
    if line.startswith("#") or " :: " not in line:
        return []
    german, _, english = line.partition(" :: ")
    sides = []
    for side in (german, english):
        side = strip_annotations(_ABBREVIATION.sub(" ", side))
        sides.append([part.split(";") for part in side.split("|")])
    if len(sides[0]) != len(sides[1]):
        return []
    pairs = []
    for de_part, en_part in zip(*sides):
        de_words = [w for w in (_word(a, tokenizer, False) for a in de_part) if w]
        en_words = [w for w in (_word(a, tokenizer, True) for a in en_part) if w]
        pairs.extend((de, en) for de in de_words for en in en_words)
    return pairs


def read_ding(path: str | os.PathLike = DING_PATH) -> dict[str, set[str]]:
    """German -> English single-word pairs of the whole Ding file."""
    p = Path(path)
    if not p.is_file():
        raise DecoderHeadError(f"{p}: Ding dictionary not found; install it as root with `{INSTALL}`")
    tokenizer = Tokenizer()
    pairs: dict[str, set[str]] = {}
    try:
        with open(p, encoding="utf-8") as f:
            for line in f:
                for de, en in parse_ding_line(line.rstrip("\n"), tokenizer):
                    pairs.setdefault(de, set()).add(en)
    except UnicodeDecodeError:
        raise DecoderHeadError(f"{p}: not valid UTF-8; reinstall it with `{INSTALL}`") from None
    if not pairs:
        raise DecoderHeadError(f"{p}: no `de :: en` line with single-word pairs; reinstall it with `{INSTALL}`")
    return pairs
