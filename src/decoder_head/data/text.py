"""Readers for user-supplied monolingual text: plain lines and wikitext `.tokens` dumps.

Both return one string per sentence/paragraph; tokenization happens later, in one place.
`iter_text` yields the same strings one at a time, for files larger than memory
(data/stream.py); the list readers are built on the same line cleaning, so both paths agree.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator

from ..errors import DecoderHeadError

# wikitext-103 escapes in-word punctuation as " @-@ ", " @,@ ", " @.@ ".
_WIKI_ESCAPES = re.compile(r" @([-,.])@ ")
_WIKI_HEADING = re.compile(r"^\s*(=\s*)+[^=].*?(\s*=)+\s*$")
_UNK = re.compile(r"(?<!\S)<unk>(?!\S)")
_SPACES = re.compile(r"\s+")


def _read_lines(path: str | os.PathLike) -> list[str]:
    """Read a UTF-8 text file, rejecting missing, binary and blank files with one clear line."""
    p = Path(path)
    if not p.is_file():
        raise DecoderHeadError(f"{p}: file not found; pass the path of an existing text file")
    data = p.read_bytes()
    if b"\x00" in data:
        raise DecoderHeadError(f"{p}: looks binary (contains NUL bytes); pass a UTF-8 text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecoderHeadError(
            f"{p}: not valid UTF-8 (byte {exc.start}); convert it with `iconv -t UTF-8`"
        ) from None
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise DecoderHeadError(f"{p}: file has no non-blank line; pass a non-empty text file")
    return lines


def iter_lines(path: str | os.PathLike) -> Iterator[str]:
    """`_read_lines` one line at a time (the same lines and the same errors, raised on reaching them).

    `newline=""` keeps "\\r\\n" whole; `str.splitlines` on each piece then cuts at the other
    separators it knows (\\x0b, \\x0c, \\u2028, ...), so the lines equal those of
    `text.splitlines()` over the whole file.
    """
    p = Path(path)
    if not p.is_file():
        raise DecoderHeadError(f"{p}: file not found; pass the path of an existing text file")
    non_blank = False
    number = 0
    try:
        with open(p, encoding="utf-8", newline="") as f:
            for number, raw in enumerate(f, 1):
                if "\x00" in raw:
                    raise DecoderHeadError(f"{p}:{number}: looks binary (contains NUL bytes); pass a UTF-8 text file")
                for line in raw.splitlines():
                    non_blank = non_blank or bool(line.strip())
                    yield line
    except UnicodeDecodeError:
        raise DecoderHeadError(
            f"{p}: not valid UTF-8 (after line {number}); convert it with `iconv -t UTF-8`"
        ) from None
    if not non_blank:
        raise DecoderHeadError(f"{p}: file has no non-blank line; pass a non-empty text file")


def clean_plain_line(line: str) -> str:
    """A plain-text line as a sentence: surrounding whitespace stripped ('' = skip it)."""
    return line.strip()


def clean_wikitext_line(line: str) -> str:
    """A wikitext line as a paragraph: '' for blanks and headings (` = = Section = = `),
    `@-@`/`@,@`/`@.@` escapes undone, `<unk>` removed, so it tokenizes like ordinary prose."""
    if not line.strip() or _WIKI_HEADING.match(line):
        return ""
    line = _WIKI_ESCAPES.sub(r"\1", line)
    return _SPACES.sub(" ", _UNK.sub(" ", line)).strip()


def read_plain_text(path: str | os.PathLike) -> list[str]:
    """One sentence or document per non-empty line, surrounding whitespace stripped."""
    return [s for s in map(clean_plain_line, _read_lines(path)) if s]


def read_wikitext(path: str | os.PathLike) -> list[str]:
    """Paragraphs of a wikitext-103-style `.tokens` file (as in the MultiFiT wiki dumps).

    Headings (` = = Section = = `) are dropped, the `@-@`/`@,@`/`@.@` escapes are undone
    and `<unk>` tokens removed, so the text tokenizes like ordinary prose.
    """
    paragraphs = [p for p in map(clean_wikitext_line, _read_lines(path)) if p]
    if not paragraphs:
        raise DecoderHeadError(f"{path}: no paragraph left after dropping headings and <unk>")
    return paragraphs


def iter_text(path: str | os.PathLike, wikitext: bool = False) -> Iterator[str]:
    """Sentences (plain) or paragraphs (wikitext) of a file, streamed: equal to the list readers."""
    clean = clean_wikitext_line if wikitext else clean_plain_line
    found = False
    for line in iter_lines(path):
        text = clean(line)
        if text:
            found = True
            yield text
    if wikitext and not found:
        raise DecoderHeadError(f"{path}: no paragraph left after dropping headings and <unk>")
