"""Check a run's inputs before anything is trained or written.

Bad input (a missing or empty corpus, a file in another encoding, a dictionary that shares
no pair with the corpora, a vocabulary too small for the preset) ends here with one
`DecoderHeadError` line, not minutes later inside a stage, and the run folder is untouched.
Reading the corpora here costs nothing extra: SWORD Bibles land in the text cache the
stages read from (two Bibles not yet cached are read in two processes: pysword's
decompression is single-threaded and takes minutes per Bible on a slow core).
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .config import RunConfig
from .data.dictionary import read_muse
from .mapping.init import SEEDS, read_anchor_file
from .errors import DecoderHeadError
from .data.corpus import CorpusSpec
from .train.pretrain import TOKENIZER, corpus_sentences

MIN_WORDS = 20  # fewer words than this in a vocabulary leaves nothing to map


def word_counts(corpus: str, workdir: Path, stream: bool = False) -> Counter[str]:
    """Every word's count; a `stream`ed file is counted chunk by chunk, never held whole."""
    if stream:
        from .data.stream import count_words

        return count_words(CorpusSpec.parse(corpus), TOKENIZER)
    return Counter(w for s in corpus_sentences(corpus, workdir / "cache") for w in s)


def _uncached_bible(corpus: str, workdir: Path) -> bool:
    spec = CorpusSpec.parse(corpus)
    return spec.source == "sword" and not (workdir / "cache" / f"{spec.name}.tsv").is_file()


def _count_both(a: str, b: str, workdir: Path, streams: tuple[bool, bool] = (False, False)
                ) -> tuple[Counter[str], Counter[str]]:
    """Word counts of both corpora; two uncached Bibles are read side by side."""
    if a == b or not (_uncached_bible(a, workdir) and _uncached_bible(b, workdir)):
        return word_counts(a, workdir, streams[0]), word_counts(b, workdir, streams[1])
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(word_counts, corpus, workdir) for corpus in (a, b)]
        return futures[0].result(), futures[1].result()  # a DecoderHeadError in a child is raised here


def _check_size(corpus: str, counts: Counter[str], min_count: int, need: int, why: str) -> None:
    n = sum(1 for c in counts.values() if c >= min_count)
    if n < need:
        raise DecoderHeadError(f"corpus {corpus}: {n} word types occur >= {min_count} times; {why} needs at least "
                               f"{need} (give a larger corpus or lower the min_count)")


def check_inputs(cfg: RunConfig, workdir: Path) -> None:
    """Raise DecoderHeadError on the first problem with the corpora, the dictionary or the sizes."""
    if cfg.eval.dictionary and not Path(cfg.eval.dictionary).is_file():
        raise DecoderHeadError(f"BLI dictionary not found: {cfg.eval.dictionary} (pass --dictionary PATH, or "
                               "--no-dictionary for a run scored by unsupervised signals only)")
    a, b = cfg.lm.corpus, cfg.induce.corpus
    counts_a, counts_b = _count_both(a, b, workdir, (cfg.lm.stream, cfg.induce.stream))
    _check_size(a, counts_a, cfg.lm.vocab.min_count, MIN_WORDS, "the LM vocabulary")
    _check_size(b, counts_b, cfg.induce.vocab.min_count, MIN_WORDS, "the induced vocabulary")
    for stage in (cfg.recover, cfg.induce):
        if stage is not None and stage.anchors not in (None, *SEEDS):
            read_anchor_file(stage.anchors)  # a missing or malformed pair file fails before the LM trains
        k = (stage.mapping_args.get("topk") if stage is not None else None) or 0
        n_a = min(cfg.lm.vocab.max_size, len(counts_a) + 2)
        if k > n_a:
            raise DecoderHeadError(f"mapping topk {k} exceeds the LM vocabulary ({n_a} rows); lower mapping_args.topk")
    if cfg.refine is not None:
        for spec in cfg.refine.vectors:
            if spec.get("method") == "ppmi":
                dim, min_count = spec.get("dim", 300), spec.get("min_count", 3)
                for corpus, counts in ((a, counts_a), (b, counts_b)):
                    _check_size(corpus, counts, min_count, dim + 1, f"PPMI-SVD with dim {dim}")
    if cfg.eval.dictionary:
        gold = read_muse(cfg.eval.dictionary)
        if not any(s in counts_b and any(t in counts_a for t in ts) for s, ts in gold.items()):
            raise DecoderHeadError(f"dictionary {cfg.eval.dictionary} shares no pair with the corpora: none of its "
                                   f"{len(gold)} source words is in {b} with a translation in {a} (wrong direction "
                                   "or language?)")
