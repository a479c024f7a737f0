"""Count-based word vectors: positive PMI of window co-occurrences, truncated SVD.

Levy, Goldberg & Dagan (2015, "Improving distributional similarity with lessons learned from
word embeddings") show that PPMI + SVD with skip-gram's hidden choices (context distribution
smoothing 0.75, eigenvalue weighting) matches skip-gram, and is the better choice on small
corpora. On the Bibles (0.7-0.8M tokens) it aligns as well as skip-gram on the train
dictionary in a tenth of the CPU time (benchmarks/recipe.py), with no sampling noise.

    counts  C[w, c] = sum over verses of 1/d for every pair at distance d <= window
            (symmetric; pairs never cross a verse or sentence boundary)
    PPMI    max(0, log( C[w, c] * sum_c' Pa(c') / (C[w, .] * Pa(c)) )),  Pa(c) = C[., c]^cds
    SVD     PPMI ~ U S V^T (top `dim`, scipy ARPACK, fixed start vector)
    vectors U S^eig      (eig = 0.5: Levy et al.'s symmetric weighting)

Rows are in descending frequency (ties by spelling), like the skip-gram files, because
self-learning's vocabulary cut-off reads the first rows as the most frequent words.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds

from ..errors import DecoderHeadError


@dataclass(frozen=True)
class PPMIConfig:
    """PPMI-SVD hyper-parameters (defaults chosen on the train dictionary: benchmarks/recipe.py).

    dim: vector size (SVD rank). window: max co-occurrence distance, weighted 1/d.
    min_count: drop rarer words (rows and contexts). cds: context distribution smoothing
    exponent. eig: singular-value exponent of the vectors. seed: ARPACK start vector.
    """

    dim: int = 300
    window: int = 10
    min_count: int = 3
    cds: float = 0.75
    eig: float = 0.5
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("dim", "window", "min_count"):
            if getattr(self, name) < 1:
                raise DecoderHeadError(f"ppmi {name} must be >= 1, got {getattr(self, name)}")
        if not 0.0 < self.cds <= 1.0 or self.eig < 0:
            raise DecoderHeadError(f"ppmi cds must be in (0, 1] and eig >= 0, got {self.cds} and {self.eig}")


def vocabulary(sentences: list[list[str]], min_count: int) -> list[str]:
    """Words with >= min_count tokens, most frequent first (ties alphabetical)."""
    counts = Counter(w for s in sentences for w in s)
    return [w for w, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if c >= min_count]


def cooccurrences(sentences: list[list[str]], words: list[str], window: int) -> sp.csr_matrix:
    """(V, V) symmetric 1/d-weighted counts within `window`, never across sentences."""
    index = {w: i for i, w in enumerate(words)}
    ids = np.fromiter((index.get(w, -1) for s in sentences for w in s), dtype=np.int64)
    sent = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
    rows, cols, vals = [], [], []
    for d in range(1, window + 1):  # all pairs at distance d at once
        a, b = ids[:-d], ids[d:]
        ok = (a >= 0) & (b >= 0) & (sent[:-d] == sent[d:])
        rows.append(a[ok])
        cols.append(b[ok])
        vals.append(np.full(int(ok.sum()), 1.0 / d))
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    n = len(words)
    half = sp.coo_matrix((v, (r, c)), shape=(n, n)).tocsr()
    return (half + half.T).tocsr()


def ppmi_matrix(counts: sp.csr_matrix, cds: float) -> sp.csr_matrix:
    """Positive PMI with smoothed context probabilities (Levy et al. 2015, sec. 3.2)."""
    coo = counts.tocoo()
    row_sum = np.asarray(counts.sum(axis=1)).ravel()
    ctx = np.asarray(counts.sum(axis=0)).ravel() ** cds
    pmi = np.log(coo.data * ctx.sum() / (row_sum[coo.row] * ctx[coo.col]))
    keep = pmi > 0
    return sp.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape)


def ppmi_vectors(sentences: list[list[str]], cfg: PPMIConfig) -> tuple[list[str], np.ndarray]:
    """Tokenized sentences -> (words by descending frequency, (V, dim) float32 vectors)."""
    words = vocabulary(sentences, cfg.min_count)
    if len(words) <= cfg.dim:
        raise DecoderHeadError(f"ppmi: {len(words)} words occur >= {cfg.min_count} times; need more than "
                               f"dim = {cfg.dim} (lower --dim or --min-count, or use a larger corpus)")
    m = ppmi_matrix(cooccurrences(sentences, words, cfg.window), cfg.cds)
    start = np.random.default_rng(cfg.seed).standard_normal(len(words))
    u, s, _ = svds(m, k=cfg.dim, v0=start)
    order = np.argsort(-s)  # ARPACK returns ascending singular values
    u, s = u[:, order], s[order]
    u = u * np.sign(u[np.abs(u).argmax(axis=0), np.arange(cfg.dim)])  # fix each column's sign
    return words, (u * s**cfg.eig).astype(np.float32)
