"""Bilingual dictionaries: MUSE files and FreeDict (dictd) as BLI ground truth.

A dictionary is `dict[str, set[str]]`: source word -> every gold target word, because
P@k counts a hit on any gold translation (as MUSE does).
"""

from __future__ import annotations

import gzip
import itertools
import os
import re
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import DecoderHeadError
from ..files import write_text
from .tokenizer import Tokenizer

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_VALUE = {c: i for i, c in enumerate(_B64)}
_FREEDICT_INSTALL = "apt-get install -y dict-freedict-eng-spa dict-freedict-spa-eng"
_SENSE_NUMBER = re.compile(r"^\s*\d+\.\s*")
_PARENTHETICAL = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_PRONUNCIATION = re.compile(r"^\s*/.*/\s*$")


def read_muse(path: str | os.PathLike, lowercase: bool = True) -> dict[str, set[str]]:
    """Read a MUSE dictionary: one `src tgt` pair per line (tab or space separated)."""
    p = Path(path)
    if not p.is_file():
        raise DecoderHeadError(f"{p}: dictionary file not found; pass a MUSE file (`src tgt` per line)")
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise DecoderHeadError(f"{p}: not valid UTF-8; pass a UTF-8 MUSE dictionary") from None
    pairs: dict[str, set[str]] = {}
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2:
            raise DecoderHeadError(
                f"{p}:{number}: expected 2 fields `src tgt`, got {len(fields)}; fix or remove that line"
            )
        src, tgt = (f.lower() for f in fields) if lowercase else fields
        pairs.setdefault(src, set()).add(tgt)
    if not pairs:
        raise DecoderHeadError(f"{p}: no word pairs found; a MUSE file has `src tgt` per line")
    return pairs


def write_muse(path: str | os.PathLike, pairs: dict[str, set[str]]) -> None:
    """Write pairs as a sorted MUSE file (one `src tgt` per line), atomically."""
    lines = [f"{src} {tgt}\n" for src in sorted(pairs) for tgt in sorted(pairs[src])]
    write_text(path, "".join(lines))


def decode_dictd_number(s: str) -> int:
    """Decode a dictd index number: base64 digits (A-Za-z0-9+/), most significant first."""
    if not s:
        raise DecoderHeadError("empty dictd number in index; the .index file is corrupt")
    n = 0
    for c in s:
        if c not in _B64_VALUE:
            raise DecoderHeadError(f"bad dictd number {s!r}: {c!r} is not a base64 digit")
        n = n * 64 + _B64_VALUE[c]
    return n


def parse_dictd_entry(entry: str) -> list[str]:
    """Translations in one entry: skip headword and `/pron/` lines, drop sense numbers."""
    translations: list[str] = []
    for line in entry.splitlines()[1:]:  # the first line is the headword (+ pronunciation)
        if not line.strip() or _PRONUNCIATION.match(line):
            continue
        line = _PARENTHETICAL.sub(" ", _SENSE_NUMBER.sub("", line))
        for item in re.split(r"[,;]", line):
            item = " ".join(item.split())
            if item and item not in translations:
                translations.append(item)
    return translations


