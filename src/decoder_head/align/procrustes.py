"""Orthogonal Procrustes: the closed-form mapping every baseline here ends with.

Given row-aligned pairs X[i] <-> Z[i] (unit-normalised), the orthogonal W minimising
||X W - Z||_F is W = U V^T where U S V^T = svd(X^T Z) (Schoenemann 1966; used for BLI by
Xing et al. 2015, Artetxe et al. 2016, Conneau et al. 2018). Keeping W orthogonal preserves
monolingual distances, which is why it generalises from a small seed dictionary.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterator

import torch
from rich.progress import track

from ..errors import DecoderHeadError
from ..eval.retrieval import shortlist_dtype
from .induction import induce_dictionary


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run small LAPACK calls (d x d SVDs, d ~ 300) on one thread.

    Such a call is a chain of short parallel sections; on shared cores every section waits
    for a descheduled sibling thread. Measured here: a 300 x 300 SVD took 9 ms on 1 thread,
    10 ms on 2 idle threads, 35-87 ms on 2 threads beside a busy process, and ~0.8 s per
    self-learning iteration (half the loop's time) with 4-8 jobs on the machine.
    """
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


def orthogonal_map(x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """W (d, d) orthogonal with x @ W ~ z, for paired rows x (n, d), z (n, d)."""
    if x.shape != z.shape or x.dim() != 2:
        raise DecoderHeadError(f"Procrustes needs paired rows of equal shape, got {tuple(x.shape)} and {tuple(z.shape)}")
    if x.shape[0] == 0:
        raise DecoderHeadError("Procrustes needs at least one dictionary pair")
    m = x.T @ z  # (d, d)
    with one_thread():
        u, _, vt = torch.linalg.svd(m)  # x^T z = U S V^T
    return u @ vt


@dataclass(frozen=True)
class ProcrustesConfig:
    """Supervised orthogonal mapping with optional self-learning refinement.

    refine_rounds: after the first map, re-induce the dictionary with CSLS (both directions,
        top `vocab_cutoff` words) and solve Procrustes again, this many times (Artetxe et al.
        2017 self-learning / Conneau et al. 2018 refinement). 0 = plain supervised Procrustes.
    vocab_cutoff: most frequent words used in the induced dictionaries.
    csls_knn: CSLS neighbourhood size.
    candidates: CSLS over each word's K cosine-nearest (0 = exact over whole rows; `induction.py`).
    bf16: shortlist with a bfloat16 matmul (only with candidates > 0); None = where the CPU
        has native bf16 (`eval.retrieval.shortlist_dtype`).
    """

    refine_rounds: int = 0
    vocab_cutoff: int = 20000
    csls_knn: int = 10
    candidates: int = 64
    bf16: bool | None = None

    def __post_init__(self) -> None:
        if self.refine_rounds < 0:
            raise DecoderHeadError(f"refine_rounds must be >= 0, got {self.refine_rounds}")
        if self.vocab_cutoff < 1 or self.csls_knn < 1:
            raise DecoderHeadError("vocab_cutoff and csls_knn must be >= 1")
        if self.candidates < 0 or 0 < self.candidates < self.csls_knn:
            raise DecoderHeadError(f"candidates must be 0 or >= csls_knn, got {self.candidates}")


def procrustes(
    x: torch.Tensor,
    z: torch.Tensor,
    src_idx: torch.Tensor,
    trg_idx: torch.Tensor,
    cfg: ProcrustesConfig = ProcrustesConfig(),
) -> torch.Tensor:
    """Orthogonal map W (d, d) for normalised x (n_x, d), z (n_z, d) from seed pairs (src_idx[i], trg_idx[i])."""
    w = orthogonal_map(x[src_idx], z[trg_idx])
    rounds = range(cfg.refine_rounds)
    for _ in track(rounds, description="procrustes refinement", disable=cfg.refine_rounds < 3, transient=True):
        # Refinement: the current map induces a larger dictionary, which gives a better map.
        src_idx, trg_idx, _ = induce_dictionary(x @ w, z, cfg.vocab_cutoff, cfg.csls_knn,
                                                candidates=cfg.candidates,
                                                matmul_dtype=shortlist_dtype(cfg.bf16))
        w = orthogonal_map(x[src_idx], z[trg_idx])
    return w
