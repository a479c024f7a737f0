"""Spanish in Armenian letters: the es-en Bible bed with spelling taken away.

The main job reads spelling in three places: identical strings join the seed, orthography weighs
in on every dictionary induction, and the final lexicon is re-ranked by string similarity. Between
two scripts none of that carries anything, and the decoder head (which never sees a letter) is the
seed's only source besides the fully unsupervised one. This bed is that case on data whose answer
is known: RV1909 lower-cased, each of its 38 letters (and the yardstick's) swapped for one
lower-case Armenian letter, one for one, so word counts, vocabularies and the LM side are those of
es-en.bible. Letters outside the table (none in RV1909 or its yardstick) stay as they are.

    python benchmarks/cipher.py          (writes runs/beds/cipher/; beds.py does it on demand)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from decoder_head.data.corpus import CorpusSpec, export_text
from decoder_head.data.dictionary import read_muse, write_muse
from decoder_head.files import write_text

ROOT = Path(__file__).resolve().parents[1]
LATIN = "abcdefghijklmnopqrstuvwxyzáéíóúüñâêîôû"
ARMENIAN = "".join(chr(0x561 + i) for i in range(len(LATIN)))  # ա .. ֆ, all lower-case letters
TABLE = str.maketrans(LATIN, ARMENIAN)
FOLDER = "runs/beds/cipher"  # relative to the repository root, as the beds' corpus specs are
TEXT, YARDSTICK = f"{FOLDER}/spaRV1909eb.hy.txt", f"{FOLDER}/es-en.bible"
SOURCE, SOURCE_YARDSTICK = "sword:spaRV1909eb", "data/bli/es-en.bible"


def encipher(text: str) -> str:
    """Lower-case, then each table letter becomes its Armenian one (a bijection: nothing merges)."""
    return text.lower().translate(TABLE)


def write_bed(root: Path = ROOT, cache_dir: str | None = None) -> None:
    """The enciphered Bible and yardstick splits under root/FOLDER, unless already there."""
    text, yardstick = root / TEXT, root / YARDSTICK
    if not text.is_file():
        plain = text.with_suffix(".plain.txt")
        export_text(CorpusSpec.parse(SOURCE), plain, cache_dir=cache_dir)
        write_text(text, encipher(plain.read_text(encoding="utf-8")))
        plain.unlink()
    for split in ("train", "test"):
        out = yardstick.with_name(f"{yardstick.name}.{split}.txt")
        if not out.is_file():
            gold = read_muse(root / f"{SOURCE_YARDSTICK}.{split}.txt")
            write_muse(out, {encipher(s): ts for s, ts in gold.items()})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=str(ROOT))
    args = ap.parse_args(argv)
    write_bed(Path(args.root), cache_dir=str(Path(args.root) / "runs" / "cache"))
    print(f"{args.root}/{FOLDER}: {TEXT.rsplit('/', 1)[1]}, es-en.bible.train.txt, es-en.bible.test.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