def iter_dictd(index_path: str | os.PathLike, dict_path: str | os.PathLike,
               install: str = _FREEDICT_INSTALL) -> Iterator[tuple[str, str]]:
    """(index headword, entry text) of every entry of a dictd dictionary, in index order,
    metadata entries (`00database...`) left out. `install` is the fix a missing file names."""
    for p in (index_path, dict_path):
        if not Path(p).is_file():
            raise DecoderHeadError(f"{p}: dictd file not found; install FreeDict with `{install}`")
    try:
        with gzip.open(dict_path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as exc:
        raise DecoderHeadError(f"{dict_path}: not a readable gzip/dictzip file ({exc})") from None
    with open(index_path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3:
                raise DecoderHeadError(
                    f"{index_path}:{number}: expected `headword<TAB>offset<TAB>length`; the index is corrupt"
                )
            headword, offset, length = fields
            if headword.startswith("00database"):  # metadata entries, not words
                continue
            start = decode_dictd_number(offset)
            end = start + decode_dictd_number(length)
            if end > len(data):
                raise DecoderHeadError(f"{index_path}:{number}: entry runs past the end of {dict_path}")
            yield headword, data[start:end].decode("utf-8")


def read_dictd(index_path: str | os.PathLike, dict_path: str | os.PathLike) -> dict[str, list[str]]:
    """Headword -> translations of a dictd dictionary (`.index` + gzip `.dict.dz`).

    A headword listed several times (FreeDict cut multi-word English headwords short, so
    "a" has many entries) gets the translations of all its entries, in file order.
    """
    result: dict[str, list[str]] = {}
    for headword, entry in iter_dictd(index_path, dict_path):
        translations = result.setdefault(headword, [])
        for t in parse_dictd_entry(entry):
            if t not in translations:
                translations.append(t)
    return result


def _single_word(text: str, tokenizer: Tokenizer) -> str | None:
    """The word, if `text` is exactly one lowercase letter run (else None)."""
    tokens = tokenizer(text)
    if len(tokens) == 1 and tokens[0] == text.strip().lower():
        return tokens[0]
    return None


def freedict_es_en(dictd_dir: str | os.PathLike = "/usr/share/dictd") -> dict[str, set[str]]:
    """Spanish -> English single-word pairs: spa-eng merged with the inverted eng-spa."""
    d = Path(dictd_dir)
    spa_eng = read_dictd(d / "freedict-spa-eng.index", d / "freedict-spa-eng.dict.dz")
    eng_spa = read_dictd(d / "freedict-eng-spa.index", d / "freedict-eng-spa.dict.dz")
    return single_word_pairs([(es, en) for es, ens in spa_eng.items() for en in ens]
                             + [(es, en) for en, ess in eng_spa.items() for es in ess])


def single_word_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """source -> targets of the raw (source, target) pairs whose both sides are one word."""
    tokenizer = Tokenizer()
    out: dict[str, set[str]] = {}
    for src, trg in pairs:
        src_word, trg_word = _single_word(src, tokenizer), _single_word(trg, tokenizer)
        if src_word and trg_word:
            out.setdefault(src_word, set()).add(trg_word)
    return out


# FreeDict's newer dictionaries (deu-eng, eng-deu: made from Ding via TEI) lay an entry out as
#     Brot /bɾˈoːt/ <neut, n, sg>                       headword /pronunciation/ <grammar>
#     bread <n>                                         translations, comma separated
#      [techn.] increase in throughput <n>              (a domain label may lead)
#           "Der Mensch lebt nicht vom Brot allein."  - ...   example
#      see: {Brote}, ...    Synonym: {...}    Note: ...       cross references and notes
_DEU_ENG_INSTALL = "apt-get install -y dict-freedict-deu-eng dict-freedict-eng-deu"
_SLASHED = re.compile(r"/[^/]*/")
_ANNOTATION = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|<[^<>]*>|\{[^{}]*\}")
_NOT_TRANSLATION = re.compile(r'^\s*("|[A-Za-z]+\s*:)')  # examples, see:, Synonym(s):, Note:


def strip_annotations(text: str) -> str:
    """Remove (...), [...], <...> and {...}, innermost first, and normalise whitespace."""
    previous = None
    while text != previous:
        previous, text = text, _ANNOTATION.sub(" ", text)
    return " ".join(text.split())


def parse_tei_entry(entry: str) -> tuple[str, list[str]]:
    """(headword, translations) of one entry of FreeDict's TEI-made dictionaries (deu-eng, eng-deu).

    The headword comes from the entry's first line, not the index: the index folds case and
    drops punctuation ("A-Dur" -> "adur"), which would invent single words.
    """
    lines = entry.splitlines()
    if not lines:
        return "", []
    headword = strip_annotations(_SLASHED.sub(" ", lines[0]))
    translations: list[str] = []
    for line in lines[1:]:
        if not line.strip() or _NOT_TRANSLATION.match(line):
            continue
        for item in re.split(r"[,;]", strip_annotations(line)):
            item = item.strip()
            if item and item not in translations:
                translations.append(item)
    return headword, translations


def freedict_de_en(dictd_dir: str | os.PathLike = "/usr/share/dictd") -> dict[str, set[str]]:
    """German -> English single-word pairs: deu-eng merged with the inverted eng-deu."""
    d = Path(dictd_dir)

    def entries(name: str) -> Iterator[tuple[str, list[str]]]:
        for _, entry in iter_dictd(d / f"freedict-{name}.index", d / f"freedict-{name}.dict.dz", _DEU_ENG_INSTALL):
            yield parse_tei_entry(entry)

    deu_eng = ((de, en) for de, ens in entries("deu-eng") for en in ens)
    eng_deu = ((de, en) for en, des in entries("eng-deu") for de in des)
    return single_word_pairs(itertools.chain(deu_eng, eng_deu))


def merge(*dictionaries: dict[str, set[str]]) -> dict[str, set[str]]:
    """The union of several source -> targets dictionaries."""
    merged: dict[str, set[str]] = {}
    for d in dictionaries:
        for src, tgts in d.items():
            merged.setdefault(src, set()).update(tgts)
    return merged


def invert(pairs: dict[str, set[str]]) -> dict[str, set[str]]:
    """target -> sources: the same pairs read the other way (an es-en dictionary as en-es)."""
    out: dict[str, set[str]] = {}
    for src, tgts in pairs.items():
        for t in tgts:
            out.setdefault(t, set()).add(src)
    return out
