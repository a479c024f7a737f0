"""Spanish in Armenian letters: a test bed with spelling taken away, its answer known.

The main job reads spelling in three places: identical strings join the seed, orthography weighs
in on every dictionary induction, and the final lexicon is re-ranked by string similarity. Between
two scripts none of that carries anything, and the decoder head (which never sees a letter) is the
seed's only source besides the fully unsupervised one. A cipher bed (`data.beds`: es-en.cipher,
es-en.wiki.cipher) is that case on data whose answer is known: the B side of a Spanish bed
lower-cased, each of its 38 Spanish letters (and the yardstick's) swapped for one lower-case
Armenian letter, one for one, so word counts, vocabularies and the LM side are those of the plain
bed. Every other letter the text holds (Greek, Cyrillic or macrons of names in the Wikipedia
leads, Armenian itself) becomes a Yi syllable of its own, so no B word is spelled as any A word
and nothing merges (RV1909 has every letter in the table; the Spanish leads 0.13% outside it).
"""

from __future__ import annotations

from pathlib import Path

from .corpus import CorpusSpec, export_text
from .dictionary import read_muse, write_muse
from ..files import write_text

LATIN = "abcdefghijklmnopqrstuvwxyzáéíóúüñâêîôû"
ARMENIAN = "".join(chr(0x561 + i) for i in range(len(LATIN)))  # ա .. ֆ, all lower-case letters
TABLE = str.maketrans(LATIN, ARMENIAN)
YI = 0xA000  # Yi syllables: 1,165 caseless letters, one for each letter outside LATIN


def table_for(text: str) -> dict[int, str]:
    """LATIN -> ARMENIAN, and each other letter of the lower-cased `text`, in code point order, -> the
    next Yi syllable: a bijection on the text's letters (for RV1909: LATIN -> ARMENIAN alone)."""
    others = sorted({c for c in text.lower() if c.isalpha() and c not in LATIN})
    if len(others) > 1165:
        raise ValueError(f"{len(others)} letters outside the table: more than the Yi block holds")
    return str.maketrans(LATIN + "".join(others), ARMENIAN + "".join(chr(YI + i) for i in range(len(others))))


def encipher(text: str, table: dict[int, str] = TABLE) -> str:
    """Lower-case, then each letter becomes its table letter (a bijection: nothing merges)."""
    return text.lower().translate(table)


def write_cipher(source: str, source_yardstick: Path, text: Path, yardstick: Path,
                 cache_dir: str | None = None) -> None:
    """Corpus `source` enciphered into the file `text`, and the yardstick's train/test splits
    (`<source_yardstick>.{train,test}.txt`) into `<yardstick>.{train,test}.txt`, with one table for
    both; nothing is written when all three files are there already."""
    outs = {split: Path(f"{yardstick}.{split}.txt") for split in ("train", "test")}
    if text.is_file() and all(out.is_file() for out in outs.values()):
        return
    golds = {split: read_muse(f"{source_yardstick}.{split}.txt") for split in outs}
    plain = text.with_suffix(".plain.txt")
    export_text(CorpusSpec.parse(source), plain, cache_dir=cache_dir)
    words = plain.read_text(encoding="utf-8")
    plain.unlink()
    table = table_for(words + " " + " ".join(w for gold in golds.values() for w in gold))
    write_text(text, encipher(words, table))
    for split, out in outs.items():
        write_muse(out, {encipher(s, table): ts for s, ts in golds[split].items()})
