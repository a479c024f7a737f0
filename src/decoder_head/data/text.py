"""Readers for user-supplied monolingual text: plain lines and wikitext `.tokens` dumps.

Both return one string per sentence/paragraph; tokenization happens later, in one place.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

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


def read_plain_text(path: str | os.PathLike) -> list[str]:
    """One sentence or document per non-empty line, surrounding whitespace stripped."""
    return [line.strip() for line in _read_lines(path) if line.strip()]


def read_wikitext(path: str | os.PathLike) -> list[str]:
    """Paragraphs of a wikitext-103-style `.tokens` file (as in the MultiFiT wiki dumps).

    Headings (` = = Section = = `) are dropped, the `@-@`/`@,@`/`@.@` escapes are undone
    and `<unk>` tokens removed, so the text tokenizes like ordinary prose.
    """
    paragraphs = []
    for line in _read_lines(path):
        if not line.strip() or _WIKI_HEADING.match(line):
            continue
        line = _WIKI_ESCAPES.sub(r"\1", line)
        line = _SPACES.sub(" ", _UNK.sub(" ", line)).strip()
        if line:
            paragraphs.append(line)
    if not paragraphs:
        raise DecoderHeadError(f"{path}: no paragraph left after dropping headings and <unk>")
    return paragraphs
