"""Evaluation: shared retrieval (NN, CSLS, isf), BLI metrics, word2vec vector I/O."""

from .bli import evaluate_bli, translate, write_lexicon
from .retrieval import mean_topk_similarity, normalize, pairwise_scores, topk
from .vectors import read_word2vec, write_word2vec

__all__ = [
    "evaluate_bli",
    "mean_topk_similarity",
    "normalize",
    "pairwise_scores",
    "read_word2vec",
    "topk",
    "translate",
    "write_lexicon",
    "write_word2vec",
]
