"""Spanish in Armenian letters: a test bed with spelling taken away, its answer known.

The main job reads spelling in three places: identical strings join the seed, orthography weighs
in on every dictionary induction, and the final lexicon is re-ranked by string similarity. Between
two scripts none of that carries anything, and the decoder head (which never sees a letter) is the
seed's only source besides the fully unsupervised one. A cipher bed is that case on data whose
answer is known: the B side of a Spanish bed lower-cased, each of its 38 Spanish letters (and the
yardstick's) swapped for one lower-case Armenian letter, one for one, so word counts,
vocabularies and the LM side are those of the plain bed. Every other letter the text holds
(Greek, Cyrillic or macrons of names in the Wikipedia leads, Armenian itself) becomes a Yi
syllable of its own, so no B word is spelled as any A word and nothing merges:

    es-en.cipher       es-en.bible's RV1909 (every letter in the table)
    es-en.wiki.cipher  es-en.wiki's Spanish leads (0.13% of their letters outside the table)

    python benchmarks/cipher.py [BED]      (writes runs/beds/cipher/; beds.py does it on demand)
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from decoder_head.data.corpus import CorpusSpec, export_text
from decoder_head.data.dictionary import read_muse, write_muse
from decoder_head.files import write_text

ROOT = Path(__file__).resolve().parents[1]
LATIN = "abcdefghijklmnopqrstuvwxyzáéíóúüñâêîôû"
ARMENIAN = "".join(chr(0x561 + i) for i in range(len(LATIN)))  # ա .. ֆ, all lower-case letters
TABLE = str.maketrans(LATIN, ARMENIAN)
YI = 0xA000  # Yi syllables: 1,165 caseless letters, one for each letter outside LATIN
FOLDER = "runs/beds/cipher"  # relative to the repository root, as the beds' corpus specs are


@dataclass(frozen=True)
class CipherBed:
    """A plain bed's B corpus and yardstick, and the file name of its enciphered text."""

    source: str  # corpus spec of the plain B side
    source_yardstick: str  # the plain yardstick: add `.train.txt` or `.test.txt`
    text_name: str

    @property
    def text(self) -> str:
        return f"{FOLDER}/{self.text_name}"

    @property
    def yardstick(self) -> str:
        return f"{FOLDER}/{Path(self.source_yardstick).name}"


BEDS = {
    "es-en.cipher": CipherBed("sword:spaRV1909eb", "data/bli/es-en.bible", "spaRV1909eb.hy.txt"),
    "es-en.wiki.cipher": CipherBed("wikileads:es", "data/bli/es-en.wiki", "wikileads-es.hy.txt"),
}


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


def write_bed(name: str = "es-en.cipher", root: Path = ROOT, cache_dir: str | None = None) -> None:
    """The bed's enciphered text and yardstick splits under root/FOLDER, unless all three are there."""
    bed = BEDS[name]
    text = root / bed.text
    outs = {split: root / f"{bed.yardstick}.{split}.txt" for split in ("train", "test")}
    if text.is_file() and all(out.is_file() for out in outs.values()):
        return
    golds = {split: read_muse(root / f"{bed.source_yardstick}.{split}.txt") for split in outs}
    plain = text.with_suffix(".plain.txt")
    export_text(CorpusSpec.parse(bed.source), plain, cache_dir=cache_dir)
    words = plain.read_text(encoding="utf-8")
    plain.unlink()
    table = table_for(words + " " + " ".join(w for gold in golds.values() for w in gold))
    write_text(text, encipher(words, table))
    for split, out in outs.items():
        write_muse(out, {encipher(s, table): ts for s, ts in golds[split].items()})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("beds", nargs="*", help=f"of {', '.join(BEDS)} (default: all)")
    ap.add_argument("--root", default=str(ROOT))
    args = ap.parse_args(argv)
    unknown = set(args.beds) - set(BEDS)
    if unknown:
        ap.error(f"no cipher bed {', '.join(sorted(unknown))}; the beds: {', '.join(BEDS)}")
    for name in args.beds or list(BEDS):
        write_bed(name, Path(args.root), cache_dir=str(Path(args.root) / "runs" / "cache"))
        bed = BEDS[name]
        print(f"{name}: {args.root}/{bed.text}, {args.root}/{bed.yardstick}.{{train,test}}.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
