"""Skip-gram vectors (gensim): word2vec, what VecMap and MUSE start from, and fastText.

Tokenized sentences -> skip-gram -> (words, vectors), rows in frequency order (the
self-learning frequency cut-off relies on it). fastText (Bojanowski et al. 2017) is the same
skip-gram whose word vector is the sum of its character n-grams' vectors: a Bible has each
inflected form of a verb a handful of times, and the n-grams they share pool that evidence
(es-en Bible: +5 P@1 on the train dictionary beside PPMI, README recipe table).
`align.embed` turns a corpus spec into a word2vec text file with this or with PPMI-SVD
(`align.ppmi`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DecoderHeadError


@dataclass(frozen=True)
class Word2VecConfig:
    """Skip-gram hyper-parameters (Mikolov et al. 2013; VecMap/MUSE use 300d skip-gram).

    dim: vector size. window: max context distance. min_count: drop rarer words.
    epochs: passes over the corpus (small Bibles need more than gensim's default 5).
    negative: negative samples per positive pair. seed: gensim's seed (with workers=1 the
    vectors are bit-identical across runs; more workers trade that for speed).
    """

    dim: int = 300
    window: int = 5
    min_count: int = 3
    epochs: int = 5
    negative: int = 5
    seed: int = 0
    workers: int = 2

    def __post_init__(self) -> None:
        for name in ("dim", "window", "min_count", "epochs", "negative", "workers"):
            if getattr(self, name) < 1:
                raise DecoderHeadError(f"word2vec {name} must be >= 1, got {getattr(self, name)}")
        if self.seed < 0:
            raise DecoderHeadError(f"word2vec seed must be >= 0, got {self.seed}")


@dataclass(frozen=True)
class FastTextConfig(Word2VecConfig):
    """Skip-gram over words and their character n-grams of min_n..max_n characters (fastText's
    3..6); words keep min_count, only words that pass it get a vector in the file."""

    min_n: int = 3
    max_n: int = 6

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 1 <= self.min_n <= self.max_n:
            raise DecoderHeadError(f"fasttext needs 1 <= min_n <= max_n, got {self.min_n}, {self.max_n}")


def train_word2vec(sentences: list[list[str]], cfg: Word2VecConfig) -> tuple[list[str], np.ndarray]:
    """Train skip-gram (fastText for a FastTextConfig) on tokenized sentences -> (words by
    descending frequency, (n, dim) float32)."""
    try:
        from gensim.models import FastText, Word2Vec
    except ImportError:  # pragma: no cover - gensim is a declared dependency
        raise DecoderHeadError("gensim is not installed; run `pip install gensim` (or `make install`)") from None
    n_tokens = sum(len(s) for s in sentences)
    if n_tokens == 0:
        raise DecoderHeadError("corpus has no tokens to train word2vec on")
    subwords = {"min_n": cfg.min_n, "max_n": cfg.max_n} if isinstance(cfg, FastTextConfig) else {}
    model = (FastText if subwords else Word2Vec)(
        sentences=sentences,
        vector_size=cfg.dim,
        window=cfg.window,
        min_count=cfg.min_count,
        sg=1,  # skip-gram, as in the VecMap/MUSE experiments
        negative=cfg.negative,
        epochs=cfg.epochs,
        seed=cfg.seed,
        workers=cfg.workers,
        sorted_vocab=1,  # index_to_key in descending frequency
        **subwords,
    )
    words = list(model.wv.index_to_key)
    if not words:
        raise DecoderHeadError(
            f"no word occurs >= {cfg.min_count} times in the corpus ({n_tokens} tokens); lower --min-count"
        )
    return words, np.asarray(model.wv.vectors, dtype=np.float32)
