"""Corpus -> monolingual word vectors -> word2vec text file: what every aligner starts from.

Two ways to make the vectors, chosen by config type (or by name in a dict spec):
  skipgram  gensim skip-gram (`align.word2vec`): what VecMap and MUSE were run on;
  fasttext  the same skip-gram over character n-grams as well (`align.word2vec`);
  ppmi      PPMI + truncated SVD (`align.ppmi`): as good on the Bibles, ~10x cheaper.
Rows come out in descending frequency either way. `concatenate_spaces` joins several
spaces of one corpus into one (a word's skip-gram and PPMI vectors side by side).
"""

from __future__ import annotations

import os
import time
from typing import Any, Union

import numpy as np
import torch

from ..data.corpus import CorpusSpec, load_sentences
from ..data.tokenizer import Tokenizer
from ..errors import DecoderHeadError
from ..eval.retrieval import normalize
from ..eval.vectors import write_word2vec
from .ppmi import PPMIConfig, ppmi_vectors
from .word2vec import FastTextConfig, Word2VecConfig, train_word2vec

VectorsConfig = Union[Word2VecConfig, PPMIConfig]
KINDS: dict[str, type] = {"skipgram": Word2VecConfig, "fasttext": FastTextConfig, "ppmi": PPMIConfig}


def vectors_config(spec: dict[str, Any]) -> VectorsConfig:
    """{"method": "skipgram" (default) | "fasttext" | "ppmi", **that method's fields} -> its config."""
    spec = dict(spec)
    method = spec.pop("method", "skipgram")
    if method not in KINDS:
        raise DecoderHeadError(f"unknown vectors method {method!r}; choose one of {', '.join(KINDS)}")
    try:
        return KINDS[method](**spec)
    except TypeError as exc:
        raise DecoderHeadError(f"bad {method} vectors config: {exc}") from None


def train_vectors(sentences: list[list[str]], cfg: VectorsConfig) -> tuple[list[str], np.ndarray]:
    """(words by descending frequency, (n, dim) float32) by skip-gram, fastText or PPMI-SVD."""
    if isinstance(cfg, PPMIConfig):
        return ppmi_vectors(sentences, cfg)
    return train_word2vec(sentences, cfg)


def embed_corpus(
    corpus: str,
    out: str | os.PathLike,
    cfg: VectorsConfig,
    cache_dir: str | None = "runs/cache",
    sword_dir: str = "/usr/share/sword",
) -> dict:
    """Corpus spec -> word2vec text file at `out` (atomic); returns a small summary."""
    spec = CorpusSpec.parse(corpus)
    start = time.perf_counter()
    sentences = load_sentences(spec, Tokenizer(), sword_dir=sword_dir, cache_dir=cache_dir)
    words, vectors = train_vectors(sentences, cfg)
    write_word2vec(out, words, vectors)
    return {
        "corpus": str(spec),
        "out": str(out),
        "words": len(words),
        "tokens": sum(len(s) for s in sentences),
        "seconds": round(time.perf_counter() - start, 2),
    }


def concatenate_spaces(spaces: list[tuple[list[str], torch.Tensor]]) -> tuple[list[str], torch.Tensor]:
    """Several vector spaces of one corpus -> one: [x_1 | x_2 | ...] per word.

    Each space is normalised first (unit, centre, unit), so every view weighs the same in a
    cosine; words missing from any space are dropped; rows keep the first space's order
    (frequency). Skip-gram and PPMI-SVD make different errors on a small corpus, and the
    concatenation aligns better than either (benchmarks/recipe.py).
    """
    if not spaces:
        raise DecoderHeadError("no vector spaces to concatenate")
    index = [{w: i for i, w in enumerate(words)} for words, _ in spaces]
    words = [w for w in spaces[0][0] if all(w in ix for ix in index[1:])]
    if not words:
        raise DecoderHeadError("the vector spaces share no word")
    parts = [normalize(vecs.float()[[ix[w] for w in words]], center=True) for (_, vecs), ix in zip(spaces, index)]
    return words, torch.cat(parts, dim=1)
